"""Who may see and act on a case.

The rule itself lives in `hearth.eventstore.case_access`, so that risk, referrals and
reporting hide a restricted case from exactly the people cases hides it from: a
restricted case is visible only to the staff named on it (to anyone else it does not
exist: 404, never 403); staff who are the survivor or an alleged perpetrator never see
their own case; every read of a restricted case is recorded on the case, refused ones
too; every other read by a member of staff is recorded on the case's reads stream
(`staff_read`, `hearth.eventstore.reads`).
"""

from __future__ import annotations

from datetime import datetime

from hearth.cases.domain.state import CaseState
from hearth.contracts.envelope import Actor
from hearth.contracts.events.case_values import RestrictedView
from hearth.contracts.events.cases import CaseRecordRead
from hearth.eventstore.case_access import Visibility, visibility_of

__all__ = ["Visibility", "may_see", "read_is_recorded", "staff_read", "visibility"]


NOBODY = Visibility(everyone=False, staff_ids=frozenset(), never=frozenset())
"""An erased case: no member of staff sees it (Hearth itself still does). What is left
of it is dates and categories, which could still tell someone involved that a case about
them existed; and its read model keeps no staff id of anyone involved."""


def visibility(state: CaseState) -> Visibility:
    """Who may see the case in this state."""
    if state.erased:
        return NOBODY
    return visibility_of(state.restriction, (state.survivor, *state.perpetrators))


def may_see(state: CaseState, actor: Actor) -> bool:
    """True when the actor may read (and, role permitting, act on) the case."""
    return visibility(state).admits_actor(actor)


def read_is_recorded(state: CaseState, actor: Actor) -> bool:
    """Reads of restricted cases, and any attempt by staff involved in the case, are logged."""
    return visibility(state).read_is_recorded(actor)


def staff_read(
    state: CaseState, actor: Actor, view: RestrictedView, now: datetime
) -> CaseRecordRead | None:
    """The record of a granted read to keep on the case's reads stream, or None when this
    read is recorded on the case itself (`read_is_recorded`: a restricted case) or is not
    a member of staff's. The actor must be allowed to see the case (`may_see`)."""
    if state.case_id is None or not visibility(state).read_is_recorded_apart(actor):
        return None
    return CaseRecordRead(case_id=state.case_id, read_at=now, staff_id=actor.id, view=view)
