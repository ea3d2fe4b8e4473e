"""Stop or kill, then restart, the Kafka broker mid-stream: nothing is lost, duplicated or
reordered."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from hearth.contracts.envelope import Envelope
from hearth.eventstore.consumer import EventConsumer
from hearth.eventstore.db import Conn, migrate
from hearth.eventstore.relay import OutboxRelay
from hearth.eventstore.store import EventStore
from hearth.eventstore.testing.events import note

pytestmark = pytest.mark.integration

CASES = 6
ROUNDS = 40


@pytest.fixture
async def sink_schema(pool: asyncpg.Pool) -> AsyncIterator[str]:
    name = f"t_{uuid.uuid4().hex[:12]}"
    await migrate(pool, name)
    await pool.execute(
        f"""CREATE TABLE {name}.handled (
                n bigint GENERATED ALWAYS AS IDENTITY, event_id uuid PRIMARY KEY,
                case_id text NOT NULL, seq int NOT NULL)"""
    )
    yield name
    await pool.execute(f"DROP SCHEMA {name} CASCADE")


@pytest.mark.parametrize("how", ["stop", "kill"])
async def test_a_broker_restart_mid_stream_loses_duplicates_and_reorders_nothing(
    how: str,
    store: EventStore,
    pool: asyncpg.Pool,
    sink_schema: str,
    topic: str,
    kafka_bootstrap: str,
    database_url: str,
    local_kafka_control: Any,
) -> None:
    calls = 0

    async def handle(conn: Conn, envelope: Envelope) -> None:
        nonlocal calls
        calls += 1
        await conn.execute(
            f"INSERT INTO {sink_schema}.handled (event_id, case_id, seq) VALUES ($1, $2, $3)",
            envelope.event_id,
            envelope.subject,
            envelope.payload["seq"],
        )

    relay = OutboxRelay(
        store,
        dsn=database_url,
        bootstrap_servers=kafka_bootstrap,
        topic=topic,
        poll_seconds=0.2,
        retry_seconds=0.5,
        request_timeout_ms=2_000,  # the outage outlasts the producer's patience
    )
    consumer = EventConsumer(
        service="testing",
        name="restart",
        pool=pool,
        schema=sink_schema,
        bootstrap_servers=kafka_bootstrap,
        topics=[topic],
        handler=handle,
        dlq_topic=f"{topic}.dlq",
    )
    stop = asyncio.Event()
    tasks = [asyncio.create_task(relay.run(stop)), asyncio.create_task(consumer.run(stop))]
    cases = [str(uuid.uuid4()) for _ in range(CASES)]

    async def keep_appending() -> None:
        for seq in range(1, ROUNDS + 1):
            for case in cases:
                await store.append(case, [note(case, seq)], expected_version=seq - 1, subject=case)
            await asyncio.sleep(0.1)

    try:
        writer = asyncio.create_task(keep_appending())
        await asyncio.sleep(1.0)
        # The broker goes (a clean shutdown, or a crash) while appends go on.
        await asyncio.to_thread(getattr(local_kafka_control, how))
        await asyncio.sleep(4.0)
        await asyncio.to_thread(local_kafka_control.start)
        await writer

        total = CASES * ROUNDS
        deadline = time.monotonic() + 120
        while await pool.fetchval(f"SELECT count(*) FROM {sink_schema}.handled") < total:
            assert time.monotonic() < deadline, "events were lost across the broker restart"
            await asyncio.sleep(0.2)
        await asyncio.sleep(1.0)  # room for any duplicate to arrive
    finally:
        stop.set()
        for task in tasks:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(task, timeout=30)

    rows = await pool.fetch(f"SELECT case_id, seq FROM {sink_schema}.handled ORDER BY n")
    assert len(rows) == total
    assert calls == total  # a re-sent event reaches the inbox and stops there
    for case in cases:
        assert [r["seq"] for r in rows if r["case_id"] == case] == list(range(1, ROUNDS + 1))
