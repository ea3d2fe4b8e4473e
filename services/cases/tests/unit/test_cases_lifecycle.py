"""Case manager changes, reviews, closure and reopening, restriction."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from hearth.cases.domain import commands as c
from hearth.cases.domain import lifecycle
from hearth.cases.domain.deadlines import DeadlineKind
from hearth.cases.domain.rules import CaseRules
from hearth.cases.domain.staff import Roster, StaffMember, StaffRole
from hearth.contracts.events import cases as ev
from hearth.contracts.events.case_values import (
    ClosureReason,
    ReopenReason,
    RestrictionReason,
    ReviewOutcome,
)
from hearth.contracts.events.common import Gender
from hearth.eventstore.errors import DomainError, NotAllowed, NotFound

MONDAY_10 = datetime(2025, 3, 10, 10, 0, tzinfo=UTC)


@pytest.fixture
def case(scenario):
    # cso-m1 (a man) has the lightest caseload and takes the case.
    return scenario.opened(caseloads={"cso-w1": 3, "cso-w2": 4, "cso-m1": 0})


# --- case manager ----------------------------------------------------------------------


def test_a_preference_requested_later_moves_the_case_to_a_matching_officer(case, actors) -> None:
    assert case.state.case_manager.staff_id == "cso-m1"
    command = c.ChangeCaseManager(
        actors.cm, preferred_gender=Gender.WOMAN, caseloads={"cso-w1": 3, "cso-w2": 1}
    )
    [assigned] = case.apply(command, MONDAY_10)
    assert isinstance(assigned, ev.CaseManagerAssigned)
    assert assigned.case_manager.staff_id == "cso-w2"
    assert assigned.previous_staff_id == "cso-m1"
    assert assigned.preferred_gender is Gender.WOMAN
    assert assigned.preference_met is True
    assert case.state.preferred_gender is Gender.WOMAN


def test_a_preference_the_current_officer_meets_is_recorded_without_reassigning(
    case, actors
) -> None:
    [recorded] = case.apply(c.ChangeCaseManager(actors.cm, preferred_gender=Gender.MAN), MONDAY_10)
    assert isinstance(recorded, ev.CaseManagerPreferenceRecorded)
    assert recorded.current_case_manager_matches is True
    assert case.when(c.ChangeCaseManager(actors.cm, preferred_gender=Gender.MAN), MONDAY_10) == []


def test_a_preference_nobody_can_meet_is_recorded_as_unmet(case, actors) -> None:
    [recorded] = case.apply(
        c.ChangeCaseManager(actors.cm, preferred_gender=Gender.NON_BINARY), MONDAY_10
    )
    assert isinstance(recorded, ev.CaseManagerPreferenceRecorded)
    assert recorded.current_case_manager_matches is False
    assert case.state.preference_met is False
    assert case.state.case_manager.staff_id == "cso-m1"


def test_a_manager_reassigns_recording_the_previous_officer(case, actors) -> None:
    [assigned] = case.when(c.ChangeCaseManager(actors.manager, staff_id="cso-w1"), MONDAY_10)
    assert assigned.case_manager.staff_id == "cso-w1"
    assert assigned.previous_staff_id == "cso-m1"


def test_only_a_manager_names_the_new_officer(case, actors) -> None:
    with pytest.raises(NotAllowed):
        case.when(c.ChangeCaseManager(actors.cm, staff_id="cso-w1"), MONDAY_10)


def test_a_reassignment_must_honour_the_preference(case, actors) -> None:
    case.apply(c.ChangeCaseManager(actors.cm, preferred_gender=Gender.WOMAN), MONDAY_10)
    with pytest.raises(DomainError) as refused:
        case.when(c.ChangeCaseManager(actors.manager, staff_id="cso-m1"), MONDAY_10)
    assert refused.value.code == "preferred_gender_not_matched"


# An unmet preference: nobody of that gender is free (the roster has no non-binary officer).


@pytest.fixture
def unmet(scenario):
    return scenario.opened(preferred_case_manager_gender=Gender.NON_BINARY)


def test_a_preference_nobody_could_meet_shows_as_unmet_on_the_case(unmet, scenario) -> None:
    assert unmet.state.case_manager is not None
    assert unmet.state.preference_unmet is True
    met = type(scenario)(scenario.rules, scenario.system)
    assert met.opened(preferred_case_manager_gender=Gender.WOMAN).state.preference_unmet is False
    nobody_asked = type(scenario)(scenario.rules, scenario.system).opened()
    assert nobody_asked.state.preference_unmet is False


def test_a_manager_cannot_name_another_gender_while_the_preference_stands(unmet, actors) -> None:
    with pytest.raises(DomainError) as refused:
        unmet.when(c.ChangeCaseManager(actors.manager, staff_id="cso-w1"), MONDAY_10)
    assert refused.value.code == "preferred_gender_not_matched"


def test_an_unmet_preference_is_met_when_someone_of_that_gender_is_free(
    unmet, actors, rules
) -> None:
    # Later an officer of that gender joins the team: the manager names them.
    joined = Roster(
        staff=(
            *rules.roster.staff,
            StaffMember(
                staff_id="cso-nb1",
                role=StaffRole.CASE_MANAGER,
                gender=Gender.NON_BINARY,
                active=True,
            ),
        )
    )
    later = lifecycle.change_case_manager(
        c.ChangeCaseManager(actors.manager, staff_id="cso-nb1"),
        unmet.state,
        MONDAY_10,
        CaseRules.of(rules.policy, joined),
    )
    unmet.given(later)
    [assigned] = later
    assert (assigned.case_manager.staff_id, assigned.preference_met) == ("cso-nb1", True)
    assert unmet.state.preference_unmet is False


def test_a_withdrawn_preference_lets_a_manager_name_anyone(unmet, actors) -> None:
    withdrawn, assigned = unmet.apply(
        c.ChangeCaseManager(actors.manager, staff_id="cso-w1", withdraw_preference=True),
        MONDAY_10,
    )
    assert isinstance(withdrawn, ev.CaseManagerPreferenceWithdrawn)
    assert withdrawn.previous_gender is Gender.NON_BINARY
    assert assigned.case_manager.staff_id == "cso-w1"
    assert (assigned.preferred_gender, assigned.preference_met) == (None, None)
    assert unmet.state.preferred_gender is None
    assert unmet.state.preference_unmet is False
    # Withdrawing again changes nothing.
    assert unmet.when(c.ChangeCaseManager(actors.cm, withdraw_preference=True), MONDAY_10) == []


def test_a_changed_preference_is_recorded_with_the_reassignment(unmet, actors) -> None:
    [assigned] = unmet.apply(
        c.ChangeCaseManager(actors.manager, staff_id="cso-w1", preferred_gender=Gender.WOMAN),
        MONDAY_10,
    )
    assert (assigned.preferred_gender, assigned.preference_met) == (Gender.WOMAN, True)
    assert unmet.state.preference_unmet is False


@pytest.mark.parametrize("staff_id", ["cso-away", "nobody-0001"])
def test_only_active_officers_on_the_roster_take_cases(case, actors, staff_id) -> None:
    with pytest.raises(DomainError) as refused:
        case.when(c.ChangeCaseManager(actors.manager, staff_id=staff_id), MONDAY_10)
    assert refused.value.code == "not_a_case_manager"


def test_reassigning_a_restricted_case_renames_who_may_see_it(scenario, actors) -> None:
    survivor = scenario.report().survivor.model_copy(
        update={"is_staff_member": True, "staff_id": "hr-0001"}
    )
    scenario.opened(survivor=survivor, caseloads={"cso-m1": 0, "cso-w1": 1, "cso-w2": 1})
    assert scenario.state.restriction.permitted_staff_ids == ("cso-m1", "lead-1")
    events = scenario.apply(c.ChangeCaseManager(actors.manager, staff_id="cso-w1"), MONDAY_10)
    [restricted] = [e for e in events if isinstance(e, ev.CaseRestricted)]
    assert restricted.restriction.permitted_staff_ids == ("cso-w1", "lead-1")


# --- review ----------------------------------------------------------------------------


def test_a_review_meets_the_review_due_and_sets_the_next(case, actors) -> None:
    first = case.state.open_deadline(DeadlineKind.REVIEW)
    [reviewed] = case.apply(
        c.ReviewCase(actors.manager, uuid.uuid4(), ReviewOutcome.CONTINUE), MONDAY_10
    )
    assert isinstance(reviewed, ev.CaseReviewed)
    assert reviewed.next_review_due_at == datetime(2025, 4, 7, 9, 0, tzinfo=UTC)  # 10:00 BST
    assert case.state.deadline(DeadlineKind.REVIEW, first.ref).met_at == MONDAY_10
    assert case.state.open_deadline(DeadlineKind.REVIEW).due_at == reviewed.next_review_due_at


def test_only_a_manager_reviews(case, actors) -> None:
    with pytest.raises(NotAllowed):
        case.when(c.ReviewCase(actors.cm, uuid.uuid4(), ReviewOutcome.CONTINUE), MONDAY_10)


def test_the_next_review_cannot_be_in_the_past(case, actors) -> None:
    with pytest.raises(DomainError) as refused:
        case.when(
            c.ReviewCase(
                actors.manager, uuid.uuid4(), ReviewOutcome.CONTINUE, MONDAY_10 - timedelta(days=1)
            ),
            MONDAY_10,
        )
    assert refused.value.code == "next_review_in_past"


# --- closure ---------------------------------------------------------------------------


def request(actors, actor=None):
    return c.RequestClosure(actor or actors.cm, ClosureReason.SURVIVOR_SAFE_SUPPORT_IN_PLACE)


def test_a_case_closes_when_a_manager_approves_the_request(case, actors) -> None:
    [requested] = case.apply(request(actors), MONDAY_10)
    assert isinstance(requested, ev.CaseClosureRequested)
    assert case.state.is_open
    [closed] = case.apply(c.DecideClosure(actors.manager, approve=True), MONDAY_10)
    assert isinstance(closed, ev.CaseClosed)
    assert closed.reason is ClosureReason.SURVIVOR_SAFE_SUPPORT_IN_PLACE
    assert closed.approved_by == actors.manager.id
    assert not case.state.is_open


def test_closing_cancels_deadlines_still_waiting(case, actors) -> None:
    case.apply(request(actors), MONDAY_10)
    case.apply(c.DecideClosure(actors.manager, approve=True), MONDAY_10)
    assert all(d.cancelled_at == MONDAY_10 for d in case.state.deadlines.values())


def test_a_case_manager_cannot_approve_a_closure(case, actors) -> None:
    case.apply(request(actors), MONDAY_10)
    with pytest.raises(NotAllowed):
        case.when(c.DecideClosure(actors.other_cm, approve=True), MONDAY_10)


def test_a_manager_cannot_approve_their_own_closure_request(case, actors) -> None:
    case.apply(request(actors, actors.manager), MONDAY_10)
    with pytest.raises(DomainError) as refused:
        case.when(c.DecideClosure(actors.manager, approve=True), MONDAY_10)
    assert refused.value.code == "own_closure_request"
    assert case.when(c.DecideClosure(actors.second_manager, approve=True), MONDAY_10)


def test_a_declined_closure_keeps_the_case_open(case, actors) -> None:
    case.apply(request(actors), MONDAY_10)
    [declined] = case.apply(
        c.DecideClosure(actors.manager, approve=False, reason="Await the hearing"), MONDAY_10
    )
    assert isinstance(declined, ev.CaseClosureDeclined)
    assert case.state.is_open and case.state.pending_closure is None


def test_closure_needs_a_request_first(case, actors) -> None:
    with pytest.raises(DomainError) as refused:
        case.when(c.DecideClosure(actors.manager, approve=True), MONDAY_10)
    assert refused.value.code == "no_closure_request"


def test_one_closure_request_at_a_time(case, actors) -> None:
    case.apply(request(actors), MONDAY_10)
    with pytest.raises(DomainError) as refused:
        case.when(request(actors), MONDAY_10)
    assert refused.value.code == "closure_already_requested"


# --- reopening -------------------------------------------------------------------------


def closed(case, actors):
    case.apply(request(actors), MONDAY_10)
    case.apply(c.DecideClosure(actors.manager, approve=True), MONDAY_10)
    return case


def test_a_closed_case_reopens_with_fresh_deadlines(case, actors) -> None:
    closed(case, actors)
    wednesday = datetime(2025, 3, 12, 14, 0, tzinfo=UTC)
    [reopened] = case.apply(c.ReopenCase(actors.cm, ReopenReason.SURVIVOR_REQUEST), wednesday)
    assert isinstance(reopened, ev.CaseReopened)
    assert reopened.contact_due_at == datetime(2025, 3, 13, 14, 0, tzinfo=UTC)
    assert reopened.dash_due_at == datetime(2025, 3, 14, 14, 0, tzinfo=UTC)
    assert case.state.is_open
    assert case.state.open_deadline(DeadlineKind.CONTACT).ref == "2"


def test_a_case_counts_in_its_case_managers_caseload_only_while_open(case, actors) -> None:
    assert case.state.caseload_of == "cso-m1"
    case.apply(c.ChangeCaseManager(actors.manager, staff_id="cso-w1"), MONDAY_10)
    assert case.state.caseload_of == "cso-w1"
    closed(case, actors)
    assert case.state.caseload_of is None
    case.apply(c.ReopenCase(actors.cm, ReopenReason.NEW_INCIDENT), MONDAY_10)
    assert case.state.caseload_of == case.state.case_manager.staff_id


def test_an_open_case_cannot_be_reopened(case, actors) -> None:
    with pytest.raises(DomainError) as refused:
        case.when(c.ReopenCase(actors.cm, ReopenReason.NEW_INCIDENT), MONDAY_10)
    assert refused.value.code == "case_not_closed"


def test_unknown_cases_are_not_found(scenario, actors) -> None:
    with pytest.raises(NotFound):
        scenario.when(c.ReopenCase(actors.cm, ReopenReason.NEW_INCIDENT), MONDAY_10)
    with pytest.raises(NotFound):
        scenario.when(request(actors), MONDAY_10)


# --- restriction -----------------------------------------------------------------------


def test_a_manager_restricts_a_case_and_its_manager_is_always_named(case, actors) -> None:
    [restricted] = case.apply(
        c.RestrictCase(actors.manager, RestrictionReason.OTHER_SENSITIVITY, ("lead-1",)),
        MONDAY_10,
    )
    assert restricted.restriction.permitted_staff_ids == ("cso-m1", "lead-1")


def test_staff_involved_in_a_case_cannot_be_named_on_it(scenario, actors) -> None:
    perpetrator = (
        scenario.report()
        .alleged_perpetrators[0]
        .model_copy(update={"is_staff_member": True, "staff_id": "cso-w2"})
    )
    scenario.opened(alleged_perpetrators=(perpetrator,))
    with pytest.raises(DomainError) as refused:
        scenario.when(
            c.RestrictCase(actors.manager, RestrictionReason.OTHER_SENSITIVITY, ("cso-w2",)),
            MONDAY_10,
        )
    assert refused.value.code == "staff_involved"


def test_lifting_needs_a_restricted_case(case, actors) -> None:
    with pytest.raises(DomainError) as refused:
        case.when(c.LiftRestriction(actors.manager, "No longer needed"), MONDAY_10)
    assert refused.value.code == "not_restricted"


def test_a_manual_restriction_keeps_its_names_when_the_case_manager_changes(case, actors) -> None:
    case.apply(
        c.RestrictCase(actors.manager, RestrictionReason.OTHER_SENSITIVITY, ("lead-1", "hr-7")),
        MONDAY_10,
    )
    events = case.apply(c.ChangeCaseManager(actors.manager, staff_id="cso-w1"), MONDAY_10)
    [restricted] = [e for e in events if isinstance(e, ev.CaseRestricted)]
    assert restricted.restriction.permitted_staff_ids == ("cso-w1", "lead-1", "hr-7")
    assert restricted.restriction.reason is RestrictionReason.OTHER_SENSITIVITY


def test_a_further_report_leaves_a_manual_restriction_as_it_is(case, actors) -> None:
    case.apply(
        c.RestrictCase(actors.manager, RestrictionReason.OTHER_SENSITIVITY, ("hr-7",)), MONDAY_10
    )
    further = case.report(received_at=MONDAY_10)
    events = case.when(c.ReceiveReport(actors.system, further), MONDAY_10)
    assert not [e for e in events if isinstance(e, ev.CaseRestricted)]
