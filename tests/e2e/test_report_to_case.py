"""From a resident's web-form report to a managed case whose deadlines cannot be missed.

intake and cases run together on real Kafka and PostgreSQL, sharing one controllable
clock; they learn about each other only through `hearth.intake.events`.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hearth.cases.service import SPEC as CASES
from hearth.contracts.envelope import Envelope, Role
from hearth.contracts.topics import CASES_EVENTS
from hearth.eventstore.clock import ControllableClock
from hearth.eventstore.testing.kafka import read_to_end
from hearth.eventstore.testing.service import RunningService, fresh_schema
from hearth.eventstore.testing.waiting import eventually
from hearth.intake.service import SPEC as INTAKE

pytestmark = pytest.mark.integration

# A Friday afternoon in winter (London is on GMT): first contact is due Monday 16:30,
# the DASH Tuesday 16:30 (DOMAIN.md's worked example).
REPORTED = datetime(2026, 11, 27, 16, 30, tzinfo=UTC)
CONTACT_DUE = datetime(2026, 11, 30, 16, 30, tzinfo=UTC)
DASH_DUE = datetime(2026, 12, 1, 16, 30, tzinfo=UTC)
MANAGER = ("dalead-0001", Role.MANAGER)

Start = Callable[..., AbstractAsyncContextManager[RunningService]]
"""The `start` fixture (tests/e2e/conftest.py)."""


async def _until(probe: Callable[[], Awaitable[Any]], what: str, timeout: float = 60) -> Any:
    return await eventually(probe, timeout=timeout, what=what)


async def _submit_web_form(intake: RunningService) -> str:
    """Fill and send the confidential form as a browser without JavaScript would."""
    form = await intake.client.get("/report")
    token = re.search(r'name="idempotency_token" value="([0-9a-f]{32})"', form.text)
    assert token, "the form carries its idempotency token"
    answers = {
        "idempotency_token": token.group(1),
        "reporter": "self",
        "survivor_name": "Robin Example",
        "account": "My partner checks my phone and will not let me see my family.",
        "abuse_types": ["controlling_or_coercive"],
        "immediate_danger": "no",
        "contact_methods": ["call"],
        "safe_phone": f"07700 9{uuid.uuid4().int % 100000:05d}",
        "safe_days": ["monday", "tuesday", "wednesday", "thursday", "friday"],
        "safe_from": "09:00",
        "safe_to": "17:00",
        "voicemail": "no",
        "consent": "yes",
        "case_manager_gender": "woman",
        "children": "no",
    }
    sent = await intake.client.post("/report", data=answers)
    assert sent.status_code == 303, sent.text
    report_id = sent.headers["location"].rsplit("/", 1)[-1]
    confirmation = await intake.client.get(sent.headers["location"])
    assert confirmation.status_code == 200
    assert "Robin Example" not in confirmation.text
    return report_id


async def _case_of_report(intake: RunningService, report_id: str) -> str:
    [received, linked] = await intake.runtime.event_store.read_stream(f"report-{report_id}")
    assert received.event_name == "ReportReceived"
    assert linked.event_name == "ReportLinkedToCase"
    assert received.subject == linked.subject == received.payload["case_id"]
    return received.payload["case_id"]


async def _case(cases: RunningService, case_id: str, who: tuple[str, Role] = MANAGER) -> Any:
    response = await cases.client.get(f"/cases/{case_id}", headers=cases.auth(*who))
    return response.json() if response.status_code == 200 else None


def _events(view: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [entry for entry in view["timeline"] if entry["event"] == name]


async def _on_kafka(bootstrap: str, topic: str, case_id: str, name: str, expect: int) -> Any:
    records = await read_to_end(bootstrap, topic)
    found = [
        e
        for e in (Envelope.from_kafka(r.key, r.value, list(r.headers)) for r in records)
        if e.subject == case_id and e.event_name == name
    ]
    if len(found) < expect:
        return []
    return found


async def test_a_web_form_report_becomes_a_case_whose_missed_deadlines_are_recorded_once(
    start: Start, kafka_bootstrap: str, topic: Callable[[str], str]
) -> None:
    clock = ControllableClock(REPORTED)
    cases_schema = fresh_schema("cases")
    async with start(INTAKE, clock) as intake:
        async with start(CASES, clock, cases_schema) as cases:
            report_id = await _submit_web_form(intake)
            case_id = await _case_of_report(intake, report_id)

            view = await _until(lambda: _case(cases, case_id), "the case to open")
            assert view["status"] == "open"
            assert view["channel"] == "web_form"
            assert view["report_ids"] == [report_id]
            assert view["case_manager"]["gender"] == "woman"  # the survivor's preference
            due = {d["kind"]: datetime.fromisoformat(d["due_at"]) for d in view["deadlines"]}
            assert due["contact"] == CONTACT_DUE
            assert due["dash"] == DASH_DUE
            opened = _events(view, "CaseOpened")[0]
            assert opened["causation_id"] is not None  # it names the report that caused it
            # The survivor is flagged (this report names no alleged perpetrator to flag).
            assert [f["kind"] for f in view["flags"]] == ["potentially_vulnerable"]

            # Monday 16:31: nobody has reached the survivor.
            clock.set(CONTACT_DUE + timedelta(minutes=1))
            view = await _until(
                lambda: _only_if(_case(cases, case_id), "ContactOverdue"), "ContactOverdue"
            )
            await asyncio.sleep(1.0)  # many scheduler rounds: still only one
            view = await _case(cases, case_id)
            assert len(_events(view, "ContactOverdue")) == 1
            assert view["overdue"] is True

        # cases is down when the DASH falls due, and comes back afterwards.
        clock.set(DASH_DUE + timedelta(hours=2))
        async with start(CASES, clock, cases_schema) as cases:
            view = await _until(
                lambda: _only_if(_case(cases, case_id), "DashOverdue"), "DashOverdue"
            )
            await asyncio.sleep(1.0)
            view = await _case(cases, case_id)
            assert len(_events(view, "DashOverdue")) == 1
            assert len(_events(view, "ContactOverdue")) == 1

        # Started once more: still once each, and other services see exactly one of each
        # on Kafka, keyed by the case (whatever was stored is published while it runs).
        async with start(CASES, clock, cases_schema) as cases:
            await asyncio.sleep(1.0)
            view = await _case(cases, case_id)
            assert len(_events(view, "DashOverdue")) == 1
            cases_topic = topic(CASES_EVENTS)
            for name in ("ContactOverdue", "DashOverdue"):
                published = await _until(
                    lambda name=name: _on_kafka(kafka_bootstrap, cases_topic, case_id, name, 1),
                    f"{name} on Kafka",
                )
                assert len(published) == 1
                assert published[0].subject == case_id


async def _only_if(view: Awaitable[Any], name: str) -> Any:
    found = await view
    return found if found and _events(found, name) else None


async def test_a_case_about_a_member_of_staff_is_invisible_to_everyone_not_named(
    start: Start,
) -> None:
    clock = ControllableClock(REPORTED)
    async with start(INTAKE, clock) as intake, start(CASES, clock) as cases:
        body = {
            "channel": "in_person",
            "reporter": {"kind": "survivor"},
            "survivor": {
                "name": "Dana Colleague",
                "phone": f"07700 8{uuid.uuid4().int % 100000:05d}",
                "is_staff_member": True,
                "staff_id": "hr-0099",
            },
            "abuse_types": ["controlling_or_coercive"],
            "immediate_danger": False,
            "account": "My partner follows me to work.",
        }
        sent = await intake.client.post(
            "/reports", json=body, headers=intake.auth("intake-0007", Role.INTAKE)
        )
        assert sent.status_code == 202, sent.text
        case_id = sent.json()["case_id"]

        view = await _until(lambda: _case(cases, case_id), "the restricted case to open")
        named = set(view["restriction"]["permitted_staff_ids"])
        manager = view["case_manager"]["staff_id"]
        assert manager in named

        outsider = ("cso-9999", Role.CASE_MANAGER)
        assert outsider[0] not in named
        refused = await cases.client.get(f"/cases/{case_id}", headers=cases.auth(*outsider))
        assert refused.status_code == 404
        listed = await cases.client.get("/cases", headers=cases.auth(*outsider))
        assert case_id not in {row["case_id"] for row in listed.json()["cases"]}
        by_staff_member = await cases.client.get(
            f"/cases/{case_id}", headers=cases.auth("hr-0099", Role.CASE_MANAGER)
        )
        assert by_staff_member.status_code == 404  # the person involved never sees it

        granted = await cases.client.get(
            f"/cases/{case_id}", headers=cases.auth(manager, Role.CASE_MANAGER)
        )
        assert granted.status_code == 200
        reads = _events(granted.json(), "RestrictedCaseRead")
        by_whom = {(r["data"]["staff_id"], r["data"]["access_granted"]) for r in reads}
        assert ("cso-9999", False) in by_whom
        assert ("hr-0099", False) in by_whom
        assert (MANAGER[0], True) in by_whom  # the manager's own reads while waiting above


async def _staff_report(intake: RunningService, body: dict[str, Any]) -> dict[str, Any]:
    sent = await intake.client.post(
        "/reports", json=body, headers=intake.auth("intake-0007", Role.INTAKE)
    )
    assert sent.status_code == 202, sent.text
    answer: dict[str, Any] = sent.json()
    return answer


def _body(survivor: dict[str, Any], perpetrators: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "channel": "phone",
        "reporter": {"kind": "survivor"},
        "survivor": survivor,
        "alleged_perpetrators": perpetrators,
        "abuse_types": ["physical"],
        "immediate_danger": False,
        "account": "He pushed me down the stairs.",
    }


async def _linked_to(cases: RunningService, case_id: str, other: str) -> Any:
    view = await _case(cases, case_id)
    return view if view and other in {c["case_id"] for c in view["linked_cases"]} else None


async def test_each_survivor_gets_her_own_case_linked_to_the_others(start: Start) -> None:
    clock = ControllableClock(REPORTED)
    unique = uuid.uuid4().int
    alex_phone = f"07700 7{unique % 100000:05d}"
    sam = {
        "name": "Sam Sample",
        "phone": f"07700 6{unique // 100000 % 100000:05d}",
        "relationship_to_survivor": "intimate_partner",
    }
    alex = {"name": "Alex Example", "date_of_birth": "1990-05-17", "phone": alex_phone}
    async with start(INTAKE, clock) as intake, start(CASES, clock) as cases:
        alexs = await _staff_report(intake, _body(alex, [sam]))
        alex_case = alexs["case_id"]
        await _until(lambda: _case(cases, alex_case), "Alex's case to open")

        # Robin names the same alleged perpetrator: her own case, linked to Alex's.
        robin = {"name": "Robin Other", "phone": f"07700 5{unique % 100000:05d}"}
        robins = await _staff_report(intake, _body(robin, [sam]))
        robin_case = robins["case_id"]
        assert robin_case != alex_case
        robin_view = await _until(
            lambda: _linked_to(cases, robin_case, alex_case), "Robin's case linked"
        )
        alex_view = await _until(
            lambda: _linked_to(cases, alex_case, robin_case), "Alex's case linked"
        )
        assert robin_view["survivor"]["name"] == "Robin Other"
        for view in (robin_view, alex_view):
            [sam_here] = view["alleged_perpetrators"]
            sams = sam_here["person_id"]
            reasons = [f["reason"] for f in view["flags"] if f["person_id"] == sams]
            assert any("more than one survivor" in reason for reason in reasons)
            assert [d["kind"] for d in view["deadlines"] if d["kind"] == "contact"] == ["contact"]

        # Bea gives Alex's phone number: her own case, with Alex's as a candidate.
        beas = await _staff_report(intake, _body({"name": "Bea Other", "phone": alex_phone}, []))
        bea_case = beas["case_id"]
        assert bea_case not in {alex_case, robin_case}
        bea_view = await _until(lambda: _linked_to(cases, bea_case, alex_case), "Bea's candidate")
        [candidate] = bea_view["linked_cases"]
        assert candidate["basis"] == "possibly_same_survivor"
        assert candidate["needs_confirming"] is True
        assert candidate["conflicting_details"] == ["name"]
        alex_view = await _until(
            lambda: _linked_to(cases, alex_case, bea_case), "the candidate on Alex's case"
        )
        assert alex_view["survivor"]["name"] == "Alex Example"
        assert alex_view["report_ids"] == [alexs["report_id"]]

        # Alex again: her own case, as before.
        alex_again = {"name": "Alex Example", "phone": alex_phone}
        again = await _staff_report(intake, _body(alex_again, []))
        assert again["case_id"] == alex_case
        assert again["link"]["basis"] == "same_survivor"
        await _until(
            lambda: _has_report(cases, alex_case, again["report_id"]), "Alex's further report"
        )


async def _has_report(cases: RunningService, case_id: str, report_id: str) -> Any:
    view = await _case(cases, case_id)
    return view if view and report_id in view["report_ids"] else None
