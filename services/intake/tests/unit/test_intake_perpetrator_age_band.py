"""Issue 13: an alleged perpetrator's age band, given or derived from their date of birth
at the report's date, so reporting can count perpetrators aged 17 or under."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from hearth.contracts.events.common import AgeBand
from hearth.eventstore.errors import InvalidCommand
from hearth.intake.domain.age import age_band_on, age_on, report_day

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("born", "day", "band"),
    [
        (date(2009, 12, 2), date(2026, 12, 2), AgeBand.AGE_16_17),  # 17 today
        (date(2010, 12, 2), date(2026, 12, 1), AgeBand.UNDER_16),  # 15, 16 tomorrow
        (date(2010, 12, 2), date(2026, 12, 2), AgeBand.AGE_16_17),  # 16 today
        (date(2008, 12, 2), date(2026, 12, 1), AgeBand.AGE_16_17),  # 17, 18 tomorrow
        (date(2008, 12, 2), date(2026, 12, 2), AgeBand.AGE_18_24),  # 18 today
        (date(2001, 12, 2), date(2026, 12, 1), AgeBand.AGE_18_24),  # 24
        (date(2001, 12, 2), date(2026, 12, 2), AgeBand.AGE_25_34),  # 25
        (date(1951, 12, 2), date(2026, 12, 2), AgeBand.AGE_75_PLUS),  # 75
        (date(1951, 12, 2), date(2026, 12, 1), AgeBand.AGE_65_74),  # 74
        (date(2026, 12, 2), date(2026, 12, 2), AgeBand.UNDER_16),  # born today
    ],
)
def test_age_band_at_the_boundaries(born: date, day: date, band: AgeBand) -> None:
    assert age_band_on(born, day) is band


def test_born_2009_12_02_is_16_on_2026_12_01_and_17_on_2026_12_02() -> None:
    assert age_on(date(2009, 12, 2), date(2026, 12, 1)) == 16
    assert age_on(date(2009, 12, 2), date(2026, 12, 2)) == 17
    assert age_band_on(date(2009, 12, 2), date(2026, 12, 1)) is AgeBand.AGE_16_17
    assert age_band_on(date(2009, 12, 2), date(2026, 12, 2)) is AgeBand.AGE_16_17


@pytest.mark.parametrize(
    ("day", "age", "band"),
    [
        (date(2026, 2, 28), 17, AgeBand.AGE_16_17),  # common year: not yet 18
        (date(2026, 3, 1), 18, AgeBand.AGE_18_24),  # 18 on 1 March
        (date(2028, 2, 28), 19, AgeBand.AGE_18_24),
        (date(2028, 2, 29), 20, AgeBand.AGE_18_24),  # leap year: on the day itself
    ],
)
def test_a_leap_day_birthday_counts_from_1_march_in_a_common_year(
    day: date, age: int, band: AgeBand
) -> None:
    assert age_on(date(2008, 2, 29), day) == age
    assert age_band_on(date(2008, 2, 29), day) is band


def test_a_leap_day_birth_turns_16_on_the_day_in_a_leap_year() -> None:
    assert age_band_on(date(2012, 2, 29), date(2028, 2, 28)) is AgeBand.UNDER_16
    assert age_band_on(date(2012, 2, 29), date(2028, 2, 29)) is AgeBand.AGE_16_17


def test_a_leap_day_birth_counts_a_year_on_1_march_in_a_common_year() -> None:
    # 16 and 18 fall in leap years for someone born on 29 February (a multiple of 4
    # years later), so the common-year rule shows at 17 and at the band boundary of 25.
    assert age_on(date(2008, 2, 29), date(2025, 2, 28)) == 16
    assert age_on(date(2008, 2, 29), date(2025, 3, 1)) == 17
    assert age_band_on(date(2000, 2, 29), date(2025, 2, 28)) is AgeBand.AGE_18_24
    assert age_band_on(date(2000, 2, 29), date(2025, 3, 1)) is AgeBand.AGE_25_34


def test_a_date_of_birth_after_the_report_gives_no_band() -> None:
    assert age_band_on(date(2027, 1, 1), date(2026, 12, 2)) is None


def test_the_report_day_is_the_uk_date() -> None:
    # 23:30 UTC on 1 June is 00:30 BST on 2 June.
    assert report_day(datetime(2026, 6, 1, 23, 30, tzinfo=UTC)) == date(2026, 6, 2)
    assert report_day(datetime(2026, 12, 1, 23, 30, tzinfo=UTC)) == date(2026, 12, 1)


def _with_perpetrator(scenario, **details):
    submission = scenario.submission()
    perpetrator = {**submission.alleged_perpetrators[0].model_dump(mode="json"), **details}
    return scenario.submission(alleged_perpetrators=[perpetrator])


def test_the_band_is_derived_from_the_date_of_birth_at_the_report(scenario) -> None:
    submission = _with_perpetrator(scenario, date_of_birth="2009-12-03")
    [received, *_] = scenario.when(scenario.submit(submission), NOW)
    assert received.alleged_perpetrators[0].age_band is AgeBand.AGE_16_17
    assert received.alleged_perpetrators[0].date_of_birth == date(2009, 12, 3)


def test_a_band_given_without_a_date_of_birth_is_kept(scenario) -> None:
    submission = _with_perpetrator(scenario, age_band="under_16")
    [received, *_] = scenario.when(scenario.submit(submission), NOW)
    assert received.alleged_perpetrators[0].age_band is AgeBand.UNDER_16


def test_a_band_that_agrees_with_the_date_of_birth_is_kept(scenario) -> None:
    submission = _with_perpetrator(scenario, date_of_birth="2008-12-02", age_band="18_24")
    [received, *_] = scenario.when(scenario.submit(submission), NOW)
    assert received.alleged_perpetrators[0].age_band is AgeBand.AGE_18_24


def test_not_known_with_a_date_of_birth_takes_the_derived_band(scenario) -> None:
    submission = _with_perpetrator(scenario, date_of_birth="2012-01-01", age_band="not_known")
    [received, *_] = scenario.when(scenario.submit(submission), NOW)
    assert received.alleged_perpetrators[0].age_band is AgeBand.UNDER_16


def test_neither_given_leaves_the_band_unrecorded(scenario) -> None:
    [received, *_] = scenario.when(scenario.submit(_with_perpetrator(scenario)), NOW)
    assert received.alleged_perpetrators[0].age_band is None


def test_a_band_contradicting_the_date_of_birth_is_refused_naming_the_field(scenario) -> None:
    # 18 on the report's day: "16_17" is a day out, and would count an adult as a child.
    submission = _with_perpetrator(scenario, date_of_birth="2008-12-02", age_band="16_17")
    refused = scenario.then_refused(scenario.submit(submission), NOW, InvalidCommand)
    assert isinstance(refused, InvalidCommand)
    assert refused.field == "alleged_perpetrators.0.age_band"
    assert refused.code == "age_band_mismatch"
    assert "2008" not in str(refused)
