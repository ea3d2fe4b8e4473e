"""MARAC through HTTP on real Kafka and PostgreSQL: a high-risk DASH makes a referral
due, the caseworker refers, the referral is published and printable, and an action that
passes its due date is recorded overdue exactly once, across a restart too."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from html import escape
from typing import Any

import pytest

from hearth.contracts.envelope import Role
from hearth.contracts.topics import REFERRALS_EVENTS
from hearth.eventstore.clock import ControllableClock
from hearth.eventstore.testing.kafka import read_topic
from hearth.eventstore.testing.service import RunningService

pytestmark = pytest.mark.integration


async def test_a_high_risk_dash_to_a_referral_heard_and_an_overdue_action(
    start_referrals: Callable[..., Any],
    cases: Any,
    risk_service: Any,
    high_risk_yes: int,
    clock: ControllableClock,
    stream: Callable[..., Awaitable[list[Any]]],
    eventually: Callable[..., Awaitable[Any]],
    known_case: Callable[..., Awaitable[Any]],
    kafka_bootstrap: str,
    topic: Callable[[str], str],
) -> None:
    async with start_referrals() as referrals:
        schema = referrals.runtime.schema
        case_id, referral_id, action_id = await _refer_and_hear(
            referrals,
            cases,
            risk_service,
            high_risk_yes,
            stream,
            eventually,
            known_case,
            kafka_bootstrap,
            topic,
            clock,
        )

    async def overdue_events(service: RunningService) -> list[Any]:
        history = await stream(service, case_id)
        return [e for e in history if e.event_name == "MaracActionOverdue"]

    # The due date passes while the service is down; two instances start on the same
    # database at once: exactly one overdue, and none more however often they sweep.
    clock.set(datetime(2025, 3, 12, 9, 0, tzinfo=UTC))
    async with start_referrals(schema=schema) as one, start_referrals(schema=schema) as two:
        [overdue] = await eventually(lambda: overdue_events(one), what="the action overdue")
        assert overdue.payload["action_id"] == action_id
        clock.set(datetime(2025, 3, 14, 9, 0, tzinfo=UTC))
        await asyncio.sleep(1.0)
        assert len(await overdue_events(two)) == 1

        cm = one.auth("cso-0001", Role.CASE_MANAGER)
        view = (await one.client.get(f"/cases/{case_id}/referrals", headers=cm)).json()
        assert [a["action_id"] for a in view["overdue_actions"]] == [action_id]
        manager = one.auth("dalead-0001", Role.MANAGER)
        listed = await one.client.get("/marac/actions?overdue=true", headers=manager)
        assert action_id in [a["action_id"] for a in listed.json()["actions"]]
        outstanding = await one.client.get("/marac/actions?completed=false", headers=manager)
        assert action_id in [a["action_id"] for a in outstanding.json()["actions"]]

        completed = await one.client.post(
            f"/cases/{case_id}/marac-referrals/{referral_id}/actions/{action_id}/completion",
            json={},
            headers=cm,
        )
        assert completed.status_code == 200, completed.text
        assert completed.json()["action"]["completed_at"] is not None
        assert len(await overdue_events(two)) == 1
        outstanding = await one.client.get("/marac/actions?completed=false", headers=manager)
        assert action_id not in [a["action_id"] for a in outstanding.json()["actions"]]
        done = await one.client.get("/marac/actions?completed=true", headers=manager)
        assert action_id in [a["action_id"] for a in done.json()["actions"]]


async def _refer_and_hear(
    referrals: RunningService,
    cases: Any,
    risk_service: Any,
    high_risk_yes: int,
    stream: Callable[..., Awaitable[list[Any]]],
    eventually: Callable[..., Awaitable[Any]],
    known_case: Callable[..., Awaitable[Any]],
    kafka_bootstrap: str,
    topic: Callable[[str], str],
    clock: ControllableClock,
) -> tuple[uuid.UUID, str, str]:
    """A high-risk DASH, the referral due, the referral made, published, printable,
    listed and heard with an action due the next day; its overdue not yet recorded."""
    cm = referrals.auth("cso-0001", Role.CASE_MANAGER)
    opened = cases.opened()
    case_id = opened.case_id
    await cases.send(case_id, opened, cases.safe_contact(case_id))
    assessment = risk_service.dash(case_id, high_risk_yes)
    await risk_service.send(assessment)

    # The DASH makes a MARAC referral due: decided by the service, shown, not sent.
    async def due() -> Any:
        history = await stream(referrals, case_id)
        return [e for e in history if e.event_name == "MaracReferralDue"]

    [decided] = await eventually(due, what="a MARAC referral due")
    assert decided.payload["criteria"] == ["visible_high_risk"]
    assert decided.payload["assessment_id"] == str(assessment.assessment_id)
    shown = await known_case(referrals, case_id, cm)
    assert shown["marac_referral_due"]["criteria"] == ["visible_high_risk"]

    # The caseworker refers; the rest is filled from what is known.
    answer = await referrals.client.post(
        f"/cases/{case_id}/marac-referrals",
        json={"marac_area": "Example District MARAC", "survivor_informed": True},
        headers=cm,
    )
    assert answer.status_code == 201, answer.text
    referral_id = answer.json()["referral_id"]
    assert answer.json()["criteria"] == ["visible_high_risk"]

    published = await read_topic(
        kafka_bootstrap,
        topic(REFERRALS_EVENTS),
        expect=2,
        # The caseworker's reads of the case are records too (`ReferralRecordRead`).
        match=lambda r: (
            r.key == str(case_id).encode()
            and not dict(r.headers)["ce_type"].endswith(b".ReferralRecordRead.v1")
        ),
        timeout=30,
    )
    types = [dict(r.headers)["ce_type"].decode() for r in published]
    assert "hearth.referrals.MaracReferred.v1" in types

    document = await referrals.client.get(
        f"/cases/{case_id}/marac-referrals/{referral_id}/document", headers=cm
    )
    assert document.status_code == 200
    assert document.headers["content-type"].startswith("text/html")
    assert document.headers["cache-control"] == "no-store"
    html = document.text
    assert "07700 900456" in html and "07700 900123" not in html
    assert f"{len(assessment.answers)} of {assessment.question_count} questions" in html
    # Each answer beside its number and the question as risk worded it, escaped.
    for a in assessment.answers:
        cells = f"<td>{a.question}</td><td>{escape(a.wording)}</td><td>{a.answer.value}</td>"
        assert cells in html
    assert "<got>" not in html

    # Listed, heard with an action due the next day.
    listed = await referrals.client.post(
        f"/cases/{case_id}/marac-referrals/{referral_id}/listing",
        json={"meeting_date": "2025-03-10"},
        headers=cm,
    )
    assert listed.status_code == 200, listed.text
    heard = await referrals.client.post(
        f"/cases/{case_id}/marac-referrals/{referral_id}/hearing",
        json={
            "heard_on": "2025-03-10",
            "actions": [
                {
                    "description": "Fit a fire-safe letterbox.",
                    "owner_agency": "Example Homes",
                    "landlord_action": True,
                    "owner_staff_id": "cso-0001",
                    "due_on": "2025-03-11",
                }
            ],
        },
        headers=cm,
    )
    assert heard.status_code == 200, heard.text
    [action_id] = heard.json()["action_ids"]

    clock.set(datetime(2025, 3, 11, 20, 0, tzinfo=UTC))  # still the due day in London
    await asyncio.sleep(0.5)
    history = await stream(referrals, case_id)
    assert [e for e in history if e.event_name == "MaracActionOverdue"] == []
    return case_id, referral_id, action_id


async def test_no_criterion_no_referral_unless_professional_judgement(
    referrals: RunningService,
    cases: Any,
    known_case: Callable[..., Awaitable[Any]],
) -> None:
    cm = referrals.auth("cso-0001", Role.CASE_MANAGER)
    opened = cases.opened()
    await cases.send(opened.case_id, opened)
    await known_case(referrals, opened.case_id, cm)

    refused = await referrals.client.post(
        f"/cases/{opened.case_id}/marac-referrals",
        json={"marac_area": "Example District MARAC", "survivor_informed": True},
        headers=cm,
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "no_marac_criteria"

    judged = await referrals.client.post(
        f"/cases/{opened.case_id}/marac-referrals",
        json={
            "marac_area": "Example District MARAC",
            "survivor_informed": False,
            "survivor_not_informed_reason": "Telling her now would not be safe.",
            "professional_judgement_reason": "Threats to kill after separation.",
        },
        headers=cm,
    )
    assert judged.status_code == 201, judged.text
    assert judged.json()["criteria"] == ["professional_judgement"]


async def test_an_unknown_case_is_not_found(referrals: RunningService) -> None:
    cm = referrals.auth("cso-0001", Role.CASE_MANAGER)
    answer = await referrals.client.get(f"/cases/{uuid.uuid4()}/referrals", headers=cm)
    assert answer.status_code == 404


async def test_a_new_case_repeating_a_referred_one_is_a_repeat(
    referrals: RunningService,
    cases: Any,
    stream: Callable[..., Awaitable[list[Any]]],
    eventually: Callable[..., Awaitable[Any]],
    known_case: Callable[..., Awaitable[Any]],
    clock: ControllableClock,
) -> None:
    cm = referrals.auth("cso-0001", Role.CASE_MANAGER)
    first = cases.opened()
    await cases.send(first.case_id, first)
    await known_case(referrals, first.case_id, cm)
    referred = await referrals.client.post(
        f"/cases/{first.case_id}/marac-referrals",
        json={
            "marac_area": "Example District MARAC",
            "survivor_informed": True,
            "professional_judgement_reason": "Threats to kill.",
        },
        headers=cm,
    )
    assert referred.status_code == 201, referred.text

    # Months later cases opens a new case about the same people, as a repeat of the first.
    later = datetime(2025, 9, 1, 10, 0, tzinfo=UTC)
    clock.set(later)
    second = cases.opened(
        repeat_of_case_id=first.case_id,
        opened_at=later,
        reported_at=later,
        contact_due_at=datetime(2025, 9, 2, 10, 0, tzinfo=UTC),
        dash_due_at=datetime(2025, 9, 3, 10, 0, tzinfo=UTC),
    )
    await cases.send(second.case_id, second)

    async def due() -> Any:
        history = await stream(referrals, second.case_id)
        return [e for e in history if e.event_name == "MaracReferralDue"]

    [decided] = await eventually(due, what="a repeat MARAC referral due")
    assert decided.payload["criteria"] == ["repeat"]
    assert decided.payload["previous_marac_referral_id"] == referred.json()["referral_id"]
