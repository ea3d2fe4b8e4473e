"""The caseworkers' HTTP API end to end: auth, refusals, and every command."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, datetime

import pytest

from hearth.contracts.envelope import Role

pytestmark = pytest.mark.integration

MANAGER = ("dalead-0001", Role.MANAGER)
SECOND_MANAGER = ("dalead-0002", Role.MANAGER)
MONDAY_10 = "2025-03-10T10:00:00+00:00"


async def test_requests_need_a_valid_token_and_an_allowed_role(cases, new_case) -> None:
    report, _ = await new_case(cases)
    url = f"/cases/{report.case_id}"
    assert (await cases.client.get("/cases")).status_code == 401
    bad = {"Authorization": "Bearer not-a-token"}
    assert (await cases.client.get(url, headers=bad)).status_code == 401
    assert (await cases.client.get(url, headers=cases.auth("in-1", Role.INTAKE))).status_code == 403
    attempt = {"method": "call", "outcome": "no_answer"}
    auditor = cases.auth("audit-1", Role.AUDITOR)
    assert (await cases.client.get(url, headers=auditor)).status_code == 200
    refused = await cases.client.post(f"{url}/contact-attempts", json=attempt, headers=auditor)
    assert refused.status_code == 403
    cm = cases.auth("cso-0001", Role.CASE_MANAGER)
    review = await cases.client.post(f"{url}/reviews", json={"outcome": "continue"}, headers=cm)
    assert review.status_code == 403
    decision = await cases.client.post(
        f"{url}/closure-decision", json={"decision": "approve"}, headers=cm
    )
    assert decision.status_code == 403


async def test_an_unknown_case_is_404(cases) -> None:
    unknown = uuid.uuid4()
    headers = cases.auth(*MANAGER)
    got = await cases.client.get(f"/cases/{unknown}", headers=headers)
    assert got.status_code == 404
    assert got.json() == {"detail": "no such case", "code": "case_not_found"}
    posted = await cases.client.post(
        f"/cases/{unknown}/wishes", json={"wanted_actions": []}, headers=headers
    )
    assert posted.status_code == 404


async def test_bad_input_is_422_naming_each_field_without_echoing_values(cases, new_case) -> None:
    report, manager = await new_case(cases)
    response = await cases.client.post(
        f"/cases/{report.case_id}/contacts",
        json={"method": "carrier pigeon", "notes": "", "colour": "blue"},
        headers=cases.auth(manager, Role.CASE_MANAGER),
    )
    assert response.status_code == 422
    body = response.json()
    fields = {e["field"] for e in body["errors"]}
    assert {"method", "notes", "colour"} <= fields
    assert "carrier pigeon" not in response.text
    bad_path = await cases.client.get("/cases/not-a-uuid", headers=cases.auth(*MANAGER))
    assert bad_path.status_code == 422
    assert bad_path.json()["errors"][0]["field"] == "path.case_id"
    closure = await cases.client.post(
        f"/cases/{report.case_id}/closure-request",
        json={"reason": "other"},
        headers=cases.auth(manager, Role.CASE_MANAGER),
    )
    assert closure.status_code == 422
    # A rule across fields is the domain's, and answers in the same shape, naming the field.
    assert closure.json()["errors"] == [
        {
            "field": "notes",
            "problem": "notes are required when the closure reason is other",
            "kind": "notes_required",
        }
    ]
    referral = await cases.client.post(
        f"/cases/{report.case_id}/perpetrator-actions",
        json={"perpetrator_person_id": str(uuid.uuid4()), "kind": "referral"},
        headers=cases.auth(*MANAGER),
    )
    assert referral.status_code == 422
    assert [e["field"] for e in referral.json()["errors"]] == ["referral_type"]


async def test_a_case_worked_from_first_contact_to_closure_and_reopening(
    cases, new_case, clock
) -> None:
    report, manager = await new_case(cases)
    case = f"/cases/{report.case_id}"
    cm = cases.auth(manager, Role.CASE_MANAGER)
    lead = cases.auth(*MANAGER)
    clock.set(datetime(2025, 3, 10, 10, 0, tzinfo=UTC))  # Monday 10:00

    async def post(path: str, body: dict, headers=cm, status: int = 200) -> dict:
        response = await cases.client.post(f"{case}{path}", json=body, headers=headers)
        assert response.status_code == status, response.text
        return response.json()

    async def version() -> int:
        return (await cases.client.get(case, headers=lead)).json()["version"]

    safe = {
        "safe_to_call": True,
        "safe_to_text": False,
        "safe_to_email": False,
        "safe_to_write": False,
        "safe_to_visit": False,
        "safe_phone_numbers": ["07700 900456"],
        "safe_times": [{"day": "monday", "start": "09:30", "end": "11:30"}],
        "withheld_number_only": True,
        "never_leave_voicemail": True,
        "interpreter_needed": False,
    }
    await post("/safe-contact", safe)

    before = await version()
    refused = await post(
        "/contact-attempts",
        {"method": "text", "outcome": "no_answer", "happened_at": MONDAY_10},
        status=409,
    )
    assert refused["code"] == "unsafe_channel"
    assert "07700" not in refused["detail"]
    voicemail = {
        "method": "call",
        "outcome": "message_left",
        "message_left": True,
        "number_withheld": True,
        "happened_at": MONDAY_10,
    }
    assert (await post("/contact-attempts", voicemail, status=409))["code"] == (
        "voicemail_not_allowed"
    )
    assert await version() == before  # nothing half-written

    attempt = await post(
        "/contact-attempts",
        {
            "method": "call",
            "outcome": "no_answer",
            "message_left": False,
            "number_withheld": True,
            "phone_number": "07700 900456",
            "happened_at": MONDAY_10,
        },
        status=201,
    )
    assert attempt["attempt_id"] and attempt["version"] == before + 1
    contact = await post(
        "/contacts",
        {
            "method": "call",
            "number_withheld": True,
            "phone_number": "07700 900456",
            "happened_at": MONDAY_10,
        },
        status=201,
    )
    assert (contact["first_contact"], contact["late"]) == (True, False)
    [written] = contact["events"]
    assert written["type"] == "hearth.cases.SurvivorContacted.v1"

    repair = await post("/repairs", {"kind": "locks", "description": "Lock forced"}, status=201)
    done = await post(f"/repairs/{repair['repair_id']}/completion", {})
    assert done["late"] is False
    again = await post(f"/repairs/{repair['repair_id']}/completion", {}, status=409)
    assert again["code"] == "repair_already_completed"
    unknown_repair = await cases.client.post(
        f"{case}/repairs/{uuid.uuid4()}/completion", json={}, headers=cm
    )
    assert unknown_repair.status_code == 404

    security = await post(
        "/security-measures",
        {"measures": ["lock_change", "door_viewer_or_chain"], "sanctuary_scheme": True},
        status=201,
    )
    await post(
        f"/security-measures/{security['request_id']}/installation",
        {"measures": ["lock_change"]},
    )

    detail = (await cases.client.get(case, headers=cm)).json()
    risk_flag = next(f for f in detail["flags"] if f["kind"] == "potential_risk")
    assert risk_flag["raised_by"] == {"id": "hearth.cases", "role": "system"}
    await post(f"/flags/{risk_flag['flag_id']}/removal", {"reason": "Raised in error"})
    flag = await post(
        "/flags",
        {
            "person_id": str(report.alleged_perpetrators[0].person_id),
            "kind": "potential_risk",
            "reason": "New incident reported",
        },
        status=201,
    )
    assert flag["flag_id"]

    perpetrator = str(report.alleged_perpetrators[0].person_id)
    warning = {"perpetrator_person_id": perpetrator, "kind": "tenancy_warning"}
    assert (await post("/perpetrator-actions", warning, status=409))["code"] == (
        "wishes_not_recorded"
    )
    await post(
        "/wishes",
        {"wanted_actions": ["tenancy_warning"], "unwanted_actions": ["information_to_police"]},
        status=201,
    )
    await post("/perpetrator-actions", warning, status=201)
    police = {"perpetrator_person_id": perpetrator, "kind": "information_to_police"}
    assert (await post("/perpetrator-actions", police, status=409))["code"] == (
        "against_survivor_wishes"
    )
    override = {
        **police,
        "override": {"reason": "safeguarding_child", "explanation": "Child at risk"},
    }
    assert (await post("/perpetrator-actions", override, status=403))["code"] == "manager_only"
    await post("/perpetrator-actions", override, headers=lead, status=201)

    reviewed = await post("/reviews", {"outcome": "continue"}, headers=lead, status=201)
    assert reviewed["next_review_due_at"] == "2025-04-07T09:00:00+00:00"

    await post("/closure-request", {"reason": "survivor_safe_support_in_place"}, status=201)
    declined = await post(
        "/closure-decision", {"decision": "decline", "reason": "Wait a week"}, headers=lead
    )
    assert declined["status"] == "open"
    await post("/closure-request", {"reason": "survivor_safe_support_in_place"}, status=201)
    closed = await post(
        "/closure-decision",
        {"decision": "approve", "survivor_feedback": {"feels_safer": True, "rating": "satisfied"}},
        headers=lead,
    )
    assert closed["status"] == "closed"
    assert (await post("/wishes", {}, status=409))["code"] == "case_closed"

    reopened = await post("/reopening", {"reason": "survivor_request"})
    assert reopened["status"] == "open"

    detail = (await cases.client.get(case, headers=cm)).json()
    assert detail["status"] == "open" and detail["episode"] == 2
    assert detail["closure"]["closed"] is None
    kinds = [(d["kind"], d["status"]) for d in detail["deadlines"]]
    assert ("contact", "met") in kinds and ("contact", "due") in kinds
    timeline = detail["timeline"]
    assert [t["stream_version"] for t in timeline] == list(range(1, len(timeline) + 1))
    by_event = {t["event"]: t for t in timeline}
    assert by_event["SurvivorContacted"]["actor"] == {"id": manager, "role": "case_manager"}
    assert by_event["CaseClosed"]["actor"] == {"id": "dalead-0001", "role": "manager"}
    assert by_event["CaseClosed"]["data"]["approved_by"] == "dalead-0001"
    assert by_event["CaseOpened"]["occurred_at"] == "2025-03-07T16:31:00+00:00"


async def test_a_call_goes_only_to_a_safe_number_and_records_it(
    cases, new_case, clock, case_events
) -> None:
    report, manager = await new_case(cases)
    case = f"/cases/{report.case_id}"
    cm = cases.auth(manager, Role.CASE_MANAGER)
    clock.set(datetime(2025, 3, 10, 10, 0, tzinfo=UTC))  # Monday 10:00
    safe = {
        "safe_to_call": True,
        "safe_to_text": False,
        "safe_to_email": False,
        "safe_to_write": False,
        "safe_to_visit": False,
        "safe_phone_numbers": ["07700 900456"],
        "withheld_number_only": False,
        "never_leave_voicemail": True,
        "interpreter_needed": False,
        "safe_people_to_speak_to": ["Chris Example"],
    }
    response = await cases.client.post(f"{case}/safe-contact", json=safe, headers=cm)
    assert response.status_code == 200, response.text
    before = len(await case_events(cases, report.case_id))

    unsafe = await cases.client.post(
        f"{case}/contact-attempts",
        json={
            "method": "call",
            "outcome": "no_answer",
            "message_left": False,
            "phone_number": "07700 900999",
            "happened_at": MONDAY_10,
        },
        headers=cm,
    )
    assert unsafe.status_code == 409
    assert unsafe.json()["code"] == "unsafe_number"
    assert "900999" not in unsafe.text
    not_answered_by_anyone = await cases.client.post(
        f"{case}/contact-attempts",
        json={
            "method": "call",
            "outcome": "no_answer",
            "spoke_to": "Chris Example",
            "happened_at": MONDAY_10,
        },
        headers=cm,
    )
    assert not_answered_by_anyone.status_code == 422
    assert "Chris" not in not_answered_by_anyone.text
    assert len(await case_events(cases, report.case_id)) == before  # nothing appended

    safe_call = await cases.client.post(
        f"{case}/contacts",
        json={"method": "call", "phone_number": "+44 7700 900456", "happened_at": MONDAY_10},
        headers=cm,
    )
    assert safe_call.status_code == 201, safe_call.text
    [written] = (await case_events(cases, report.case_id))[before:]
    assert written.event_name == "SurvivorContacted"
    assert written.payload["phone_number"] == "+44 7700 900456"


async def test_closure_requests_awaiting_a_decision_are_listed_for_managers(
    cases, new_case, all_listed, case_events
) -> None:
    waiting, waiting_manager = await new_case(cases)
    other, _ = await new_case(cases)
    asked = await cases.client.post(
        f"/cases/{waiting.case_id}/closure-request",
        json={"reason": "survivor_moved"},
        headers=cases.auth(waiting_manager, Role.CASE_MANAGER),
    )
    assert asked.status_code == 201, asked.text
    lead = cases.auth(*MANAGER)
    rows = {c["case_id"]: c for c in await all_listed(cases, lead, "closure_requested=true")}
    assert str(waiting.case_id) in rows
    assert str(other.case_id) not in rows
    # Who asked, when and why come with the row: no case to read for them.
    request = rows[str(waiting.case_id)]["closure_request"]
    [event] = [
        e
        for e in await case_events(cases, waiting.case_id)
        if e.event_name == "CaseClosureRequested"
    ]
    assert request == {
        "requested_by": waiting_manager,
        "requested_at": event.payload["requested_at"].replace("Z", "+00:00"),
        "reason": "survivor_moved",
        "has_notes": False,
    }
    everyone = {c["case_id"]: c for c in await all_listed(cases, lead, "status=open")}
    assert everyone[str(other.case_id)]["closure_request"] is None

    decided = await cases.client.post(
        f"/cases/{waiting.case_id}/closure-decision", json={"decision": "approve"}, headers=lead
    )
    assert decided.status_code == 200, decided.text
    listed = {c["case_id"] for c in await all_listed(cases, lead, "closure_requested=true")}
    assert str(waiting.case_id) not in listed


async def test_a_manager_cannot_approve_a_closure_they_asked_for(cases, new_case) -> None:
    report, _ = await new_case(cases)
    case = f"/cases/{report.case_id}"
    lead = cases.auth(*MANAGER)
    asked = await cases.client.post(
        f"{case}/closure-request", json={"reason": "survivor_moved"}, headers=lead
    )
    assert asked.status_code == 201
    own = await cases.client.post(
        f"{case}/closure-decision", json={"decision": "approve"}, headers=lead
    )
    assert (own.status_code, own.json()["code"]) == (409, "own_closure_request")
    other = await cases.client.post(
        f"{case}/closure-decision",
        json={"decision": "approve"},
        headers=cases.auth(*SECOND_MANAGER),
    )
    assert other.status_code == 200


async def test_case_managers_list_their_own_cases_and_managers_all(
    cases, new_case, all_listed
) -> None:
    first, first_manager = await new_case(cases)
    second, second_manager = await new_case(cases)
    own = await all_listed(cases, cases.auth(first_manager, Role.CASE_MANAGER))
    assert str(first.case_id) in {c["case_id"] for c in own}
    assert {c["case_manager_id"] for c in own} == {first_manager}
    lead = cases.auth(*MANAGER)
    everyone = await all_listed(cases, lead, "status=open")
    assert {str(first.case_id), str(second.case_id)} <= {c["case_id"] for c in everyone}
    filtered = await all_listed(cases, lead, f"case_manager_id={second_manager}")
    assert {c["case_manager_id"] for c in filtered} == {second_manager}
    assert str(second.case_id) in {c["case_id"] for c in filtered}
    row = next(c for c in everyone if c["case_id"] == str(first.case_id))
    assert [d["kind"] for d in row["deadlines"]] == ["contact", "dash", "review"]
    assert [d["status"] for d in row["deadlines"]] == ["due", "due", "due"]
    assert row["overdue"] is False
    assert "survivor" not in row and "permitted_staff_ids" not in row
    assert (await cases.client.get("/cases?limit=0", headers=lead)).status_code == 422
    assert (await cases.client.get("/cases?status=lost", headers=lead)).status_code == 422


async def test_caseloads_are_the_open_cases_of_each_case_manager(
    cases, new_case, all_listed
) -> None:
    _, manager = await new_case(cases)
    lead = cases.auth(*MANAGER)
    mine = cases.auth(manager, Role.CASE_MANAGER)
    assert (await cases.client.get("/cases/caseloads", headers=mine)).status_code == 403
    # Restricted cases are counted but not listed to this manager, and background
    # consumers may open other tests' cases between the two readings: so at least.
    listed = Counter(c["case_manager_id"] for c in await all_listed(cases, lead, "status=open"))
    answer = await cases.client.get("/cases/caseloads", headers=lead)
    assert answer.status_code == 200, answer.text
    loads = {r["case_manager_id"]: r["open_cases"] for r in answer.json()["caseloads"]}
    assert listed[manager] >= 1
    assert all(loads.get(staff_id, 0) >= count for staff_id, count in listed.items())
    counts = [r["open_cases"] for r in answer.json()["caseloads"]]
    assert counts == sorted(counts, reverse=True)


async def test_a_preferred_gender_asked_for_later_moves_the_case(cases, new_case) -> None:
    report, manager = await new_case(cases)
    wanted = "man" if manager != "cso-0002" else "woman"
    response = await cases.client.post(
        f"/cases/{report.case_id}/case-manager",
        json={"preferred_gender": wanted},
        headers=cases.auth(manager, Role.CASE_MANAGER),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["preference_met"] is True
    assert body["case_manager_id"] != manager
    detail = (
        await cases.client.get(f"/cases/{report.case_id}", headers=cases.auth(*MANAGER))
    ).json()
    assert detail["case_manager"]["gender"] == wanted
    assert detail["preferred_case_manager_gender"] == wanted
    assigned = [t for t in detail["timeline"] if t["event"] == "CaseManagerAssigned"][-1]
    assert assigned["data"]["previous_staff_id"] == manager

    named = await cases.client.post(
        f"/cases/{report.case_id}/case-manager",
        json={"staff_id": manager},
        headers=cases.auth(*MANAGER),
    )
    assert (named.status_code, named.json()["code"]) == (409, "preferred_gender_not_matched")


async def test_perpetrator_action_needs_the_survivors_agreement_or_an_override(
    cases, new_case
) -> None:
    report, manager = await new_case(cases)
    case = f"/cases/{report.case_id}"
    cm = cases.auth(manager, Role.CASE_MANAGER)
    lead = cases.auth(*MANAGER)
    perpetrator = str(report.alleged_perpetrators[0].person_id)
    possession = {"perpetrator_person_id": perpetrator, "kind": "possession"}

    # Wishes recorded, nothing unwanted, nothing wanted: no objection is not agreement.
    recorded = await cases.client.post(f"{case}/wishes", json={}, headers=cm)
    assert recorded.status_code == 201, recorded.text
    refused = await cases.client.post(f"{case}/perpetrator-actions", json=possession, headers=cm)
    assert (refused.status_code, refused.json()["code"]) == (409, "survivor_not_agreed")

    override = {"reason": "safeguarding_child", "explanation": "A child is at risk"}
    taken = await cases.client.post(
        f"{case}/perpetrator-actions", json={**possession, "override": override}, headers=lead
    )
    assert taken.status_code == 201, taken.text

    await cases.client.post(f"{case}/wishes", json={"wanted_actions": ["possession"]}, headers=cm)
    agreed = await cases.client.post(f"{case}/perpetrator-actions", json=possession, headers=cm)
    assert agreed.status_code == 201, agreed.text

    actions = (await cases.client.get(case, headers=lead)).json()["perpetrator_actions"]
    assert [(a["survivor_agreed"], a["override"] is not None) for a in actions] == [
        (False, True),
        (True, False),
    ]


async def test_an_unmet_gender_preference_shows_is_listed_and_is_honoured(
    cases, new_case, all_listed
) -> None:
    # Nobody on the roster is non-binary: the case gets a case manager, preference unmet.
    report, manager = await new_case(cases, preferred_case_manager_gender="non_binary")
    case = f"/cases/{report.case_id}"
    lead = cases.auth(*MANAGER)
    detail = (await cases.client.get(case, headers=lead)).json()
    assert detail["preferred_case_manager_gender"] == "non_binary"
    assert (detail["preference_met"], detail["preference_unmet"]) == (False, True)

    unmet = await all_listed(cases, lead, "status=open&preference_unmet=true")
    assert str(report.case_id) in {c["case_id"] for c in unmet}
    assert all(c["preference_unmet"] is True for c in unmet)
    met = await all_listed(cases, lead, "preference_unmet=false")
    assert str(report.case_id) not in {c["case_id"] for c in met}

    other = next(s for s in ("cso-0001", "cso-0002", "cso-0003") if s != manager)
    refused = await cases.client.post(
        f"{case}/case-manager", json={"staff_id": other}, headers=lead
    )
    assert (refused.status_code, refused.json()["code"]) == (409, "preferred_gender_not_matched")

    # The survivor withdraws the preference: anyone may now take the case.
    moved = await cases.client.post(
        f"{case}/case-manager",
        json={"staff_id": other, "withdraw_preference": True},
        headers=lead,
    )
    assert moved.status_code == 200, moved.text
    assert (moved.json()["case_manager_id"], moved.json()["preference_unmet"]) == (other, False)
    detail = (await cases.client.get(case, headers=lead)).json()
    assert detail["preferred_case_manager_gender"] is None
    assert detail["preference_unmet"] is False
    unmet = await all_listed(cases, lead, "preference_unmet=true")
    assert str(report.case_id) not in {c["case_id"] for c in unmet}
    contradiction = await cases.client.post(
        f"{case}/case-manager",
        json={"preferred_gender": "woman", "withdraw_preference": True},
        headers=lead,
    )
    assert contradiction.status_code == 422
    assert contradiction.json()["errors"][0]["field"] == "withdraw_preference"


async def test_a_reported_damaged_home_has_its_repair_due_from_the_report(
    cases, new_case, clock
) -> None:
    report, manager = await new_case(cases, home_damaged_safety_at_risk=True)
    case = f"/cases/{report.case_id}"
    cm = cases.auth(manager, Role.CASE_MANAGER)
    due = "2025-03-08T16:30:00+00:00"  # 24 elapsed hours after Friday 16:30
    detail = (await cases.client.get(case, headers=cm)).json()
    [awaited] = detail["reported_damage"]
    assert awaited["report_id"] == str(report.report_id) and awaited["raised"] is False
    [deadline] = [d for d in detail["deadlines"] if d["kind"] == "emergency_repair"]
    assert (deadline["ref"], deadline["due_at"]) == (awaited["repair_id"], due)

    clock.set(datetime(2025, 3, 8, 8, 30, tzinfo=UTC))  # typed in on Saturday morning
    raised = await cases.client.post(
        f"{case}/repairs", json={"kind": "locks", "description": "Lock forced"}, headers=cm
    )
    assert raised.status_code == 201, raised.text
    body = raised.json()
    assert (body["repair_id"], body["due_at"]) == (awaited["repair_id"], due)
    assert body["report_id"] == str(report.report_id)

    clock.set(datetime(2025, 3, 8, 12, 0, tzinfo=UTC))
    done = await cases.client.post(
        f"{case}/repairs/{body['repair_id']}/completion", json={}, headers=cm
    )
    assert (done.status_code, done.json()["late"]) == (200, False)
    detail = (await cases.client.get(case, headers=cm)).json()
    [deadline] = [d for d in detail["deadlines"] if d["kind"] == "emergency_repair"]
    assert deadline["status"] == "met" and deadline["starts_at"] == "2025-03-07T16:30:00+00:00"
