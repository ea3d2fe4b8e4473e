"""The case's owner and its life: case manager, reviews, closure, reopening, restriction."""

from __future__ import annotations

from datetime import datetime

from hearth.cases.domain.commands import (
    ChangeCaseManager,
    DecideClosure,
    LiftRestriction,
    RecordRead,
    RecordWithheldAnswer,
    ReopenCase,
    RequestClosure,
    RestrictCase,
    ReviewCase,
)
from hearth.cases.domain.guards import (
    CaseNotFound,
    require_case,
    require_manager,
    require_open_case,
)
from hearth.cases.domain.people import case_manager_of, renamed
from hearth.cases.domain.rules import CaseRules
from hearth.cases.domain.staff import StaffMember, choose_case_manager
from hearth.cases.domain.state import CaseState, Recorded, fold
from hearth.contracts.events import cases as ev
from hearth.contracts.events.case_values import RestrictedView, Restriction
from hearth.contracts.events.common import Gender
from hearth.eventstore.errors import DomainError

# --- case manager ----------------------------------------------------------------------


class StaffNotIdentified(DomainError):
    """Someone on the case is said to be staff, without their staff id: they could be any
    officer, so nobody is named on the case until the id is recorded."""

    code = "staff_not_identified"

    def __init__(self) -> None:
        super().__init__(
            "a member of staff involved in this case has no staff id recorded: record it "
            "(the people on the case) before naming anyone else on it"
        )


def change_case_manager(
    command: ChangeCaseManager, state: CaseState, now: datetime, rules: CaseRules
) -> list[ev.CasesEvent]:
    """A manager names the new case manager; anyone on the case may record the survivor's
    preferred gender, which moves the case to a matching officer when one is free, or
    that the survivor withdrew it.

    While a preference stands, a manager cannot name a case manager of another gender
    (`preferred_gender_not_matched`), even when nobody of that gender is free: the case
    keeps its case manager and shows the preference unmet until one is, unless the
    survivor changes the preference (given with the reassignment, it is recorded on it)
    or withdraws it (`withdraw_preference`, which may come with the reassignment)."""
    require_open_case(state, command.actor)
    if command.staff_id is not None:
        require_manager(command.actor, "reassign a case to a named member of staff")
        if state.staff_unidentified:
            raise StaffNotIdentified()
    assert state.case_id is not None
    events: list[ev.CasesEvent] = []
    if command.withdraw_preference and state.preferred_gender is not None:
        events.append(
            ev.CaseManagerPreferenceWithdrawn(
                case_id=state.case_id, withdrawn_at=now, previous_gender=state.preferred_gender
            )
        )
        state = fold((Recorded(e, command.actor, state.version, now) for e in events), state)
    if command.staff_id is not None:
        member = _assignable(command.staff_id, state, rules)
        preference = command.preferred_gender or state.preferred_gender
        return events + _reassign(state, member, preference, now, rules)
    preferred = command.preferred_gender
    if preferred is None:  # ChangeCaseManager.check: then the preference was withdrawn
        return events
    current = state.case_manager
    if state.staff_unidentified:
        # The preference is recorded; the case moves to an officer once staff are identified.
        if state.preferred_gender is preferred:
            return events
        return [
            *events,
            ev.CaseManagerPreferenceRecorded(
                case_id=state.case_id,
                recorded_at=now,
                preferred_gender=preferred,
                current_case_manager_matches=current is not None and current.gender is preferred,
            ),
        ]
    if current is not None and current.gender is preferred:
        if state.preferred_gender is preferred:
            return []
        return [
            ev.CaseManagerPreferenceRecorded(
                case_id=state.case_id,
                recorded_at=now,
                preferred_gender=preferred,
                current_case_manager_matches=True,
            )
        ]
    exclude = {*state.involved_staff_ids, *([current.staff_id] if current else [])}
    choice = choose_case_manager(rules.roster, command.caseloads, preferred, exclude=exclude)
    if choice.member is None or not choice.preference_met:
        return [
            ev.CaseManagerPreferenceRecorded(
                case_id=state.case_id,
                recorded_at=now,
                preferred_gender=preferred,
                current_case_manager_matches=False,
            )
        ]
    return _reassign(state, choice.member, preferred, now, rules)


def _assignable(staff_id: str, state: CaseState, rules: CaseRules) -> StaffMember:
    member = rules.roster.find(staff_id)
    if member is None or not member.active:
        raise DomainError(
            "that member of staff is not an active case manager", code="not_a_case_manager"
        )
    if staff_id in state.involved_staff_ids:
        raise DomainError(
            "a member of staff involved in a case cannot manage it", code="staff_involved"
        )
    return member


def _reassign(
    state: CaseState,
    member: StaffMember,
    preference: Gender | None,
    now: datetime,
    rules: CaseRules,
) -> list[ev.CasesEvent]:
    assert state.case_id is not None
    previous = state.case_manager.staff_id if state.case_manager else None
    if previous == member.staff_id:
        raise DomainError("that member of staff already manages the case", code="no_change")
    if preference is not None and member.gender is not preference:
        raise DomainError(
            "the survivor asked for a case manager of another gender; record their changed "
            "or withdrawn preference first",
            code="preferred_gender_not_matched",
        )
    events: list[ev.CasesEvent] = [
        ev.CaseManagerAssigned(
            case_id=state.case_id,
            assigned_at=now,
            case_manager=case_manager_of(member),
            previous_staff_id=previous,
            preferred_gender=preference,
            preference_met=None if preference is None else True,
        )
    ]
    if state.restriction is not None:
        restriction = renamed(
            state.restriction, previous, member.staff_id, state.involved_staff_ids
        )
        events.append(
            ev.CaseRestricted(case_id=state.case_id, restricted_at=now, restriction=restriction)
        )
    return events


# --- review and closure ----------------------------------------------------------------


def review(
    command: ReviewCase, state: CaseState, now: datetime, rules: CaseRules
) -> list[ev.CasesEvent]:
    """A manager's review meets the review due and sets the next one (the policy's
    interval unless the manager names a date)."""
    require_open_case(state, command.actor)
    require_manager(command.actor, "review a case")
    assert state.case_id is not None
    next_due = command.next_review_due_at or rules.review_due(now)
    if next_due is not None and next_due <= now:
        raise DomainError("the next review must be in the future", code="next_review_in_past")
    return [
        ev.CaseReviewed(
            case_id=state.case_id,
            review_id=command.review_id,
            reviewed_at=now,
            outcome=command.outcome,
            next_review_due_at=next_due,
            notes=command.notes,
        )
    ]


def request_closure(
    command: RequestClosure, state: CaseState, now: datetime
) -> list[ev.CasesEvent]:
    require_open_case(state, command.actor)
    assert state.case_id is not None
    if state.pending_closure is not None:
        raise DomainError(
            "closure is already waiting for a manager", code="closure_already_requested"
        )
    return [
        ev.CaseClosureRequested(
            case_id=state.case_id, requested_at=now, reason=command.reason, notes=command.notes
        )
    ]


def decide_closure(command: DecideClosure, state: CaseState, now: datetime) -> list[ev.CasesEvent]:
    """Only a manager decides, and never on a closure they asked for themselves."""
    require_open_case(state, command.actor)
    require_manager(command.actor, "approve or decline a closure")
    assert state.case_id is not None
    pending = state.pending_closure
    if pending is None:
        raise DomainError("nobody has asked to close this case", code="no_closure_request")
    if not command.approve:
        assert command.reason  # DecideClosure.check: a declined closure has a reason
        return [
            ev.CaseClosureDeclined(case_id=state.case_id, declined_at=now, reason=command.reason)
        ]
    if pending.requested_by.id == command.actor.id:
        raise DomainError(
            "a closure needs a second person: another manager must approve it",
            code="own_closure_request",
        )
    return [
        ev.CaseClosed(
            case_id=state.case_id,
            closed_at=now,
            reason=pending.request.reason,
            approved_by=command.actor.id,
            survivor_feedback=command.survivor_feedback,
        )
    ]


def reopen(
    command: ReopenCase, state: CaseState, now: datetime, rules: CaseRules
) -> list[ev.CasesEvent]:
    """A reopened case is live again: new contact and DASH deadlines, reviews resume."""
    require_case(state, command.actor)
    assert state.case_id is not None
    if state.is_open:
        raise DomainError("the case is open", code="case_not_closed")
    restart = rules.policy.reopening_restarts_deadlines
    # Still nobody to contact: the DA lead's task comes back instead of a contact deadline.
    contact = restart and not state.survivor_unidentified
    return [
        ev.CaseReopened(
            case_id=state.case_id,
            reopened_at=now,
            reason=command.reason,
            notes=command.notes,
            contact_due_at=rules.contact_due(now) if contact else None,
            dash_due_at=rules.dash_due(now) if restart else None,
            review_due_at=rules.review_due(now),
        )
    ]


# --- restriction and reads -------------------------------------------------------------


def restrict(
    command: RestrictCase, state: CaseState, now: datetime, rules: CaseRules
) -> list[ev.CasesEvent]:
    """A manager restricts the case (or changes who is named). The case manager is always
    named; staff involved in the case never are."""
    require_case(state, command.actor)
    require_manager(command.actor, "restrict a case")
    assert state.case_id is not None
    if set(command.permitted_staff_ids) & state.involved_staff_ids:
        raise DomainError(
            "a member of staff involved in the case cannot be named on it", code="staff_involved"
        )
    if state.staff_unidentified:
        raise StaffNotIdentified()
    manager = state.case_manager.staff_id if state.case_manager else None
    named = tuple(dict.fromkeys([*([manager] if manager else []), *command.permitted_staff_ids]))
    restriction = Restriction(reason=command.reason, permitted_staff_ids=named)
    if restriction == state.restriction:
        return []
    return [ev.CaseRestricted(case_id=state.case_id, restricted_at=now, restriction=restriction)]


def lift_restriction(
    command: LiftRestriction, state: CaseState, now: datetime
) -> list[ev.CasesEvent]:
    """A manager lifts the restriction, only once no survivor or alleged perpetrator on
    the case is a member of staff (their staff id, if kept, still never sees the case)."""
    require_case(state, command.actor)
    require_manager(command.actor, "lift a restriction")
    assert state.case_id is not None
    if state.restriction is None:
        raise DomainError("the case is not restricted", code="not_restricted")
    if state.staff_involved:
        # Lifting would show the case to every member of staff, unlogged, while a
        # colleague is still the survivor or an alleged perpetrator (DOMAIN.md).
        raise DomainError(
            "a member of staff is still the survivor or an alleged perpetrator on this case; "
            "correct the people on the case first if that is no longer so",
            code="staff_involved",
        )
    return [ev.CaseRestrictionLifted(case_id=state.case_id, lifted_at=now, reason=command.reason)]


def record_withheld_answer(command: RecordWithheldAnswer, state: CaseState) -> list[ev.CasesEvent]:
    """A refused read by the member of staff intake kept the case from, when it did (a
    case this service does not know has nothing to record it on)."""
    if not state.exists:
        return []
    assert state.case_id is not None
    return [
        ev.RestrictedCaseRead(
            case_id=state.case_id,
            read_at=command.withheld_at,
            staff_id=command.actor.id,
            view=RestrictedView.INTAKE_ANSWER,
            access_granted=False,
        )
    ]


def record_read(command: RecordRead, state: CaseState, now: datetime) -> list[ev.CasesEvent]:
    """Recorded before anything is shown, and for refused reads before the 404."""
    if not state.exists:
        raise CaseNotFound()
    assert state.case_id is not None
    return [
        ev.RestrictedCaseRead(
            case_id=state.case_id,
            read_at=now,
            staff_id=command.actor.id,
            view=command.view,
            access_granted=command.granted,
        )
    ]
