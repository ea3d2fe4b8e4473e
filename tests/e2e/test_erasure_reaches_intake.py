"""A case erased in cases is forgotten by intake: the survivor reported again gets a new case.

intake and cases run together on real Kafka and PostgreSQL; cases' erasure (a person's
request, approved by another manager) reaches intake only as `CaseErased`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hearth.cases.service import SPEC as CASES
from hearth.contracts.envelope import Role
from hearth.eventstore.clock import ControllableClock
from hearth.eventstore.testing.service import RunningService
from hearth.eventstore.testing.waiting import eventually
from hearth.intake.service import SPEC as INTAKE

pytestmark = pytest.mark.integration

Start = Callable[..., AbstractAsyncContextManager[RunningService]]
"""The `start` fixture (tests/e2e/conftest.py)."""

REPORTED = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
LEAD = ("dalead-0001", Role.MANAGER)
OTHER_LEAD = ("dalead-0002", Role.MANAGER)


def _report(tag: str, phone: str) -> dict[str, Any]:
    return {
        "channel": "phone",
        "reporter": {"kind": "survivor"},
        "survivor": {"name": f"Quinn E{tag}", "date_of_birth": "1991-02-03", "phone": phone},
        "alleged_perpetrators": [
            {"name": f"Vic E{tag}", "relationship_to_survivor": "intimate_partner"}
        ],
        "abuse_types": ["physical"],
        "immediate_danger": False,
        "account": f"Erasure-marker-{tag} pushed me.",
    }


async def _send(intake: RunningService, body: dict[str, Any]) -> dict[str, Any]:
    sent = await intake.client.post(
        "/reports", json=body, headers=intake.auth("intake-0007", Role.INTAKE)
    )
    assert sent.status_code == 202, sent.text
    answer: dict[str, Any] = sent.json()
    return answer


async def _view(cases: RunningService, case_id: str) -> Any:
    response = await cases.client.get(f"/cases/{case_id}", headers=cases.auth(*LEAD))
    return response.json() if response.status_code == 200 else None


async def _erased_in_intake(intake: RunningService, case_id: str) -> Any:
    async with intake.runtime.pool.acquire() as conn:
        return await conn.fetchval(
            f"SELECT erased_at FROM {intake.runtime.schema}.case_lifecycle WHERE case_id = $1",
            uuid.UUID(case_id),
        )


async def test_a_survivor_reported_after_her_case_was_erased_gets_a_new_case(
    start: Start,
) -> None:
    clock = ControllableClock(REPORTED)
    tag = uuid.uuid4().hex[:8]
    phone = f"07700 8{uuid.uuid4().int % 100000:05d}"
    async with start(CASES, clock) as cases, start(INTAKE, clock) as intake:
        first = await _send(intake, _report(tag, phone))
        case_id = first["case_id"]
        view = await eventually(lambda: _view(cases, case_id), timeout=60, what="the case")
        manager = cases.auth(view["case_manager"]["staff_id"], Role.CASE_MANAGER)
        url = f"/cases/{case_id}"
        clock.advance(timedelta(days=20))
        for path, body, headers in (
            ("/closure-request", {"reason": "survivor_moved"}, manager),
            ("/closure-decision", {"decision": "approve"}, cases.auth(*LEAD)),
        ):
            response = await cases.client.post(f"{url}{path}", json=body, headers=headers)
            assert response.status_code in (200, 201), response.text
        clock.advance(timedelta(days=30))
        asked = await cases.client.post(
            f"{url}/erasure-requests",
            json={"reason": "consent_withdrawn"},
            headers=cases.auth(*LEAD),
        )
        assert asked.status_code == 201, asked.text
        approved = await cases.client.post(
            f"{url}/erasure-requests/{asked.json()['request_id']}/approval",
            headers=cases.auth(*OTHER_LEAD),
        )
        assert approved.status_code == 200, approved.text

        await eventually(
            lambda: _erased_in_intake(intake, case_id), timeout=60, what="intake hears"
        )
        async with intake.runtime.pool.acquire() as conn:
            left = await conn.fetchval(
                f"SELECT count(*) FROM {intake.runtime.schema}.match_keys WHERE case_id = $1",
                uuid.UUID(case_id),
            )
        assert left == 0

        again = await _send(intake, _report(tag, phone))
        assert again["case_id"] != case_id
        assert again["link"]["basis"] == "new_case"
        assert again["link"]["repeat_reasons"] == []
