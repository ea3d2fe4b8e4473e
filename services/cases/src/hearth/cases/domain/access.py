"""Who may see and act on a case.

A restricted case (the survivor or an alleged perpetrator works for the landlord) is
visible only to the staff named on it; to anyone else it does not exist (404, never
403). A member of staff who is the survivor or an alleged perpetrator never sees their
own case, restricted or not. Every read of a restricted case is recorded, refused ones
too. Hearth itself (role `system`: consumers, the scheduler) is not a reader.
"""

from __future__ import annotations

from dataclasses import dataclass

from hearth.cases.domain.state import CaseState
from hearth.contracts.envelope import Actor, Role


@dataclass(frozen=True, slots=True)
class Visibility:
    """Which members of staff may see a case, as facts a read model can store and match a
    caller against without knowing why: everyone, or only `staff_ids`; never `never`."""

    everyone: bool
    staff_ids: frozenset[str]
    """Who may see a restricted case (empty when everyone may)."""
    never: frozenset[str]
    """Staff who are the survivor or an alleged perpetrator: never, restricted or not."""

    def admits(self, staff_id: str) -> bool:
        return staff_id not in self.never and (self.everyone or staff_id in self.staff_ids)


def visibility(state: CaseState) -> Visibility:
    """Who may see the case in this state."""
    restriction = state.restriction
    return Visibility(
        everyone=restriction is None,
        staff_ids=frozenset(restriction.permitted_staff_ids) if restriction else frozenset(),
        never=state.involved_staff_ids,
    )


def may_see(state: CaseState, actor: Actor) -> bool:
    """True when the actor may read (and, role permitting, act on) the case."""
    return actor.role is Role.SYSTEM or visibility(state).admits(actor.id)


def read_is_recorded(state: CaseState, actor: Actor) -> bool:
    """Reads of restricted cases, and any attempt by staff involved in the case, are logged."""
    if actor.role is Role.SYSTEM:
        return False
    return state.restricted or actor.id in state.involved_staff_ids
