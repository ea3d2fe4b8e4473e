"""Inbox consumers and projections on real Kafka and PostgreSQL.

The test handler does what a service handler does: writes a read-model row and
appends a follow-up event, in the consumer's transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer

from hearth.contracts.envelope import Envelope
from hearth.eventstore.commands import run_command
from hearth.eventstore.consumer import (
    DLQ_CONSUMER,
    DLQ_ERROR,
    DLQ_OFFSET,
    EventConsumer,
    Handler,
    Prepare,
)
from hearth.eventstore.db import Conn, migrate
from hearth.eventstore.decider import Decider
from hearth.eventstore.relay import OutboxRelay
from hearth.eventstore.store import EventStore, NewEvent
from hearth.eventstore.testing.events import ACTOR, Poisoned, note, recorded_testing
from hearth.eventstore.testing.kafka import read_topic
from hearth.eventstore.testing.waiting import eventually

pytestmark = pytest.mark.integration


@dataclass
class Harness:
    """A store publishing to `topic`; a consumer of it with a schema and store of its own."""

    store: EventStore
    sink: EventStore
    topic: str
    bootstrap: str
    dsn: str
    refuse_poison: bool = True
    react: bool = True
    calls: int = 0
    tasks: list[tuple[asyncio.Event, asyncio.Task[None]]] = field(default_factory=list)

    async def handle(self, conn: Conn, envelope: Envelope) -> None:
        self.calls += 1
        if envelope.event_name == "Poisoned" and self.refuse_poison:
            raise ValueError("cannot handle this event yet")
        await conn.execute(
            f"""INSERT INTO {self.sink.schema}.seen (event_id, case_id, seq)
                VALUES ($1, $2, $3)""",
            envelope.event_id,
            envelope.subject,
            envelope.payload["seq"],
        )
        if envelope.event_name == "NoteAdded" and self.react:
            # A reaction, appended in the same transaction as the inbox row.
            reaction = f"reaction-{envelope.event_id}"
            await self.sink.append(
                reaction,
                [
                    NewEvent(
                        event=Poisoned(case_id=envelope.subject, seq=envelope.payload["seq"]),
                        actor=ACTOR,
                        occurred_at=datetime.now(UTC),
                        correlation_id=envelope.correlation_id,
                        causation_id=envelope.event_id,
                    )
                ],
                expected_version=0,
                subject=envelope.subject,
                conn=conn,
            )

    async def reset(self, conn: Conn) -> None:
        await conn.execute(f"DELETE FROM {self.sink.schema}.seen")

    def consumer(self, name: str = "projector", prepare: Prepare | None = None) -> EventConsumer:
        return EventConsumer(
            service="testing",
            name=name,
            pool=self.sink.pool,
            schema=self.sink.schema,
            bootstrap_servers=self.bootstrap,
            topics=[self.topic],
            handler=self.handle,
            reset=self.reset,
            prepare=prepare,
            dlq_topic=f"{self.topic}.dlq",
            max_attempts=3,
            retry_backoff_seconds=0.01,
        )

    def start(self, runner: Any) -> None:
        stop = asyncio.Event()
        self.tasks.append((stop, asyncio.create_task(runner.run(stop))))

    async def stop_all(self) -> None:
        for stop, task in self.tasks:
            stop.set()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(task, timeout=20)
        self.tasks.clear()

    async def seen(self) -> list[asyncpg.Record]:
        return await self.sink.pool.fetch(
            f"SELECT event_id, case_id, seq FROM {self.sink.schema}.seen ORDER BY case_id, seq"
        )

    async def reactions(self) -> int:
        return int(
            await self.sink.pool.fetchval(
                f"SELECT count(*) FROM {self.sink.schema}.events WHERE type LIKE '%Poisoned%'"
            )
        )


@pytest.fixture
async def harness(
    store: EventStore, pool: asyncpg.Pool, topic: str, kafka_bootstrap: str, database_url: str
) -> AsyncIterator[Harness]:
    sink_schema = f"t_{uuid.uuid4().hex[:12]}"
    await migrate(pool, sink_schema)
    await pool.execute(
        f"""CREATE TABLE {sink_schema}.seen (
                event_id uuid PRIMARY KEY, case_id text NOT NULL, seq int NOT NULL)"""
    )
    h = Harness(
        store=store,
        sink=EventStore(pool, sink_schema, "testing"),
        topic=topic,
        bootstrap=kafka_bootstrap,
        dsn=database_url,
    )
    yield h
    await h.stop_all()
    await pool.execute(f"DROP SCHEMA {sink_schema} CASCADE")


async def _append_notes(store: EventStore, cases: int, per_case: int) -> list[str]:
    ids = [str(uuid.uuid4()) for _ in range(cases)]
    for case in ids:
        await store.append(
            case, [note(case, i) for i in range(1, per_case + 1)], expected_version=0, subject=case
        )
    return ids


def _relay(h: Harness) -> OutboxRelay:
    return OutboxRelay(
        h.store, dsn=h.dsn, bootstrap_servers=h.bootstrap, topic=h.topic, poll_seconds=0.2
    )


async def _published(relay: OutboxRelay, count: int) -> None:
    """Wait until the relay has put `count` events on Kafka (so 'caught up' means them)."""

    async def done() -> bool:
        return relay.published >= count

    await eventually(done, timeout=60, what=f"the relay to publish {count} events")


async def test_events_travel_outbox_to_kafka_to_inbox_intact_and_once(harness: Harness) -> None:
    cases = await _append_notes(harness.store, cases=4, per_case=5)
    relay = _relay(harness)
    harness.start(relay)
    consumer = harness.consumer()
    harness.start(consumer)

    await _published(relay, 20)
    await consumer.wait_caught_up(timeout=30)

    seen = await harness.seen()
    assert len(seen) == 20
    stored_ids = {e.event_id for c in cases for e in await harness.store.read_stream(c)}
    assert {r["event_id"] for r in seen} == stored_ids
    assert await harness.reactions() == 20
    # Each reaction names its cause: the stored event it was decided from.
    reaction = (await harness.sink.read_stream(f"reaction-{seen[0]['event_id']}"))[0]
    assert reaction.causation_id == seen[0]["event_id"]
    inbox = await harness.sink.pool.fetchval(
        f"SELECT count(*) FROM {harness.sink.schema}.inbox WHERE consumer = 'projector'"
    )
    assert inbox == 20


async def test_a_redelivered_event_has_no_second_effect(harness: Harness) -> None:
    case = (await _append_notes(harness.store, cases=1, per_case=1))[0]
    envelope = (await harness.store.read_stored(case))[0]  # as the relay publishes it
    record = envelope.to_kafka()
    producer = AIOKafkaProducer(bootstrap_servers=harness.bootstrap)
    await producer.start()
    try:
        for _ in range(3):  # the same event delivered three times
            await producer.send_and_wait(
                harness.topic, value=record.value, key=record.key, headers=record.headers
            )
    finally:
        await producer.stop()
    consumer = harness.consumer()
    harness.start(consumer)

    await consumer.wait_caught_up(timeout=30)

    assert harness.calls == 1
    assert len(await harness.seen()) == 1
    assert await harness.reactions() == 1


async def test_a_poison_event_goes_to_the_dlq_and_the_consumer_carries_on(
    harness: Harness,
) -> None:
    case = str(uuid.uuid4())
    await harness.store.append(case, [note(case, 1)], expected_version=0, subject=case)
    await harness.store.append(
        case,
        [
            NewEvent(
                event=Poisoned(case_id=case, seq=2),
                actor=ACTOR,
                occurred_at=datetime.now(UTC),
                correlation_id=uuid.uuid4(),
            )
        ],
        expected_version=1,
        subject=case,
    )
    await harness.store.append(case, [note(case, 3)], expected_version=2, subject=case)
    # And a record that is not a Hearth event at all.
    producer = AIOKafkaProducer(bootstrap_servers=harness.bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(harness.topic, value=b"{not json", key=case.encode())
    finally:
        await producer.stop()
    relay = _relay(harness)
    harness.start(relay)
    consumer = harness.consumer()
    harness.start(consumer)

    await _published(relay, 3)
    await consumer.wait_caught_up(timeout=30)

    assert [r["seq"] for r in await harness.seen()] == [1, 3]
    parked = await read_topic(harness.bootstrap, f"{harness.topic}.dlq", expect=2)
    assert len(parked) == 2
    errors = sorted(dict(r.headers)[DLQ_ERROR].decode() for r in parked)
    assert errors[0].startswith("PoisonEvent: record has no ce_specversion header")
    assert errors[1] == "ValueError"  # a foreign message is never copied: it may quote data
    assert all(dict(r.headers)[DLQ_CONSUMER] == b"projector" for r in parked)

    # Once the handler is fixed, a replay hands the parked event over, once.
    await harness.stop_all()
    harness.refuse_poison = False
    first = await consumer.replay_dead_letters()
    again = await consumer.replay_dead_letters()

    assert (first.replayed, first.still_failing) == (1, 1)  # the garbage record stays parked
    assert (again.replayed, again.still_failing) == (0, 1)
    assert [r["seq"] for r in await harness.seen()] == [1, 2, 3]


async def test_a_batch_handled_again_does_not_park_its_records_twice(harness: Harness) -> None:
    """A batch can be read again after it was handled (a rebalance moved the partition
    while it was being handled): events are deduplicated by the inbox, and what it parked
    by the record's origin, so the DLQ gets each record once."""
    case = str(uuid.uuid4())
    await harness.store.append(case, [note(case, 1)], expected_version=0, subject=case)
    poisoned = NewEvent(
        event=Poisoned(case_id=case, seq=2),
        actor=ACTOR,
        occurred_at=datetime.now(UTC),
        correlation_id=uuid.uuid4(),
    )
    await harness.store.append(case, [poisoned], expected_version=1, subject=case)
    relay = _relay(harness)
    harness.start(relay)
    await _published(relay, 2)
    consumer = harness.consumer()
    harness.start(consumer)
    await consumer.wait_caught_up(timeout=30)
    await harness.stop_all()

    # The checkpoint lost, as if the batch's commit had not been seen: read it all again.
    await harness.sink.pool.execute(
        f"DELETE FROM {harness.sink.schema}.consumer_offsets WHERE consumer = 'projector'"
    )
    again = harness.consumer()
    harness.start(again)
    await again.wait_caught_up(timeout=30)
    await harness.stop_all()

    parked = await read_topic(harness.bootstrap, f"{harness.topic}.dlq", expect=1)
    assert [dict(r.headers)[DLQ_OFFSET] for r in parked] == [b"1"]
    assert [r["seq"] for r in await harness.seen()] == [1]


async def test_a_rebuilt_projection_equals_the_incremental_one(harness: Harness) -> None:
    harness.react = False  # a pure projection: read-model rows only
    await _append_notes(harness.store, cases=10, per_case=20)
    relay = _relay(harness)
    harness.start(relay)
    consumer = harness.consumer()
    harness.start(consumer)
    await _published(relay, 200)
    await consumer.wait_caught_up(timeout=60)
    incremental = [tuple(r) for r in await harness.seen()]
    await harness.stop_all()

    await consumer.reset()
    assert await harness.seen() == []
    harness.start(consumer)
    await consumer.wait_caught_up(timeout=60)

    rebuilt = [tuple(r) for r in await harness.seen()]
    assert len(incremental) == 200
    assert rebuilt == incremental


async def test_a_handler_racing_a_command_on_the_same_stream_redoes_its_transaction(
    harness: Harness,
) -> None:
    """The rival commits after the consumer's transaction began: append must start afresh."""
    case = (await _append_notes(harness.store, cases=1, per_case=1))[0]
    target = f"case-{case}"
    calls = 0
    counted: Decider[None, int] = Decider(
        initial_state=int,
        evolve=lambda count, _: count + 1,
        decide=lambda _, count, now: [Poisoned(case_id=case, seq=1)],
    )

    async def handle(conn: Conn, envelope: Envelope) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:  # a caseworker's command on the same case commits right now
            await harness.sink.append(target, [note(case, 100)], expected_version=0, subject=case)
        await run_command(
            harness.sink,
            counted,
            target,
            None,
            subject=case,
            actor=ACTOR,
            now=datetime.now(UTC),
            correlation_id=envelope.correlation_id,
            causation_id=envelope.event_id,
            conn=conn,
            to_recorded=recorded_testing,
        )

    harness.handle = handle  # type: ignore[method-assign]
    relay = _relay(harness)
    harness.start(relay)
    consumer = harness.consumer()
    harness.start(consumer)
    await _published(relay, 1)
    await consumer.wait_caught_up(timeout=30)

    stream = await harness.sink.read_stream(target)
    assert [e.event_name for e in stream] == ["NoteAdded", "Poisoned"]
    assert calls == 2  # the first try was rolled back whole, the second kept
    assert (await harness.sink.verify(target)).ok


async def test_a_batch_is_prepared_once_and_its_handler_handles_each_new_event(
    harness: Harness,
) -> None:
    harness.react = False
    cases = await _append_notes(harness.store, cases=3, per_case=4)
    prepared: list[list[uuid.UUID]] = []
    handled_prepared = 0

    async def prepare(conn: Conn, envelopes: Sequence[Envelope]) -> Handler:
        prepared.append([e.event_id for e in envelopes])
        subjects = {e.subject for e in envelopes}  # what a service would load at once

        async def handle(conn: Conn, envelope: Envelope) -> None:
            nonlocal handled_prepared
            assert envelope.subject in subjects
            handled_prepared += 1
            await harness.handle(conn, envelope)

        return handle

    relay = _relay(harness)
    harness.start(relay)
    await _published(relay, 12)
    consumer = harness.consumer(prepare=prepare)
    harness.start(consumer)
    await consumer.wait_caught_up(timeout=30)

    stored_ids = {e.event_id for c in cases for e in await harness.store.read_stream(c)}
    given = [event_id for batch in prepared for event_id in batch]
    assert sorted(given) == sorted(stored_ids)  # each new event given to prepare once
    assert handled_prepared == harness.calls == 12
    assert len(await harness.seen()) == 12


async def test_a_failing_preparation_leaves_the_batch_to_the_careful_path(
    harness: Harness,
) -> None:
    harness.react = False
    await _append_notes(harness.store, cases=2, per_case=3)

    async def prepare(conn: Conn, envelopes: Sequence[Envelope]) -> Handler | None:
        raise ValueError("cannot prepare this batch")

    relay = _relay(harness)
    harness.start(relay)
    await _published(relay, 6)
    consumer = harness.consumer(prepare=prepare)
    harness.start(consumer)
    await consumer.wait_caught_up(timeout=30)

    assert harness.calls == 6  # each event handled once, record by record
    assert len(await harness.seen()) == 6
