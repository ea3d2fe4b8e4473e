"""From a report to a MARAC referral, with the DASH in between, across all four services.

intake, cases, risk and referrals run together on real Kafka and PostgreSQL, sharing one
controllable clock; they learn about each other only through the published topics.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, date, datetime, timedelta
from html import escape
from typing import Any

import pytest

from hearth.cases.service import SPEC as CASES
from hearth.contracts.envelope import Envelope, Role
from hearth.contracts.topics import REFERRALS_EVENTS
from hearth.eventstore.clock import ControllableClock
from hearth.eventstore.testing.kafka import read_to_end
from hearth.eventstore.testing.service import RunningService, fresh_schema
from hearth.eventstore.testing.waiting import eventually
from hearth.intake.service import SPEC as INTAKE
from hearth.referrals.domain.state import stream_id
from hearth.referrals.service import SPEC as REFERRALS
from hearth.risk.service import SPEC as RISK

pytestmark = pytest.mark.integration

# A Monday morning in winter: the DASH is due Wednesday 09:30 (2 working days).
REPORTED = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)
DASH_DUE = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)
MANAGER = ("dalead-0001", Role.MANAGER)

Start = Callable[..., AbstractAsyncContextManager[RunningService]]
"""The `start` fixture (tests/e2e/conftest.py)."""


async def _until(probe: Callable[[], Awaitable[Any]], what: str, timeout: float = 60) -> Any:
    return await eventually(probe, timeout=timeout, what=what)


async def _report(intake: RunningService) -> str:
    body = {
        "channel": "phone",
        "reporter": {"kind": "survivor"},
        "survivor": {
            "name": "Sam Example",
            "phone": f"07700 7{uuid.uuid4().int % 100000:05d}",
        },
        "alleged_perpetrators": [{"name": "Lee Example"}],
        "abuse_types": ["physical"],
        "immediate_danger": False,
        "account": "He said he would kill me if I left.",
    }
    sent = await intake.client.post(
        "/reports", json=body, headers=intake.auth("intake-0007", Role.INTAKE)
    )
    assert sent.status_code == 202, sent.text
    case_id: str = sent.json()["case_id"]
    return case_id


async def _get(service: RunningService, path: str, who: tuple[str, Role] = MANAGER) -> Any:
    response = await service.client.get(path, headers=service.auth(*who))
    return response.json() if response.status_code == 200 else None


async def _published(bootstrap: str, topic: str, case_id: str, name: str) -> list[Envelope]:
    records = await read_to_end(bootstrap, topic)
    envelopes = (Envelope.from_kafka(r.key, r.value, list(r.headers)) for r in records)
    return [e for e in envelopes if e.subject == case_id and e.event_name == name]


async def test_a_high_risk_dash_leads_to_a_marac_referral_filled_from_what_is_known(
    start: Start, kafka_bootstrap: str, topic: Callable[[str], str]
) -> None:
    clock = ControllableClock(REPORTED)
    referrals_schema = fresh_schema("referrals")
    async with (
        start(INTAKE, clock) as intake,
        start(CASES, clock) as cases,
        start(RISK, clock) as risk,
        start(REFERRALS, clock, referrals_schema) as referrals,
    ):
        case_id = await _report(intake)
        view = await _until(lambda: _get(cases, f"/cases/{case_id}"), "the case to open")
        manager = view["case_manager"]["staff_id"]
        caseworker = (manager, Role.CASE_MANAGER)
        assert {d["kind"]: d["status"] for d in view["deadlines"]}["dash"] == "due"

        # The DASH, question by question from the instrument risk offers: 14 yes.
        instrument = await _get(risk, "/instruments/dash-ric-24", caseworker)
        questions = [q["number"] for q in instrument["questions"]]
        threshold = instrument["visible_high_risk_at"]
        answers = [
            {"question": n, "answer": "yes" if i < threshold else "no"}
            for i, n in enumerate(questions)
        ]
        await _until(lambda: _get(risk, f"/cases/{case_id}/risk", caseworker), "risk to know")
        clock.set(REPORTED + timedelta(hours=3))
        recorded = await risk.client.post(
            f"/cases/{case_id}/assessments",
            json={"completed_at": clock.now().isoformat(), "answers": answers},
            headers=risk.auth(*caseworker),
        )
        assert recorded.status_code == 201, recorded.text
        assessed = recorded.json()
        assert (assessed["yes_count"], assessed["risk_level"]) == (threshold, "high")

        # cases shows the DASH deadline met, on time.
        async def dash_met() -> Any:
            case = await _get(cases, f"/cases/{case_id}")
            kinds = {d["kind"]: d for d in case["deadlines"]} if case else {}
            return case if kinds.get("dash", {}).get("status") == "met" else None

        await _until(dash_met, "cases to show the DASH deadline met")

        # referrals decided that a MARAC referral is due, and shows it; nothing is sent.
        async def due() -> Any:
            shown = await _get(referrals, f"/cases/{case_id}/referrals", caseworker)
            return shown if shown and shown.get("marac_referral_due") else None

        shown = await _until(due, "a MARAC referral due")
        assert "visible_high_risk" in shown["marac_referral_due"]["criteria"]
        referrals_topic = topic(REFERRALS_EVENTS)
        assert not await _published(kafka_bootstrap, referrals_topic, case_id, "MaracReferred")

        made = await referrals.client.post(
            f"/cases/{case_id}/marac-referrals",
            json={"marac_area": "West Kent", "survivor_informed": True},
            headers=referrals.auth(*caseworker),
        )
        assert made.status_code == 201, made.text
        referral_id = made.json()["referral_id"]

        async def on_the_bus() -> list[Envelope]:
            return await _published(kafka_bootstrap, referrals_topic, case_id, "MaracReferred")

        [referred] = await _until(on_the_bus, "MaracReferred on Kafka")
        assert "visible_high_risk" in referred.payload["criteria"]
        assert referred.payload["assessment_id"] == assessed["assessment_id"]

        # The printable document carries the DASH answers, nothing typed twice.
        document = await referrals.client.get(
            f"/cases/{case_id}/marac-referrals/{referral_id}/document",
            headers=referrals.auth(*caseworker),
        )
        assert document.status_code == 200
        assert document.headers["content-type"].startswith("text/html")
        assert "Sam Example" in document.text
        # Each answer beside its number and the question as the instrument words it.
        wording = {q["number"]: q["text"] for q in instrument["questions"]}
        for answer in answers:
            n = answer["question"]
            cells = f"<td>{n}</td><td>{escape(wording[n])}</td><td>{answer['answer']}</td>"
            assert cells in document.text

        # Below-threshold referrals need consent: a police referral without it is refused,
        # and nothing is written.
        before = await referrals.runtime.event_store.read_stream(stream_id(uuid.UUID(case_id)))
        refused = await referrals.client.post(
            f"/cases/{case_id}/referrals",
            json={
                "referral_type": "police",
                "agency_name": "Kent Police",
                "sharing_basis": "consent",
                "information_shared": ["contact_details"],
            },
            headers=referrals.auth(*caseworker),
        )
        assert refused.status_code == 409, refused.text
        assert refused.json()["code"].startswith("consent")
        after = await referrals.runtime.event_store.read_stream(stream_id(uuid.UUID(case_id)))
        assert [e.event_name for e in before][-1] == "MaracReferred"
        assert len(after) == len(before)

        # The MARAC lists and hears the case; the landlord owns an action due Friday.
        listed = await referrals.client.post(
            f"/cases/{case_id}/marac-referrals/{referral_id}/listing",
            json={"meeting_date": "2026-12-03"},
            headers=referrals.auth(*caseworker),
        )
        assert listed.status_code in (200, 201), listed.text
        clock.set(datetime(2026, 12, 3, 15, 0, tzinfo=UTC))
        heard = await referrals.client.post(
            f"/cases/{case_id}/marac-referrals/{referral_id}/hearing",
            json={
                "heard_on": "2026-12-03",
                "actions": [
                    {
                        "description": "Fit new locks and a door chain",
                        "owner_agency": "Housing",
                        "landlord_action": True,
                        "owner_staff_id": manager,
                        "due_on": "2026-12-04",
                    }
                ],
            },
            headers=referrals.auth(*caseworker),
        )
        assert heard.status_code in (200, 201), heard.text
        [action_id] = heard.json()["action_ids"]

    # The action's due date passes while referrals is down; it comes back, then again:
    # exactly one MaracActionOverdue, on the stream and on the bus.
    clock.set(datetime(2026, 12, 7, 10, 0, tzinfo=UTC))
    for _ in range(2):
        async with start(REFERRALS, clock, referrals_schema) as referrals:

            async def overdue(service: RunningService = referrals) -> list[Any]:
                history = await service.runtime.event_store.read_stream(
                    stream_id(uuid.UUID(case_id))
                )
                return [e for e in history if e.event_name == "MaracActionOverdue"]

            await _until(overdue, "MaracActionOverdue")
            await asyncio.sleep(1.0)  # many scheduler rounds
            assert len(await overdue()) == 1
            shown = await _get(referrals, f"/cases/{case_id}/referrals", caseworker)
            assert [a["action_id"] for a in shown["overdue_actions"]] == [action_id]

    async def published_overdue() -> list[Envelope]:
        return await _published(kafka_bootstrap, referrals_topic, case_id, "MaracActionOverdue")

    [published] = await _until(published_overdue, "MaracActionOverdue on Kafka")
    assert published.payload["due_on"] == date(2026, 12, 4).isoformat()
