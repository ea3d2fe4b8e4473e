"""An alleged perpetrator's age band, from their date of birth at the report's date.

Reporting counts perpetrators aged 17 or under (a SafeLives MARAC indicator) but holds
no date of birth: a date of birth is personal and encrypted, a band identifies nobody.
Intake records the band when it receives the report, so the band is the age then.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Final
from zoneinfo import ZoneInfo

from hearth.contracts.events.common import AgeBand
from hearth.eventstore.errors import InvalidCommand
from hearth.intake.domain.submission import AllegedPerpetratorIn, ReportSubmission

__all__ = ["age_band_on", "age_on", "report_day", "with_perpetrator_age_bands"]

_UK: Final = ZoneInfo("Europe/London")
"""Ages are counted in the UK's calendar: a report at 00:30 BST is dated that day."""

_BANDS: Final = (
    (16, AgeBand.UNDER_16),
    (18, AgeBand.AGE_16_17),
    (25, AgeBand.AGE_18_24),
    (35, AgeBand.AGE_25_34),
    (45, AgeBand.AGE_35_44),
    (55, AgeBand.AGE_45_54),
    (65, AgeBand.AGE_55_64),
    (75, AgeBand.AGE_65_74),
)
"""Each band with the age it ends before; anyone older is 75 plus."""


def report_day(received_at: datetime) -> date:
    """The date (UK local) of a report received at `received_at`."""
    return received_at.astimezone(_UK).date()


def age_on(born: date, day: date) -> int:
    """Completed years on `day`. Someone born on 29 February turns a year older on
    1 March in a common year (as UK law counts it: the day after 28 February)."""
    years = day.year - born.year
    if (day.month, day.day) < (born.month, born.day):
        years -= 1
    return years


def age_band_on(born: date, day: date) -> AgeBand | None:
    """The band of someone born on `born`, on `day`; None when `born` is after `day`
    (a date of birth in the future says nothing about their age)."""
    if born > day:
        return None
    age = age_on(born, day)
    for ends_before, band in _BANDS:
        if age < ends_before:
            return band
    return AgeBand.AGE_75_PLUS


def with_perpetrator_age_bands(submission: ReportSubmission, day: date) -> ReportSubmission:
    """`submission` with each alleged perpetrator's band derived from their date of birth
    on `day` (the report's date) where the band is left out.

    Raises InvalidCommand naming `alleged_perpetrators.<i>.age_band` when a band given
    disagrees with the date of birth given: one of them is wrong, and a guess either way
    could count a child as an adult (or the reverse), so the reporter is asked to fix it.
    """
    perpetrators: list[AllegedPerpetratorIn] = []
    # "not_known" with a date of birth is no disagreement: the date answers it.
    for index, person in enumerate(submission.alleged_perpetrators):
        given = person.age_band
        derived = None if person.date_of_birth is None else age_band_on(person.date_of_birth, day)
        if derived is None or given == derived:
            band = given
        elif given is None or given is AgeBand.NOT_KNOWN:
            band = derived
        else:
            raise InvalidCommand(
                f"the age band {given.value} does not match the date of birth given: "
                "correct one, or leave the age band out",
                field=f"alleged_perpetrators.{index}.age_band",
                code="age_band_mismatch",
            )
        perpetrators.append(
            person if band == person.age_band else person.model_copy(update={"age_band": band})
        )
    return submission.model_copy(update={"alleged_perpetrators": tuple(perpetrators)})
