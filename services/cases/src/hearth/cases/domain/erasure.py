"""Erasing a case's personal data: at the end of the retention period, or at a person's
request approved by a manager; or, at their request, one person's data on the case.

Erasure destroys the case's keys (every personal value on its events becomes unreadable
everywhere at once) and records `CaseErased`, which holds no personal data: when, on
which basis, for which reason code, under which policy and retention period, and who
asked and approved. Only a closed case is erased, and only once. After it, the case is
hidden from every member of staff and nothing more is recorded on it (`after_erasure`).

One person's erasure (a request naming `person_id`) destroys only that person's key on
the case and records `PersonErased`: their details on every event read as erased, the
others' stay readable, and free text under the case key (the account, notes) stays with
the case. As for the whole case, only a closed case: no one's data is erased from a live
DA case, where the survivor's safety may rest on it. A person is erased once; afterwards
nothing more is recorded about them (`refuse_erased_people`), and the case may still be
erased whole.

Retention counts whole calendar months from the closure (`retention_expired`): a case
closed on 1 March 2025 under six years is kept up to 1 March 2031 at that time of day,
and erased after it.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from hearth.cases.domain.commands import (
    ApproveErasure,
    Command,
    DeclineErasure,
    EraseExpired,
    MeetDashDeadline,
    RaiseFlag,
    ReceiveReport,
    RecordLink,
    RecordOverdue,
    RecordRead,
    RecordRelatedLink,
    RecordWithheldAnswer,
    RemoveFlag,
    RequestErasure,
    TakePerpetratorAction,
    UpdatePeople,
)
from hearth.cases.domain.guards import CaseNotFound, require_case, require_manager
from hearth.cases.domain.policy import Retention
from hearth.cases.domain.rules import CaseRules
from hearth.cases.domain.state import CaseState, PendingErasure
from hearth.contracts.envelope import Role
from hearth.contracts.events import cases as ev
from hearth.contracts.events.case_values import ErasureBasis, ErasureReason
from hearth.eventstore.calendar import months_before, within_months
from hearth.eventstore.errors import DomainError, InvalidCommand, NotAllowed

MONTHS_PER_YEAR = 12

# Commands that only note something about the case (a read, a missed deadline, a link, a
# risk outcome): after erasure they note nothing, since nothing is left to act on.
_NOTHING_AFTER_ERASURE = (
    RecordRead,
    RecordOverdue,
    MeetDashDeadline,
    RecordLink,
    RecordRelatedLink,
    RecordWithheldAnswer,
)


class CaseErased(DomainError):
    """The case's personal data was erased: nothing more is done to it, erasure included."""

    code = "case_erased"

    def __init__(self) -> None:
        super().__init__("the case was erased: nothing more can be recorded on it")


class CaseOpen(DomainError):
    """Only a closed case is erased."""

    code = "case_open"

    def __init__(self) -> None:
        super().__init__("the case is open: only a closed case can be erased")


class RetentionNotExpired(DomainError):
    code = "retention_not_expired"

    def __init__(self) -> None:
        super().__init__("the case's retention period after closure has not ended")


class ErasureAlreadyRequested(DomainError):
    code = "erasure_already_requested"

    def __init__(self) -> None:
        super().__init__("an erasure of this case is already waiting for a manager's approval")


class PersonErased(DomainError):
    """The person's data on this case was erased: nothing more is recorded about them."""

    code = "person_erased"

    def __init__(self) -> None:
        super().__init__("that person's data on this case was erased: nothing more is recorded")


class NoErasureRequest(DomainError):
    code = "no_erasure_request"

    def __init__(self) -> None:
        super().__init__("no such erasure request is waiting on this case")


# --- the retention rule ----------------------------------------------------------------


def retention_months(retention: Retention) -> int:
    return retention.years_after_closure * MONTHS_PER_YEAR


def retention_expired(closed_at: datetime, now: datetime, retention: Retention) -> bool:
    """The retention period after a closure at `closed_at` has ended by `now`."""
    return not within_months(closed_at, now, retention_months(retention))


def closed_before(now: datetime, retention: Retention) -> datetime:
    """Cases closed before this moment have come to the end of their retention at `now`
    (what the retention sweep looks for; each is decided again by `erase_expired`)."""
    return months_before(now, retention_months(retention))


# --- decisions -------------------------------------------------------------------------


def after_erasure(command: Command) -> list[ev.CasesEvent]:
    """What a command decides on an erased case: nothing for the commands that only note
    something; every other command, erasure included, is refused (409 `case_erased`).
    (A report for an erased case is refused, not dropped: it stays on the consumer's
    dead-letter queue for an operator, rather than vanish.)"""
    if isinstance(command, _NOTHING_AFTER_ERASURE):
        return []
    raise CaseErased()


def request_erasure(
    command: RequestErasure, state: CaseState, now: datetime
) -> list[ev.CasesEvent]:
    """Any member of staff on the case may ask, giving the person's ground; the case must
    be closed, with no request already waiting (of the case or of anyone on it). A request
    for one person names someone on the case (422 `person_not_on_case` naming
    `person_id`) not already erased (409 `person_erased`)."""
    require_case(state, command.actor)
    if command.person_id is not None:
        _require_person(state, command.person_id)
    _require_closed(state)
    if state.pending_erasure is not None:
        raise ErasureAlreadyRequested()
    assert state.case_id is not None
    return [
        ev.ErasureRequested(
            case_id=state.case_id,
            request_id=command.request_id,
            requested_at=now,
            reason=command.reason,
            data_protection_reference=command.data_protection_reference,
            person_id=command.person_id,
        )
    ]


def approve_erasure(
    command: ApproveErasure, state: CaseState, now: datetime, rules: CaseRules
) -> list[ev.CasesEvent]:
    """A manager other than the one who asked approves the waiting request: the case is
    erased (`CaseErased`), or the one person the request names (`PersonErased`)."""
    require_case(state, command.actor)
    require_manager(command.actor, "approve an erasure")
    pending = state.pending_erasure
    if pending is None or pending.request.request_id != command.request_id:
        raise NoErasureRequest()
    if pending.requested_by.id == command.actor.id:
        raise NotAllowed(
            "an erasure is approved by a manager other than the one who asked for it",
            code="approver_is_requester",
        )
    _require_closed(state)
    person_id = pending.request.person_id
    if person_id is None:
        return [_erased(state, now, rules, pending=pending, approved_by=command.actor.id)]
    _require_person(state, person_id)
    assert state.case_id is not None
    return [
        ev.PersonErased(
            case_id=state.case_id,
            person_id=person_id,
            erased_at=now,
            basis=ErasureBasis.SUBJECT_REQUEST,
            reason=pending.request.reason,
            request_id=pending.request.request_id,
            requested_by=pending.requested_by.id,
            approved_by=command.actor.id,
        )
    ]


def decline_erasure(
    command: DeclineErasure, state: CaseState, now: datetime
) -> list[ev.CasesEvent]:
    """A manager declines the waiting request, saying why: the case is kept as it is."""
    require_case(state, command.actor)
    require_manager(command.actor, "decline an erasure")
    pending = state.pending_erasure
    if pending is None or pending.request.request_id != command.request_id:
        raise NoErasureRequest()
    assert state.case_id is not None
    return [
        ev.ErasureRequestDeclined(
            case_id=state.case_id,
            request_id=command.request_id,
            declined_at=now,
            reason=command.reason,
        )
    ]


def erase_expired(
    command: EraseExpired, state: CaseState, now: datetime, rules: CaseRules
) -> list[ev.CasesEvent]:
    """Hearth erases a case closed longer ago than the policy's retention period."""
    if command.actor.role is not Role.SYSTEM:
        raise NotAllowed(
            "the end of retention is applied by Hearth's retention sweep, not by staff",
            code="retention_by_hearth_only",
        )
    if not state.exists:
        raise CaseNotFound()
    _require_closed(state)
    assert state.closure is not None
    if not retention_expired(state.closure.closed_at, now, rules.policy.retention):
        raise RetentionNotExpired()
    return [_erased(state, now, rules)]


def refuse_erased_people(command: Command, state: CaseState) -> None:
    """Nothing more is recorded about an erased person: a command naming them (a flag, an
    action, their details, a report about them) is refused, 409 `person_erased`. (Their
    key is destroyed, so nothing about them could be stored anyway.)"""
    if state.erased_people and not _named_people(command, state).isdisjoint(state.erased_people):
        raise PersonErased()


def _named_people(command: Command, state: CaseState) -> frozenset[UUID]:
    match command:
        case RaiseFlag():
            return frozenset({command.person_id})
        case RemoveFlag():
            flag = state.flags.get(command.flag_id)
            return frozenset({flag.raised.person_id}) if flag else frozenset()
        case TakePerpetratorAction():
            return frozenset({command.perpetrator_person_id})
        case UpdatePeople():
            named = {p.person_id for p in command.alleged_perpetrators or () if p.person_id}
            named |= {p.person_id for p in command.children or () if p.person_id}
            if command.survivor is not None and state.survivor is not None:
                named.add(command.survivor.person_id or state.survivor.person_id)
            return frozenset(named)
        case ReceiveReport():
            report = command.report
            return frozenset(
                {
                    report.survivor.person_id,
                    *(p.person_id for p in report.alleged_perpetrators),
                    *(p.person_id for p in report.children),
                }
            )
    return frozenset()


def _require_person(state: CaseState, person_id: UUID) -> None:
    if person_id in state.erased_people:
        raise PersonErased()
    if person_id not in state.people_ever:
        raise InvalidCommand(
            "person_id names nobody on this case", field="person_id", code="person_not_on_case"
        )


def _require_closed(state: CaseState) -> None:
    if state.is_open or state.closure is None:
        raise CaseOpen()


def _erased(
    state: CaseState,
    now: datetime,
    rules: CaseRules,
    *,
    pending: PendingErasure | None = None,
    approved_by: str | None = None,
) -> ev.CasesEvent:
    assert state.case_id is not None and state.closure is not None
    policy = rules.policy
    return ev.CaseErased(
        case_id=state.case_id,
        erased_at=now,
        basis=ErasureBasis.RETENTION_EXPIRED if pending is None else ErasureBasis.SUBJECT_REQUEST,
        reason=ErasureReason.RETENTION_PERIOD_ENDED if pending is None else pending.request.reason,
        retention_policy=policy.id,
        retention_years=policy.retention.years_after_closure,
        closed_at=state.closure.closed_at,
        request_id=pending.request.request_id if pending else None,
        requested_by=pending.requested_by.id if pending else None,
        approved_by=approved_by,
    )
