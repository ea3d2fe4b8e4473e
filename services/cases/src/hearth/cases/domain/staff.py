"""The staff roster and how a case manager is chosen for a case.

Community Safety Officers own cases; the DA lead(s) are named on every restricted case.
A survivor's request for a case manager of a particular gender is honoured: among the
active officers of that gender, the one with the fewest open cases takes the case.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hearth.contracts.events.common import Gender, StaffId


class StaffRole(StrEnum):
    """What a member of staff does in the DA team."""

    CASE_MANAGER = "case_manager"
    """A Community Safety Officer: owns cases."""
    DA_LEAD = "da_lead"
    """The Community Safety Manager: supervises, and is named on restricted cases."""


class StaffMember(BaseModel):
    """One member of the DA team as the roster lists them (an id, never a name)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    staff_id: StaffId
    role: StaffRole
    gender: Gender | None = None
    active: bool
    """False while someone is away or has left: they take no new cases."""


class Roster(BaseModel):
    """The DA team."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    staff: Annotated[tuple[StaffMember, ...], Field(min_length=1)]

    @model_validator(mode="after")
    def _usable(self) -> Roster:
        ids = [member.staff_id for member in self.staff]
        if len(set(ids)) != len(ids):
            raise ValueError("a staff id appears twice in the roster")
        if not self.da_leads():
            raise ValueError("the roster needs at least one active DA lead")
        return self

    def find(self, staff_id: str) -> StaffMember | None:
        return next((m for m in self.staff if m.staff_id == staff_id), None)

    def case_managers(self) -> tuple[StaffMember, ...]:
        """Active officers who can take cases."""
        return tuple(m for m in self.staff if m.active and m.role is StaffRole.CASE_MANAGER)

    def da_leads(self) -> tuple[StaffMember, ...]:
        return tuple(m for m in self.staff if m.active and m.role is StaffRole.DA_LEAD)


@dataclass(frozen=True, slots=True)
class Choice:
    """Who was chosen, and whether the survivor's preference (if any) could be met."""

    member: StaffMember | None
    preference_met: bool | None


def choose_case_manager(
    roster: Roster,
    caseloads: Mapping[str, int],
    preferred_gender: Gender | None,
    exclude: Collection[str] = (),
) -> Choice:
    """The active officer with the lowest open caseload, of the preferred gender if asked.

    When nobody of that gender is available the case still gets a case manager (a case
    with nobody on it is worse) and `preference_met` is False, so a manager sees it.
    Ties go to the lowest staff id, so the choice is repeatable.
    """
    available = [m for m in roster.case_managers() if m.staff_id not in exclude]
    if not available:
        return Choice(None, None if preferred_gender is None else False)
    if preferred_gender is not None:
        matching = [m for m in available if m.gender is preferred_gender]
        if matching:
            return Choice(_least_loaded(matching, caseloads), True)
        return Choice(_least_loaded(available, caseloads), False)
    return Choice(_least_loaded(available, caseloads), None)


def _least_loaded(members: list[StaffMember], caseloads: Mapping[str, int]) -> StaffMember:
    return min(members, key=lambda m: (caseloads.get(m.staff_id, 0), m.staff_id))
