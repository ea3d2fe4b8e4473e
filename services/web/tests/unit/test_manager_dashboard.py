"""The dashboard from the reporting service's figures: periods, trend months, risk mix,
timescales with the counts behind them."""

from __future__ import annotations

from datetime import date
from typing import Any

from hearth.web.manager.dashboard import (
    current_quarter,
    dashboard,
    is_period,
    period_choices,
    period_words,
    trend_months,
)


def committee(**sections: Any) -> dict[str, Any]:
    return {
        "report": "committee",
        "period": "2026-Q4",
        "as_of": "2026-12-01T10:00:00+00:00",
        "sections": sections,
    }


def executive(new: int, closed: int, open_at_end: int) -> dict[str, Any]:
    return {
        "sections": {
            "cases": {
                "new": {"count": new},
                "closed": {"count": closed},
                "open_at_end": {"count": open_at_end},
            }
        }
    }


def test_periods_are_named_as_reporting_names_them() -> None:
    assert all(is_period(p) for p in ("2026", "2026-07", "2026-Q3"))
    assert not any(is_period(p) for p in ("2026-13", "2026-Q5", "26", "2026-7", "x"))


def test_a_period_reads_as_plain_words() -> None:
    assert period_words("2026-07") == "July 2026"
    assert period_words("2026-Q3") == "July to September 2026"
    assert period_words("2026") == "2026"


def test_the_trend_is_the_twelve_months_up_to_the_periods_end() -> None:
    assert trend_months("2026-Q2", date(2026, 12, 1)) == [
        "2025-07",
        "2025-08",
        "2025-09",
        "2025-10",
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
        "2026-03",
        "2026-04",
        "2026-05",
        "2026-06",
    ]


def test_the_trend_stops_at_this_month_for_a_period_not_yet_over() -> None:
    months = trend_months("2026", date(2026, 3, 15))

    assert months[0] == "2025-04"
    assert months[-1] == "2026-03"


def test_the_default_period_is_this_quarter() -> None:
    assert current_quarter(date(2026, 12, 1)) == "2026-Q4"
    assert current_quarter(date(2026, 1, 1)) == "2026-Q1"


def test_the_chooser_offers_no_quarter_that_has_not_begun() -> None:
    values = [v for v, _ in period_choices(date(2026, 5, 2))]

    assert values[:6] == ["2026-Q2", "2026-Q1", "2025-Q4", "2025-Q3", "2025-Q2", "2025-Q1"]
    assert "2026-Q3" not in values
    assert "2026-05" in values and "2025-06" in values and "2025-05" not in values
    assert values[-2:] == ["2026", "2025"]


def test_the_dashboard_reads_the_risk_mix_timescales_and_headlines() -> None:
    figures = committee(
        cases={"new": {"count": 4}, "open_at_end": {"count": 6}, "closed": {"count": 1}},
        overdue_deadlines={
            "overdue_at_end": {
                "counts": {"first_contact": 1, "dash": 2, "emergency_repair": 0},
                "total": 3,
            }
        },
        risk={
            "open_cases_by_level": {
                "counts": {"standard": 2, "medium": 1, "high": 1, "not_assessed": 2},
                "total": 6,
            },
            "assessments_by_level": {
                "counts": {"standard": 1, "medium": 0, "high": 1},
                "total": 2,
            },
        },
        timescales={
            "first_contact_within_target": {"count": 3, "of": 4, "percent": 75.0},
            "first_contact_stopped_by_closure": {"count": 1},
            "dash_within_target": {"count": 0, "of": 0, "percent": None},
            "dash_stopped_by_closure": {"count": 0},
            "emergency_repair_within_target": {"count": 1, "of": 1, "percent": 100.0},
            "emergency_repair_stopped_by_closure": {"count": 0},
        },
    )

    board = dashboard(figures, [("2026-11", executive(3, 1, 5)), ("2026-12", executive(1, 0, 6))])

    assert [(h.label, h.value) for h in board.headlines] == [
        ("New cases", 4),
        ("Cases closed", 1),
        ("Open at the end", 6),
        ("Deadlines overdue at the end", 3),
    ]
    assert [(b.label, b.value) for b in board.risk_open] == [
        ("Standard", 2),
        ("Medium", 1),
        ("High", 1),
        ("Not assessed", 2),
    ]
    assert board.risk_open_total == 6
    assert [(b.label, b.value) for b in board.risk_assessed] == [
        ("Standard", 1),
        ("Medium", 0),
        ("High", 1),
    ]
    first, dash, repair = board.timescales
    assert (first.rate.count, first.rate.of, first.rate.percent) == (3, 4, 75.0)
    assert first.stopped_by_closure == 1
    assert (dash.rate.of, dash.rate.percent) == (0, None)
    assert repair.rate.percent == 100.0
    assert [(r.month, r.new, r.closed, r.open_at_end) for r in board.trend] == [
        ("2026-11", 3, 1, 5),
        ("2026-12", 1, 0, 6),
    ]
    assert "3 of 4, 75%" in str(board.timescales_chart())
    assert "Nov 26 3" in str(board.trend_chart())
    assert "Not assessed: 2" in str(board.risk_open_chart())


def test_a_suppressed_or_missing_figure_is_not_available_never_a_made_up_number() -> None:
    figures = committee(
        cases={"new": {"count": "<5"}},
        risk={"open_cases_by_level": {"counts": {"standard": "<5", "high": 7}, "total": 9}},
    )

    board = dashboard(figures, [])

    assert board.headlines[0].value is None
    assert board.headlines[2].value is None
    assert [(b.label, b.value) for b in board.risk_open] == [
        ("Standard", None),
        ("Medium", None),
        ("High", 7),
        ("Not assessed", None),
    ]
    assert board.timescales[0].rate.percent is None
