"""A new incident on an open case: new contact and DASH deadlines, and a repeat recorded.

The policy promises contact within a working day of the abuse being reported and a DASH
on all reports; with a MARAC referral (or a case closed) in the last 12 months, a report
joining the open case is a repeat.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from hearth.cases.domain.commands import MeetDashDeadline, ReceiveReport, RecordLink
from hearth.cases.domain.deadlines import DeadlineKind, DeadlineStatus
from hearth.cases.domain.decider import case_decider
from hearth.cases.domain.rules import CaseRules
from hearth.contracts.events import cases as ev
from hearth.contracts.events.case_values import DashOutcome
from hearth.contracts.events.common import ContactMethod
from hearth.contracts.events.intake import LinkBasis, RepeatReason, ReportLinkedToCase

FRIDAY_1630 = datetime(2025, 3, 7, 16, 30, tzinfo=UTC)
MONDAY_1000 = datetime(2025, 3, 10, 10, 0, tzinfo=UTC)
TUESDAY_1000 = datetime(2025, 3, 11, 10, 0, tzinfo=UTC)
WEDNESDAY_1400 = datetime(2025, 3, 12, 14, 0, tzinfo=UTC)


def _contacted_and_assessed(scenario, actors) -> None:
    """The case opened on Friday; the survivor was reached Monday and the DASH done Tuesday."""
    scenario.opened()
    contact_due = scenario.state.open_deadline(DeadlineKind.CONTACT).due_at
    scenario.given(
        [
            ev.SurvivorContacted(
                case_id=scenario.case_id,
                contact_id=uuid.uuid4(),
                contacted_at=MONDAY_1000,
                method=ContactMethod.CALL,
                first_contact=True,
                due_at=contact_due,
            )
        ],
        actors.cm,
        MONDAY_1000,
    )
    scenario.apply(
        MeetDashDeadline(actors.system, TUESDAY_1000, DashOutcome.COMPLETED, uuid.uuid4()),
        TUESDAY_1000,
    )
    assert scenario.state.open_deadline(DeadlineKind.CONTACT) is None
    assert scenario.state.open_deadline(DeadlineKind.DASH) is None


def test_a_new_report_on_an_open_case_starts_new_contact_and_dash_deadlines(
    scenario, actors
) -> None:
    _contacted_and_assessed(scenario, actors)
    report = scenario.report(received_at=WEDNESDAY_1400)
    events = scenario.apply(ReceiveReport(actors.system, report), WEDNESDAY_1400)
    [added] = scenario.of_type(events, ev.ReportAddedToCase)
    # One working day and two from when it was reported (the policy's figures).
    assert added.contact_due_at == datetime(2025, 3, 13, 14, 0, tzinfo=UTC)
    assert added.dash_due_at == datetime(2025, 3, 14, 14, 0, tzinfo=UTC)
    contact = scenario.state.open_deadline(DeadlineKind.CONTACT)
    dash = scenario.state.open_deadline(DeadlineKind.DASH)
    assert (contact.ref, contact.starts_at) == (str(report.report_id), WEDNESDAY_1400)
    assert dash.due_at == added.dash_due_at
    assert contact.status(WEDNESDAY_1400) is DeadlineStatus.DUE


def test_the_new_deadlines_are_met_and_missed_like_the_first(scenario, actors) -> None:
    _contacted_and_assessed(scenario, actors)
    report = scenario.report(received_at=WEDNESDAY_1400)
    scenario.apply(ReceiveReport(actors.system, report), WEDNESDAY_1400)
    # A DASH from before the new report does not meet its deadline; a new one does.
    assert (
        scenario.when(
            MeetDashDeadline(actors.system, TUESDAY_1000, DashOutcome.COMPLETED), WEDNESDAY_1400
        )
        == []
    )
    thursday = WEDNESDAY_1400 + timedelta(days=1)
    [met] = scenario.apply(
        MeetDashDeadline(actors.system, thursday, DashOutcome.DECLINED), thursday
    )
    assert isinstance(met, ev.DashDeadlineMet)
    assert met.due_at == datetime(2025, 3, 14, 14, 0, tzinfo=UTC)


def test_a_deadline_still_open_covers_the_new_report(scenario, actors) -> None:
    scenario.opened()  # contact due Monday 16:30, DASH Tuesday 16:30, neither met yet
    saturday = FRIDAY_1630 + timedelta(days=1)
    events = scenario.apply(
        ReceiveReport(actors.system, scenario.report(received_at=saturday)), saturday
    )
    [added] = scenario.of_type(events, ev.ReportAddedToCase)
    assert (added.contact_due_at, added.dash_due_at) == (None, None)
    assert len(scenario.state.deadlines) == 3  # contact, DASH, review


def test_the_policy_can_say_a_new_report_starts_no_new_deadlines(
    scenario, actors, rules: CaseRules
) -> None:
    policy = rules.policy.model_copy(update={"new_report_restarts_deadlines": False})
    scenario.decider = case_decider(CaseRules.of(policy, rules.roster))
    _contacted_and_assessed(scenario, actors)
    events = scenario.when(
        ReceiveReport(actors.system, scenario.report(received_at=WEDNESDAY_1400)),
        WEDNESDAY_1400,
    )
    [added] = scenario.of_type(events, ev.ReportAddedToCase)
    assert (added.contact_due_at, added.dash_due_at) == (None, None)


def test_a_repeat_on_a_joined_case_is_recorded_for_each_report(scenario, actors) -> None:
    scenario.opened()
    opening = ReportLinkedToCase(
        report_id=scenario.state.report_ids[0],
        case_id=scenario.case_id,
        linked_at=FRIDAY_1630,
        basis=LinkBasis.NEW_CASE,
        repeat_reasons=(RepeatReason.CASE_CLOSED_WITHIN_12_MONTHS,),
        previous_case_id=uuid.uuid4(),
    )
    scenario.apply(RecordLink(actors.system, opening), FRIDAY_1630)
    report = scenario.report(received_at=WEDNESDAY_1400)
    scenario.apply(ReceiveReport(actors.system, report), WEDNESDAY_1400)
    joined = ReportLinkedToCase(
        report_id=report.report_id,
        case_id=scenario.case_id,
        linked_at=WEDNESDAY_1400,
        basis=LinkBasis.SAME_SURVIVOR,
        repeat_reasons=(RepeatReason.MARAC_WITHIN_12_MONTHS,),
    )
    [repeat] = scenario.apply(RecordLink(actors.system, joined), WEDNESDAY_1400)
    assert isinstance(repeat, ev.RepeatCaseIdentified)
    assert repeat.report_id == report.report_id
    assert repeat.repeat_reasons == (RepeatReason.MARAC_WITHIN_12_MONTHS,)
    assert [r.report_id for r in scenario.state.repeats] == [opening.report_id, report.report_id]
    assert scenario.state.repeat.report_id == opening.report_id
    assert scenario.when(RecordLink(actors.system, joined), WEDNESDAY_1400) == []
