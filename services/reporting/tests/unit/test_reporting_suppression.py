"""Suppression for external sharing: small counts hidden, and no hidden count can be
worked out from a published total."""

from __future__ import annotations

from datetime import UTC, datetime

from hearth.reporting.domain.figures import (
    Breakdown,
    Count,
    Median,
    NotRecorded,
    PerPopulation,
    Rate,
    Report,
    ReportKind,
)
from hearth.reporting.domain.periods import parse_period
from hearth.reporting.domain.suppression import SUPPRESSED, present, show, suppress_breakdown

FIVE = 5


def test_counts_below_five_show_as_less_than_five_and_others_as_they_are() -> None:
    assert show(Count(4), FIVE) == {"count": "<5"}
    assert show(Count(0), FIVE) == {"count": "<5"}
    assert show(Count(5), FIVE) == {"count": 5}
    assert show(Count(3), None) == {"count": 3}


def test_one_small_cell_beside_a_total_hides_the_smallest_other_cell_too() -> None:
    cells, total = suppress_breakdown({"phone": 10, "email": 3, "web_form": 7, "visit": 0}, FIVE)
    # Without the second cell, 20 - 10 - 7 - 0 would give the email count back.
    assert cells == {"phone": 10, "email": "<5", "web_form": SUPPRESSED, "visit": "<5"}
    assert total == 20
    # What a reader can still work out: email + web_form = 10, in some split.
    shown = [n for n in cells.values() if isinstance(n, int)]
    assert total - sum(shown) == 3 + 7


def test_two_small_cells_hide_each_other_and_need_no_second_cell() -> None:
    cells, total = suppress_breakdown({"male": 2, "female": 20, "not_recorded": 1}, FIVE)
    assert cells == {"male": "<5", "female": 20, "not_recorded": "<5"}
    assert total == 23


def test_a_small_total_hides_every_cell() -> None:
    cells, total = suppress_breakdown({"high": 3, "medium": 1, "standard": 0}, FIVE)
    assert cells == {"high": "<5", "medium": "<5", "standard": "<5"} and total == "<5"


def test_zeros_alone_hidden_need_no_second_cell() -> None:
    cells, _ = suppress_breakdown({"a": 12, "b": 0, "c": 9}, FIVE)
    assert cells == {"a": 12, "b": "<5", "c": 9}


def test_a_rate_whose_rest_is_small_hides_its_part_and_percentage() -> None:
    # 98 of 100 on time would show that 2 were not.
    assert show(Rate(98, 100), FIVE) == {"count": SUPPRESSED, "of": 100, "percent": SUPPRESSED}
    assert show(Rate(3, 40), FIVE) == {"count": "<5", "of": 40, "percent": SUPPRESSED}
    assert show(Rate(30, 40), FIVE) == {"count": 30, "of": 40, "percent": 75.0}
    assert show(Rate(2, 3), FIVE) == {"count": "<5", "of": "<5", "percent": SUPPRESSED}
    assert show(Rate(0, 0), None) == {"count": 0, "of": 0, "percent": None}


def test_medians_and_population_rates_of_few_cases_are_hidden() -> None:
    assert show(Median(12.5, 4), FIVE) == {"median_days": SUPPRESSED, "of": "<5"}
    assert show(Median(12.5, 6), FIVE) == {"median_days": 12.5, "of": 6}
    assert show(PerPopulation(3, 60_000, 10_000), FIVE)["value"] == SUPPRESSED
    assert show(PerPopulation(30, 60_000, 10_000), FIVE)["value"] == 5.0
    assert show(NotRecorded("why"), FIVE) == {"not_recorded": "why"}


def test_a_whole_report_is_shown_with_its_period_and_suppression() -> None:
    period = parse_period("2026-07", "Europe/London")
    made = Report(
        ReportKind.EXECUTIVE,
        period,
        datetime(2026, 8, 1, tzinfo=UTC),
        {"cases": {"new": Count(3)}, "by": {"kind": Breakdown({"a": 6, "b": 1})}},
    )
    shown = present(made, FIVE)
    assert shown["period"] == "2026-07" and shown["suppressed_below"] == FIVE
    assert shown["sections"]["cases"]["new"] == {"count": "<5"}
    assert shown["sections"]["by"]["kind"] == {"counts": {"a": SUPPRESSED, "b": "<5"}, "total": 7}
    assert present(made)["sections"]["cases"]["new"] == {"count": 3}
