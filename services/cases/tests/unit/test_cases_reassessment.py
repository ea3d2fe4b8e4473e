"""The reassessment deadline: an assessment whose instrument sets a reassessment interval
starts it; the next assessment, decline or assessment elsewhere meets it (late if after
it); unmet, the scheduler records it overdue once; closing the case cancels it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from hearth.cases.domain import commands as c
from hearth.cases.domain.deadlines import DeadlineKind, DeadlineStatus
from hearth.contracts.events import cases as ev
from hearth.contracts.events.case_values import ClosureReason, DashOutcome

ASSESSED_AT = datetime(2025, 3, 10, 10, 0, tzinfo=UTC)
REASSESS_BY = ASSESSED_AT + timedelta(days=90)


@pytest.fixture
def case(scenario):
    return scenario.opened()


def assessed(actors, at=ASSESSED_AT, due=REASSESS_BY, assessment_id=None, outcome=None):
    return c.MeetDashDeadline(
        actors.system,
        at,
        outcome or DashOutcome.COMPLETED,
        assessment_id or uuid.uuid4(),
        reassessment_due_at=due,
    )


def test_given_an_assessment_with_an_interval_then_a_reassessment_is_due(case, actors) -> None:
    # when the first assessment arrives, it meets the DASH deadline and schedules the next
    command = assessed(actors)
    dash_met, scheduled = case.apply(command, ASSESSED_AT)
    assert isinstance(dash_met, ev.DashDeadlineMet)
    assert scheduled == ev.ReassessmentScheduled(
        case_id=case.case_id,
        assessment_id=command.assessment_id,
        scheduled_at=ASSESSED_AT,
        due_at=REASSESS_BY,
    )
    deadline = case.state.open_deadline(DeadlineKind.REASSESSMENT)
    assert (deadline.ref, deadline.due_at) == (str(command.assessment_id), REASSESS_BY)
    assert deadline.status(ASSESSED_AT) is DeadlineStatus.DUE


def test_given_no_interval_then_no_reassessment_deadline(case, actors) -> None:
    events = case.apply(assessed(actors, due=None), ASSESSED_AT)
    assert [type(e) for e in events] == [ev.DashDeadlineMet]
    assert case.state.open_deadline(DeadlineKind.REASSESSMENT) is None


@pytest.mark.parametrize("outcome", list(DashOutcome))
def test_given_a_reassessment_due_when_any_risk_outcome_comes_then_it_is_met(
    case, actors, outcome
) -> None:
    first = assessed(actors)
    case.apply(first, ASSESSED_AT)
    at = REASSESS_BY - timedelta(days=1)
    # a decline or an assessment elsewhere carries no new interval: nothing is scheduled
    command = c.MeetDashDeadline(actors.system, at, outcome)
    [met] = case.apply(command, at)
    assert met == ev.ReassessmentDeadlineMet(
        case_id=case.case_id,
        follows_assessment_id=first.assessment_id,
        met_at=at,
        due_at=REASSESS_BY,
        late=False,
        outcome=outcome,
    )
    assert case.state.open_deadline(DeadlineKind.REASSESSMENT) is None
    assert case.state.deadline(DeadlineKind.REASSESSMENT, str(first.assessment_id)).met_at == at


def test_given_a_reassessment_due_when_the_next_assessment_is_late_then_met_late_and_the_next_due(
    case, actors
) -> None:
    first = assessed(actors)
    case.apply(first, ASSESSED_AT)
    # unmet past due: the scheduler records it overdue, once
    overdue = c.RecordOverdue(actors.system, DeadlineKind.REASSESSMENT, str(first.assessment_id))
    [recorded] = case.apply(overdue, REASSESS_BY)
    assert recorded == ev.ReassessmentOverdue(
        case_id=case.case_id,
        follows_assessment_id=first.assessment_id,
        due_at=REASSESS_BY,
        detected_at=REASSESS_BY,
    )
    assert case.when(overdue, REASSESS_BY + timedelta(hours=1)) == []
    later = REASSESS_BY + timedelta(days=2)
    second = assessed(actors, at=later, due=later + timedelta(days=90))
    met, scheduled = case.apply(second, later)
    assert isinstance(met, ev.ReassessmentDeadlineMet) and met.late is True
    assert met.assessment_id == second.assessment_id
    assert isinstance(scheduled, ev.ReassessmentScheduled)
    assert case.state.open_deadline(DeadlineKind.REASSESSMENT).ref == str(second.assessment_id)


def test_an_older_assessment_recorded_late_neither_meets_nor_schedules(case, actors) -> None:
    case.apply(assessed(actors), ASSESSED_AT)
    older = assessed(actors, at=ASSESSED_AT - timedelta(hours=5))
    assert case.when(older, ASSESSED_AT + timedelta(hours=1)) == []


def test_closing_the_case_cancels_the_reassessment(case, actors) -> None:
    case.apply(assessed(actors), ASSESSED_AT)
    closed = ev.CaseClosed(
        case_id=case.case_id,
        closed_at=ASSESSED_AT + timedelta(days=1),
        reason=ClosureReason.SURVIVOR_MOVED,
        approved_by="lead-1",
    )
    case.given([closed])
    deadline = case.state.deadline(
        DeadlineKind.REASSESSMENT,
        next(d.ref for d in case.state.deadlines.values() if d.kind is DeadlineKind.REASSESSMENT),
    )
    assert deadline.status(REASSESS_BY) is DeadlineStatus.CANCELLED
    assert case.when(assessed(actors, at=REASSESS_BY), REASSESS_BY) == []
