"""Figures as they are shown, and suppressed for sharing outside the organisation.

For external sharing (`smallest` given, the policy's 5):

- a count below `smallest` shows as "<5" (zero included: the protective reading of
  "counts below 5"; a zero tells nothing about anyone, but showing it would make the
  cells beside it easier to work out);
- a breakdown's total is published, so one hidden cell could be worked out by
  subtracting the others from it: when exactly one non-zero cell is hidden, the smallest
  shown cell is hidden too (`SUPPRESSED`: it is 5 or more, so not "<5"), and a total
  below `smallest` hides every cell;
- a rate is the breakdown {part, rest of the whole}: 98 of 100 would show that 2 are
  not, so the part is hidden with the rest and the percentage with the part;
- a median of fewer than `smallest` durations is hidden, as is a per-population rate
  whose count is.

Only counts and figures computed from them leave the service; nothing here sees a case.
"""

from __future__ import annotations

from typing import Any, Final

from hearth.reporting.domain.figures import (
    Breakdown,
    Count,
    Figure,
    Median,
    NotRecorded,
    PerPopulation,
    Rate,
    Report,
)

SUPPRESSED: Final = "suppressed"
"""A cell of 5 or more hidden so that a total cannot reveal a small one beside it."""

Shown = int | float | str | None


def small(smallest: int) -> str:
    """How a count below `smallest` shows."""
    return f"<{smallest}"


def present(report: Report, smallest: int | None = None) -> dict[str, Any]:
    """The report as JSON-ready data; suppressed for external sharing when `smallest` is
    given."""
    return {
        "report": report.kind.value,
        "period": report.period.label,
        "period_start": report.period.start.isoformat(),
        "period_end": report.period.end.isoformat(),
        "as_of": report.as_of.isoformat(),
        "suppressed_below": smallest,
        "sections": {
            section: {name: show(figure, smallest) for name, figure in figures.items()}
            for section, figures in report.sections.items()
        },
    }


def show(figure: Figure, smallest: int | None) -> dict[str, Any]:
    """One figure as shown (suppressed when `smallest` is given)."""
    match figure:
        case Count():
            return {"count": _count(figure.value, smallest)}
        case Breakdown():
            cells, total = suppress_breakdown(figure.cells, smallest)
            return {"counts": cells, "total": total}
        case Rate():
            return _rate(figure, smallest)
        case Median():
            hidden = smallest is not None and figure.of < smallest
            return {
                "median_days": SUPPRESSED if hidden else figure.days,
                "of": _count(figure.of, smallest),
            }
        case PerPopulation():
            hidden = smallest is not None and figure.count < smallest
            return {
                "count": _count(figure.count, smallest),
                "population": figure.population,
                "per": figure.per,
                "value": SUPPRESSED if hidden and figure.value is not None else figure.value,
            }
        case NotRecorded():
            return {"not_recorded": figure.reason}


def _count(value: int, smallest: int | None) -> Shown:
    return small(smallest) if smallest is not None and value < smallest else value


def suppress_breakdown(
    cells: dict[str, int], smallest: int | None
) -> tuple[dict[str, Shown], Shown]:
    """The cells and total as shown, with primary and secondary suppression."""
    total = sum(cells.values())
    if smallest is None:
        return dict(cells), total
    if total < smallest:
        return {name: small(smallest) for name in cells}, small(smallest)
    hidden = {name for name, n in cells.items() if n < smallest}
    secondary: set[str] = set()
    if sum(cells[name] > 0 for name in hidden) == 1:
        shown = [name for name in cells if name not in hidden]
        # There is one: the total is 5 or more, and the hidden cell is below 5.
        secondary.add(min(shown, key=lambda name: cells[name]))
    out: dict[str, Shown] = {}
    for name, n in cells.items():
        out[name] = small(smallest) if name in hidden else SUPPRESSED if name in secondary else n
    return out, total


def _rate(rate: Rate, smallest: int | None) -> dict[str, Any]:
    cells, whole = suppress_breakdown({"part": rate.part, "rest": rate.whole - rate.part}, smallest)
    part = cells["part"]
    return {
        "count": part,
        "of": whole,
        "percent": rate.percent if isinstance(part, int) else SUPPRESSED,
    }
