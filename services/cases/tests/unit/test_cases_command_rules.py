"""Commands that contradict themselves: refused by the domain before the case is looked
at (InvalidCommand, answered 422), naming the field to correct."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from hearth.cases.domain import commands as c
from hearth.contracts.events import cases as ev
from hearth.contracts.events.case_values import ClosureReason, ContactAttemptOutcome
from hearth.contracts.events.common import (
    ContactMethod,
    Gender,
    PerpetratorActionKind,
    ReferralType,
    Relationship,
    SafeContact,
)
from hearth.eventstore.errors import InvalidCommand

MONDAY_10 = datetime(2025, 3, 10, 10, 0, tzinfo=UTC)


@pytest.fixture
def case(scenario):
    return scenario.opened()


def refused(case, command) -> tuple[str, str]:
    """The field named and the code of the refusal; nothing is decided."""
    refusal = case.then_refused(command, MONDAY_10, InvalidCommand)
    assert isinstance(refusal, InvalidCommand)
    return refusal.field, refusal.code


# --- case manager ----------------------------------------------------------------------


def test_a_case_manager_change_names_someone_or_a_preference(case, actors) -> None:
    assert refused(case, c.ChangeCaseManager(actors.manager)) == ("staff_id", "nothing_to_change")
    assert case.when(c.ChangeCaseManager(actors.cm, preferred_gender=Gender.MAN), MONDAY_10)
    both = c.ChangeCaseManager(actors.cm, preferred_gender=Gender.MAN, withdraw_preference=True)
    assert refused(case, both) == ("withdraw_preference", "preference_contradicts")


# --- contact ---------------------------------------------------------------------------


def test_a_phone_number_is_only_for_calls_and_texts(case, actors) -> None:
    visit = c.RecordContact(
        actors.cm, uuid.uuid4(), ContactMethod.VISIT, phone_number="07700900", happened_at=MONDAY_10
    )
    assert refused(case, visit) == ("phone_number", "phone_number_not_for_method")
    letter = c.RecordContactAttempt(
        actors.cm,
        uuid.uuid4(),
        ContactMethod.LETTER,
        ContactAttemptOutcome.NO_ANSWER,
        phone_number="07700900",
        happened_at=MONDAY_10,
    )
    assert refused(case, letter) == ("phone_number", "phone_number_not_for_method")
    call = c.RecordContact(
        actors.cm,
        uuid.uuid4(),
        ContactMethod.CALL,
        phone_number="07700900",
        happened_at=MONDAY_10,
        safe_to_talk_checked=True,
        safe_contact=SafeContact(
            safe_to_call=True,
            safe_to_text=False,
            safe_to_email=False,
            safe_to_write=False,
            safe_to_visit=False,
            safe_phone_numbers=("07700900",),
            withheld_number_only=False,
            never_leave_voicemail=True,
            interpreter_needed=False,
        ),
    )
    [contacted, _] = case.when(call, MONDAY_10)
    assert isinstance(contacted, ev.SurvivorContacted)


def test_someone_spoken_to_only_when_someone_else_answered_or_took_a_message(case, actors) -> None:
    for outcome in (ContactAttemptOutcome.NO_ANSWER, ContactAttemptOutcome.NOT_SAFE_TO_TALK):
        attempt = c.RecordContactAttempt(
            actors.cm,
            uuid.uuid4(),
            ContactMethod.CALL,
            outcome,
            spoke_to="Pat Neighbour",
            happened_at=MONDAY_10,
        )
        assert refused(case, attempt) == ("spoke_to", "spoke_to_not_for_outcome")
    answered = c.RecordContactAttempt(
        actors.cm,
        uuid.uuid4(),
        ContactMethod.CALL,
        ContactAttemptOutcome.SOMEONE_ELSE_ANSWERED,
        spoke_to="Pat Neighbour",
        happened_at=MONDAY_10,
        message_left=False,
        safe_to_talk_checked=True,
    )
    assert case.when(answered, MONDAY_10)


# --- people ----------------------------------------------------------------------------


def test_a_people_update_gives_someone(case, actors) -> None:
    assert refused(case, c.UpdatePeople(actors.cm, uuid.uuid4())) == ("survivor", "nothing_given")


def test_a_person_id_given_twice_is_refused_naming_the_second(case, actors) -> None:
    known = case.state.perpetrators[0].person_id
    perpetrator = c.GivenPerpetrator(
        person_id=known, relationship_to_survivor=Relationship.INTIMATE_PARTNER
    )
    in_both = c.UpdatePeople(
        actors.cm,
        uuid.uuid4(),
        alleged_perpetrators=(perpetrator,),
        children=(c.GivenChild(person_id=known, lives_in_household=True, affected_by_abuse=False),),
    )
    assert refused(case, in_both) == ("children.0.person_id", "person_repeated")
    twice = c.UpdatePeople(actors.cm, uuid.uuid4(), alleged_perpetrators=(perpetrator,) * 2)
    assert refused(case, twice) == ("alleged_perpetrators.1.person_id", "person_repeated")


# --- wishes and the perpetrator --------------------------------------------------------


def test_an_action_cannot_be_both_wanted_and_unwanted(case, actors) -> None:
    both = (PerpetratorActionKind.INJUNCTION,)
    wishes = c.RecordWishes(actors.cm, uuid.uuid4(), both, both)
    assert refused(case, wishes) == ("unwanted_actions", "wishes_contradict")


@pytest.mark.parametrize(
    ("kind", "referral_type"),
    [
        (PerpetratorActionKind.REFERRAL, None),
        (PerpetratorActionKind.INJUNCTION, ReferralType.MARAC),
    ],
)
def test_a_referral_type_is_given_exactly_for_a_referral(case, actors, kind, referral_type) -> None:
    action = c.TakePerpetratorAction(
        actors.manager, uuid.uuid4(), case.perpetrator_id, kind, referral_type
    )
    assert refused(case, action) == ("referral_type", "referral_type")


# --- closure ---------------------------------------------------------------------------


def test_closing_for_another_reason_needs_notes(case, actors) -> None:
    other = c.RequestClosure(actors.cm, ClosureReason.OTHER)
    assert refused(case, other) == ("notes", "notes_required")
    explained = c.RequestClosure(actors.cm, ClosureReason.OTHER, "Survivor asked us to stop")
    assert case.when(explained, MONDAY_10)


def test_a_declined_closure_needs_a_reason(case, actors) -> None:
    case.apply(c.RequestClosure(actors.cm, ClosureReason.SURVIVOR_MOVED), MONDAY_10)
    decline = c.DecideClosure(actors.manager, approve=False)
    assert refused(case, decline) == ("reason", "reason_required")
    assert refused(case, c.DecideClosure(actors.manager, approve=False, reason="")) == (
        "reason",
        "reason_required",
    )


# --- before anything else --------------------------------------------------------------


def test_a_command_in_contradiction_is_refused_whatever_the_case(scenario, actors) -> None:
    """Even for a case that does not exist, or a closed one: the request itself is wrong,
    and saying so tells the caller nothing about the case."""
    decline = c.DecideClosure(actors.manager, approve=False)
    assert refused(scenario, decline) == ("reason", "reason_required")
    scenario.opened()
    scenario.apply(c.RequestClosure(actors.cm, ClosureReason.SURVIVOR_MOVED), MONDAY_10)
    scenario.apply(c.DecideClosure(actors.manager, approve=True), MONDAY_10)
    assert not scenario.state.is_open
    assert refused(scenario, c.ChangeCaseManager(actors.manager)) == (
        "staff_id",
        "nothing_to_change",
    )
