"""Subject access: each person on the same case sees their own data, never another's.

Given one case (a third party's report about a survivor living with the alleged
perpetrator, a child, safe-contact arrangements, contact, a flag, wishes, an action and a
move), when the survivor and the alleged perpetrator each ask, then each answer holds
their own details and nothing that could reach or identify anyone else.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hearth.cases.domain import commands as c
from hearth.cases.domain.subject_access import PersonNotOnCase, subject_access
from hearth.contracts.envelope import Actor, Role
from hearth.contracts.events import cases as ev
from hearth.contracts.events.case_values import (
    ClosureReason,
    ContactAttemptOutcome,
    ErasureBasis,
    ErasureReason,
    FlagKind,
)
from hearth.contracts.events.common import (
    AllegedPerpetrator,
    Channel,
    ContactMethod,
    PerpetratorActionKind,
    PostalAddress,
    Relationship,
    ReporterKind,
    SafeContact,
    Survivor,
    ThirdPartyRelationship,
)
from hearth.contracts.events.intake import Reporter
from hearth.eventstore.decider import Recorded

OPENED = datetime(2025, 3, 7, 16, 30, tzinfo=UTC)
CSO = Actor(id="cso-m1", role=Role.CASE_MANAGER)

HOME = PostalAddress(lines=("1 Shared Street", "Maidstone"), postcode="ME14 1AA")
REFUGE = PostalAddress(lines=("Flat 2 Quiet Court",), postcode="ME20 2BB")

SURVIVOR_NAME, SURVIVOR_PHONE = "Alex Example", "07700 900111"
SAFE_PHONE, SAFE_EMAIL = "07700 900333", "alex.safe@example.org"
PERPETRATOR_NAME, PERPETRATOR_PHONE = "Sam Sample", "07700 900222"
PERPETRATOR_EMAIL = "sam@example.org"
REPORTER_PHONE = "07700 900999"
"""The third-party reporter gave their own number as a safe way to reach the survivor."""
SAFE_PERSON, SPOKE_TO = "Pat Friend", "Chris Sibling"
CONTACT_NOTE = "Left a message with her sibling; call back after six."
FLAG_REASON = "Threatened staff at the office in March."
OWN_WORDS = "I want him out of the house."
ACTION_DETAILS = "Warning letter about the threats."

NEVER_TO_THE_PERPETRATOR = (
    SURVIVOR_NAME,
    SURVIVOR_PHONE,
    SAFE_PHONE,
    SAFE_EMAIL,
    *HOME.lines,
    HOME.postcode,
    *REFUGE.lines,
    REFUGE.postcode,
    REPORTER_PHONE,
    SAFE_PERSON,
    SPOKE_TO,
    CONTACT_NOTE,
    FLAG_REASON,
    OWN_WORDS,
    ACTION_DETAILS,
    "Jo Example",  # the child
    "reporter_kind",
    "survivor_wishes_id",
    "against_survivor_wishes",
    "survivor_agreed",
)
NEVER_TO_THE_SURVIVOR = (
    PERPETRATOR_NAME,
    PERPETRATOR_PHONE,
    PERPETRATOR_EMAIL,
    REPORTER_PHONE,
    SAFE_PERSON,
    SPOKE_TO,
    CONTACT_NOTE,
    FLAG_REASON,
    OWN_WORDS,
    ACTION_DETAILS,
    "Jo Example",
    "reporter_kind",
    "third_party",
    "channel",
    "web_form",
)


@pytest.fixture
def history(scenario) -> list[Recorded]:
    """The case's events as stored, oldest first."""
    events: list[tuple[ev.CasesEvent, Actor, datetime]] = []

    def record(new: list[Any], actor: Actor, at: datetime) -> None:
        scenario.given(new, actor=actor, at=at)
        events.extend((e, actor, at) for e in new)

    survivor = Survivor(
        person_id=scenario.survivor_id, name=SURVIVOR_NAME, phone=SURVIVOR_PHONE, address=HOME
    )
    perpetrator = AllegedPerpetrator(
        person_id=scenario.perpetrator_id,
        name=PERPETRATOR_NAME,
        phone=PERPETRATOR_PHONE,
        email=PERPETRATOR_EMAIL,
        address=HOME,
        relationship_to_survivor=Relationship.INTIMATE_PARTNER,
        lives_with_survivor=True,
    )
    report = scenario.report(
        channel=Channel.WEB_FORM,
        reporter=Reporter(
            kind=ReporterKind.THIRD_PARTY,
            relationship=ThirdPartyRelationship.NEIGHBOUR,
            name="Rita Reporter",
            phone=REPORTER_PHONE,
        ),
        survivor=survivor,
        alleged_perpetrators=(perpetrator,),
        safe_contact=_safe_contact(phones=(REPORTER_PHONE,)),
    )
    record(
        scenario.when(c.ReceiveReport(scenario.system, report, {}), OPENED), scenario.system, OPENED
    )

    later = OPENED + timedelta(days=1)
    own_arrangements = _safe_contact(
        phones=(SAFE_PHONE,), email=SAFE_EMAIL, address=REFUGE, people=(SAFE_PERSON,)
    )
    case_id = scenario.case_id
    record(
        [
            ev.SafeContactUpdated(
                case_id=case_id,
                updated_at=later,
                safe_contact=own_arrangements,
                survivors_own=True,
            ),
            ev.ContactAttempted(
                case_id=case_id,
                attempt_id=uuid.uuid4(),
                attempted_at=later,
                method=ContactMethod.CALL,
                outcome=ContactAttemptOutcome.SOMEONE_ELSE_ANSWERED,
                phone_number=SAFE_PHONE,
                spoke_to=SPOKE_TO,
                notes=CONTACT_NOTE,
                number_withheld=True,
            ),
            ev.FlagRaised(
                case_id=case_id,
                flag_id=uuid.uuid4(),
                person_id=scenario.perpetrator_id,
                kind=FlagKind.POTENTIAL_RISK,
                raised_at=later,
                reason=FLAG_REASON,
            ),
            ev.SurvivorWishesRecorded(
                case_id=case_id,
                wishes_id=(wishes_id := uuid.uuid4()),
                recorded_at=later,
                wanted_actions=(PerpetratorActionKind.TENANCY_WARNING,),
                in_own_words=OWN_WORDS,
            ),
            ev.PerpetratorActionTaken(
                case_id=case_id,
                action_id=uuid.uuid4(),
                perpetrator_person_id=scenario.perpetrator_id,
                kind=PerpetratorActionKind.TENANCY_WARNING,
                taken_at=later,
                survivor_wishes_id=wishes_id,
                survivor_agreed=True,
                details=ACTION_DETAILS,
            ),
            ev.PeopleUpdated(
                case_id=case_id,
                updated_at=later,
                survivor=survivor.model_copy(update={"address": REFUGE}),
            ),
        ],
        CSO,
        later,
    )
    return [
        Recorded(event, actor, version, at)
        for version, (event, actor, at) in enumerate(events, start=1)
    ]


def _safe_contact(
    phones: tuple[str, ...],
    email: str | None = None,
    address: PostalAddress | None = None,
    people: tuple[str, ...] = (),
) -> SafeContact:
    return SafeContact(
        safe_to_call=True,
        safe_to_text=False,
        safe_to_email=email is not None,
        safe_to_write=address is not None,
        safe_to_visit=False,
        safe_phone_numbers=phones,
        safe_email=email,
        safe_postal_address=address,
        withheld_number_only=True,
        never_leave_voicemail=True,
        interpreter_needed=False,
        safe_people_to_speak_to=people,
    )


def _text(answer: dict[str, Any]) -> str:
    return json.dumps(answer)


def _events(answer: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [e for e in answer["events"] if e["event"] == name]


def _held(answer: dict[str, Any]) -> set[tuple[str, str]]:
    return {(h["event"], h["field"]) for h in answer["held_for_review"]}


def test_the_survivor_sees_their_own_details_and_arrangements(history, scenario) -> None:
    answer = subject_access(history, scenario.survivor_id)

    assert answer["role"] == "survivor"
    assert answer["erased"] is False
    first, moved = answer["details"]
    assert first["details"]["name"] == SURVIVOR_NAME
    assert first["details"]["phone"] == SURVIVOR_PHONE
    assert first["details"]["address"] == {"lines": list(HOME.lines), "postcode": HOME.postcode}
    assert moved["details"]["address"]["lines"] == list(REFUGE.lines)

    [own] = _events(answer, "SafeContactUpdated")  # the reporter's are held back
    assert own["safe_contact"]["safe_phone_numbers"] == [SAFE_PHONE]
    assert own["safe_contact"]["safe_email"] == SAFE_EMAIL
    assert own["safe_contact"]["safe_postal_address"]["postcode"] == REFUGE.postcode
    assert own["safe_contact"]["never_leave_voicemail"] is True
    [attempt] = _events(answer, "ContactAttempted")
    assert attempt["phone_number"] == SAFE_PHONE
    assert attempt["outcome"] == "someone_else_answered"
    [wishes] = _events(answer, "SurvivorWishesRecorded")
    assert wishes["wanted_actions"] == ["tenancy_warning"]
    [opened] = _events(answer, "CaseOpened")
    assert opened["reported_at"] == OPENED.isoformat()


def test_the_survivor_never_sees_the_perpetrator_the_reporter_or_third_parties(
    history, scenario
) -> None:
    answer = subject_access(history, scenario.survivor_id)
    text = _text(answer)
    for value in NEVER_TO_THE_SURVIVOR:
        assert value not in text, value
    # Only the survivor's own flag: those on the alleged perpetrator are theirs.
    [flag] = _events(answer, "FlagRaised")
    assert flag["person_id"] == str(scenario.survivor_id)
    assert flag["kind"] == "potentially_vulnerable"
    # Arrangements the reporter gave may be the reporter's own number, and say a third
    # party reported: held for review, not shown.
    assert ("SafeContactUpdated", "safe_contact") in _held(answer)
    assert "given_by_third_party" not in text


def test_free_text_about_the_survivor_is_listed_for_review_not_printed(history, scenario) -> None:
    held = _held(subject_access(history, scenario.survivor_id))
    assert ("ContactAttempted", "notes") in held
    assert ("SurvivorWishesRecorded", "in_own_words") in held
    assert ("PerpetratorActionTaken", "details") in held
    assert ("SafeContactUpdated", "safe_contact.notes") not in held  # none was given
    assert not any(field.endswith("spoke_to") for _, field in held)


def test_the_perpetrator_sees_their_own_details_and_what_was_done_about_them(
    history, scenario
) -> None:
    answer = subject_access(history, scenario.perpetrator_id)

    assert answer["role"] == "alleged_perpetrator"
    [details] = answer["details"]
    assert details["details"]["name"] == PERPETRATOR_NAME
    assert details["details"]["phone"] == PERPETRATOR_PHONE
    assert details["details"]["email"] == PERPETRATOR_EMAIL
    assert details["details"]["relationship_to_survivor"] == "intimate_partner"
    flags = _events(answer, "FlagRaised")  # one on opening, one raised by hand
    assert [f["kind"] for f in flags] == ["potential_risk", "potential_risk"]
    [action] = _events(answer, "PerpetratorActionTaken")
    assert set(action) == {"recorded_at", "event", "action_id", "kind", "taken_at"}
    assert {e["event"] for e in answer["events"]} == {"FlagRaised", "PerpetratorActionTaken"}


def test_the_perpetrator_never_sees_the_survivor_where_she_is_or_how_to_reach_her(
    history, scenario
) -> None:
    answer = subject_access(history, scenario.perpetrator_id)
    text = _text(answer)
    for value in NEVER_TO_THE_PERPETRATOR:
        assert value not in text, value
    # Their own recorded address is the survivor's (they lived together): held back.
    address = answer["details"][0]["details"].get("address", {})
    assert address.get("lines", []) == []
    assert "postcode" not in address
    held = _held(answer)
    assert ("CaseOpened", "address.lines") in held
    assert ("CaseOpened", "address.postcode") in held
    assert ("FlagRaised", "reason") in held
    assert ("PerpetratorActionTaken", "details") in held


def test_someone_not_on_the_case_gets_nothing(history) -> None:
    with pytest.raises(PersonNotOnCase):
        subject_access(history, uuid.uuid4())


def test_after_erasure_only_the_erasure_is_told(history, scenario, rules) -> None:
    closed_at = OPENED + timedelta(days=30)
    erased_at = closed_at + timedelta(days=6 * 366)
    closing = [
        ev.CaseClosed(
            case_id=scenario.case_id,
            closed_at=closed_at,
            reason=ClosureReason.SURVIVOR_MOVED,
            approved_by="lead-1",
        ),
        ev.CaseErased(
            case_id=scenario.case_id,
            erased_at=erased_at,
            basis=ErasureBasis.RETENTION_EXPIRED,
            reason=ErasureReason.RETENTION_PERIOD_ENDED,
            retention_policy=rules.policy.id,
            retention_years=6,
            closed_at=closed_at,
        ),
    ]
    system = scenario.system
    erased = [
        *history,
        *(Recorded(e, system, len(history) + n, erased_at) for n, e in enumerate(closing, 1)),
    ]
    for person in (scenario.survivor_id, scenario.perpetrator_id):
        answer = subject_access(erased, person)
        assert answer["erased"] is True
        assert set(answer) == {"case_id", "person_id", "role", "erased", "erased_at"}


def test_a_child_sees_their_own_details_and_nobody_elses(history, scenario) -> None:
    answer = subject_access(history, scenario.child_id)
    assert answer["role"] == "child"
    assert [d["details"]["name"] for d in answer["details"]] == ["Jo Example"]
    text = _text(answer)
    for value in (*NEVER_TO_THE_SURVIVOR[:3], SURVIVOR_NAME, SURVIVOR_PHONE, *REFUGE.lines):
        if value != "Jo Example":
            assert value not in text, value
    # Only flags about the child (one is raised on opening for an affected child).
    theirs = [
        r.event.flag_id
        for r in history
        if isinstance(r.event, ev.FlagRaised) and r.event.person_id == scenario.child_id
    ]
    assert theirs
    assert [e["flag_id"] for e in answer["events"]] == [str(f) for f in theirs]
