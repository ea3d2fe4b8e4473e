"""Caseworkers correcting and adding the people on a case: ids stay, new people are
flagged, and staff found to be involved restrict the case."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from hearth.cases.domain import commands as c
from hearth.cases.domain.guards import CaseNotFound
from hearth.contracts.events import cases as ev
from hearth.contracts.events.case_values import FlagKind, RestrictionReason
from hearth.contracts.events.common import (
    AgeBand,
    AllegedPerpetrator,
    Child,
    PostalAddress,
    Relationship,
    Survivor,
)
from hearth.eventstore.errors import DomainError

MONDAY_10 = datetime(2025, 3, 10, 10, 0, tzinfo=UTC)


@pytest.fixture
def case(scenario):
    return scenario.opened()


def given_survivor(survivor: Survivor, **changes) -> c.GivenSurvivor:
    return c.GivenSurvivor.model_validate({**survivor.model_dump(), **changes})


def given_perpetrator(perpetrator: AllegedPerpetrator, **changes) -> c.GivenPerpetrator:
    return c.GivenPerpetrator.model_validate({**perpetrator.model_dump(), **changes})


def given_child(child: Child, **changes) -> c.GivenChild:
    return c.GivenChild.model_validate({**child.model_dump(), **changes})


def update(actor, **parts) -> c.UpdatePeople:
    return c.UpdatePeople(actor, uuid.uuid4(), **parts)


def refusal(case, command) -> str:
    with pytest.raises(DomainError) as refused:
        case.when(command, MONDAY_10)
    return refused.value.code


SAFE_ADDRESS = PostalAddress(lines=("Flat 2", "1 Refuge Road"), postcode="ME1 1AA")


# --- the survivor ----------------------------------------------------------------------


def test_correcting_the_survivors_details_keeps_their_person_id(case, actors) -> None:
    moved = given_survivor(case.state.survivor, person_id=None, address=SAFE_ADDRESS)
    events = case.apply(update(actors.cm, survivor=moved), MONDAY_10)
    [updated] = events  # nobody new, nobody involved: no flag, no restriction
    assert isinstance(updated, ev.PeopleUpdated)
    assert updated.survivor.person_id == case.survivor_id
    assert updated.survivor.address == SAFE_ADDRESS
    assert updated.survivor.name == "Alex Example"
    assert (updated.alleged_perpetrators, updated.children) == (None, None)
    assert case.state.survivor.address == SAFE_ADDRESS
    assert case.state.perpetrators[0].person_id == case.perpetrator_id


def test_the_survivor_cannot_be_given_another_persons_id(case, actors) -> None:
    other = given_survivor(case.state.survivor, person_id=case.perpetrator_id)
    assert refusal(case, update(actors.cm, survivor=other)) == "not_the_survivor"


# --- alleged perpetrators --------------------------------------------------------------


def test_adding_a_perpetrator_flags_only_the_new_person(case, actors) -> None:
    known = given_perpetrator(case.state.perpetrators[0])
    newcomer = c.GivenPerpetrator(relationship_to_survivor=Relationship.RELATIVE, name="Lee")
    events = case.apply(update(actors.cm, alleged_perpetrators=(known, newcomer)), MONDAY_10)
    [updated] = case.of_type(events, ev.PeopleUpdated)
    old, new = updated.alleged_perpetrators
    assert old == case.report().alleged_perpetrators[0]
    assert new.person_id not in {case.survivor_id, case.perpetrator_id, case.child_id}
    assert new.name == "Lee"
    [flag] = case.of_type(events, ev.FlagRaised)
    assert (flag.person_id, flag.kind) == (new.person_id, FlagKind.POTENTIAL_RISK)
    assert updated.survivor is None and updated.children is None
    assert [p.person_id for p in case.state.perpetrators] == [case.perpetrator_id, new.person_id]


def test_the_same_update_decided_again_gives_the_same_ids(case, actors) -> None:
    newcomer = c.GivenPerpetrator(relationship_to_survivor=Relationship.RELATIVE)
    command = update(actors.cm, alleged_perpetrators=(newcomer,))
    assert case.when(command, MONDAY_10) == case.when(command, MONDAY_10)
    other = case.when(update(actors.cm, alleged_perpetrators=(newcomer,)), MONDAY_10)
    assert other != case.when(command, MONDAY_10)


def test_a_retried_update_adds_nobody_twice(case, actors) -> None:
    known = tuple(given_perpetrator(p) for p in case.state.perpetrators)
    newcomer = c.GivenPerpetrator(
        name="Alex Example", relationship_to_survivor=Relationship.RELATIVE
    )
    first = case.apply(update(actors.cm, alleged_perpetrators=(*known, newcomer)), MONDAY_10)
    [flag] = case.of_type(first, ev.FlagRaised)

    # The same body again (the client did not hear the answer): no one new, nothing to do.
    assert refusal(case, update(actors.cm, alleged_perpetrators=(*known, newcomer))) == (
        "nothing_changed"
    )
    assert [p.person_id for p in case.state.perpetrators][-1] == flag.person_id


def test_a_perpetrator_missing_from_the_list_is_removed(case, actors) -> None:
    events = case.apply(update(actors.cm, alleged_perpetrators=()), MONDAY_10)
    [updated] = events
    assert updated.alleged_perpetrators == ()
    assert case.state.perpetrators == ()
    assert case.state.survivor.person_id == case.survivor_id


def test_a_correction_to_a_known_perpetrator_raises_no_new_flag(case, actors) -> None:
    named = given_perpetrator(case.state.perpetrators[0], name="Sam Sampleton", is_tenant=True)
    events = case.apply(update(actors.cm, alleged_perpetrators=(named,)), MONDAY_10)
    [updated] = events
    assert updated.alleged_perpetrators[0].person_id == case.perpetrator_id
    assert case.state.perpetrators[0].name == "Sam Sampleton"


def test_an_id_that_is_not_a_perpetrator_on_the_case_is_refused(case, actors) -> None:
    survivor_as_perpetrator = c.GivenPerpetrator(
        person_id=case.survivor_id, relationship_to_survivor=Relationship.NOT_KNOWN
    )
    command = update(actors.cm, alleged_perpetrators=(survivor_as_perpetrator,))
    assert refusal(case, command) == "person_not_on_case"
    unknown = c.GivenPerpetrator(
        person_id=uuid.uuid4(), relationship_to_survivor=Relationship.NOT_KNOWN
    )
    assert refusal(case, update(actors.cm, alleged_perpetrators=(unknown,))) == (
        "person_not_on_case"
    )


def test_the_same_person_twice_in_a_list_is_refused(case, actors) -> None:
    known = given_perpetrator(case.state.perpetrators[0])
    command = update(actors.cm, alleged_perpetrators=(known, known))
    assert refusal(case, command) == "person_repeated"


# --- children --------------------------------------------------------------------------


def test_a_new_child_affected_by_abuse_is_flagged_potentially_vulnerable(case, actors) -> None:
    known = given_child(case.state.children[0])
    born = c.GivenChild(age_band=AgeBand.UNDER_16, lives_in_household=True, affected_by_abuse=True)
    away = c.GivenChild(lives_in_household=False, affected_by_abuse=False)
    events = case.apply(update(actors.cm, children=(known, born, away)), MONDAY_10)
    [updated] = case.of_type(events, ev.PeopleUpdated)
    _, new_born, new_away = updated.children
    assert new_born.person_id != new_away.person_id
    [flag] = case.of_type(events, ev.FlagRaised)
    assert (flag.person_id, flag.kind) == (new_born.person_id, FlagKind.POTENTIALLY_VULNERABLE)
    assert len(case.state.children) == 3


def test_a_child_now_known_to_be_affected_is_flagged_once(case, actors) -> None:
    kids = tuple(given_child(child) for child in case.state.children)
    away = c.GivenChild(lives_in_household=False, affected_by_abuse=False)
    added = case.apply(update(actors.cm, children=(*kids, away)), MONDAY_10)
    assert case.of_type(added, ev.FlagRaised) == []
    child = case.state.children[-1]

    events = case.apply(
        update(actors.cm, children=(*kids, given_child(child, affected_by_abuse=True))),
        MONDAY_10,
    )
    [flag] = case.of_type(events, ev.FlagRaised)
    assert (flag.person_id, flag.kind) == (child.person_id, FlagKind.POTENTIALLY_VULNERABLE)

    # A later correction to the same child raises no second flag.
    renamed = given_child(case.state.children[-1], name="Robin Example")
    again = case.apply(update(actors.cm, children=(*kids, renamed)), MONDAY_10)
    assert case.of_type(again, ev.FlagRaised) == []


# --- staff involved --------------------------------------------------------------------


def test_a_perpetrator_found_to_be_staff_restricts_the_case(case, actors) -> None:
    manager = case.state.case_manager.staff_id
    staffer = given_perpetrator(case.state.perpetrators[0], is_staff_member=True, staff_id="cso-w2")
    events = case.apply(update(actors.cm, alleged_perpetrators=(staffer,)), MONDAY_10)
    assert [type(e) for e in events] == [ev.PeopleUpdated, ev.CaseRestricted]
    restricted = events[-1]
    assert restricted.restriction.reason is RestrictionReason.ALLEGED_PERPETRATOR_IS_STAFF
    assert restricted.restriction.permitted_staff_ids == (manager, "lead-1")
    assert case.state.restricted
    assert case.state.case_manager.staff_id == manager
    with pytest.raises(CaseNotFound):  # the member of staff involved never sees it
        case.when(update(actors.other_cm, alleged_perpetrators=()), MONDAY_10)


def test_a_new_perpetrator_who_is_staff_is_flagged_and_restricts_the_case(case, actors) -> None:
    known = given_perpetrator(case.state.perpetrators[0])
    staffer = c.GivenPerpetrator(
        relationship_to_survivor=Relationship.RELATIVE, is_staff_member=True, staff_id="hr-0001"
    )
    events = case.apply(update(actors.cm, alleged_perpetrators=(known, staffer)), MONDAY_10)
    assert [type(e) for e in events] == [ev.PeopleUpdated, ev.FlagRaised, ev.CaseRestricted]
    assert events[-1].restriction.permitted_staff_ids == ("cso-m1", "lead-1")


def test_a_perpetrator_said_to_be_staff_without_an_id_leaves_only_the_da_leads(
    case, actors
) -> None:
    """Point 12: they could be any officer, the case manager included."""
    known = given_perpetrator(case.state.perpetrators[0])
    staffer = c.GivenPerpetrator(
        relationship_to_survivor=Relationship.RELATIVE, is_staff_member=True
    )
    events = case.apply(update(actors.manager, alleged_perpetrators=(known, staffer)), MONDAY_10)
    [restricted] = case.of_type(events, ev.CaseRestricted)
    assert restricted.restriction.permitted_staff_ids == ("lead-1",)
    with pytest.raises(CaseNotFound):  # the case manager no longer sees it
        case.when(update(actors.cm, alleged_perpetrators=()), MONDAY_10)


def test_naming_the_case_manager_as_involved_reassigns_the_case(scenario, actors) -> None:
    scenario.opened(caseloads={"cso-w1": 0, "cso-w2": 5, "cso-m1": 7})
    assert scenario.state.case_manager.staff_id == "cso-w1"
    staffer = given_perpetrator(
        scenario.state.perpetrators[0], is_staff_member=True, staff_id="cso-w1"
    )
    command = c.UpdatePeople(
        actors.manager,
        uuid.uuid4(),
        alleged_perpetrators=(staffer,),
        caseloads={"cso-w1": 1, "cso-w2": 5, "cso-m1": 7},
    )
    events = scenario.apply(command, MONDAY_10)
    [assigned] = scenario.of_type(events, ev.CaseManagerAssigned)
    [restricted] = scenario.of_type(events, ev.CaseRestricted)
    assert (assigned.previous_staff_id, assigned.case_manager.staff_id) == ("cso-w1", "cso-w2")
    assert restricted.restriction.permitted_staff_ids == ("cso-w2", "lead-1")
    assert scenario.state.case_manager.staff_id == "cso-w2"


def test_a_survivor_found_to_be_staff_restricts_the_case(case, actors) -> None:
    staff = given_survivor(case.state.survivor, is_staff_member=True, staff_id="cso-w2")
    events = case.apply(update(actors.cm, survivor=staff), MONDAY_10)
    [restricted] = case.of_type(events, ev.CaseRestricted)
    assert restricted.restriction.reason is RestrictionReason.SURVIVOR_IS_STAFF
    assert "cso-w2" not in restricted.restriction.permitted_staff_ids


# --- refusals --------------------------------------------------------------------------


def test_an_update_naming_nobody_is_refused(case, actors) -> None:
    assert refusal(case, update(actors.cm)) == "nothing_given"


def test_details_already_recorded_are_refused_as_nothing_changed(case, actors) -> None:
    same = dict(
        survivor=given_survivor(case.state.survivor, person_id=None),
        alleged_perpetrators=(given_perpetrator(case.state.perpetrators[0]),),
        children=(given_child(case.state.children[0]),),
    )
    assert refusal(case, update(actors.cm, **same)) == "nothing_changed"


def test_the_same_people_in_another_order_change_nothing(case, actors) -> None:
    known = given_perpetrator(case.state.perpetrators[0])
    newcomer = c.GivenPerpetrator(relationship_to_survivor=Relationship.RELATIVE)
    case.apply(update(actors.cm, alleged_perpetrators=(known, newcomer)), MONDAY_10)
    first, second = (given_perpetrator(p) for p in case.state.perpetrators)
    assert refusal(case, update(actors.cm, alleged_perpetrators=(second, first))) == (
        "nothing_changed"
    )


def test_only_the_parts_that_change_are_recorded(case, actors) -> None:
    events = case.when(
        update(
            actors.cm,
            survivor=given_survivor(case.state.survivor),
            children=(),
        ),
        MONDAY_10,
    )
    [updated] = events
    assert (updated.survivor, updated.alleged_perpetrators, updated.children) == (None, None, ())


def test_a_closed_case_refuses_people_updates(case, actors) -> None:
    case.given(
        [
            ev.CaseClosed(
                case_id=case.case_id,
                closed_at=MONDAY_10,
                reason="survivor_moved",
                approved_by="lead-1",
            )
        ]
    )
    moved = given_survivor(case.state.survivor, address=SAFE_ADDRESS)
    assert refusal(case, update(actors.cm, survivor=moved)) == "case_closed"
