"""An Idempotency-Key makes a retried submission one report, however the retries arrive."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from hearth.contracts.envelope import Role
from hearth.contracts.topics import INTAKE_EVENTS
from hearth.eventstore.clock import ControllableClock
from hearth.eventstore.testing.service import RunningService

pytestmark = pytest.mark.integration

STAFF = ("staff-0042", Role.INTAKE)
KEPT = timedelta(days=7)
"""How long keys are kept by default (`HEARTH_IDEMPOTENCY_DAYS`)."""


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
    # One survivor: the same name, date of birth and phone in each report.
    survivor = {**report_body()["survivor"], "phone": new_phone()}
    bodies = [report_body(survivor=survivor) for _ in range(4)]

    answers = await asyncio.gather(
        *(intake.client.post("/reports", json=b, headers=intake.auth(*STAFF)) for b in bodies)
    )

    assert {a.status_code for a in answers} == {202}
    assert len({a.json()["report_id"] for a in answers}) == 4
    assert len({a.json()["case_id"] for a in answers}) == 1
    bases = sorted(a.json()["link"]["basis"] for a in answers)
    assert bases == ["new_case", "same_survivor", "same_survivor", "same_survivor"]


async def test_a_key_older_than_the_period_no_longer_replays(
    intake: RunningService, report_body: Callable[..., dict[str, Any]], clock: ControllableClock
) -> None:
    body = report_body()
    headers = {**intake.auth(*STAFF), "Idempotency-Key": "phone-call-2025-03-07-0002"}
    first = await intake.client.post("/reports", json=body, headers=headers)

    clock.advance(KEPT - timedelta(seconds=1))
    within = await intake.client.post("/reports", json=body, headers=headers)
    clock.advance(timedelta(seconds=1))
    after = await intake.client.post("/reports", json=body, headers=headers)

    assert first.status_code == within.status_code == after.status_code == 202
    assert within.json() == first.json()
    # A retry after the period is a new request: a second report (on the same case).
    assert after.json()["report_id"] != first.json()["report_id"]
    assert after.json()["case_id"] == first.json()["case_id"]
    assert await _reports_stored(intake) == 2


async def test_an_expired_key_may_carry_a_different_request(
    intake: RunningService, report_body: Callable[..., dict[str, Any]], clock: ControllableClock
) -> None:
    headers = {**intake.auth(*STAFF), "Idempotency-Key": "key-used-again-next-month"}
    first = await intake.client.post("/reports", json=report_body(), headers=headers)
    clock.advance(KEPT + timedelta(days=30))
    changed = await intake.client.post(
        "/reports", json=report_body(immediate_danger=True), headers=headers
    )
    assert first.status_code == changed.status_code == 202
    assert await _reports_stored(intake) == 2


async def test_expired_keys_are_deleted_as_new_keys_are_used(
    intake: RunningService, report_body: Callable[..., dict[str, Any]], clock: ControllableClock
) -> None:
    for n in range(3):
        headers = {**intake.auth(*STAFF), "Idempotency-Key": f"old-key-{n}"}
        assert (
            await intake.client.post("/reports", json=report_body(), headers=headers)
        ).is_success
    clock.advance(KEPT + timedelta(minutes=1))
    headers = {**intake.auth(*STAFF), "Idempotency-Key": "new-key"}
    assert (await intake.client.post("/reports", json=report_body(), headers=headers)).is_success

    runtime = intake.runtime
    assert runtime.pool is not None
    keys = await runtime.pool.fetch(f"SELECT key FROM {runtime.schema}.idempotency_keys")
    assert [r["key"] for r in keys] == ["new-key"]
