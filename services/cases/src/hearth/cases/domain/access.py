"""Who may see and act on a case.

A restricted case (the survivor or an alleged perpetrator works for the landlord) is
visible only to the staff named on it; to anyone else it does not exist (404, never
403). A member of staff who is the survivor or an alleged perpetrator never sees their
own case, restricted or not. Every read of a restricted case is recorded, refused ones
too. Hearth itself (role `system`: consumers, the scheduler) is not a reader.
"""

from __future__ import annotations

from hearth.contracts.envelope import Actor, Role

from .state import CaseState


def may_see(state: CaseState, actor: Actor) -> bool:
    """True when the actor may read (and, role permitting, act on) the case."""
    if actor.role is Role.SYSTEM:
        return True
    if actor.id in state.involved_staff_ids:
        return False
    if state.restriction is None:
        return True
    return actor.id in state.restriction.permitted_staff_ids


def read_is_recorded(state: CaseState, actor: Actor) -> bool:
    """Reads of restricted cases, and any attempt by staff involved in the case, are logged."""
    if actor.role is Role.SYSTEM:
        return False
    return state.restricted or actor.id in state.involved_staff_ids
