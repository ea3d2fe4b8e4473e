"""The landlord's reporting policy: targets, suppression and population (no defaults in code)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from hearth.contracts.events.common import Code
from hearth.eventstore.calendar import WorkingCalendar, WorkingDayRules


class _PolicyModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Targets(_PolicyModel):
    """The timescales the committee's performance figures are judged against."""

    first_contact_working_days: int = Field(ge=1, le=30)
    dash_working_days: int = Field(ge=1, le=30)
    emergency_repair_hours: int = Field(ge=1, le=24 * 14)


class Suppression(_PolicyModel):
    """How figures that leave the organisation hide small numbers."""

    smallest_shown: int = Field(ge=1, le=100)
    """Counts below this show as "<N"."""


class Population(_PolicyModel):
    """The area's population, when the landlord gives it."""

    adult_women: int | None = Field(default=None, ge=1, le=100_000_000)


class Policy(_PolicyModel):
    """One landlord's reporting policy."""

    id: Code
    working_days: WorkingDayRules
    targets: Targets
    suppression: Suppression
    population: Population

    def calendar(self) -> WorkingCalendar:
        return WorkingCalendar(self.working_days)
