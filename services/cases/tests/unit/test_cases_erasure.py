"""Erasure: at the end of retention, or at a person's request approved by another manager."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from hearth.cases.domain import commands as c
from hearth.cases.domain import erasure
from hearth.cases.domain.access import may_see, visibility
from hearth.cases.domain.policy import Retention
from hearth.contracts.envelope import Actor, Role
from hearth.contracts.events import cases as ev
from hearth.contracts.events.base import personal_paths
from hearth.contracts.events.case_values import (
    ClosureReason,
    ErasureBasis,
    ErasureReason,
    ReopenReason,
    RestrictedView,
)
from hearth.eventstore.errors import DomainError, InvalidCommand, NotAllowed, NotFound

CLOSED_AT = datetime(2025, 3, 10, 10, 0, tzinfo=UTC)
SIX_YEARS_LATER = datetime(2031, 3, 10, 10, 0, tzinfo=UTC)
RETENTION = Actor(id="hearth.cases.retention", role=Role.SYSTEM)


@pytest.fixture
def closed(scenario, actors):
    scenario.opened()
    scenario.apply(c.RequestClosure(actors.cm, ClosureReason.SURVIVOR_MOVED), CLOSED_AT)
    scenario.apply(c.DecideClosure(actors.manager, approve=True), CLOSED_AT)
    assert scenario.state.closure is not None
    return scenario


def _expired(case) -> list[ev.CasesEvent]:
    return case.when(c.EraseExpired(RETENTION), SIX_YEARS_LATER + timedelta(days=1))


# --- the retention rule ------------------------------------------------------------------


def test_the_retention_period_comes_from_the_policy(rules) -> None:
    assert rules.policy.retention.years_after_closure == 6
    assert erasure.retention_months(Retention(years_after_closure=2)) == 24


@pytest.mark.parametrize(
    ("now", "expired"),
    [
        (SIX_YEARS_LATER - timedelta(days=1), False),
        (SIX_YEARS_LATER, False),
        (SIX_YEARS_LATER + timedelta(seconds=1), True),
        (SIX_YEARS_LATER + timedelta(days=1), True),
    ],
)
def test_retention_ends_six_years_after_closure(rules, now, expired) -> None:
    retention = rules.policy.retention
    assert erasure.retention_expired(CLOSED_AT, now, retention) is expired
    # The sweep's work list agrees with the rule at every moment.
    assert (erasure.closed_before(now, retention) > CLOSED_AT) is expired


def test_a_case_closed_six_years_less_a_day_ago_is_not_erased(closed) -> None:
    command = c.EraseExpired(RETENTION)
    refusal = closed.then_refused(command, SIX_YEARS_LATER - timedelta(days=1))
    assert refusal.code == "retention_not_expired"


def test_a_case_closed_six_years_and_a_day_ago_is_erased(closed, rules) -> None:
    [erased] = _expired(closed)
    assert erased == ev.CaseErased(
        case_id=closed.case_id,
        erased_at=SIX_YEARS_LATER + timedelta(days=1),
        basis=ErasureBasis.RETENTION_EXPIRED,
        reason=ErasureReason.RETENTION_PERIOD_ENDED,
        retention_policy=rules.policy.id,
        retention_years=6,
        closed_at=CLOSED_AT,
    )


def test_the_record_of_an_erasure_holds_no_personal_data() -> None:
    assert personal_paths(ev.CaseErased) == []
    assert personal_paths(ev.ErasureRequested) == []


def test_an_open_case_is_not_erased(scenario) -> None:
    scenario.opened()
    refusal = scenario.then_refused(c.EraseExpired(RETENTION), SIX_YEARS_LATER + timedelta(days=1))
    assert refusal.code == "case_open"


def test_a_case_reopened_since_is_not_erased(closed, actors) -> None:
    closed.apply(c.ReopenCase(actors.cm, ReopenReason.NEW_INCIDENT), CLOSED_AT + timedelta(days=9))
    refusal = closed.then_refused(c.EraseExpired(RETENTION), SIX_YEARS_LATER + timedelta(days=30))
    assert refusal.code == "case_open"


def test_a_case_is_erased_once(closed) -> None:
    closed.given(_expired(closed), actor=RETENTION)
    refusal = closed.then_refused(c.EraseExpired(RETENTION), SIX_YEARS_LATER + timedelta(days=2))
    assert refusal.code == "case_erased"
    assert isinstance(refusal, DomainError)
    assert not isinstance(refusal, NotAllowed | NotFound)  # answered 409


def test_only_hearth_applies_retention(closed, actors) -> None:
    with pytest.raises(NotAllowed) as refused:
        closed.when(c.EraseExpired(actors.manager), SIX_YEARS_LATER + timedelta(days=1))
    assert refused.value.code == "retention_by_hearth_only"


# --- after erasure -----------------------------------------------------------------------


def test_after_erasure_no_staff_sees_the_case_and_nothing_more_is_recorded(closed, actors) -> None:
    closed.given(_expired(closed), actor=RETENTION)
    state = closed.state
    assert state.erased
    assert not may_see(state, actors.manager)
    assert not may_see(state, actors.cm)
    assert visibility(state).never == frozenset()  # no staff id of anyone involved is kept
    later = SIX_YEARS_LATER + timedelta(days=2)
    assert (
        closed.when(c.RecordRead(actors.manager, RestrictedView.SUMMARY, granted=False), later)
        == []
    )
    reopening = c.ReopenCase(actors.cm, ReopenReason.NEW_INCIDENT)
    assert closed.then_refused(reopening, later).code == "case_erased"
    attempt = c.RequestErasure(actors.cm, uuid.uuid4(), ErasureReason.CONSENT_WITHDRAWN)
    assert closed.then_refused(attempt, later).code == "case_erased"


# --- a person's request --------------------------------------------------------------------


def _request(actor, request_id=None) -> c.RequestErasure:
    return c.RequestErasure(
        actor, request_id or uuid.uuid4(), ErasureReason.CONSENT_WITHDRAWN, "DPO-2031-7"
    )


def test_any_member_of_staff_on_the_case_may_ask_with_a_reason(closed, actors) -> None:
    request_id = uuid.uuid4()
    asked_at = CLOSED_AT + timedelta(days=40)
    closed.then(
        _request(actors.cm, request_id),
        asked_at,
        ev.ErasureRequested(
            case_id=closed.case_id,
            request_id=request_id,
            requested_at=asked_at,
            reason=ErasureReason.CONSENT_WITHDRAWN,
            data_protection_reference="DPO-2031-7",
        ),
    )


def test_a_request_needs_a_ground_a_person_can_rely_on(closed, actors) -> None:
    command = c.RequestErasure(actors.cm, uuid.uuid4(), ErasureReason.RETENTION_PERIOD_ENDED)
    with pytest.raises(InvalidCommand) as refused:
        closed.when(command, CLOSED_AT)
    assert refused.value.field == "reason"


def test_a_request_on_an_open_case_is_refused(scenario, actors) -> None:
    scenario.opened()
    assert scenario.then_refused(_request(actors.cm), CLOSED_AT).code == "case_open"


def test_one_request_waits_at_a_time(closed, actors) -> None:
    closed.apply(_request(actors.cm), CLOSED_AT + timedelta(days=1))
    refusal = closed.then_refused(_request(actors.other_cm), CLOSED_AT + timedelta(days=2))
    assert refusal.code == "erasure_already_requested"


def test_a_manager_other_than_the_requester_approves_and_the_case_is_erased(
    closed, actors, rules
) -> None:
    request_id = uuid.uuid4()
    closed.apply(_request(actors.manager, request_id), CLOSED_AT + timedelta(days=1))
    approved_at = CLOSED_AT + timedelta(days=2)

    with pytest.raises(NotAllowed) as refused:
        closed.when(c.ApproveErasure(actors.manager, request_id), approved_at)
    assert refused.value.code == "approver_is_requester"

    with pytest.raises(NotAllowed) as refused:
        closed.when(c.ApproveErasure(actors.cm, request_id), approved_at)
    assert refused.value.code == "manager_only"

    [erased] = closed.when(c.ApproveErasure(actors.second_manager, request_id), approved_at)
    assert erased == ev.CaseErased(
        case_id=closed.case_id,
        erased_at=approved_at,
        basis=ErasureBasis.SUBJECT_REQUEST,
        reason=ErasureReason.CONSENT_WITHDRAWN,
        retention_policy=rules.policy.id,
        retention_years=6,
        closed_at=CLOSED_AT,
        request_id=request_id,
        requested_by=actors.manager.id,
        approved_by=actors.second_manager.id,
    )


def test_approval_needs_the_waiting_request(closed, actors) -> None:
    approve = c.ApproveErasure(actors.manager, uuid.uuid4())
    assert closed.then_refused(approve, CLOSED_AT).code == "no_erasure_request"
    closed.apply(_request(actors.cm), CLOSED_AT + timedelta(days=1))
    assert closed.then_refused(approve, CLOSED_AT).code == "no_erasure_request"


def test_reopening_the_case_drops_a_waiting_request(closed, actors) -> None:
    request_id = uuid.uuid4()
    closed.apply(_request(actors.cm, request_id), CLOSED_AT + timedelta(days=1))
    closed.apply(c.ReopenCase(actors.cm, ReopenReason.NEW_INCIDENT), CLOSED_AT + timedelta(days=2))
    approve = c.ApproveErasure(actors.manager, request_id)
    assert closed.then_refused(approve, CLOSED_AT + timedelta(days=3)).code == "no_erasure_request"


def test_an_approved_erasure_is_not_approved_twice(closed, actors) -> None:
    request_id = uuid.uuid4()
    closed.apply(_request(actors.cm, request_id), CLOSED_AT + timedelta(days=1))
    closed.apply(c.ApproveErasure(actors.manager, request_id), CLOSED_AT + timedelta(days=2))
    again = c.ApproveErasure(actors.second_manager, request_id)
    assert closed.then_refused(again, CLOSED_AT + timedelta(days=3)).code == "case_erased"
    expired = c.EraseExpired(RETENTION)
    later = SIX_YEARS_LATER + timedelta(days=1)
    assert closed.then_refused(expired, later).code == "case_erased"


def test_a_manager_may_decline_a_request_saying_why_and_the_case_is_kept(closed, actors) -> None:
    request_id = uuid.uuid4()
    closed.apply(_request(actors.cm, request_id), CLOSED_AT + timedelta(days=1))
    declined_at = CLOSED_AT + timedelta(days=2)
    with pytest.raises(NotAllowed):
        closed.when(c.DeclineErasure(actors.cm, request_id, "Still needed"), declined_at)
    closed.then(
        c.DeclineErasure(actors.manager, request_id, "The hearing relies on it"),
        declined_at,
        ev.ErasureRequestDeclined(
            case_id=closed.case_id,
            request_id=request_id,
            declined_at=declined_at,
            reason="The hearing relies on it",
        ),
    )
    closed.apply(c.DeclineErasure(actors.manager, request_id, "Still needed"), declined_at)
    approve = c.ApproveErasure(actors.second_manager, request_id)
    assert closed.then_refused(approve, declined_at).code == "no_erasure_request"
    assert closed.when(_request(actors.cm), declined_at)  # a new request may be made
