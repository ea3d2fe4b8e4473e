"""What intake knows when it decides: the facts the edge loaded for one command.

A report's stream is new every time, so its own history says nothing; what a decision
reads is intake's read model (the match index entries for the report's keys, what is
known of the cases they point to, whether a named enquiry was raised). The edge loads
exactly those facts; `evolve` adds what intake's own events tell, so a test can build
the facts from events as well as state them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from uuid import UUID

from hearth.contracts.events.intake import (
    CaseWithheldFromSubmitter,
    EnquiryErased,
    EnquiryRaised,
    LinkBasis,
    ReportLinkedToCase,
    ReportReceived,
)
from hearth.eventstore.decider import Recorded
from hearth.intake.domain.disclosure import RestrictionFacts, restriction_mark
from hearth.intake.domain.linking import CaseStatus, IndexEntry

__all__ = ["IntakeState", "evolve", "initial_state"]


@dataclass(frozen=True, slots=True)
class IntakeState:
    """The match index entries, case statuses, restrictions and enquiries a decision may
    read."""

    entries: tuple[IndexEntry, ...] = ()
    """Index entries for the report's match keys (entries for other keys do no harm)."""
    statuses: Mapping[UUID, CaseStatus] = field(default_factory=lambda: MappingProxyType({}))
    """What is known of the cases those entries, or staff, name; absent: never heard of."""
    known_enquiries: frozenset[UUID] = frozenset()
    """Enquiries intake raised (at least the one the report names, when it exists)."""
    erased_enquiries: frozenset[UUID] = frozenset()
    """Enquiries erased at the end of retention (at least the one the report names, when
    it was): a report naming one is received as a new report (`decider.receive_report`)."""
    restrictions: Mapping[UUID, RestrictionFacts] = field(
        default_factory=lambda: MappingProxyType({})
    )
    """What is known of those cases' restrictions (from cases, and intake's own marks)."""
    stand_ins: Mapping[tuple[str, UUID], UUID] = field(default_factory=lambda: MappingProxyType({}))
    """(staff id, restricted case) → the stand-in case id that member of staff was given
    for it (`disclosure`): at least the submitter's for the cases above, and the one they
    named, if any."""


def initial_state() -> IntakeState:
    """Intake before it has heard of anything."""
    return IntakeState()


def evolve(state: IntakeState, recorded: Recorded) -> IntakeState:
    """The facts after one of intake's own events.

    A new case is open from the moment intake assigns it; a report naming staff involved
    marks its case restricted (`disclosure.restriction_mark`); a stand-in case id given
    for a restricted case is given again to the same member of staff; a raised enquiry
    can be named by reports, until it is erased. The match index is not evolved: its keys
    are digests of the people, which the events do not carry (the edge adds them, see
    `linking.report_index_entries`).
    """
    event = recorded.event
    if isinstance(event, ReportReceived):
        mark = restriction_mark(event)
        if mark is None:
            return state
        facts = state.restrictions.get(mark.case_id) or RestrictionFacts(mark.case_id)
        merged = facts.mark.merged(mark) if facts.mark is not None else mark
        restrictions = {**state.restrictions, mark.case_id: replace(facts, mark=merged)}
        return replace(state, restrictions=MappingProxyType(restrictions))
    if isinstance(event, ReportLinkedToCase) and event.basis is LinkBasis.NEW_CASE:
        assigned = CaseStatus(event.case_id, assigned_at=event.linked_at)
        return replace(
            state, statuses=MappingProxyType({**state.statuses, event.case_id: assigned})
        )
    if isinstance(event, CaseWithheldFromSubmitter) and event.answered_case_id is not None:
        key = (recorded.actor.id, event.case_id)
        if key in state.stand_ins:
            return state
        stand_ins = {**state.stand_ins, key: event.answered_case_id}
        return replace(state, stand_ins=MappingProxyType(stand_ins))
    if isinstance(event, EnquiryRaised):
        return replace(state, known_enquiries=state.known_enquiries | {event.enquiry_id})
    if isinstance(event, EnquiryErased):
        return replace(state, erased_enquiries=state.erased_enquiries | {event.enquiry_id})
    return state
