"""Opening a case from intake's report, further reports, repeats."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from hearth.cases.domain.commands import ReceiveReport, RecordLink
from hearth.cases.domain.deadlines import DeadlineKind
from hearth.contracts.events import cases as ev
from hearth.contracts.events.case_values import FlagKind, RestrictionReason
from hearth.contracts.events.common import (
    AllegedPerpetrator,
    Gender,
    Relationship,
    SafeContact,
    Survivor,
)
from hearth.contracts.events.intake import LinkBasis, RepeatReason, ReportLinkedToCase

FRIDAY_1630 = datetime(2025, 3, 7, 16, 30, tzinfo=UTC)
NOW = FRIDAY_1630 + timedelta(minutes=2)


def test_a_new_report_opens_the_case_with_policy_deadlines(scenario, actors) -> None:
    report = scenario.report()
    events = scenario.when(ReceiveReport(actors.system, report), NOW)
    opened = events[0]
    assert isinstance(opened, ev.CaseOpened)
    assert opened.case_id == report.case_id
    assert opened.report_id == report.report_id
    assert opened.reported_at == FRIDAY_1630
    assert opened.opened_at == NOW
    assert opened.contact_due_at == datetime(2025, 3, 10, 16, 30, tzinfo=UTC)
    assert opened.dash_due_at == datetime(2025, 3, 11, 16, 30, tzinfo=UTC)
    assert opened.review_due_at == datetime(2025, 4, 4, 15, 32, tzinfo=UTC)  # 16:32 BST
    assert opened.timescale_policy == "west-kent-2024"
    assert opened.survivor == report.survivor
    assert opened.alleged_perpetrators == report.alleged_perpetrators
    assert opened.restriction is None


def test_opening_assigns_the_least_loaded_active_officer(scenario, actors) -> None:
    loads = {"cso-w1": 5, "cso-w2": 2, "cso-m1": 3}
    events = scenario.when(ReceiveReport(actors.system, scenario.report(), loads), NOW)
    [assigned] = scenario.of_type(events, ev.CaseManagerAssigned)
    assert assigned.case_manager.staff_id == "cso-w2"
    assert assigned.previous_staff_id is None
    assert assigned.preferred_gender is None


def test_a_preferred_gender_is_honoured_even_over_a_lighter_caseload(scenario, actors) -> None:
    loads = {"cso-w1": 5, "cso-w2": 4, "cso-m1": 0}
    report = scenario.report(preferred_case_manager_gender=Gender.WOMAN)
    events = scenario.when(ReceiveReport(actors.system, report, loads), NOW)
    [assigned] = scenario.of_type(events, ev.CaseManagerAssigned)
    assert assigned.case_manager.staff_id == "cso-w2"
    assert assigned.case_manager.gender is Gender.WOMAN
    assert assigned.preferred_gender is Gender.WOMAN
    assert assigned.preference_met is True
    assert events[0].preferred_case_manager_gender is Gender.WOMAN


def test_an_unmeetable_preference_still_gets_a_case_manager_and_says_so(scenario, actors) -> None:
    report = scenario.report(preferred_case_manager_gender=Gender.NON_BINARY)
    events = scenario.when(ReceiveReport(actors.system, report, {"cso-m1": 0}), NOW)
    [assigned] = scenario.of_type(events, ev.CaseManagerAssigned)
    assert assigned.preference_met is False
    assert assigned.case_manager.staff_id in {"cso-w1", "cso-w2", "cso-m1"}


def test_inactive_officers_take_no_new_cases(scenario, actors) -> None:
    loads = {"cso-w1": 9, "cso-w2": 9, "cso-m1": 9}
    events = scenario.when(ReceiveReport(actors.system, scenario.report(), loads), NOW)
    [assigned] = scenario.of_type(events, ev.CaseManagerAssigned)
    assert assigned.case_manager.staff_id != "cso-away"


def test_every_case_flags_survivor_perpetrator_and_affected_children(scenario, actors) -> None:
    events = scenario.when(ReceiveReport(actors.system, scenario.report()), NOW)
    flags = {(f.person_id, f.kind) for f in scenario.of_type(events, ev.FlagRaised)}
    assert flags == {
        (scenario.survivor_id, FlagKind.POTENTIALLY_VULNERABLE),
        (scenario.perpetrator_id, FlagKind.POTENTIAL_RISK),
        (scenario.child_id, FlagKind.POTENTIALLY_VULNERABLE),
    }
    assert all(f.raised_at == NOW and f.reason for f in scenario.of_type(events, ev.FlagRaised))


def test_flag_ids_are_the_same_when_the_decision_is_made_again(scenario, actors) -> None:
    report = scenario.report()
    first = scenario.when(ReceiveReport(actors.system, report), NOW)
    again = scenario.when(ReceiveReport(actors.system, report), NOW)
    ids = [f.flag_id for f in scenario.of_type(first, ev.FlagRaised)]
    assert ids == [f.flag_id for f in scenario.of_type(again, ev.FlagRaised)]


def test_safe_contact_given_with_the_report_is_recorded(scenario, actors) -> None:
    safe = SafeContact(
        safe_to_call=False,
        safe_to_text=False,
        safe_to_email=False,
        safe_to_write=False,
        safe_to_visit=True,
        withheld_number_only=False,
        never_leave_voicemail=True,
        interpreter_needed=False,
    )
    events = scenario.when(ReceiveReport(actors.system, scenario.report(safe_contact=safe)), NOW)
    [updated] = scenario.of_type(events, ev.SafeContactUpdated)
    assert updated.safe_contact == safe


def test_a_staff_perpetrator_restricts_the_case_to_its_manager_and_the_da_lead(
    scenario, actors
) -> None:
    perpetrator = AllegedPerpetrator(
        person_id=scenario.perpetrator_id,
        relationship_to_survivor=Relationship.FORMER_INTIMATE_PARTNER,
        is_staff_member=True,
        staff_id="cso-w1",
    )
    report = scenario.report(alleged_perpetrators=(perpetrator,))
    events = scenario.when(ReceiveReport(actors.system, report, {"cso-w1": 0}), NOW)
    opened = events[0]
    [assigned] = scenario.of_type(events, ev.CaseManagerAssigned)
    [restricted] = scenario.of_type(events, ev.CaseRestricted)
    # The perpetrator is an officer with the lightest caseload: never their own case.
    assert assigned.case_manager.staff_id != "cso-w1"
    assert restricted.restriction.reason is RestrictionReason.ALLEGED_PERPETRATOR_IS_STAFF
    assert restricted.restriction.permitted_staff_ids == (assigned.case_manager.staff_id, "lead-1")
    assert opened.restriction == restricted.restriction


def test_a_staff_survivor_restricts_the_case(scenario, actors) -> None:
    survivor = Survivor(person_id=scenario.survivor_id, is_staff_member=True)
    events = scenario.when(ReceiveReport(actors.system, scenario.report(survivor=survivor)), NOW)
    [restricted] = scenario.of_type(events, ev.CaseRestricted)
    assert restricted.restriction.reason is RestrictionReason.SURVIVOR_IS_STAFF


def test_the_same_report_twice_changes_nothing(scenario, actors) -> None:
    report = scenario.report()
    scenario.apply(ReceiveReport(actors.system, report), NOW)
    assert scenario.when(ReceiveReport(actors.system, report), NOW + timedelta(hours=1)) == []


def test_a_further_report_joins_the_open_case_without_new_deadlines(scenario, actors) -> None:
    scenario.opened()
    later = NOW + timedelta(days=1)
    further = scenario.report(received_at=later, immediate_danger=True)
    events = scenario.when(ReceiveReport(actors.system, further), later)
    assert [type(e) for e in events] == [ev.ReportAddedToCase]
    added = events[0]
    assert added.report_id == further.report_id
    assert added.immediate_danger is True
    scenario.given(events)
    assert len([d for d in scenario.state.deadlines.values()]) == 3  # contact, DASH, review


def test_a_further_report_naming_a_new_perpetrator_adds_and_flags_them(scenario, actors) -> None:
    scenario.opened()
    newcomer = AllegedPerpetrator(
        person_id=uuid.uuid4(), relationship_to_survivor=Relationship.RELATIVE
    )
    old = scenario.state.perpetrators[0]
    further = scenario.report(alleged_perpetrators=(old, newcomer))
    events = scenario.when(ReceiveReport(actors.system, further), NOW)
    [people] = scenario.of_type(events, ev.PeopleUpdated)
    assert people.alleged_perpetrators == (old, newcomer)
    [flag] = scenario.of_type(events, ev.FlagRaised)
    assert (flag.person_id, flag.kind) == (newcomer.person_id, FlagKind.POTENTIAL_RISK)


def test_a_further_report_revealing_a_staff_perpetrator_restricts_and_reassigns(
    scenario, actors
) -> None:
    scenario.opened(caseloads={"cso-w1": 0, "cso-w2": 5, "cso-m1": 5})
    assert scenario.state.case_manager.staff_id == "cso-w1"
    perpetrator = scenario.state.perpetrators[0].model_copy(
        update={"is_staff_member": True, "staff_id": "cso-w1"}
    )
    staffer = AllegedPerpetrator(
        person_id=uuid.uuid4(),
        relationship_to_survivor=Relationship.RELATIVE,
        is_staff_member=True,
        staff_id="cso-w1",
    )
    further = scenario.report(alleged_perpetrators=(perpetrator, staffer))
    events = scenario.when(ReceiveReport(actors.system, further, {"cso-w2": 5, "cso-m1": 5}), NOW)
    [assigned] = scenario.of_type(events, ev.CaseManagerAssigned)
    [restricted] = scenario.of_type(events, ev.CaseRestricted)
    assert assigned.previous_staff_id == "cso-w1"
    assert "cso-w1" not in restricted.restriction.permitted_staff_ids
    assert assigned.case_manager.staff_id in restricted.restriction.permitted_staff_ids


def test_a_report_about_a_closed_case_reopens_it_with_new_deadlines(scenario, actors) -> None:
    scenario.opened()
    scenario.given(
        [
            ev.CaseClosed(
                case_id=scenario.case_id,
                closed_at=NOW,
                reason="survivor_moved",
                approved_by="lead-1",
            )
        ]
    )
    monday = datetime(2025, 3, 17, 11, 0, tzinfo=UTC)
    events = scenario.when(
        ReceiveReport(actors.system, scenario.report(received_at=monday)), monday
    )
    reopened, added = events[:2]
    assert isinstance(reopened, ev.CaseReopened)
    assert isinstance(added, ev.ReportAddedToCase)
    assert reopened.report_id == added.report_id
    assert reopened.contact_due_at == datetime(2025, 3, 18, 11, 0, tzinfo=UTC)
    assert reopened.dash_due_at == datetime(2025, 3, 19, 11, 0, tzinfo=UTC)
    scenario.given(events)
    assert scenario.state.is_open
    assert scenario.state.episode == 2
    assert len(scenario.state.report_ids) == len(set(scenario.state.report_ids)) == 2
    assert scenario.state.open_deadline(DeadlineKind.CONTACT).ref == "2"


def test_a_repeat_is_recorded_once(scenario, actors) -> None:
    scenario.opened()
    link = ReportLinkedToCase(
        report_id=scenario.state.report_ids[0],
        case_id=scenario.case_id,
        linked_at=NOW,
        basis=LinkBasis.NEW_CASE,
        repeat_reasons=(RepeatReason.MARAC_WITHIN_12_MONTHS,),
        previous_case_id=uuid.uuid4(),
    )
    events = scenario.apply(RecordLink(actors.system, link), NOW)
    [repeat] = events
    assert isinstance(repeat, ev.RepeatCaseIdentified)
    assert repeat.previous_case_id == link.previous_case_id
    assert scenario.when(RecordLink(actors.system, link), NOW) == []


def test_a_plain_link_records_nothing(scenario, actors) -> None:
    scenario.opened()
    link = ReportLinkedToCase(
        report_id=scenario.state.report_ids[0],
        case_id=scenario.case_id,
        linked_at=NOW,
        basis=LinkBasis.NEW_CASE,
    )
    assert scenario.when(RecordLink(actors.system, link), NOW) == []


def test_a_link_for_an_unknown_case_records_nothing(scenario, actors) -> None:
    link = ReportLinkedToCase(
        report_id=uuid.uuid4(),
        case_id=scenario.case_id,
        linked_at=NOW,
        basis=LinkBasis.SAME_SURVIVOR,
    )
    assert scenario.when(RecordLink(actors.system, link), NOW) == []
