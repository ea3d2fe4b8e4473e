"""The outbox relay against real PostgreSQL and Kafka: order, headers, horizon, leadership."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Callable

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import KafkaTimeoutError

from hearth.contracts.envelope import Envelope
from hearth.eventstore.kafka import ensure_topics, partitions_of
from hearth.eventstore.relay import OutboxRelay
from hearth.eventstore.store import EventStore
from hearth.eventstore.testing.events import note
from hearth.eventstore.testing.kafka import read_topic
from hearth.eventstore.testing.service import fresh_topic
from hearth.eventstore.testing.waiting import eventually

pytestmark = pytest.mark.integration

RunRelay = Callable[..., OutboxRelay]


@pytest.fixture
async def run_relay(
    store: EventStore, database_url: str, kafka_bootstrap: str
) -> AsyncIterator[RunRelay]:
    stops: list[tuple[asyncio.Event, asyncio.Task[None]]] = []

    def start(topic: str, kind: type[OutboxRelay] = OutboxRelay) -> OutboxRelay:
        relay = kind(
            store,
            dsn=database_url,
            bootstrap_servers=kafka_bootstrap,
            topic=topic,
            poll_seconds=0.2,
            retry_seconds=0.2,
        )
        stop = asyncio.Event()
        stops.append((stop, asyncio.create_task(relay.run(stop))))
        return relay

    yield start
    for stop, task in stops:
        stop.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, timeout=20)


async def _until(condition: Callable[[], bool], timeout: float = 20) -> None:
    async def holds() -> bool:
        return condition()

    await eventually(holds, timeout=timeout, what="the relays to settle")


async def test_relay_publishes_every_event_keyed_by_case_with_cloudevents_headers(
    store: EventStore, topic: str, kafka_bootstrap: str, run_relay: RunRelay
) -> None:
    cases = [str(uuid.uuid4()) for _ in range(6)]
    for case in cases:
        await store.append(
            case, [note(case, i) for i in range(1, 6)], expected_version=0, subject=case
        )
    stored = {e.event_id: e for case in cases for e in await store.read_stored(case)}

    relay = run_relay(topic)
    records = await read_topic(kafka_bootstrap, topic, expect=30)

    assert len(records) == 30
    # Consumers may see a batch before the relay has recorded its position.
    await _until(lambda: relay.published == 30)
    seen: dict[str, list[int]] = {}
    for record in records:
        headers = dict(record.headers)
        assert headers["ce_specversion"] == b"1.0"
        assert headers["ce_type"] == b"hearth.testing.NoteAdded.v1"
        assert headers["ce_source"] == b"hearth.testing"
        assert headers["content-type"] == b"application/json"
        envelope = Envelope.from_kafka(record.key, record.value, list(record.headers))
        assert record.key == envelope.subject.encode()
        assert envelope == stored[envelope.event_id]  # as stored: ciphertext
        assert envelope.hash_is_valid()
        assert b"Jane Example" not in record.value and b"He hit me" not in record.value
        seen.setdefault(envelope.subject, []).append(envelope.stream_version)
    # One case's events share a partition, so they arrive in stream order.
    assert seen == {case: [1, 2, 3, 4, 5] for case in cases}


async def test_relay_never_passes_an_append_that_has_not_committed_yet(
    store: EventStore, kafka_bootstrap: str, run_relay: RunRelay
) -> None:
    topic = fresh_topic("single")
    await ensure_topics(kafka_bootstrap, [topic], partitions=1)
    early, late = str(uuid.uuid4()), str(uuid.uuid4())
    relay = run_relay(topic)

    async with store.pool.acquire() as conn:
        tx = conn.transaction()
        await tx.start()
        # Takes the lower position, but commits last.
        await store.append(early, [note(early, 1)], expected_version=0, subject=early, conn=conn)
        await store.append(late, [note(late, 1)], expected_version=0, subject=late)
        await asyncio.sleep(1.0)  # several relay rounds, woken by the late append's NOTIFY
        assert relay.published == 0
        assert (await relay.position()).global_position == 0
        await tx.commit()

    records = await read_topic(kafka_bootstrap, topic, expect=2)
    subjects = [Envelope.from_kafka(r.key, r.value, list(r.headers)).subject for r in records]
    assert subjects == [early, late]


async def test_transaction_ids_are_ordered_as_numbers_not_as_text(
    store: EventStore, kafka_bootstrap: str, run_relay: RunRelay
) -> None:
    """Across a power of ten (transaction 9, then 10) the relay keeps commit order: as
    text, "10" sorts before "9", which once published a stream's events out of order."""
    topic = fresh_topic("digits")
    await ensure_topics(kafka_bootstrap, [topic], partitions=1)
    case = str(uuid.uuid4())
    await store.append(case, [note(case, 1), note(case, 2)], expected_version=0, subject=case)
    # Give the two events the transaction ids 9 and 10 (this test's own schema only).
    events = f"{store.schema}.events"
    async with store.pool.acquire() as conn, conn.transaction():
        await conn.execute(f"ALTER TABLE {events} DISABLE TRIGGER events_immutable")
        await conn.execute(
            f"UPDATE {events} SET tx_id = (stream_version + 8)::text::xid8 WHERE stream_id = $1",
            case,
        )
        await conn.execute(f"ALTER TABLE {events} ENABLE TRIGGER events_immutable")

    relay = run_relay(topic)
    await _until(lambda: relay.published >= 2)
    await asyncio.sleep(0.5)  # a resent event would follow within a few rounds
    records = await read_topic(kafka_bootstrap, topic, expect=2)
    versions = [
        Envelope.from_kafka(r.key, r.value, list(r.headers)).stream_version for r in records
    ]
    assert versions == [1, 2]
    assert relay.published == 2
    assert (await relay.position()).tx_id == "10"


async def test_only_one_relay_per_service_publishes_and_a_standby_takes_over(
    store: EventStore, topic: str, kafka_bootstrap: str, run_relay: RunRelay
) -> None:
    first, second = run_relay(topic), run_relay(topic)
    await _until(lambda: first.is_leader or second.is_leader)
    await asyncio.sleep(0.5)
    assert [first.is_leader, second.is_leader].count(True) == 1

    case = str(uuid.uuid4())
    await store.append(case, [note(case, 1), note(case, 2)], expected_version=0, subject=case)
    assert len(await read_topic(kafka_bootstrap, topic, expect=2)) == 2

    # The leader's lock connection dies (a crashed process, a killed backend)...
    leader = first if first.is_leader else second
    standby = second if leader is first else first
    await store.pool.execute(
        """SELECT pg_terminate_backend(pid) FROM pg_locks
           WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()
             AND ((classid::bigint << 32) | objid::bigint) = $1""",
        leader._lock_key,
    )
    await _until(lambda: standby.is_leader)

    await store.append(case, [note(case, 3)], expected_version=2, subject=case)
    records = await read_topic(kafka_bootstrap, topic, expect=3)
    versions = [
        Envelope.from_kafka(r.key, r.value, list(r.headers)).stream_version for r in records
    ]
    assert versions == [1, 2, 3]


class _LaterHalfFirst(OutboxRelay):
    """A relay whose first attempt writes only a batch's later half, then fails.

    This is what a producer does when it expires a partition's first batch while no
    leader is known and then sends the next one: later events reach the topic and
    the earlier ones do not.
    """

    failures = 0

    async def _write(self, producer: AIOKafkaProducer, rows: list[asyncpg.Record]) -> None:
        if self.failures == 0 and len(rows) > 1:
            self.failures += 1
            await super()._write(producer, rows[len(rows) // 2 :])
            raise KafkaTimeoutError()
        await super()._write(producer, rows)


async def test_a_partly_written_batch_is_aborted_and_resent_so_order_holds(
    store: EventStore, topic: str, kafka_bootstrap: str, run_relay: RunRelay
) -> None:
    cases = [str(uuid.uuid4()) for _ in range(3)]
    for case in cases:
        await store.append(
            case, [note(case, i) for i in range(1, 9)], expected_version=0, subject=case
        )
    relay = run_relay(topic, _LaterHalfFirst)
    assert isinstance(relay, _LaterHalfFirst)
    records = await read_topic(kafka_bootstrap, topic, expect=24)
    await _until(lambda: relay.published == 24)

    assert relay.failures == 1
    seen: dict[str, list[int]] = {}
    for record in records:
        envelope = Envelope.from_kafka(record.key, record.value, list(record.headers))
        seen.setdefault(envelope.subject, []).append(envelope.stream_version)
    assert seen == {case: list(range(1, 9)) for case in cases}

    # The failed attempt's records are on the log, aborted: a reader that ignores
    # transactions would meet later events first, which is why Hearth reads committed.
    everything = AIOKafkaConsumer(
        bootstrap_servers=kafka_bootstrap,
        enable_auto_commit=False,
        isolation_level="read_uncommitted",
    )
    await everything.start()
    try:
        tps = await partitions_of(kafka_bootstrap, topic)
        everything.assign(tps)
        await everything.seek_to_beginning(*tps)
        ends = await everything.end_offsets(tps)
        raw = []
        while [tp for tp in tps if await everything.position(tp) < ends[tp]]:
            raw += [
                r for batch in (await everything.getmany(timeout_ms=500)).values() for r in batch
            ]
    finally:
        await everything.stop()
    assert len(raw) == 24 + 12
