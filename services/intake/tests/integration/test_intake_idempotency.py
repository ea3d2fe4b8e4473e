"""An Idempotency-Key makes a retried submission one report, however the retries arrive."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from hearth.contracts.envelope import Role
from hearth.contracts.topics import INTAKE_EVENTS
from hearth.eventstore.testing.service import RunningService

pytestmark = pytest.mark.integration

STAFF = ("staff-0042", Role.INTAKE)


async def _reports_stored(intake: RunningService) -> int:
    runtime = intake.runtime
    assert runtime.pool is not None
    return int(
        await runtime.pool.fetchval(
            f"SELECT count(*) FROM {runtime.schema}.events WHERE type LIKE '%ReportReceived%'"
        )
    )


async def test_a_retry_with_the_same_key_gets_the_same_answer_and_no_second_case(
    intake: RunningService, report_body: Callable[..., dict[str, Any]]
) -> None:
    body = report_body()
    headers = {**intake.auth(*STAFF), "Idempotency-Key": "phone-call-2025-03-07-0001"}

    first = await intake.client.post("/reports", json=body, headers=headers)
    second = await intake.client.post("/reports", json=body, headers=headers)

    assert first.status_code == second.status_code == 202
    assert first.json() == second.json()
    assert await _reports_stored(intake) == 1


async def test_the_same_key_with_a_different_body_is_refused_naming_the_key(
    intake: RunningService, report_body: Callable[..., dict[str, Any]]
) -> None:
    headers = {**intake.auth(*STAFF), "Idempotency-Key": "key-reused-for-another-report"}
    first = await intake.client.post("/reports", json=report_body(), headers=headers)
    changed = await intake.client.post(
        "/reports", json=report_body(immediate_danger=True), headers=headers
    )

    assert first.status_code == 202
    assert changed.status_code == 422
    [error] = changed.json()["errors"]
    assert error["field"] == "header.Idempotency-Key"
    assert error["kind"] == "idempotency_key_reused"
    assert await _reports_stored(intake) == 1


async def test_keys_belong_to_the_caller_who_used_them(
    intake: RunningService, report_body: Callable[..., dict[str, Any]]
) -> None:
    body = report_body()
    key = {"Idempotency-Key": "shared-looking-key"}
    mine = await intake.client.post(
        "/reports", json=body, headers={**intake.auth("staff-1", Role.INTAKE), **key}
    )
    theirs = await intake.client.post(
        "/reports", json=body, headers={**intake.auth("staff-2", Role.INTAKE), **key}
    )
    assert mine.status_code == theirs.status_code == 202
    assert mine.json()["report_id"] != theirs.json()["report_id"]


async def test_a_malformed_key_is_422(
    intake: RunningService, report_body: Callable[..., dict[str, Any]]
) -> None:
    response = await intake.client.post(
        "/reports",
        json=report_body(),
        headers={**intake.auth(*STAFF), "Idempotency-Key": "x" * 201},
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["header.Idempotency-Key"]
    assert await _reports_stored(intake) == 0


async def test_concurrent_submissions_with_one_key_make_one_report(
    intake: RunningService,
    report_body: Callable[..., dict[str, Any]],
    read_records: Any,
    payload: Any,
) -> None:
    body = report_body()
    headers = {**intake.auth(*STAFF), "Idempotency-Key": "double-click-0001"}

    answers = await asyncio.gather(
        *(intake.client.post("/reports", json=body, headers=headers) for _ in range(5))
    )

    assert {a.status_code for a in answers} == {202}
    assert len({a.text for a in answers}) == 1
    assert await _reports_stored(intake) == 1
    report_id = answers[0].json()["report_id"]
    records = await read_records(
        INTAKE_EVENTS, lambda r: payload(r).get("report_id") == report_id, expect=2
    )
    assert len(records) == 2


async def test_concurrent_reports_about_one_new_survivor_share_one_case(
    intake: RunningService,
    report_body: Callable[..., dict[str, Any]],
    new_phone: Callable[[], str],
) -> None:
    phone = new_phone()
    bodies = []
    for _ in range(4):
        body = report_body()
        body["survivor"]["phone"] = phone
        bodies.append(body)

    answers = await asyncio.gather(
        *(intake.client.post("/reports", json=b, headers=intake.auth(*STAFF)) for b in bodies)
    )

    assert {a.status_code for a in answers} == {202}
    assert len({a.json()["report_id"] for a in answers}) == 4
    assert len({a.json()["case_id"] for a in answers}) == 1
    bases = sorted(a.json()["link"]["basis"] for a in answers)
    assert bases == ["new_case", "same_survivor", "same_survivor", "same_survivor"]
