"""The case decider: `decide(command, state, now, rules)` and the deadline decisions.

A case is one event stream. `initial_state`/`evolve`/`fold` (in `state`) rebuild it from
its events; `decide` returns the events a command causes, or raises a DomainError
(409), InvalidCommand (422), NotFound (404) or NotAllowed (403) and causes nothing.
Time is passed in.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from hearth.cases.domain import casework, erasure, lifecycle, opening, people_update
from hearth.cases.domain import commands as c
from hearth.cases.domain.commands import Command, MeetDashDeadline, RecordOverdue
from hearth.cases.domain.deadlines import Deadline, DeadlineKind
from hearth.cases.domain.identification import identified_now
from hearth.cases.domain.rules import CaseRules
from hearth.cases.domain.state import CaseState, Recorded, evolve, fold
from hearth.contracts.events import cases as ev
from hearth.eventstore.decider import Decider

__all__ = ["CaseState", "case_decider", "decide", "evolve", "fold", "initial_state"]


def initial_state() -> CaseState:
    """A case that does not exist yet."""
    return CaseState()


def case_decider(rules: CaseRules) -> Decider[Command, CaseState]:
    """The case decider under one landlord's rules."""

    def decide_under_rules(
        command: Command, state: CaseState, now: datetime
    ) -> list[ev.CasesEvent]:
        return decide(command, state, now, rules)

    return Decider(initial_state=initial_state, evolve=evolve, decide=decide_under_rules)


def decide(
    command: Command, state: CaseState, now: datetime, rules: CaseRules
) -> list[ev.CasesEvent]:
    """The events `command` causes on a case in `state` at `now`.

    A command inconsistent in itself is refused first (InvalidCommand), whatever the case."""
    command.check()
    if state.erased:
        return erasure.after_erasure(command)
    erasure.refuse_erased_people(command, state)
    match command:
        case c.ReceiveReport():
            return opening.receive_report(command, state, now, rules)
        case c.RecordLink():
            return opening.record_link(command, state, now)
        case c.RecordRelatedLink():
            return opening.record_related_link(command, state, now)
        case c.MeetDashDeadline():
            return meet_dash_deadline(command, state, now)
        case c.RecordOverdue():
            return record_overdue(command, state, now)
        case c.RecordRead():
            return lifecycle.record_read(command, state, now)
        case c.RecordWithheldAnswer():
            return lifecycle.record_withheld_answer(command, state)
        case c.ChangeCaseManager():
            return lifecycle.change_case_manager(command, state, now, rules)
        case c.RecordContactAttempt():
            return casework.attempt_contact(command, state, now, rules)
        case c.RecordContact():
            return casework.contact(command, state, now, rules)
        case c.UpdateSafeContact():
            updated = casework.update_safe_contact(command, state, now)
            after = fold((Recorded(e, command.actor, 0, now) for e in updated), state)
            # A safe number, email or address is a way to reach an anonymous survivor.
            return updated + identified_now(after, now, rules)
        case c.UpdatePeople():
            return people_update.update_people(command, state, now, rules)
        case _:
            return _decide_casework(command, state, now, rules)


def _decide_casework(
    command: Command, state: CaseState, now: datetime, rules: CaseRules
) -> list[ev.CasesEvent]:
    match command:
        case c.RaiseEmergencyRepair():
            return casework.raise_repair(command, state, now, rules)
        case c.CompleteEmergencyRepair():
            return casework.complete_repair(command, state, now)
        case c.RequestSecurityMeasures():
            return casework.request_security(command, state, now)
        case c.RecordSecurityInstalled():
            return casework.install_security(command, state, now)
        case c.RaiseFlag():
            return casework.raise_flag(command, state, now)
        case c.RemoveFlag():
            return casework.remove_flag(command, state, now)
        case c.RecordWishes():
            return casework.record_wishes(command, state, now)
        case c.TakePerpetratorAction():
            return casework.take_perpetrator_action(command, state, now)
        case _:
            return _decide_lifecycle(command, state, now, rules)


def _decide_lifecycle(
    command: Command, state: CaseState, now: datetime, rules: CaseRules
) -> list[ev.CasesEvent]:
    match command:
        case c.ReviewCase():
            return lifecycle.review(command, state, now, rules)
        case c.RequestClosure():
            return lifecycle.request_closure(command, state, now)
        case c.DecideClosure():
            return lifecycle.decide_closure(command, state, now)
        case c.ReopenCase():
            return lifecycle.reopen(command, state, now, rules)
        case c.RestrictCase():
            return lifecycle.restrict(command, state, now, rules)
        case c.LiftRestriction():
            return lifecycle.lift_restriction(command, state, now)
        case c.RequestErasure():
            return erasure.request_erasure(command, state, now)
        case c.ApproveErasure():
            return erasure.approve_erasure(command, state, now, rules)
        case c.DeclineErasure():
            return erasure.decline_erasure(command, state, now)
        case c.EraseExpired():
            return erasure.erase_expired(command, state, now, rules)
    raise TypeError(f"unknown command {type(command).__name__}")


def meet_dash_deadline(
    command: MeetDashDeadline, state: CaseState, now: datetime
) -> list[ev.CasesEvent]:
    """A risk outcome (an assessment, a decline, one by another agency) meets the open
    DASH deadline and the open reassessment deadline (each late if after it); an
    assessment whose instrument sets a reassessment interval starts the next one.

    An outcome for an unknown case, a closed case, a deadline already met, or from
    before a deadline started (an older assessment recorded late) meets nothing, and an
    older assessment schedules nothing.
    """
    if state.case_id is None or not state.is_open:
        return []
    events: list[ev.CasesEvent] = []
    deadline = state.open_deadline(DeadlineKind.DASH)
    if deadline is not None and command.met_at >= deadline.starts_at:
        events.append(
            ev.DashDeadlineMet(
                case_id=state.case_id,
                met_at=command.met_at,
                due_at=deadline.due_at,
                late=command.met_at > deadline.due_at,
                outcome=command.outcome,
                assessment_id=command.assessment_id,
            )
        )
    reassessment = state.open_deadline(DeadlineKind.REASSESSMENT)
    if reassessment is not None and command.met_at >= reassessment.starts_at:
        events.append(
            ev.ReassessmentDeadlineMet(
                case_id=state.case_id,
                follows_assessment_id=UUID(reassessment.ref),
                met_at=command.met_at,
                due_at=reassessment.due_at,
                late=command.met_at > reassessment.due_at,
                outcome=command.outcome,
                assessment_id=command.assessment_id,
            )
        )
    return events + _schedule_reassessment(command, state)


def _schedule_reassessment(command: MeetDashDeadline, state: CaseState) -> list[ev.CasesEvent]:
    """The reassessment deadline an assessment starts, unless a newer one already has."""
    due_at, assessment_id = command.reassessment_due_at, command.assessment_id
    if due_at is None or assessment_id is None or state.case_id is None:
        return []
    scheduled = [d for d in state.deadlines.values() if d.kind is DeadlineKind.REASSESSMENT]
    if any(d.ref == str(assessment_id) or d.starts_at > command.met_at for d in scheduled):
        return []
    return [
        ev.ReassessmentScheduled(
            case_id=state.case_id,
            assessment_id=assessment_id,
            scheduled_at=command.met_at,
            due_at=due_at,
        )
    ]


def record_overdue(command: RecordOverdue, state: CaseState, now: datetime) -> list[ev.CasesEvent]:
    """Overdue once: nothing if the deadline is unknown, met, cancelled, not yet due,
    already recorded overdue, or the case is closed."""
    deadline = state.deadlines.get((command.kind, command.ref))
    if (
        deadline is None
        or not state.is_open
        or not deadline.is_open
        or deadline.overdue_at is not None
        or deadline.due_at > now
    ):
        return []
    assert state.case_id is not None
    return [_overdue_event(state.case_id, deadline, now)]


def _overdue_event(case_id: UUID, deadline: Deadline, now: datetime) -> ev.CasesEvent:
    if deadline.kind is DeadlineKind.CONTACT:
        return ev.ContactOverdue(case_id=case_id, due_at=deadline.due_at, detected_at=now)
    if deadline.kind is DeadlineKind.DASH:
        return ev.DashOverdue(case_id=case_id, due_at=deadline.due_at, detected_at=now)
    if deadline.kind is DeadlineKind.REVIEW:
        return ev.ReviewOverdue(case_id=case_id, due_at=deadline.due_at, detected_at=now)
    if deadline.kind is DeadlineKind.REASSESSMENT:
        return ev.ReassessmentOverdue(
            case_id=case_id,
            follows_assessment_id=UUID(deadline.ref),
            due_at=deadline.due_at,
            detected_at=now,
        )
    return ev.EmergencyRepairOverdue(
        case_id=case_id, repair_id=UUID(deadline.ref), due_at=deadline.due_at, detected_at=now
    )
