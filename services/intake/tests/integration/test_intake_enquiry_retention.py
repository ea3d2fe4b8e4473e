"""Retention of enquiries no report followed up (issue 12): once the policy's years have
passed, `erase-expired-enquiries` (and the background sweep) records `EnquiryErased`,
destroys the enquiry's keys and leaves nothing of it in intake's tables; an enquiry a
report followed up is left to its case, and a report naming an erased enquiry is
received as a new report."""

from __future__ import annotations

import asyncio
import io
import uuid
from collections.abc import Callable
from contextlib import redirect_stdout
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest

import hearth.intake as intake_package
from hearth.contracts.envelope import Envelope, Role
from hearth.contracts.events.base import REDACTED
from hearth.contracts.events.intake import EnquiryErased
from hearth.contracts.topics import INTAKE_EVENTS
from hearth.eventstore.clock import ControllableClock
from hearth.eventstore.testing import erasure
from hearth.eventstore.testing.service import RunningService, running_service
from hearth.intake.operations import ERASE_EXPIRED_ENQUIRIES
from hearth.intake.service import build_spec
from hearth.intake.settings import IntakeSettings

pytestmark = pytest.mark.integration

MATCH_KEY = "intake-retention-tests-match-key-0123456789"
STAFF = ("staff-0101", Role.CASE_MANAGER)
PAST_THE_PERIOD = timedelta(days=6 * 366 + 2)
"""Further on than the shipped policy's six years, leap days and all."""


@pytest.fixture
def intake_settings() -> IntakeSettings:
    # Only the test's own command erases (the service's sweep looks again in an hour).
    return IntakeSettings(match_key=MATCH_KEY, retention_poll_seconds=3600)


def _planted() -> dict[str, str]:
    tag = uuid.uuid4().hex[:10]
    return {
        "tenancy": f"T-{tag.upper()}",
        "indicators": f"Marker-indicators-{tag}",
        "asb": f"ASB-{tag.upper()}",
    }


async def _raise(intake: RunningService, p: dict[str, str], key: str | None = None) -> str:
    headers = intake.auth(*STAFF)
    if key is not None:
        headers = {**headers, "Idempotency-Key": key}
    raised = await intake.client.post(
        "/asb-reports",
        json={
            "category": "shouting_and_arguing",
            "asb_case_reference": p["asb"],
            "tenancy_reference": p["tenancy"],
            "indicators": p["indicators"],
        },
        headers=headers,
    )
    assert raised.status_code == 202, raised.text
    enquiry_id: str = raised.json()["enquiry_id"]
    return enquiry_id


async def _erase_expired(intake: RunningService) -> str:
    out = io.StringIO()
    with redirect_stdout(out):
        assert await ERASE_EXPIRED_ENQUIRIES.run(intake.runtime, {}) == 0
    return out.getvalue()


async def _tables_holding(intake: RunningService, needle: str) -> list[str]:
    return await erasure.tables_holding(intake.runtime.pool, intake.runtime.schema, needle)


async def _enquiry_row(database_url: str, schema: str, enquiry_id: str) -> dict[str, Any]:
    conn = await asyncpg.connect(database_url)
    try:
        row = await conn.fetchrow(
            f"SELECT * FROM {schema}.enquiries WHERE enquiry_id = $1", uuid.UUID(enquiry_id)
        )
    finally:
        await conn.close()
    assert row is not None
    return dict(row)


async def test_an_enquiry_nobody_followed_up_is_erased_after_the_period_and_only_it(
    intake: RunningService,
    clock: ControllableClock,
    report_body: Callable[..., dict[str, Any]],
    read_records: Any,
    database_url: str,
) -> None:
    schema = intake.runtime.schema
    store = intake.runtime.event_store
    lone_p, followed_p = _planted(), _planted()
    idempotency_key = f"retention-{uuid.uuid4()}"
    lone = await _raise(intake, lone_p, key=idempotency_key)
    followed = await _raise(intake, followed_p)
    report = await intake.client.post(
        "/reports", json=report_body(enquiry_id=followed), headers=intake.auth(*STAFF)
    )
    assert report.status_code == 202, report.text
    # Both are held as they were said (encrypted in the log), until the period ends; the
    # request that raised the lone one is kept for retries.
    assert await _tables_holding(intake, idempotency_key) == ["idempotency_keys"]
    [lone_before] = await store.read_stream(f"enquiry-{lone}")
    followed_before = await store.read_stream(f"enquiry-{followed}")
    assert lone_before.payload["indicators"] == lone_p["indicators"]

    clock.advance(PAST_THE_PERIOD - timedelta(days=30))
    assert "erased 0 enquiries" in await _erase_expired(intake)
    assert len(await store.read_stream(f"enquiry-{lone}")) == 1

    clock.advance(timedelta(days=30))
    printed = await _erase_expired(intake)
    assert "erased 1 enquiries raised more than 6 years ago" in printed
    assert "policy west-kent-2024" in printed

    # The lone enquiry: its event is still there, unreadable; EnquiryErased follows it.
    [raised, erased] = await store.read_stream(f"enquiry-{lone}")
    assert raised.event_id == lone_before.event_id
    assert raised.payload["indicators"] == REDACTED
    assert raised.payload["tenancy_reference"] == REDACTED
    # The ASB case's reference is the other system's id, not personal: it stays readable.
    assert raised.payload["asb_case_reference"] == lone_p["asb"]
    assert raised.payload["enquiry_id"] == lone
    assert erased.type == EnquiryErased.event_type()
    assert erased.subject == lone
    assert erased.actor.role is Role.SYSTEM
    assert erased.payload == {
        "enquiry_id": lone,
        "erased_at": erased.payload["erased_at"],
        "raised_at": lone_before.payload["raised_at"],
        "retention_policy": "west-kent-2024",
        "retention_years": 6,
    }
    # Nothing of what it said left in any table, nor the request that raised it.
    for needle in [*lone_p.values(), idempotency_key]:
        assert await _tables_holding(intake, needle) == [], needle
    row = await _enquiry_row(database_url, schema, lone)
    assert row["erased_at"] == clock.now() and row["followed_up_at"] is None
    # Published, keyed by the enquiry.
    [record] = await read_records(
        INTAKE_EVENTS,
        lambda r: (
            r.key == lone.encode()
            and dict(r.headers)["ce_type"] == b"hearth.intake.EnquiryErased.v1"
        ),
        expect=1,
    )
    published = Envelope.from_kafka(record.key, record.value, list(record.headers))
    assert published.event_id == erased.event_id
    assert published.payload == erased.payload
    chain = await store.verify()
    assert chain.ok, chain.first_break

    # The followed-up enquiry goes with its case: untouched.
    followed_after = await store.read_stream(f"enquiry-{followed}")
    assert [e.event_id for e in followed_after] == [e.event_id for e in followed_before]
    assert followed_after[0].payload["indicators"] == followed_p["indicators"]
    assert (await _enquiry_row(database_url, schema, followed))["erased_at"] is None

    # Again: nothing more to do, nothing changes.
    assert "erased 0 enquiries" in await _erase_expired(intake)
    assert len(await store.read_stream(f"enquiry-{lone}")) == 2
    assert (await _enquiry_row(database_url, schema, lone))["erased_at"] == row["erased_at"]

    # A report naming the erased enquiry is not lost: it is received as a new report.
    late = await intake.client.post(
        "/reports", json=report_body(enquiry_id=lone), headers=intake.auth(*STAFF)
    )
    assert late.status_code == 202, late.text
    assert late.json()["link"]["basis"] == "new_case"
    [received, _] = await store.read_stream(f"report-{late.json()['report_id']}")
    assert received.payload.get("enquiry_id") is None


async def test_the_background_sweep_erases_them_too(
    kafka_bootstrap: str,
    database_url: str,
    clock: ControllableClock,
    topic_namespace: str,
) -> None:
    p = _planted()
    settings = IntakeSettings(match_key=MATCH_KEY, retention_poll_seconds=0.2)
    async with running_service(
        build_spec(settings),
        kafka_bootstrap=kafka_bootstrap,
        database_url=database_url,
        clock=clock,
        topic_namespace=topic_namespace,
    ) as intake:
        enquiry = await _raise(intake, p)
        await asyncio.sleep(0.5)  # the sweep has looked: not due yet
        assert len(await intake.runtime.event_store.read_stream(f"enquiry-{enquiry}")) == 1
        clock.advance(PAST_THE_PERIOD)
        for _ in range(100):
            row = await _enquiry_row(database_url, intake.runtime.schema, enquiry)
            if row["erased_at"] is not None:
                break
            await asyncio.sleep(0.1)
        assert row["erased_at"] is not None
        [raised, erased] = await intake.runtime.event_store.read_stream(f"enquiry-{enquiry}")
        assert raised.payload["indicators"] == REDACTED
        assert erased.type == EnquiryErased.event_type()
        assert await _tables_holding(intake, p["indicators"]) == []


async def test_the_migration_indexes_the_enquiries_raised_before_it(
    intake: RunningService,
    report_body: Callable[..., dict[str, Any]],
    database_url: str,
) -> None:
    """Enquiries raised before the index existed are filled in from the events, with the
    first report that followed each up, so none escapes retention."""
    schema = intake.runtime.schema
    lone = await _raise(intake, _planted())
    followed = await _raise(intake, _planted())
    report = await intake.client.post(
        "/reports", json=report_body(enquiry_id=followed), headers=intake.auth(*STAFF)
    )
    assert report.status_code == 202, report.text
    before = {e: await _enquiry_row(database_url, schema, e) for e in (lone, followed)}
    assert before[followed]["followed_up_at"] is not None
    migration = Path(intake_package.__file__).parent / "migrations" / "0009_enquiries.sql"
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(f"DELETE FROM {schema}.enquiries")
        await conn.execute(migration.read_text().replace("{schema}", schema))
    finally:
        await conn.close()
    after = {e: await _enquiry_row(database_url, schema, e) for e in (lone, followed)}
    assert after == before
