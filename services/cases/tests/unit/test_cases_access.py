"""Who may see a case: restricted cases only by the staff named, never by staff involved."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from hearth.cases.domain import commands as c
from hearth.cases.domain.access import (
    Visibility,
    may_see,
    read_is_recorded,
    staff_read,
    visibility,
)
from hearth.cases.domain.guards import CaseNotFound
from hearth.contracts.envelope import Actor, Role
from hearth.contracts.events import cases as ev
from hearth.contracts.events.case_values import (
    ClosureReason,
    ContactAttemptOutcome,
    RestrictedView,
    RestrictionReason,
)
from hearth.contracts.events.common import ContactMethod
from hearth.eventstore.case_access import CaseAccess, CaseWasErased, follow
from hearth.eventstore.errors import DomainError

MONDAY_10 = datetime(2025, 3, 10, 10, 0, tzinfo=UTC)


@pytest.fixture
def restricted(scenario):
    perpetrator = (
        scenario.report()
        .alleged_perpetrators[0]
        .model_copy(update={"is_staff_member": True, "staff_id": "cso-w2"})
    )
    return scenario.opened(
        alleged_perpetrators=(perpetrator,), caseloads={"cso-w1": 0, "cso-m1": 1}
    )


def test_an_ordinary_case_is_visible_to_staff_and_reads_are_not_logged(scenario, actors) -> None:
    scenario.opened()
    for actor in (actors.cm, actors.other_cm, actors.manager, actors.auditor):
        assert may_see(scenario.state, actor)
        assert not read_is_recorded(scenario.state, actor)


def test_a_restricted_case_is_visible_only_to_the_staff_named(restricted, actors) -> None:
    assert restricted.state.restriction.permitted_staff_ids == ("cso-w1", "lead-1")
    assert may_see(restricted.state, Actor(id="cso-w1", role=Role.CASE_MANAGER))
    assert may_see(restricted.state, actors.manager)
    for outsider in (
        actors.cm,
        actors.second_manager,
        actors.auditor,
        Actor(id="admin-1", role=Role.ADMIN),
    ):
        assert not may_see(restricted.state, outsider)
        assert read_is_recorded(restricted.state, outsider)


def test_the_staff_member_involved_never_sees_their_own_case(restricted) -> None:
    involved = Actor(id="cso-w2", role=Role.CASE_MANAGER)
    assert not may_see(restricted.state, involved)
    as_manager = Actor(id="cso-w2", role=Role.MANAGER)
    assert not may_see(restricted.state, as_manager)


def test_hearth_itself_is_not_a_reader(restricted, actors) -> None:
    assert may_see(restricted.state, actors.system)
    assert not read_is_recorded(restricted.state, actors.system)


def test_commands_on_a_restricted_case_by_others_find_no_case(restricted, actors) -> None:
    attempt = c.RecordContactAttempt(
        actors.cm,
        restricted.case_id,
        ContactMethod.CALL,
        ContactAttemptOutcome.NO_ANSWER,
        happened_at=MONDAY_10,
        message_left=False,
        safe_to_talk_checked=True,
    )
    with pytest.raises(CaseNotFound) as refused:
        restricted.when(attempt, MONDAY_10)
    assert str(refused.value) == "no such case"
    named = c.RecordContactAttempt(
        Actor(id="cso-w1", role=Role.CASE_MANAGER),
        restricted.case_id,
        ContactMethod.CALL,
        ContactAttemptOutcome.NO_ANSWER,
        happened_at=MONDAY_10,
        message_left=False,
        safe_to_talk_checked=True,
    )
    assert restricted.when(named, MONDAY_10)


def test_a_refused_read_is_recorded_as_not_granted(restricted, actors) -> None:
    [read] = restricted.when(c.RecordRead(actors.cm, RestrictedView.TIMELINE, False), MONDAY_10)
    assert isinstance(read, ev.RestrictedCaseRead)
    assert (read.staff_id, read.access_granted, read.view) == (
        actors.cm.id,
        False,
        RestrictedView.TIMELINE,
    )


def test_a_read_of_an_ordinary_case_is_recorded_apart_with_no_personal_data(
    scenario, actors
) -> None:
    scenario.opened()
    for actor in (actors.cm, actors.other_cm, actors.manager, actors.auditor):
        read = staff_read(scenario.state, actor, RestrictedView.TIMELINE, MONDAY_10)
        assert isinstance(read, ev.CaseRecordRead)
        assert read.model_dump() == {
            "case_id": scenario.state.case_id,
            "read_at": MONDAY_10,
            "staff_id": actor.id,
            "view": RestrictedView.TIMELINE,
        }


def test_a_read_of_a_restricted_case_is_recorded_on_the_case_only(restricted, actors) -> None:
    named = Actor(id="cso-w1", role=Role.CASE_MANAGER)
    assert may_see(restricted.state, named) and read_is_recorded(restricted.state, named)
    assert staff_read(restricted.state, named, RestrictedView.TIMELINE, MONDAY_10) is None
    assert staff_read(restricted.state, actors.manager, RestrictedView.SUMMARY, MONDAY_10) is None


def test_hearth_itself_reading_records_nothing(scenario, actors) -> None:
    scenario.opened()
    assert staff_read(scenario.state, actors.system, RestrictedView.TIMELINE, MONDAY_10) is None


def left_the_landlord(restricted, actors) -> None:
    """The alleged perpetrator no longer works for the landlord (their staff id is kept)."""
    [perpetrator] = restricted.state.perpetrators
    former = c.GivenPerpetrator.model_validate(
        {**perpetrator.model_dump(), "is_staff_member": False}
    )
    restricted.apply(
        c.UpdatePeople(actors.manager, uuid.uuid4(), alleged_perpetrators=(former,)), MONDAY_10
    )


def test_a_restriction_is_not_lifted_while_a_member_of_staff_is_involved(
    restricted, actors
) -> None:
    with pytest.raises(DomainError) as refused:
        restricted.when(c.LiftRestriction(actors.manager, "No longer needed"), MONDAY_10)
    assert refused.value.code == "staff_involved"
    assert "cso-w2" not in str(refused.value)


def test_a_restriction_is_not_lifted_while_the_survivor_is_staff(scenario, actors) -> None:
    survivor = scenario.report().survivor.model_copy(update={"is_staff_member": True})
    scenario.opened(survivor=survivor)
    assert scenario.state.restricted
    with pytest.raises(DomainError) as refused:
        scenario.when(c.LiftRestriction(actors.manager, "No longer needed"), MONDAY_10)
    assert refused.value.code == "staff_involved"


def test_lifting_the_restriction_opens_the_case_to_the_team(restricted, actors) -> None:
    left_the_landlord(restricted, actors)
    restricted.apply(c.LiftRestriction(actors.manager, "Member of staff has left"), MONDAY_10)
    assert may_see(restricted.state, actors.cm)
    assert not may_see(restricted.state, Actor(id="cso-w2", role=Role.CASE_MANAGER))


def test_a_restriction_names_new_staff_and_drops_others(restricted, actors) -> None:
    restricted.apply(
        c.RestrictCase(actors.manager, RestrictionReason.ALLEGED_PERPETRATOR_IS_STAFF, ("hr-7",)),
        MONDAY_10,
    )
    assert may_see(restricted.state, Actor(id="hr-7", role=Role.AUDITOR))
    assert not may_see(restricted.state, actors.manager)


# --- the visibility facts a read model stores ------------------------------------------


def test_an_ordinary_case_is_visible_to_everyone_but_staff_involved(scenario) -> None:
    scenario.opened()
    assert visibility(scenario.state) == Visibility(True, frozenset(), frozenset())


def test_a_restricted_case_names_who_may_see_it_and_who_never_may(restricted, actors) -> None:
    seen_by = visibility(restricted.state)
    assert seen_by == Visibility(False, frozenset({"cso-w1", "lead-1"}), frozenset({"cso-w2"}))
    for actor in (actors.cm, actors.manager, actors.auditor, Actor(id="cso-w2", role=Role.MANAGER)):
        assert seen_by.admits(actor.id) == may_see(restricted.state, actor)


def test_lifted_restriction_still_never_shows_the_case_to_staff_involved(
    restricted, actors
) -> None:
    left_the_landlord(restricted, actors)
    restricted.apply(c.LiftRestriction(actors.manager, "Member of staff has left"), MONDAY_10)
    seen_by = visibility(restricted.state)
    assert seen_by.everyone and seen_by.never == {"cso-w2"}
    assert seen_by.admits(actors.cm.id) and not seen_by.admits("cso-w2")


# --- other services see the same: CaseAccess folded from cases' events -----------------


def test_other_services_folding_cases_events_see_exactly_what_cases_sees(scenario, actors) -> None:
    """Risk and referrals fold cases' events into `CaseAccess`; after every step its
    visibility equals the one cases decides from its own state."""
    perpetrator = (
        scenario.report()
        .alleged_perpetrators[0]
        .model_copy(update={"is_staff_member": True, "staff_id": "cso-w2"})
    )
    received = scenario.report(alleged_perpetrators=(perpetrator,))
    former = c.GivenPerpetrator.model_validate(
        {**perpetrator.model_dump(), "is_staff_member": False}
    )
    steps = [
        (c.ReceiveReport(actors.system, received, {"cso-w1": 0}), received.received_at),
        (
            c.RestrictCase(
                actors.manager,
                RestrictionReason.ALLEGED_PERPETRATOR_IS_STAFF,
                ("hr-7", actors.manager.id),
            ),
            MONDAY_10,
        ),
        (c.UpdatePeople(actors.manager, uuid.uuid4(), alleged_perpetrators=(former,)), MONDAY_10),
        (c.LiftRestriction(actors.manager, "Member of staff has left"), MONDAY_10),
    ]
    access = CaseAccess()
    seen = []
    for command, at in steps:
        for event in scenario.apply(command, at):
            access = follow(access, event)
        assert access.visibility == visibility(scenario.state)
        assert access.open == scenario.state.is_open
        seen.append(access.may_see(Actor(id="cso-x9", role=Role.CASE_MANAGER)))
    assert seen == [False, False, False, True]
    assert not access.may_see(Actor(id="cso-w2", role=Role.CASE_MANAGER))


def test_other_services_see_an_erased_case_as_cases_does(scenario, actors) -> None:
    """Folded through closure and erasure, `CaseAccess` is seen by nobody, exactly as
    cases sees its erased case, keeps no staff id, and refuses commands as cases does."""
    perpetrator = (
        scenario.report()
        .alleged_perpetrators[0]
        .model_copy(update={"is_staff_member": True, "staff_id": "cso-w2"})
    )
    received = scenario.report(alleged_perpetrators=(perpetrator,))
    named = Actor(id="cso-w1", role=Role.CASE_MANAGER)
    closed_at = datetime(2025, 3, 12, 10, 0, tzinfo=UTC)
    steps = [
        (
            c.ReceiveReport(actors.system, received, {"cso-w1": 0, "cso-m1": 1}),
            received.received_at,
        ),
        (c.RequestClosure(named, ClosureReason.SURVIVOR_MOVED), closed_at),
        (c.DecideClosure(actors.manager, approve=True), closed_at),
        (
            c.EraseExpired(Actor(id="hearth.cases.retention", role=Role.SYSTEM)),
            datetime(2032, 3, 13, 10, 0, tzinfo=UTC),
        ),
    ]
    access = CaseAccess()
    for command, at in steps:
        for event in scenario.apply(command, at):
            access = follow(access, event)
        assert access.visibility == visibility(scenario.state)
    assert scenario.state.erased and access.erased and not access.open
    assert access.people == () and access.restriction is None
    for actor in (named, actors.manager, actors.cm):
        assert not access.may_see(actor)
        assert not access.read_is_recorded(actor)
    with pytest.raises(CaseWasErased) as refused:
        access.require_not_erased()
    assert refused.value.code == "case_erased"
