"""Overdue exactly once, by state; DASH outcomes from the risk service meet the deadline."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from hearth.cases.domain import commands as c
from hearth.cases.domain.deadlines import DeadlineKind, DeadlineStatus, deadline_status
from hearth.contracts.events import cases as ev
from hearth.contracts.events.case_values import ClosureReason, DashOutcome, RepairKind
from hearth.contracts.events.common import SafeContact

CONTACT_DUE = datetime(2025, 3, 10, 16, 30, tzinfo=UTC)
DASH_DUE = datetime(2025, 3, 11, 16, 30, tzinfo=UTC)


def in_person(actors, at: datetime) -> c.RecordContact:
    """A meeting with the survivor that happened at `at`."""
    return c.RecordContact(
        actors.cm,
        uuid.uuid4(),
        method="in_person",
        place="office",
        happened_at=at,
        safe_to_talk_checked=True,
        safe_contact=SafeContact(
            safe_to_call=False,
            safe_to_text=False,
            safe_to_email=False,
            safe_to_write=False,
            safe_to_visit=False,
            withheld_number_only=False,
            never_leave_voicemail=True,
            interpreter_needed=False,
        ),
    )


@pytest.fixture
def case(scenario):
    return scenario.opened()


def overdue(actors, kind, ref="1"):
    return c.RecordOverdue(actors.system, kind, ref)


def test_nothing_is_overdue_before_it_is_due(case, actors) -> None:
    assert (
        case.when(overdue(actors, DeadlineKind.CONTACT), CONTACT_DUE - timedelta(seconds=1)) == []
    )


def test_a_missed_contact_deadline_is_recorded_overdue_once(case, actors) -> None:
    detected = CONTACT_DUE + timedelta(seconds=3)
    [missed] = case.apply(overdue(actors, DeadlineKind.CONTACT), detected)
    assert isinstance(missed, ev.ContactOverdue)
    assert (missed.due_at, missed.detected_at) == (CONTACT_DUE, detected)
    assert case.when(overdue(actors, DeadlineKind.CONTACT), detected + timedelta(hours=1)) == []
    assert case.state.deadline(DeadlineKind.CONTACT).overdue_at == detected


def test_a_missed_dash_deadline_is_recorded_overdue(case, actors) -> None:
    [missed] = case.when(overdue(actors, DeadlineKind.DASH), DASH_DUE)
    assert isinstance(missed, ev.DashOverdue)


def test_a_missed_review_is_recorded_overdue(case, actors) -> None:
    review = case.state.open_deadline(DeadlineKind.REVIEW)
    [missed] = case.when(overdue(actors, DeadlineKind.REVIEW, review.ref), review.due_at)
    assert isinstance(missed, ev.ReviewOverdue)
    assert missed.due_at == review.due_at


def test_a_missed_repair_is_recorded_overdue_once(case, actors) -> None:
    repair_id = uuid.uuid4()
    raised_at = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)
    case.apply(c.RaiseEmergencyRepair(actors.cm, repair_id, RepairKind.LOCKS, "Lock"), raised_at)
    due = raised_at + timedelta(hours=24)
    command = overdue(actors, DeadlineKind.EMERGENCY_REPAIR, str(repair_id))
    [missed] = case.apply(command, due)
    assert isinstance(missed, ev.EmergencyRepairOverdue)
    assert missed.repair_id == repair_id
    assert case.when(command, due + timedelta(minutes=5)) == []


def test_a_met_deadline_is_never_overdue(case, actors) -> None:
    case.apply(in_person(actors, CONTACT_DUE), CONTACT_DUE)
    assert case.when(overdue(actors, DeadlineKind.CONTACT), CONTACT_DUE + timedelta(days=1)) == []


def test_meeting_a_deadline_after_its_overdue_is_still_recorded_late(case, actors) -> None:
    case.apply(overdue(actors, DeadlineKind.CONTACT), CONTACT_DUE)
    later = CONTACT_DUE + timedelta(hours=2)
    [contacted, _] = case.apply(in_person(actors, later), later)
    assert contacted.first_contact and contacted.late
    deadline = case.state.deadline(DeadlineKind.CONTACT)
    assert deadline.met_at == later and deadline.overdue_at == CONTACT_DUE


def test_a_closed_case_has_nothing_overdue(case, actors) -> None:
    case.apply(c.RequestClosure(actors.cm, ClosureReason.SURVIVOR_MOVED), CONTACT_DUE)
    case.apply(c.DecideClosure(actors.manager, approve=True), CONTACT_DUE)
    assert case.when(overdue(actors, DeadlineKind.DASH), DASH_DUE) == []


def test_an_unknown_deadline_or_case_records_nothing(scenario, case, actors) -> None:
    assert case.when(overdue(actors, DeadlineKind.CONTACT, "7"), DASH_DUE) == []
    fresh = type(case)(case.rules, actors.system)
    assert fresh.when(overdue(actors, DeadlineKind.CONTACT), DASH_DUE) == []


@pytest.mark.parametrize("outcome", list(DashOutcome))
def test_a_dash_outcome_meets_the_dash_deadline(case, actors, outcome) -> None:
    met_at = DASH_DUE - timedelta(hours=3)
    [met] = case.apply(c.MeetDashDeadline(actors.system, met_at, outcome), met_at)
    assert isinstance(met, ev.DashDeadlineMet)
    assert (met.met_at, met.due_at, met.late, met.outcome) == (met_at, DASH_DUE, False, outcome)
    assert case.state.deadline(DeadlineKind.DASH).met_at == met_at
    assert case.when(overdue(actors, DeadlineKind.DASH), DASH_DUE) == []


def test_a_late_dash_is_recorded_late_and_only_once(case, actors) -> None:
    met_at = DASH_DUE + timedelta(days=1)
    [met] = case.apply(c.MeetDashDeadline(actors.system, met_at, DashOutcome.COMPLETED), met_at)
    assert met.late is True
    again = c.MeetDashDeadline(actors.system, met_at, DashOutcome.COMPLETED, uuid.uuid4())
    assert case.when(again, met_at) == []


def test_an_assessment_from_before_the_report_does_not_count(case, actors) -> None:
    older = datetime.combine(date(2025, 3, 1), datetime.min.time(), tzinfo=UTC)
    assert case.when(c.MeetDashDeadline(actors.system, older, DashOutcome.COMPLETED), older) == []


def test_a_dash_for_an_unknown_case_records_nothing(scenario, actors) -> None:
    command = c.MeetDashDeadline(actors.system, DASH_DUE, DashOutcome.DECLINED)
    assert scenario.when(command, DASH_DUE) == []


# --- status: the one rule the case view and the case list both use ---------------------


def statuses(case, now) -> dict[DeadlineKind, DeadlineStatus]:
    return {d.kind: deadline_status(d, now) for d in case.state.deadlines.values()}


def test_a_deadline_is_due_until_its_time_then_overdue(case) -> None:
    before = statuses(case, CONTACT_DUE - timedelta(seconds=1))
    assert set(before.values()) == {DeadlineStatus.DUE}
    at_due = statuses(case, CONTACT_DUE)
    assert at_due[DeadlineKind.CONTACT] is DeadlineStatus.OVERDUE
    assert at_due[DeadlineKind.DASH] is DeadlineStatus.DUE


def test_a_deadline_recorded_overdue_stays_overdue_until_met(case, actors) -> None:
    case.apply(overdue(actors, DeadlineKind.CONTACT), CONTACT_DUE)
    contact = case.state.deadline(DeadlineKind.CONTACT)
    # Recorded overdue: overdue whatever moment it is asked about.
    assert deadline_status(contact, CONTACT_DUE - timedelta(days=1)) is DeadlineStatus.OVERDUE
    assert contact.is_overdue(CONTACT_DUE - timedelta(days=1))
    later = CONTACT_DUE + timedelta(hours=2)
    case.apply(in_person(actors, later), later)
    assert statuses(case, later)[DeadlineKind.CONTACT] is DeadlineStatus.MET_LATE


def test_a_deadline_met_in_time_is_met(case, actors) -> None:
    met_at = CONTACT_DUE - timedelta(hours=1)
    case.apply(in_person(actors, met_at), met_at)
    assert statuses(case, DASH_DUE + timedelta(days=9))[DeadlineKind.CONTACT] is DeadlineStatus.MET


def test_a_closed_case_cancels_what_was_still_due(case, actors) -> None:
    met_at = CONTACT_DUE - timedelta(hours=1)
    case.apply(in_person(actors, met_at), met_at)
    case.apply(c.RequestClosure(actors.cm, ClosureReason.SURVIVOR_MOVED), met_at)
    case.apply(c.DecideClosure(actors.manager, approve=True), met_at)
    after = statuses(case, DASH_DUE + timedelta(days=60))
    assert after[DeadlineKind.CONTACT] is DeadlineStatus.MET
    assert after[DeadlineKind.DASH] is DeadlineStatus.CANCELLED
    assert after[DeadlineKind.REVIEW] is DeadlineStatus.CANCELLED
