"""Contact with the survivor: attempts are not contact; safe-contact arrangements are enforced."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

import pytest

from hearth.cases.domain.commands import (
    ReceiveReport,
    RecordContact,
    RecordContactAttempt,
    UpdateSafeContact,
)
from hearth.cases.domain.deadlines import DeadlineKind
from hearth.cases.domain.safe_contact import UnsafeContact, comparable_name, comparable_number
from hearth.contracts.events import cases as ev
from hearth.contracts.events.case_values import (
    ContactAttemptOutcome,
    InterpreterUse,
    MeetingPlace,
    UnconfirmedSafeContact,
)
from hearth.contracts.events.common import (
    AllegedPerpetrator,
    ContactMethod,
    PostalAddress,
    Relationship,
    ReporterKind,
    SafeContact,
    SafeTimeWindow,
    ThirdPartyRelationship,
    Weekday,
)
from hearth.contracts.events.intake import Reporter
from hearth.eventstore.errors import DomainError, InvalidCommand

MONDAY_10 = datetime(2025, 3, 10, 10, 0, tzinfo=UTC)  # GMT: 10:00 in London
TUESDAY_17 = datetime(2025, 3, 11, 17, 0, tzinfo=UTC)  # after the contact deadline
FRIDAY_1630 = datetime(2025, 3, 7, 16, 30, tzinfo=UTC)  # the report
SAFE_NUMBER = "07700 900456"
SAFE_PERSON = "Chris Example"


def arrangements(**changes: object) -> SafeContact:
    fields: dict[str, object] = {
        "safe_to_call": True,
        "safe_to_text": False,
        "safe_to_email": False,
        "safe_to_write": False,
        "safe_to_visit": False,
        "safe_phone_numbers": (SAFE_NUMBER,),
        "safe_times": (SafeTimeWindow(day=Weekday.MONDAY, start=time(9, 30), end=time(11, 30)),),
        "withheld_number_only": True,
        "never_leave_voicemail": True,
        "interpreter_needed": True,
        "interpreter_language": "Polish",
    }
    fields.update(changes)
    return SafeContact(**fields)


@pytest.fixture
def case(scenario, actors):
    scenario.opened()
    scenario.apply(UpdateSafeContact(actors.cm, arrangements()), MONDAY_10)
    return scenario


def attempt(
    actors, method=ContactMethod.CALL, outcome=ContactAttemptOutcome.NO_ANSWER, at=MONDAY_10, **kw
):
    if method is ContactMethod.CALL and "message_left" not in kw:
        kw["message_left"] = outcome is ContactAttemptOutcome.MESSAGE_LEFT
    return RecordContactAttempt(
        actors.cm, uuid.uuid4(), method, outcome, happened_at=at, **_at_the_office(method, kw)
    )


def contact(actors, method=ContactMethod.CALL, at=MONDAY_10, **kw):
    return RecordContact(
        actors.cm, uuid.uuid4(), method, happened_at=at, **_at_the_office(method, kw)
    )


def _met(actors, at):
    """A first meeting at the office that records the survivor's arrangements."""
    return contact(
        actors, method=ContactMethod.IN_PERSON, at=at, safe_to_talk_checked=True, safe_contact=OWN
    )


def _at_the_office(method, kw):
    """In person means at the office, unless a test says where."""
    if method is ContactMethod.IN_PERSON and "place" not in kw:
        return {**kw, "place": MeetingPlace.OFFICE}
    return kw


def test_an_attempt_is_recorded_with_its_outcome_and_is_not_contact(case, actors) -> None:
    events = case.apply(attempt(actors, number_withheld=True, phone_number=SAFE_NUMBER), MONDAY_10)
    [attempted] = events
    assert isinstance(attempted, ev.ContactAttempted)
    assert attempted.outcome is ContactAttemptOutcome.NO_ANSWER
    assert case.state.open_deadline(DeadlineKind.CONTACT) is not None


def test_the_first_safe_contact_meets_the_contact_deadline_on_time(case, actors) -> None:
    [contacted] = case.apply(
        contact(actors, number_withheld=True, phone_number=SAFE_NUMBER), MONDAY_10
    )
    assert isinstance(contacted, ev.SurvivorContacted)
    assert contacted.first_contact is True
    assert contacted.due_at == datetime(2025, 3, 10, 16, 30, tzinfo=UTC)
    assert contacted.late is False
    deadline = case.state.deadline(DeadlineKind.CONTACT)
    assert deadline.met_at == MONDAY_10


def test_contact_after_the_deadline_is_recorded_late_with_its_time(scenario, actors) -> None:
    scenario.opened()
    [contacted, _] = scenario.apply(_met(actors, TUESDAY_17), TUESDAY_17)
    assert contacted.late is True
    assert contacted.contacted_at == TUESDAY_17
    assert scenario.state.deadline(DeadlineKind.CONTACT).late is True


def test_only_the_first_contact_meets_the_deadline(scenario, actors) -> None:
    scenario.opened()
    scenario.apply(_met(actors, MONDAY_10), MONDAY_10)
    an_hour_later = MONDAY_10 + timedelta(hours=1)
    second_meeting = contact(actors, method=ContactMethod.IN_PERSON, at=an_hour_later)
    [second] = scenario.when(second_meeting, an_hour_later)
    assert second.first_contact is False
    assert second.due_at is None


def test_without_arrangements_any_channel_is_allowed_with_the_precautions(scenario, actors) -> None:
    scenario.opened()
    visit = contact(actors, method=ContactMethod.VISIT, safe_to_talk_checked=True, safe_contact=OWN)
    assert scenario.when(visit, MONDAY_10)


@pytest.mark.parametrize(
    ("command_kw", "code"),
    [
        ({"method": ContactMethod.TEXT, "survivor_replied": True}, "unsafe_channel"),
        ({"method": ContactMethod.EMAIL, "survivor_replied": True}, "unsafe_channel"),
        ({"method": ContactMethod.LETTER, "survivor_replied": True}, "unsafe_channel"),
        ({"method": ContactMethod.VISIT}, "unsafe_channel"),
        ({"method": ContactMethod.CALL}, "withheld_number_required"),
        ({"number_withheld": False}, "withheld_number_required"),
        (
            {"number_withheld": True, "interpreter": InterpreterUse.FAMILY_OR_FRIEND},
            "independent_interpreter_required",
        ),
    ],
)
def test_contact_breaking_an_arrangement_is_refused_naming_the_rule(
    case, actors, command_kw, code
) -> None:
    with pytest.raises(UnsafeContact) as refused:
        case.when(contact(actors, **command_kw), MONDAY_10)
    assert refused.value.code == code
    assert "Polish" not in str(refused.value) and "07700" not in str(refused.value)


def test_a_call_outside_the_safe_times_is_refused(case, actors) -> None:
    noon = MONDAY_10 + timedelta(hours=2)
    with pytest.raises(UnsafeContact) as refused:
        case.when(contact(actors, number_withheld=True, at=noon), noon)
    assert refused.value.code == "outside_safe_times"
    tuesday = MONDAY_10 + timedelta(days=1)
    with pytest.raises(UnsafeContact):
        case.when(contact(actors, number_withheld=True, at=tuesday), tuesday)


def test_safe_times_are_london_local_time_in_summer(scenario, actors) -> None:
    scenario.opened()
    scenario.apply(UpdateSafeContact(actors.cm, arrangements()), MONDAY_10)
    summer_monday_1000_bst = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
    safe_call = contact(
        actors, number_withheld=True, phone_number=SAFE_NUMBER, at=summer_monday_1000_bst
    )
    assert scenario.when(safe_call, summer_monday_1000_bst)
    summer_monday_1200_bst = datetime(2025, 6, 2, 11, 0, tzinfo=UTC)  # 11:00 UTC is 12:00 BST
    late_call = contact(actors, number_withheld=True, at=summer_monday_1200_bst)
    with pytest.raises(UnsafeContact):
        scenario.when(late_call, summer_monday_1200_bst)


def test_a_voicemail_is_refused_when_the_survivor_said_never(case, actors) -> None:
    with pytest.raises(UnsafeContact) as refused:
        case.when(
            attempt(actors, outcome=ContactAttemptOutcome.MESSAGE_LEFT, number_withheld=True),
            MONDAY_10,
        )
    assert refused.value.code == "voicemail_not_allowed"


def test_an_attempt_through_an_unsafe_channel_is_refused(case, actors) -> None:
    with pytest.raises(UnsafeContact) as refused:
        case.when(attempt(actors, method=ContactMethod.VISIT), MONDAY_10)
    assert refused.value.code == "unsafe_channel"


def test_in_person_and_letters_are_not_bound_to_safe_times(scenario, actors) -> None:
    scenario.opened()
    scenario.apply(UpdateSafeContact(actors.cm, arrangements(safe_to_write=True)), MONDAY_10)
    late_evening = MONDAY_10 + timedelta(hours=10)
    in_person = contact(actors, method=ContactMethod.IN_PERSON, at=late_evening)
    assert scenario.when(in_person, late_evening)
    letter = attempt(
        actors,
        method=ContactMethod.LETTER,
        outcome=ContactAttemptOutcome.MESSAGE_LEFT,
        at=late_evening,
    )
    assert scenario.when(letter, late_evening)


def test_empty_safe_times_means_any_time(scenario, actors) -> None:
    scenario.opened()
    scenario.apply(
        UpdateSafeContact(actors.cm, arrangements(safe_times=(), withheld_number_only=False)),
        MONDAY_10,
    )
    at_night = MONDAY_10 + timedelta(hours=11)
    assert scenario.when(contact(actors, phone_number=SAFE_NUMBER, at=at_night), at_night)


def test_newer_arrangements_replace_older_ones(case, actors) -> None:
    case.apply(UpdateSafeContact(actors.cm, arrangements(safe_to_visit=True)), MONDAY_10)
    assert case.when(contact(actors, method=ContactMethod.VISIT), MONDAY_10)


def test_contact_on_a_closed_case_is_refused(scenario, actors) -> None:
    scenario.opened()
    scenario.given(
        [
            ev.CaseClosed(
                case_id=scenario.case_id,
                closed_at=MONDAY_10,
                reason="survivor_moved",
                approved_by="lead-1",
            )
        ]
    )
    with pytest.raises(DomainError) as refused:
        scenario.when(contact(actors), MONDAY_10)
    assert refused.value.code == "case_closed"


# --- safe numbers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "07700 900456",
        "07700900456",
        "+44 7700 900456",
        "+447700900456",
        "+44 (0)7700 900456",
        "0044 7700 900-456",
    ],
)
def test_a_uk_number_compares_the_same_however_it_is_written(written) -> None:
    assert comparable_number(written) == comparable_number(SAFE_NUMBER) == "07700900456"


@pytest.mark.parametrize("other", ["07700 900457", "+33 7700 900456", "7700 900456"])
def test_a_different_number_never_compares_the_same(other) -> None:
    assert comparable_number(other) != comparable_number(SAFE_NUMBER)


def test_names_compare_ignoring_case_and_spacing() -> None:
    assert comparable_name("  chris   EXAMPLE ") == comparable_name(SAFE_PERSON)
    assert comparable_name("Chris Examples") != comparable_name(SAFE_PERSON)


@pytest.mark.parametrize("written", ["+44 7700 900456", "07700900456", "07700 900 456"])
def test_a_safe_number_is_accepted_in_either_format_and_recorded(case, actors, written) -> None:
    [attempted] = case.when(attempt(actors, number_withheld=True, phone_number=written), MONDAY_10)
    assert attempted.phone_number == written
    [contacted] = case.when(contact(actors, number_withheld=True, phone_number=written), MONDAY_10)
    assert contacted.phone_number == written


def _refused(case, command) -> UnsafeContact:
    with pytest.raises(UnsafeContact) as refused:
        case.when(command, MONDAY_10)
    message = str(refused.value)
    assert not any(ch.isdigit() for ch in message), message
    assert "chris" not in message.lower() and "sam" not in message.lower(), message
    return refused.value


def test_a_call_to_a_number_that_is_not_safe_is_refused(case, actors) -> None:
    unsafe = "07700 900999"
    for command in (
        attempt(actors, number_withheld=True, phone_number=unsafe),
        contact(actors, number_withheld=True, phone_number=unsafe),
    ):
        assert _refused(case, command).code == "unsafe_number"


def test_a_call_that_does_not_say_which_number_is_refused(case, actors) -> None:
    for command in (attempt(actors, number_withheld=True), contact(actors, number_withheld=True)):
        assert _refused(case, command).code == "phone_number_required"


def test_texts_go_only_to_a_safe_number_too(scenario, actors) -> None:
    scenario.opened()
    scenario.apply(UpdateSafeContact(actors.cm, arrangements(safe_to_text=True)), MONDAY_10)
    text = ContactMethod.TEXT
    missing = contact(actors, method=text, number_withheld=True, survivor_replied=True)
    assert _refused(scenario, missing).code == "phone_number_required"
    unsafe = contact(
        actors,
        method=text,
        number_withheld=True,
        phone_number="07700 900999",
        survivor_replied=True,
    )
    assert _refused(scenario, unsafe).code == "unsafe_number"
    safe = contact(
        actors,
        method=text,
        number_withheld=True,
        phone_number="+447700900456",
        survivor_replied=True,
    )
    assert scenario.when(safe, MONDAY_10)


def test_without_arrangements_any_number_is_accepted_and_recorded(scenario, actors) -> None:
    scenario.opened()
    [attempted] = scenario.when(_first_attempt(actors, phone_number="07700 900999"), MONDAY_10)
    assert attempted.phone_number == "07700 900999"
    [contacted, _] = scenario.when(
        _first_contact(actors, phone_number="07700 900999", safe_contact=OWN), MONDAY_10
    )
    assert contacted.phone_number == "07700 900999"


# --- who is safe to speak to -------------------------------------------------------------


def _with_people(case, actors, *people: str):
    case.apply(
        UpdateSafeContact(actors.cm, arrangements(safe_people_to_speak_to=people)), MONDAY_10
    )
    return case


def _left_with(actors, person: str, outcome=ContactAttemptOutcome.MESSAGE_LEFT):
    return attempt(
        actors, outcome=outcome, number_withheld=True, phone_number=SAFE_NUMBER, spoke_to=person
    )


def test_a_message_left_with_a_safe_person_is_accepted_and_is_not_voicemail(case, actors) -> None:
    _with_people(case, actors, SAFE_PERSON, "Dana Sample")
    [attempted] = case.when(_left_with(actors, "chris  example"), MONDAY_10)
    assert attempted.outcome is ContactAttemptOutcome.MESSAGE_LEFT
    assert attempted.spoke_to == "chris  example"
    answered = _left_with(actors, "Dana Sample", ContactAttemptOutcome.SOMEONE_ELSE_ANSWERED)
    assert case.when(answered, MONDAY_10)


def test_speaking_to_someone_not_named_as_safe_is_refused(case, actors) -> None:
    _with_people(case, actors, SAFE_PERSON)
    for outcome in (
        ContactAttemptOutcome.MESSAGE_LEFT,
        ContactAttemptOutcome.SOMEONE_ELSE_ANSWERED,
    ):
        assert _refused(case, _left_with(actors, "Sam Sample", outcome)).code == "unsafe_person"


def test_a_message_left_with_anyone_is_refused_when_nobody_is_named_as_safe(case, actors) -> None:
    assert _refused(case, _left_with(actors, SAFE_PERSON)).code == "unsafe_person"


def test_without_arrangements_whoever_answered_is_recorded(scenario, actors) -> None:
    scenario.opened()
    answered = _first_attempt(
        actors, outcome=ContactAttemptOutcome.SOMEONE_ELSE_ANSWERED, spoke_to="Pat Neighbour"
    )
    [attempted] = scenario.when(answered, MONDAY_10)
    assert attempted.spoke_to == "Pat Neighbour"


def test_someone_spoken_to_is_only_for_an_attempt_someone_else_answered(case, actors) -> None:
    _with_people(case, actors, SAFE_PERSON)
    command = _left_with(actors, SAFE_PERSON, ContactAttemptOutcome.NO_ANSWER)
    refused = case.then_refused(command, MONDAY_10, InvalidCommand)
    assert refused.field == "spoke_to"
    assert "spoke_to" in str(refused)


# --- when it happened --------------------------------------------------------------------

FRIDAY_1645 = datetime(2025, 3, 7, 16, 45, tzinfo=UTC)
MONDAY_21 = datetime(2025, 3, 10, 21, 0, tzinfo=UTC)
TUESDAY_10 = datetime(2025, 3, 11, 10, 0, tzinfo=UTC)
WINDOWS = tuple(
    SafeTimeWindow(day=day, start=time(9, 30), end=time(11, 30))
    for day in (Weekday.MONDAY, Weekday.TUESDAY)
)


@pytest.fixture
def arranged(scenario, actors):
    """Calls are safe Monday and Tuesday 09:30-11:30, recorded just after the report."""
    scenario.opened()
    safe = arrangements(safe_times=WINDOWS, interpreter_needed=False, interpreter_language=None)
    scenario.apply(UpdateSafeContact(actors.cm, safe), FRIDAY_1645)
    return scenario


def _call(actors, at, **kw):
    return contact(actors, number_withheld=True, phone_number=SAFE_NUMBER, at=at, **kw)


def test_a_call_made_outside_the_safe_times_is_refused_when_recorded_inside_them(
    arranged, actors
) -> None:
    with pytest.raises(UnsafeContact) as refused:
        arranged.when(_call(actors, MONDAY_21), TUESDAY_10)
    assert refused.value.code == "outside_safe_times"
    no_answer = attempt(actors, number_withheld=True, phone_number=SAFE_NUMBER, at=MONDAY_21)
    with pytest.raises(UnsafeContact):
        arranged.when(no_answer, TUESDAY_10)


def test_a_call_made_inside_the_safe_times_is_accepted_when_recorded_after_them(
    arranged, actors
) -> None:
    recorded = MONDAY_10 + timedelta(hours=4)  # 14:00, the window closed at 11:30
    [contacted] = arranged.when(_call(actors, MONDAY_10), recorded)
    assert (contacted.happened_at, contacted.contacted_at) == (MONDAY_10, recorded)
    [attempted] = arranged.when(
        attempt(actors, number_withheld=True, phone_number=SAFE_NUMBER, at=MONDAY_10), recorded
    )
    assert (attempted.happened_at, attempted.attempted_at) == (MONDAY_10, recorded)


def test_a_contact_made_before_the_deadline_and_recorded_after_it_is_on_time(
    arranged, actors
) -> None:
    due = datetime(2025, 3, 10, 16, 30, tzinfo=UTC)
    [contacted] = arranged.apply(_call(actors, MONDAY_10), TUESDAY_10)
    assert contacted.first_contact and contacted.due_at == due
    assert contacted.late is False
    assert contacted.made_at == MONDAY_10 and contacted.contacted_at == TUESDAY_10
    deadline = arranged.state.deadline(DeadlineKind.CONTACT)
    assert deadline.met_at == MONDAY_10 and not deadline.late


def test_a_contact_made_after_the_deadline_is_late_whenever_it_is_recorded(
    arranged, actors
) -> None:
    [contacted] = arranged.apply(_call(actors, TUESDAY_10), TUESDAY_10 + timedelta(hours=1))
    assert contacted.late is True
    assert arranged.state.deadline(DeadlineKind.CONTACT).met_at == TUESDAY_10


def test_an_earlier_contact_recorded_second_meets_the_deadline_instead(arranged, actors) -> None:
    arranged.apply(_call(actors, TUESDAY_10), TUESDAY_10 + timedelta(hours=1))
    [earlier] = arranged.apply(_call(actors, MONDAY_10), TUESDAY_10 + timedelta(hours=2))
    assert earlier.first_contact and earlier.late is False
    deadline = arranged.state.deadline(DeadlineKind.CONTACT)
    assert deadline.met_at == MONDAY_10 and not deadline.late
    [later_still] = arranged.when(_call(actors, TUESDAY_10), TUESDAY_10 + timedelta(hours=3))
    assert later_still.first_contact is False


@pytest.mark.parametrize(
    ("happened_at", "recorded_at", "code"),
    [
        (MONDAY_10 + timedelta(minutes=1), MONDAY_10, "happened_in_future"),
        (datetime(2025, 3, 7, 16, 29, tzinfo=UTC), MONDAY_10, "happened_before_report"),
        (MONDAY_10, MONDAY_10 + timedelta(days=7, seconds=1), "happened_too_long_ago"),
    ],
)
def test_when_it_happened_is_bounded(scenario, actors, happened_at, recorded_at, code) -> None:
    scenario.opened()
    for command in (
        contact(actors, method=ContactMethod.IN_PERSON, at=happened_at),
        attempt(
            actors,
            method=ContactMethod.VISIT,
            outcome=ContactAttemptOutcome.NO_ACCESS,
            at=happened_at,
        ),
    ):
        assert scenario.then_refused(command, recorded_at).code == code


def test_the_policy_sets_how_far_back(scenario, actors) -> None:
    scenario.opened()
    seven_days = _met(actors, MONDAY_10)
    assert scenario.when(seven_days, MONDAY_10 + timedelta(days=7))
    assert scenario.rules.policy.contact_recording.max_days_back == 7


def test_a_reopened_case_takes_no_contact_from_before_its_new_report(scenario, actors) -> None:
    scenario.opened()
    scenario.given(
        [
            ev.CaseClosed(
                case_id=scenario.case_id,
                closed_at=MONDAY_10,
                reason="survivor_moved",
                approved_by="lead-1",
            )
        ]
    )
    new_report = TUESDAY_10
    scenario.apply(
        ReceiveReport(actors.system, scenario.report(received_at=new_report)), new_report
    )
    recorded = new_report + timedelta(hours=1)
    before = _met(actors, new_report - timedelta(minutes=1))
    assert scenario.then_refused(before, recorded).code == "happened_before_report"
    [contacted, _] = scenario.when(_met(actors, new_report), recorded)
    assert contacted.first_contact is True


def test_a_contact_is_judged_by_the_arrangements_in_force_when_it_happened(
    arranged, actors
) -> None:
    no_calls = arrangements(
        safe_to_call=False,
        safe_phone_numbers=(),
        interpreter_needed=False,
        interpreter_language=None,
    )
    arranged.apply(UpdateSafeContact(actors.cm, no_calls), MONDAY_10 + timedelta(hours=1))
    assert arranged.when(_call(actors, MONDAY_10), MONDAY_10 + timedelta(hours=2))
    after = MONDAY_10 + timedelta(hours=1, minutes=30)
    assert arranged.then_refused(_call(actors, after), after).code == "unsafe_channel"


def test_a_contact_recorded_before_contacts_said_when_they_happened_is_read_as_before(
    scenario,
) -> None:
    scenario.opened()
    old = ev.SurvivorContacted(
        case_id=scenario.case_id,
        contact_id=uuid.uuid4(),
        contacted_at=TUESDAY_17,
        method=ContactMethod.IN_PERSON,
        first_contact=True,
        due_at=datetime(2025, 3, 10, 16, 30, tzinfo=UTC),
        late=True,
    )
    assert old.happened_at is None and old.made_at == TUESDAY_17
    scenario.given([old])
    assert scenario.state.deadline(DeadlineKind.CONTACT).met_at == TUESDAY_17


# --- where an in-person contact happened --------------------------------------------------

MONDAY_13 = datetime(2025, 3, 10, 13, 0, tzinfo=UTC)


def test_an_in_person_meeting_at_the_survivors_home_is_checked_as_a_visit(case, actors) -> None:
    # Visits are not safe and 13:00 is outside the safe times (Monday 09:30-11:30).
    at_home = contact(
        actors, method=ContactMethod.IN_PERSON, place=MeetingPlace.SURVIVOR_HOME, at=MONDAY_13
    )
    assert case.then_refused(at_home, MONDAY_13, UnsafeContact).code == "unsafe_channel"
    knocked = attempt(
        actors,
        method=ContactMethod.IN_PERSON,
        outcome=ContactAttemptOutcome.NO_ACCESS,
        place=MeetingPlace.SURVIVOR_HOME,
        at=MONDAY_13,
    )
    assert case.then_refused(knocked, MONDAY_13, UnsafeContact).code == "unsafe_channel"
    case.apply(UpdateSafeContact(actors.cm, arrangements(safe_to_visit=True)), MONDAY_10)
    assert case.then_refused(at_home, MONDAY_13, UnsafeContact).code == "outside_safe_times"
    at_home_in_the_window = contact(
        actors, method=ContactMethod.IN_PERSON, place=MeetingPlace.SURVIVOR_HOME, at=MONDAY_10
    )
    [met] = case.when(at_home_in_the_window, MONDAY_10)
    assert met.place is MeetingPlace.SURVIVOR_HOME


@pytest.mark.parametrize("place", [MeetingPlace.OFFICE, MeetingPlace.PLACE_SURVIVOR_CHOSE])
def test_a_meeting_at_the_office_or_a_place_the_survivor_chose_is_allowed(
    case, actors, place
) -> None:
    [met] = case.when(
        contact(actors, method=ContactMethod.IN_PERSON, place=place, at=MONDAY_13), MONDAY_13
    )
    assert (met.method, met.place) == (ContactMethod.IN_PERSON, place)


def test_an_in_person_contact_says_where_and_only_it_does(case, actors) -> None:
    nowhere = contact(actors, method=ContactMethod.IN_PERSON, place=None)
    refused = case.then_refused(nowhere, MONDAY_10, InvalidCommand)
    assert (refused.field, refused.code) == ("place", "place_required")
    call_from_office = contact(
        actors, number_withheld=True, phone_number=SAFE_NUMBER, place=MeetingPlace.OFFICE
    )
    refused = case.then_refused(call_from_office, MONDAY_10, InvalidCommand)
    assert (refused.field, refused.code) == ("place", "place_not_for_method")


# --- whether a message was left -----------------------------------------------------------


def _call_attempt(actors, outcome, **kw):
    return attempt(actors, outcome=outcome, number_withheld=True, phone_number=SAFE_NUMBER, **kw)


@pytest.mark.parametrize(
    "outcome",
    [
        ContactAttemptOutcome.NO_ANSWER,
        ContactAttemptOutcome.WRONG_OR_UNAVAILABLE_NUMBER,
        ContactAttemptOutcome.MESSAGE_LEFT,
    ],
)
def test_a_voicemail_is_refused_whatever_the_outcome_says(case, actors, outcome) -> None:
    voicemail = _call_attempt(actors, outcome, message_left=True)
    assert case.then_refused(voicemail, MONDAY_10, UnsafeContact).code == "voicemail_not_allowed"


def test_a_voicemail_is_recorded_where_the_survivor_allows_one(scenario, actors) -> None:
    scenario.opened()
    allowed = arrangements(never_leave_voicemail=False, withheld_number_only=False)
    scenario.apply(UpdateSafeContact(actors.cm, allowed), MONDAY_10)
    [attempted] = scenario.when(
        _call_attempt(actors, ContactAttemptOutcome.NO_ANSWER, message_left=True), MONDAY_10
    )
    assert attempted.message_left is True


def test_every_call_attempt_says_whether_a_message_was_left(case, actors) -> None:
    unsaid = _call_attempt(actors, ContactAttemptOutcome.NO_ANSWER, message_left=None)
    refused = case.then_refused(unsaid, MONDAY_10, InvalidCommand)
    assert (refused.field, refused.code) == ("message_left", "message_left_required")
    [attempted] = case.when(
        _call_attempt(actors, ContactAttemptOutcome.NO_ANSWER, message_left=False), MONDAY_10
    )
    assert attempted.message_left is False


def test_a_message_left_outcome_cannot_say_no_message_was_left(case, actors) -> None:
    contradiction = _call_attempt(actors, ContactAttemptOutcome.MESSAGE_LEFT, message_left=False)
    refused = case.then_refused(contradiction, MONDAY_10, InvalidCommand)
    assert (refused.field, refused.code) == ("message_left", "message_left_contradicts")


def test_a_text_email_or_letter_sent_is_a_message_left(scenario, actors) -> None:
    scenario.opened()
    written = arrangements(safe_to_write=True, safe_to_email=True, safe_email="a@example.org")
    scenario.apply(UpdateSafeContact(actors.cm, written), MONDAY_10)
    letter = attempt(
        actors, method=ContactMethod.LETTER, outcome=ContactAttemptOutcome.MESSAGE_LEFT
    )
    [sent] = scenario.when(letter, MONDAY_10)
    assert sent.message_left is True
    no_message = attempt(
        actors,
        method=ContactMethod.EMAIL,
        outcome=ContactAttemptOutcome.NO_ANSWER,
        message_left=False,
    )
    refused = scenario.then_refused(no_message, MONDAY_10, InvalidCommand)
    assert (refused.field, refused.code) == ("message_left", "message_left_contradicts")


def test_a_message_left_with_someone_unnamed_is_refused(case, actors) -> None:
    _with_people(case, actors, SAFE_PERSON)
    unnamed = _call_attempt(actors, ContactAttemptOutcome.SOMEONE_ELSE_ANSWERED, message_left=True)
    assert case.then_refused(unnamed, MONDAY_10, UnsafeContact).code == "unsafe_person"


# --- the alleged perpetrator's details are never safe ------------------------------------

PERPETRATOR_NUMBER = "07700 900777"
PERPETRATOR_EMAIL = "sam@example.org"
PERPETRATOR_ADDRESS = PostalAddress(lines=("10 High Street", "Townsville"), postcode="TN1 1AA")


@pytest.fixture
def with_perpetrator(scenario):
    perpetrator = AllegedPerpetrator(
        person_id=scenario.perpetrator_id,
        name="Sam Sample",
        relationship_to_survivor=Relationship.INTIMATE_PARTNER,
        phone=PERPETRATOR_NUMBER,
        email=PERPETRATOR_EMAIL,
        address=PERPETRATOR_ADDRESS,
    )
    return scenario.opened(alleged_perpetrators=(perpetrator,))


@pytest.mark.parametrize(
    "changes",
    [
        {"safe_phone_numbers": (SAFE_NUMBER, "+44 7700 900777")},
        {"safe_to_email": True, "safe_email": "SAM@Example.org"},
        {
            "safe_postal_address": PostalAddress(
                lines=("10  high street,", "Townsville"), postcode="tn11aa"
            )
        },
    ],
)
def test_a_safe_detail_that_is_the_perpetrators_is_refused(
    with_perpetrator, actors, changes
) -> None:
    given = UpdateSafeContact(actors.cm, arrangements(**changes))
    refused = with_perpetrator.then_refused(given, MONDAY_10)
    assert refused.code == "matches_alleged_perpetrator"
    message = str(refused)
    assert not any(ch.isdigit() for ch in message) and "sam" not in message.lower()


def test_a_different_address_on_the_same_street_is_not_the_perpetrators(
    with_perpetrator, actors
) -> None:
    elsewhere = PostalAddress(lines=("12 High Street", "Townsville"), postcode="TN1 1AA")
    given = UpdateSafeContact(actors.cm, arrangements(safe_postal_address=elsewhere))
    assert with_perpetrator.when(given, MONDAY_10)


def test_a_call_or_text_to_the_perpetrators_number_is_refused(with_perpetrator, actors) -> None:
    for command in (
        attempt(actors, phone_number="+447700900777"),
        contact(
            actors,
            method=ContactMethod.TEXT,
            phone_number=PERPETRATOR_NUMBER,
            survivor_replied=True,
        ),
    ):
        refused = with_perpetrator.then_refused(command, MONDAY_10, UnsafeContact)
        assert refused.code == "matches_alleged_perpetrator"
        assert "07700" not in str(refused)


def test_details_that_become_the_perpetrators_are_no_longer_used(scenario, actors) -> None:
    scenario.opened()
    safe = arrangements(
        safe_to_email=True,
        safe_email=PERPETRATOR_EMAIL,
        safe_phone_numbers=(SAFE_NUMBER, PERPETRATOR_NUMBER),
        safe_to_write=True,
        safe_postal_address=PERPETRATOR_ADDRESS,
        withheld_number_only=False,
        interpreter_needed=False,
        interpreter_language=None,
    )
    scenario.apply(UpdateSafeContact(actors.cm, safe), MONDAY_10)
    scenario.given(
        [
            ev.PeopleUpdated(
                case_id=scenario.case_id,
                updated_at=MONDAY_10,
                alleged_perpetrators=(
                    AllegedPerpetrator(
                        person_id=scenario.perpetrator_id,
                        relationship_to_survivor=Relationship.INTIMATE_PARTNER,
                        phone=PERPETRATOR_NUMBER,
                        email=PERPETRATOR_EMAIL.upper(),
                        address=PERPETRATOR_ADDRESS,
                    ),
                ),
            )
        ]
    )
    for command in (
        attempt(actors, phone_number=PERPETRATOR_NUMBER),
        attempt(actors, method=ContactMethod.EMAIL, outcome=ContactAttemptOutcome.MESSAGE_LEFT),
        attempt(actors, method=ContactMethod.LETTER, outcome=ContactAttemptOutcome.MESSAGE_LEFT),
    ):
        refused = scenario.then_refused(command, MONDAY_10, UnsafeContact)
        assert refused.code == "matches_alleged_perpetrator"
    assert scenario.when(attempt(actors, phone_number=SAFE_NUMBER), MONDAY_10)


# --- before the survivor's own arrangements are recorded ---------------------------------


def _first_attempt(actors, **kw):
    """A call before arrangements exist, done as it must be: checked, no message."""
    fields = {"safe_to_talk_checked": True, "message_left": False, "phone_number": SAFE_NUMBER}
    return attempt(actors, **{**fields, **kw})


def test_before_arrangements_an_attempt_checks_it_is_safe_to_talk(scenario, actors) -> None:
    scenario.opened()
    unchecked = _first_attempt(actors, safe_to_talk_checked=None)
    assert scenario.then_refused(unchecked, MONDAY_10).code == "safe_to_talk_not_checked"
    [attempted] = scenario.when(_first_attempt(actors), MONDAY_10)
    assert attempted.safe_to_talk_checked is True and attempted.message_left is False


def test_before_arrangements_no_message_is_left_with_anyone(scenario, actors) -> None:
    scenario.opened()
    with_someone = _first_attempt(
        actors,
        outcome=ContactAttemptOutcome.SOMEONE_ELSE_ANSWERED,
        message_left=True,
    )
    assert scenario.then_refused(with_someone, MONDAY_10).code == "message_before_arrangements"
    voicemail = _first_attempt(
        actors, outcome=ContactAttemptOutcome.MESSAGE_LEFT, message_left=True
    )
    assert scenario.then_refused(voicemail, MONDAY_10).code == "message_before_arrangements"
    knocked = attempt(
        actors,
        method=ContactMethod.VISIT,
        outcome=ContactAttemptOutcome.NO_ACCESS,
        safe_to_talk_checked=True,
    )
    assert scenario.then_refused(knocked, MONDAY_10).code == "message_before_arrangements"
    assert scenario.when(replace(knocked, message_left=False), MONDAY_10)


@pytest.mark.parametrize("method", [ContactMethod.TEXT, ContactMethod.EMAIL, ContactMethod.LETTER])
def test_before_arrangements_nothing_is_sent_in_writing(scenario, actors, method) -> None:
    scenario.opened()
    sent = attempt(
        actors,
        method=method,
        outcome=ContactAttemptOutcome.MESSAGE_LEFT,
        safe_to_talk_checked=True,
        phone_number=SAFE_NUMBER if method is ContactMethod.TEXT else None,
    )
    assert scenario.then_refused(sent, MONDAY_10).code == "message_before_arrangements"


def _first_contact(actors, **kw):
    fields = {"safe_to_talk_checked": True, "phone_number": SAFE_NUMBER}
    return contact(actors, **{**fields, **kw})


OWN = arrangements(withheld_number_only=False, interpreter_needed=False, interpreter_language=None)


def test_the_first_contact_records_the_survivors_arrangements(scenario, actors) -> None:
    scenario.opened()
    without = _first_contact(actors)
    assert scenario.then_refused(without, MONDAY_10).code == "safe_contact_required"
    unchecked = _first_contact(actors, safe_contact=OWN, safe_to_talk_checked=None)
    assert scenario.then_refused(unchecked, MONDAY_10).code == "safe_to_talk_not_checked"
    contacted, recorded = scenario.apply(_first_contact(actors, safe_contact=OWN), MONDAY_10)
    assert isinstance(contacted, ev.SurvivorContacted) and contacted.first_contact
    assert isinstance(recorded, ev.SafeContactUpdated)
    assert (recorded.safe_contact, recorded.survivors_own) == (OWN, True)
    assert scenario.state.arrangements.survivors_own
    # From now on the arrangements are the survivor's own: a plain call is fine.
    later = MONDAY_10 + timedelta(minutes=30)
    assert scenario.when(contact(actors, phone_number=SAFE_NUMBER, at=later), later)


def test_arrangements_given_at_a_contact_are_not_the_perpetrators(scenario, actors) -> None:
    perpetrator = AllegedPerpetrator(
        person_id=scenario.perpetrator_id,
        relationship_to_survivor=Relationship.INTIMATE_PARTNER,
        phone=SAFE_NUMBER,
    )
    scenario.opened(alleged_perpetrators=(perpetrator,))
    given = _first_contact(
        actors, method=ContactMethod.IN_PERSON, phone_number=None, safe_contact=OWN
    )
    assert scenario.then_refused(given, MONDAY_10).code == "matches_alleged_perpetrator"


def _third_party_report(scenario, safe):
    neighbour = Reporter(
        kind=ReporterKind.THIRD_PARTY, relationship=ThirdPartyRelationship.NEIGHBOUR
    )
    return scenario.report(reporter=neighbour, safe_contact=safe)


def test_arrangements_a_third_party_gave_are_recorded_unconfirmed(scenario, actors) -> None:
    given = arrangements(
        safe_to_text=False,
        safe_people_to_speak_to=(SAFE_PERSON,),
        withheld_number_only=False,
        interpreter_needed=False,
        interpreter_language=None,
        safe_times=(),
    )
    report = _third_party_report(scenario, given)
    events = scenario.apply(ReceiveReport(actors.system, report), FRIDAY_1630)
    [recorded] = scenario.of_type(events, ev.SafeContactUpdated)
    assert recorded.survivors_own is False
    assert recorded.unconfirmed_because is UnconfirmedSafeContact.GIVEN_BY_THIRD_PARTY
    # Not the survivor's own: the precautions of no arrangements still apply ...
    with_safe_person = _first_attempt(
        actors,
        outcome=ContactAttemptOutcome.MESSAGE_LEFT,
        message_left=True,
        spoke_to=SAFE_PERSON,
    )
    assert scenario.then_refused(with_safe_person, MONDAY_10).code == "message_before_arrangements"
    unchecked = _first_attempt(actors, safe_to_talk_checked=None)
    assert scenario.then_refused(unchecked, MONDAY_10).code == "safe_to_talk_not_checked"
    # ... what they rule out is still ruled out ...
    text = _first_attempt(actors, method=ContactMethod.TEXT, message_left=None)
    assert scenario.then_refused(text, MONDAY_10).code in {
        "unsafe_channel",
        "message_before_arrangements",
    }
    visit = attempt(
        actors,
        method=ContactMethod.VISIT,
        outcome=ContactAttemptOutcome.NO_ACCESS,
        safe_to_talk_checked=True,
        message_left=False,
    )
    assert scenario.then_refused(visit, MONDAY_10).code == "unsafe_channel"
    # ... but the numbers they list are not taken as the survivor's only safe ones ...
    assert scenario.when(_first_attempt(actors, phone_number="07700 900111"), MONDAY_10)
    # ... and the first contact records the survivor's own.
    assert scenario.then_refused(_first_contact(actors), MONDAY_10).code == "safe_contact_required"


def test_the_caseworker_confirms_third_party_arrangements_with_the_survivor(
    scenario, actors
) -> None:
    given = OWN.model_copy(update={"safe_people_to_speak_to": (SAFE_PERSON,)})
    report = _third_party_report(scenario, given)
    scenario.apply(ReceiveReport(actors.system, report), FRIDAY_1630)
    with_safe_person = attempt(
        actors,
        outcome=ContactAttemptOutcome.MESSAGE_LEFT,
        phone_number=SAFE_NUMBER,
        spoke_to=SAFE_PERSON,
    )
    refused = scenario.then_refused(with_safe_person, MONDAY_10)
    assert refused.code == "safe_to_talk_not_checked"
    [confirmed] = scenario.apply(UpdateSafeContact(actors.cm, given), MONDAY_10)
    assert confirmed.survivors_own is True and confirmed.unconfirmed_because is None
    assert scenario.when(with_safe_person, MONDAY_10)


def test_arrangements_the_survivor_reported_are_their_own(scenario, actors) -> None:
    events = scenario.when(
        ReceiveReport(actors.system, scenario.report(safe_contact=OWN)), FRIDAY_1630
    )
    [recorded] = scenario.of_type(events, ev.SafeContactUpdated)
    assert recorded.survivors_own is True


def test_reported_arrangements_giving_the_perpetrators_number_are_unconfirmed(
    scenario, actors
) -> None:
    perpetrator = AllegedPerpetrator(
        person_id=scenario.perpetrator_id,
        relationship_to_survivor=Relationship.INTIMATE_PARTNER,
        phone="+44 7700 900456",
    )
    report = scenario.report(safe_contact=OWN, alleged_perpetrators=(perpetrator,))
    events = scenario.when(ReceiveReport(actors.system, report), FRIDAY_1630)
    [recorded] = scenario.of_type(events, ev.SafeContactUpdated)
    assert recorded.survivors_own is False
    assert recorded.unconfirmed_because is UnconfirmedSafeContact.MATCHES_ALLEGED_PERPETRATOR


def test_older_arrangements_from_a_third_partys_report_are_read_as_unconfirmed(
    scenario, actors
) -> None:
    neighbour = Reporter(
        kind=ReporterKind.THIRD_PARTY, relationship=ThirdPartyRelationship.NEIGHBOUR
    )
    scenario.opened(reporter=neighbour)
    scenario.given(
        [ev.SafeContactUpdated(case_id=scenario.case_id, updated_at=FRIDAY_1630, safe_contact=OWN)]
    )
    assert scenario.state.arrangements.survivors_own is False
    scenario.given(
        [ev.SafeContactUpdated(case_id=scenario.case_id, updated_at=FRIDAY_1630, safe_contact=OWN)],
        actor=actors.cm,
    )
    assert scenario.state.arrangements.survivors_own is True


# --- only two-way contact is contact ---------------------------------------------------------

WRITTEN = arrangements(
    safe_to_text=True,
    safe_to_email=True,
    safe_email="alex@example.org",
    safe_to_write=True,
    withheld_number_only=False,
    interpreter_needed=False,
    interpreter_language=None,
)


@pytest.fixture
def written(scenario, actors):
    scenario.opened()
    scenario.apply(UpdateSafeContact(actors.cm, WRITTEN), FRIDAY_1630)
    return scenario


def _sent(actors, method, **kw):
    if method is ContactMethod.TEXT:
        kw.setdefault("phone_number", SAFE_NUMBER)
    return contact(actors, method=method, **kw)


@pytest.mark.parametrize("method", [ContactMethod.TEXT, ContactMethod.EMAIL, ContactMethod.LETTER])
def test_a_text_email_or_letter_sent_is_not_contact(written, actors, method) -> None:
    refused = written.then_refused(_sent(actors, method), MONDAY_10, InvalidCommand)
    assert (refused.field, refused.code) == ("survivor_replied", "reply_required")
    no_reply = _sent(actors, method, survivor_replied=False)
    assert written.then_refused(no_reply, MONDAY_10, InvalidCommand).code == "reply_required"
    assert written.state.open_deadline(DeadlineKind.CONTACT) is not None


@pytest.mark.parametrize("method", [ContactMethod.TEXT, ContactMethod.EMAIL, ContactMethod.LETTER])
def test_the_survivors_reply_meets_the_contact_deadline(written, actors, method) -> None:
    [contacted] = written.apply(_sent(actors, method, survivor_replied=True), MONDAY_10)
    assert contacted.survivor_replied is True and contacted.first_contact
    assert written.state.deadline(DeadlineKind.CONTACT).met_at == MONDAY_10


def test_a_reply_is_recorded_whenever_the_survivor_sent_it(scenario, actors) -> None:
    scenario.opened()
    windows = WRITTEN.model_copy(update={"safe_times": WINDOWS, "withheld_number_only": True})
    scenario.apply(UpdateSafeContact(actors.cm, windows), FRIDAY_1630)
    assert scenario.when(
        _sent(actors, ContactMethod.TEXT, survivor_replied=True, at=MONDAY_21), MONDAY_21
    )
    from_elsewhere = _sent(
        actors, ContactMethod.TEXT, survivor_replied=True, phone_number="07700 900999"
    )
    assert scenario.then_refused(from_elsewhere, MONDAY_10).code == "unsafe_number"


def test_only_a_text_email_or_letter_has_a_reply(written, actors) -> None:
    call = contact(actors, phone_number=SAFE_NUMBER, survivor_replied=True)
    refused = written.then_refused(call, MONDAY_10, InvalidCommand)
    assert (refused.field, refused.code) == ("survivor_replied", "survivor_replied_not_for_method")
