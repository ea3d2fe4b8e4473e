"""Contact with the survivor through the API: judged when it happened, and the refusals
that keep the survivor's safe-contact arrangements."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest

from hearth.contracts.envelope import Role
from hearth.contracts.events.common import (
    AllegedPerpetrator,
    Channel,
    PostalAddress,
    Relationship,
    ReporterKind,
    SafeContact,
    ThirdPartyRelationship,
)
from hearth.contracts.events.intake import Reporter

pytestmark = pytest.mark.integration

MONDAY_10 = "2025-03-10T10:00:00+00:00"
MONDAY_15 = "2025-03-10T15:00:00+00:00"
MONDAY_21 = "2025-03-10T21:00:00+00:00"
SAFE_NUMBER = "07700 900456"
SAFE: dict[str, Any] = {
    "safe_to_call": True,
    "safe_to_text": False,
    "safe_to_email": False,
    "safe_to_write": False,
    "safe_to_visit": False,
    "safe_phone_numbers": [SAFE_NUMBER],
    "safe_times": [{"day": day, "start": "09:30", "end": "16:00"} for day in ("monday", "tuesday")],
    "withheld_number_only": False,
    "never_leave_voicemail": True,
    "interpreter_needed": False,
}
CALL = {"method": "call", "phone_number": SAFE_NUMBER}
NO_ANSWER = {**CALL, "outcome": "no_answer", "message_left": False}


@pytest.fixture
async def worked(cases, new_case):
    """A case with the survivor's arrangements recorded just after the report (Friday)."""
    report, manager = await new_case(cases)
    cm = cases.auth(manager, Role.CASE_MANAGER)
    url = f"/cases/{report.case_id}"

    async def post(path: str, body: dict[str, Any], status: int) -> dict[str, Any]:
        response = await cases.client.post(f"{url}{path}", json=body, headers=cm)
        assert response.status_code == status, response.text
        return response.json()

    await post("/safe-contact", SAFE, 200)
    return url, cm, post


async def test_contacts_are_judged_when_they_happened_not_when_typed_in(
    cases, worked, clock, case_events
) -> None:
    url, cm, post = worked
    clock.set(datetime(2025, 3, 11, 10, 0, tzinfo=UTC))  # Tuesday 10:00, inside the window
    late_call = await post("/contacts", {**CALL, "happened_at": MONDAY_21}, 409)
    assert late_call["code"] == "outside_safe_times"
    late_attempt = {**NO_ANSWER, "happened_at": MONDAY_21}
    assert (await post("/contact-attempts", late_attempt, 409))["code"] == "outside_safe_times"

    clock.set(datetime(2025, 3, 11, 17, 0, tzinfo=UTC))  # Tuesday 17:00: window closed, past due
    await post("/contact-attempts", {**NO_ANSWER, "happened_at": MONDAY_10}, 201)
    contact = await post("/contacts", {**CALL, "happened_at": MONDAY_15}, 201)
    assert (contact["first_contact"], contact["late"]) == (True, False)
    history = await case_events(cases, UUID(url.rsplit("/", 1)[1]))
    attempted = next(e for e in history if e.event_name == "ContactAttempted")
    assert attempted.payload["happened_at"] == "2025-03-10T10:00:00Z"
    contacted = next(e for e in history if e.event_name == "SurvivorContacted")
    assert contacted.payload["happened_at"] == "2025-03-10T15:00:00Z"
    assert contacted.payload["contacted_at"] == "2025-03-11T17:00:00Z"

    detail = (await cases.client.get(url, headers=cm)).json()
    [deadline] = [d for d in detail["deadlines"] if d["kind"] == "contact"]
    assert deadline["status"] == "met"
    listed = await cases.client.get("/cases?limit=200", headers=cm)
    row = next(r for r in listed.json()["cases"] if url.endswith(r["case_id"]))
    assert [d["status"] for d in row["deadlines"] if d["kind"] == "contact"] == ["met"]


async def test_when_it_happened_is_required_and_bounded(cases, worked, clock) -> None:
    url, cm, post = worked
    clock.set(datetime(2025, 3, 10, 10, 0, tzinfo=UTC))
    missing = await cases.client.post(f"{url}/contacts", json=CALL, headers=cm)
    assert missing.status_code == 422
    assert [e["field"] for e in missing.json()["errors"]] == ["happened_at"]
    future = {**CALL, "happened_at": "2025-03-10T10:05:00+00:00"}
    assert (await post("/contacts", future, 409))["code"] == "happened_in_future"
    before = {**CALL, "happened_at": "2025-03-07T16:00:00+00:00"}
    assert (await post("/contacts", before, 409))["code"] == "happened_before_report"
    clock.set(datetime(2025, 3, 17, 10, 1, tzinfo=UTC))  # more than 7 days after
    long_ago = {**NO_ANSWER, "happened_at": MONDAY_10}
    assert (await post("/contact-attempts", long_ago, 409))["code"] == "happened_too_long_ago"


async def test_an_in_person_meeting_says_where_and_one_at_home_is_a_visit(
    cases, worked, clock
) -> None:
    url, cm, post = worked
    clock.set(datetime(2025, 3, 10, 17, 0, tzinfo=UTC))
    at_13 = "2025-03-10T13:00:00+00:00"  # inside the safe times; visits are not safe
    at_home = {"method": "in_person", "place": "survivor_home", "happened_at": at_13}
    assert (await post("/contacts", at_home, 409))["code"] == "unsafe_channel"
    knocked = {**at_home, "outcome": "no_access"}
    assert (await post("/contact-attempts", knocked, 409))["code"] == "unsafe_channel"
    nowhere = await cases.client.post(
        f"{url}/contacts", json={"method": "in_person", "happened_at": at_13}, headers=cm
    )
    assert nowhere.status_code == 422
    assert [(e["field"], e["kind"]) for e in nowhere.json()["errors"]] == [
        ("place", "place_required")
    ]
    office = await post("/contacts", {**at_home, "place": "office"}, 201)
    assert office["first_contact"] is True


async def test_a_voicemail_is_refused_whatever_the_outcome_says(cases, worked, clock) -> None:
    url, cm, post = worked
    clock.set(datetime(2025, 3, 10, 10, 0, tzinfo=UTC))
    voicemail = {**NO_ANSWER, "message_left": True, "happened_at": MONDAY_10}
    refused = await post("/contact-attempts", voicemail, 409)
    assert refused["code"] == "voicemail_not_allowed"
    assert "07700" not in str(refused)
    unsaid = {**CALL, "outcome": "no_answer", "happened_at": MONDAY_10}
    response = await cases.client.post(f"{url}/contact-attempts", json=unsaid, headers=cm)
    assert response.status_code == 422
    assert [(e["field"], e["kind"]) for e in response.json()["errors"]] == [
        ("message_left", "message_left_required")
    ]
    await post("/contact-attempts", {**NO_ANSWER, "happened_at": MONDAY_10}, 201)


async def test_the_perpetrators_number_email_or_address_is_never_safe(
    cases, new_case, case_events
) -> None:
    perpetrator = AllegedPerpetrator(
        person_id=uuid.uuid4(),
        name="Sam Sample",
        relationship_to_survivor=Relationship.INTIMATE_PARTNER,
        phone="07700 900777",
        email="sam@example.org",
        address=PostalAddress(lines=("10 High Street",), postcode="TN1 1AA"),
    )
    report, manager = await new_case(cases, alleged_perpetrators=(perpetrator,))
    url = f"/cases/{report.case_id}"
    cm = cases.auth(manager, Role.CASE_MANAGER)
    before = len(await case_events(cases, report.case_id))
    for changes in (
        {"safe_phone_numbers": [SAFE_NUMBER, "+44 7700 900777"]},
        {"safe_to_email": True, "safe_email": "Sam@Example.org"},
        {"safe_postal_address": {"lines": ["10 high street"], "postcode": "tn1 1aa"}},
    ):
        refused = await cases.client.post(
            f"{url}/safe-contact", json={**SAFE, **changes}, headers=cm
        )
        assert refused.status_code == 409, refused.text
        assert refused.json()["code"] == "matches_alleged_perpetrator"
        assert "900777" not in refused.text and "example.org" not in refused.text.lower()
        assert "high street" not in refused.text.lower()
    call = {**NO_ANSWER, "phone_number": "07700900777", "happened_at": "2025-03-07T16:31:00Z"}
    to_them = await cases.client.post(f"{url}/contact-attempts", json=call, headers=cm)
    assert to_them.status_code == 409
    assert to_them.json()["code"] == "matches_alleged_perpetrator"
    assert len(await case_events(cases, report.case_id)) == before


async def test_before_the_survivors_own_arrangements_contact_takes_precautions(
    cases, new_case, clock
) -> None:
    neighbour = Reporter(
        kind=ReporterKind.THIRD_PARTY, relationship=ThirdPartyRelationship.NEIGHBOUR
    )
    given = {**SAFE, "safe_times": [], "safe_people_to_speak_to": ["Chris Example"]}
    report, manager = await new_case(
        cases,
        channel=Channel.WEB_FORM,
        reporter=neighbour,
        safe_contact=SafeContact.model_validate(given),
    )
    url = f"/cases/{report.case_id}"
    cm = cases.auth(manager, Role.CASE_MANAGER)
    clock.set(datetime(2025, 3, 10, 10, 0, tzinfo=UTC))

    async def post(path: str, body: dict[str, Any], status: int) -> dict[str, Any]:
        response = await cases.client.post(f"{url}{path}", json=body, headers=cm)
        assert response.status_code == status, response.text
        return response.json()

    detail = (await cases.client.get(url, headers=cm)).json()
    assert detail["safe_contact_survivors_own"] is False
    assert detail["safe_contact_unconfirmed_because"] == "given_by_third_party"

    at = {"happened_at": MONDAY_10}
    with_chris = {
        **CALL,
        **at,
        "outcome": "message_left",
        "message_left": True,
        "spoke_to": "Chris Example",
        "safe_to_talk_checked": True,
    }
    refused = await post("/contact-attempts", with_chris, 409)
    assert refused["code"] == "message_before_arrangements"
    assert "Chris" not in str(refused)
    unchecked = {**NO_ANSWER, **at}
    assert (await post("/contact-attempts", unchecked, 409))["code"] == "safe_to_talk_not_checked"
    await post("/contact-attempts", {**unchecked, "safe_to_talk_checked": True}, 201)
    first = {**CALL, **at, "safe_to_talk_checked": True}
    assert (await post("/contacts", first, 409))["code"] == "safe_contact_required"

    await post("/safe-contact", given, 200)  # confirmed with the survivor
    detail = (await cases.client.get(url, headers=cm)).json()
    assert detail["safe_contact_survivors_own"] is True
    assert detail["safe_contact_unconfirmed_because"] is None
    del with_chris["safe_to_talk_checked"]
    await post("/contact-attempts", with_chris, 201)


async def test_the_first_contact_records_the_survivors_arrangements(
    cases, new_case, clock, case_events
) -> None:
    report, manager = await new_case(cases)
    url = f"/cases/{report.case_id}"
    cm = cases.auth(manager, Role.CASE_MANAGER)
    clock.set(datetime(2025, 3, 10, 10, 0, tzinfo=UTC))
    first = {**CALL, "happened_at": MONDAY_10, "safe_to_talk_checked": True}
    response = await cases.client.post(
        f"{url}/contacts", json={**first, "safe_contact": SAFE}, headers=cm
    )
    assert response.status_code == 201, response.text
    assert response.json()["first_contact"] is True
    history = await case_events(cases, report.case_id)
    assert [e.event_name for e in history[-2:]] == ["SurvivorContacted", "SafeContactUpdated"]
    assert history[-1].payload["survivors_own"] is True


async def test_a_letter_email_or_text_sent_does_not_meet_the_deadline(
    cases, new_case, clock
) -> None:
    report, manager = await new_case(cases)
    url = f"/cases/{report.case_id}"
    cm = cases.auth(manager, Role.CASE_MANAGER)
    written = {**SAFE, "safe_to_write": True, "safe_to_text": True, "safe_times": []}
    assert (await cases.client.post(f"{url}/safe-contact", json=written, headers=cm)).is_success
    clock.set(datetime(2025, 3, 10, 10, 0, tzinfo=UTC))
    letter = {"method": "letter", "happened_at": MONDAY_10}
    sent = await cases.client.post(f"{url}/contacts", json=letter, headers=cm)
    assert sent.status_code == 422
    assert [(e["field"], e["kind"]) for e in sent.json()["errors"]] == [
        ("survivor_replied", "reply_required")
    ]
    attempt = {**letter, "outcome": "message_left"}
    assert (await cases.client.post(f"{url}/contact-attempts", json=attempt, headers=cm)).is_success
    detail = (await cases.client.get(url, headers=cm)).json()
    assert [d["status"] for d in detail["deadlines"] if d["kind"] == "contact"] == ["due"]
    reply = {"method": "text", "phone_number": SAFE_NUMBER, "survivor_replied": True}
    replied = await cases.client.post(
        f"{url}/contacts", json={**reply, "happened_at": MONDAY_10}, headers=cm
    )
    assert replied.status_code == 201, replied.text
    assert replied.json()["first_contact"] is True
