"""The landlord's timescale policy: how long each deadline is and how working days count.

Every figure comes from the policy file (see `hearth/cases/policy.toml`); nothing here
has a default, so a figure can never silently come from code.
"""

from __future__ import annotations

from datetime import date, time
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hearth.contracts.events.common import Code, Weekday


class OutOfHours(StrEnum):
    """What a report outside office hours on a working day counts from."""

    LITERAL = "literal"
    """DOMAIN.md's rule as written: any moment of a working day starts the count there."""
    NEXT_OPENING = "next_opening"
    """Before opening: that day's counting start; after closing: the next working day's."""


class _PolicyModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class WorkingDayRules(_PolicyModel):
    """Which days are working days and where counting starts."""

    timezone: str = Field(min_length=1)
    """The local time deadlines are computed in (Europe/London)."""
    weekdays: Annotated[tuple[Weekday, ...], Field(min_length=1, max_length=7)]
    bank_holidays: str = Field(pattern=r"^[A-Z]{2}(-[A-Z0-9]{1,4})?$")
    """Country and subdivision for the `holidays` package: GB-ENG is England and Wales."""
    counting_starts_at: time
    """When counting starts on the next working day if a report arrives on a non-working day."""
    out_of_hours: OutOfHours
    office_opens: time
    office_closes: time
    extra_closed_dates: tuple[date, ...]
    """Days the landlord is closed besides weekends and bank holidays."""

    @model_validator(mode="after")
    def _office_day_makes_sense(self) -> WorkingDayRules:
        if self.office_closes <= self.office_opens:
            raise ValueError("office_closes must be after office_opens")
        if len(set(self.weekdays)) != len(self.weekdays):
            raise ValueError("weekdays must not repeat")
        return self


class Timescales(_PolicyModel):
    """How long each deadline is."""

    first_contact_working_days: int = Field(ge=1, le=30)
    dash_working_days: int = Field(ge=1, le=30)
    emergency_repair_hours: int = Field(ge=1, le=24 * 14)
    review_interval_days: int = Field(ge=0, le=366)
    """Calendar days between manager reviews while the case is open; 0: no periodic review."""


class Policy(_PolicyModel):
    """One landlord's policy, named so that replays can say which rules applied."""

    id: Code
    working_days: WorkingDayRules
    timescales: Timescales
    reopening_restarts_deadlines: bool
    """A reopened case gets new first-contact and DASH deadlines from the reopening."""
