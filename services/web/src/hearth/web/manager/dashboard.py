"""The dashboard from the reporting service's figures (pure: JSON in, rows and charts out).

For the period chosen: the committee report (`GET /figures/committee?period=...`) gives
the case counts, the risk mix (open cases by risk level at the period's end, and the
assessments completed in it) and timescale performance (deadlines met within target,
with the counts behind each percentage). The monthly trend is the executive report of
each of the twelve months up to the period's end (or this month, if sooner).

Periods are named as the reporting API names them (`2026-07`, `2026-Q3`, `2026`); the
API stays the judge of a period (its 422 is shown as it words it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from markupsafe import Markup

from hearth.web.manager.charts import Bar, RateBar, Series, bar_chart, rate_chart, trend_chart

PERIOD_FORM: Final = re.compile(r"^[0-9]{4}(-(0[1-9]|1[0-2]|Q[1-4]))?$")
"""A month (2026-07), a quarter (2026-Q3) or a year (2026), as reporting reads them."""
TREND_MONTHS: Final = 12
MONTHS_OF_QUARTER: Final = 3
MONTH_NAMES: Final = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

RISK_LEVELS: Final = {
    "standard": "Standard",
    "medium": "Medium",
    "high": "High",
    "not_assessed": "Not assessed",
}
ASSESSED_LEVELS: Final = {k: v for k, v in RISK_LEVELS.items() if k != "not_assessed"}
TIMESCALES: Final = {
    "first_contact": "First contact",
    "dash": "DASH risk assessment",
    "emergency_repair": "Emergency repair",
}
OVERDUE_KINDS: Final = TIMESCALES


def _month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


def _month_label(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def is_period(text: str) -> bool:
    return PERIOD_FORM.fullmatch(text) is not None


def current_quarter(today: date) -> str:
    return f"{today.year}-Q{(today.month - 1) // MONTHS_OF_QUARTER + 1}"


def last_month_of(period: str) -> int:
    """The month index of the period's last month."""
    year = int(period[:4])
    part = period[5:]
    if not part:
        return _month_index(year, 12)
    if part.startswith("Q"):
        return _month_index(year, int(part[1]) * MONTHS_OF_QUARTER)
    return _month_index(year, int(part))


def trend_months(period: str, today: date) -> list[str]:
    """The twelve months ending with the period's last month, or with this month when the
    period runs on past it (no month that has not begun)."""
    last = min(last_month_of(period), _month_index(today.year, today.month))
    return [_month_label(i) for i in range(last - TREND_MONTHS + 1, last + 1)]


def period_words(period: str) -> str:
    """ "July 2026", "July to September 2026", or "2026"."""
    year, part = period[:4], period[5:]
    if not part:
        return year
    if part.startswith("Q"):
        first = (int(part[1]) - 1) * MONTHS_OF_QUARTER
        return f"{MONTH_NAMES[first]} to {MONTH_NAMES[first + MONTHS_OF_QUARTER - 1]} {year}"
    return f"{MONTH_NAMES[int(part) - 1]} {year}"


def short_month(month: str) -> str:
    """ "2026-07" as "Jul 26" (a chart's axis)."""
    return f"{MONTH_NAMES[int(month[5:]) - 1][:3]} {month[2:4]}"


def period_choices(today: date) -> list[tuple[str, str]]:
    """What the period chooser offers: the quarters of this year and last, the last
    twelve months, this year and last; newest first in each group."""
    this_quarter = (today.month - 1) // MONTHS_OF_QUARTER + 1
    quarters = [
        f"{year}-Q{q}"
        for year in (today.year, today.year - 1)
        for q in range(4, 0, -1)
        if (year, q) <= (today.year, this_quarter)
    ]
    now = _month_index(today.year, today.month)
    months = [_month_label(i) for i in range(now, now - TREND_MONTHS, -1)]
    years = [str(today.year), str(today.year - 1)]
    return [(p, period_words(p)) for p in (*quarters, *months, *years)]


def _count(figure: Mapping[str, Any] | None, key: str = "count") -> int | None:
    """A figure's number; None when absent or suppressed (shown as words, not a number)."""
    value = figure.get(key) if figure else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _percent(figure: Mapping[str, Any] | None) -> float | None:
    value = figure.get("percent") if figure else None
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _cells(figure: Mapping[str, Any] | None, names: Mapping[str, str]) -> list[Bar]:
    """A breakdown's cells in `names`' order (then any other), as bars."""
    counts: Mapping[str, Any] = (figure or {}).get("counts") or {}
    order = [*names, *(k for k in counts if k not in names)]
    return [Bar(names.get(k, k.replace("_", " ").capitalize()), _count(counts, k)) for k in order]


@dataclass(frozen=True)
class Headline:
    label: str
    value: int | None


@dataclass(frozen=True)
class TrendRow:
    month: str
    new: int | None
    closed: int | None
    open_at_end: int | None

    @property
    def words(self) -> str:
        return period_words(self.month)


@dataclass(frozen=True)
class TimescaleRow:
    rate: RateBar
    stopped_by_closure: int | None


@dataclass(frozen=True)
class Dashboard:
    period: str
    as_of: str
    headlines: list[Headline]
    risk_open: list[Bar]
    risk_assessed: list[Bar]
    timescales: list[TimescaleRow]
    trend: list[TrendRow]

    @property
    def period_words(self) -> str:
        return period_words(self.period)

    @property
    def risk_open_total(self) -> int:
        return sum(b.value or 0 for b in self.risk_open)

    @property
    def risk_assessed_total(self) -> int:
        return sum(b.value or 0 for b in self.risk_assessed)

    def risk_open_chart(self) -> Markup:
        return bar_chart(
            "risk-open", f"Open cases by risk level, end of {self.period_words}", self.risk_open
        )

    def risk_assessed_chart(self) -> Markup:
        return bar_chart(
            "risk-assessed",
            f"DASH assessments completed in {self.period_words}, by risk level",
            self.risk_assessed,
        )

    def timescales_chart(self) -> Markup:
        return rate_chart(
            "timescales",
            f"Deadlines met within target, clocks started in {self.period_words}",
            [t.rate for t in self.timescales],
        )

    def trend_chart(self) -> Markup:
        return trend_chart(
            "trend",
            "Cases by month: new, closed, and open at the month's end",
            [short_month(r.month) for r in self.trend],
            [
                Series("New", [r.new for r in self.trend]),
                Series("Closed", [r.closed for r in self.trend]),
                Series("Open at month end", [r.open_at_end for r in self.trend]),
            ],
        )


def trend_row(month: str, executive: Mapping[str, Any]) -> TrendRow:
    cases = executive.get("sections", {}).get("cases", {})
    return TrendRow(
        month,
        new=_count(cases.get("new")),
        closed=_count(cases.get("closed")),
        open_at_end=_count(cases.get("open_at_end")),
    )


def dashboard(
    committee: Mapping[str, Any], executives: Sequence[tuple[str, Mapping[str, Any]]]
) -> Dashboard:
    """The dashboard from the committee report for the period and the executive report
    of each trend month (`(month, answer)`, oldest first)."""
    sections = committee.get("sections", {})
    cases = sections.get("cases", {})
    overdue = sections.get("overdue_deadlines", {}).get("overdue_at_end")
    overdue_cells = _cells(overdue, OVERDUE_KINDS)
    risk = sections.get("risk", {})
    timescales = sections.get("timescales", {})
    return Dashboard(
        period=str(committee["period"]),
        as_of=str(committee.get("as_of", "")),
        headlines=[
            Headline("New cases", _count(cases.get("new"))),
            Headline("Cases closed", _count(cases.get("closed"))),
            Headline("Open at the end", _count(cases.get("open_at_end"))),
            Headline(
                "Deadlines overdue at the end",
                None
                if any(b.value is None for b in overdue_cells)
                else sum(b.value or 0 for b in overdue_cells),
            ),
        ],
        risk_open=_cells(risk.get("open_cases_by_level"), RISK_LEVELS),
        risk_assessed=_cells(risk.get("assessments_by_level"), ASSESSED_LEVELS),
        timescales=[
            TimescaleRow(
                RateBar(
                    label,
                    _count(timescales.get(f"{kind}_within_target")),
                    _count(timescales.get(f"{kind}_within_target"), "of"),
                    _percent(timescales.get(f"{kind}_within_target")),
                ),
                _count(timescales.get(f"{kind}_stopped_by_closure")),
            )
            for kind, label in TIMESCALES.items()
        ],
        trend=[trend_row(month, answer) for month, answer in executives],
    )
