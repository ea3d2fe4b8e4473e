"""Consuming events from Kafka with effects exactly once: the inbox and projections.

For each record a consumer, in one PostgreSQL transaction, records the event id in
its inbox, runs the handler (which may write read models and append events through
the same connection) and moves its checkpoint (topic, partition, next offset). A
redelivered event finds its id in the inbox and is skipped. The checkpoint in
PostgreSQL is the truth: on assignment the consumer seeks to it; offsets are also
committed to Kafka so operators see consumer lag with standard tools.

An event whose handler keeps failing is retried a bounded number of times, then
published with the error to the service's DLQ topic and the consumer moves on.
`replay_dead_letters` hands parked events to the handler again once it is fixed.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.abc import ConsumerRebalanceListener
from aiokafka.errors import KafkaError

from hearth.contracts.envelope import Envelope, EnvelopeError

from .db import Conn, check_schema_name
from .kafka import ISOLATION, end_offsets, partitions_of
from .logs import bind_event, describe_error, unbind_event
from .metrics import CONSUMER_LAG, EVENTS_HANDLED, HANDLER_SECONDS
from .store import StaleTransaction
from .tasks import sleep_or_stop

log = structlog.get_logger(__name__)

Handler = Callable[[Conn, Envelope], Awaitable[None]]
"""Handles one event inside the consumer's transaction, using the connection given.

A handler object may also have `async prefetch(conn, envelopes)`: the fast path calls it
once per batch, in the batch's transaction and before the handler runs for each of
`envelopes` (the batch's events not handled before), so it can load together what they
will need. A failure there is a failure of the batch (redone event by event).
"""
Reset = Callable[[Conn], Awaitable[None]]
"""Empties a projection's read model before a rebuild."""

DLQ_CONSUMER = "hearth_dlq_consumer"
DLQ_TOPIC = "hearth_dlq_topic"
DLQ_PARTITION = "hearth_dlq_partition"
DLQ_OFFSET = "hearth_dlq_offset"
DLQ_ERROR = "hearth_dlq_error"
DLQ_ATTEMPTS = "hearth_dlq_attempts"
DLQ_AT = "hearth_dlq_at"
_DLQ_HEADERS = {DLQ_CONSUMER, DLQ_TOPIC, DLQ_PARTITION, DLQ_OFFSET, DLQ_ERROR, DLQ_ATTEMPTS, DLQ_AT}

# Failures of the infrastructure, not of the event: never dead-letter for these.
_INFRASTRUCTURE_ERRORS = (
    OSError,
    asyncio.TimeoutError,
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CannotConnectNowError,
    KafkaError,
)


# The transaction must start again (see StaleTransaction): redo the batch afresh.
_RESTART_ERRORS = (StaleTransaction,)
_BATCH_RESTARTS = 5


class _RecordFailed(Exception):
    """A record of a batch failed on the fast path; the batch is redone with care."""


class PoisonEvent(Exception):
    """A record that can never be handled as it is (not a valid, untampered event)."""

    message_is_safe = True


@dataclass(frozen=True, slots=True)
class ReplayReport:
    """What a DLQ replay did: events handled now, events still failing (parked again)."""

    replayed: int
    still_failing: int
    duplicates: int


class _SeekToCheckpoint(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, owner: EventConsumer, consumer: AIOKafkaConsumer) -> None:
        self.owner = owner
        self.consumer = consumer

    async def on_partitions_revoked(self, revoked: Sequence[TopicPartition]) -> None:
        return None

    async def on_partitions_assigned(self, assigned: Sequence[TopicPartition]) -> None:
        stored = await self.owner.checkpoints()
        fresh = []
        for tp in assigned:
            next_offset = stored.get((tp.topic, tp.partition))
            if next_offset is None:
                fresh.append(tp)
            else:
                self.consumer.seek(tp, next_offset)
        if fresh:
            await self.consumer.seek_to_beginning(*fresh)


class EventConsumer:
    """One named consumer of a service: Kafka topics in, handler effects in PostgreSQL."""

    def __init__(
        self,
        *,
        service: str,
        name: str,
        pool: asyncpg.Pool,
        schema: str,
        bootstrap_servers: str,
        topics: Sequence[str],
        handler: Handler,
        dlq_topic: str,
        reset: Reset | None = None,
        max_attempts: int = 5,
        retry_backoff_seconds: float = 0.2,
        batch_size: int = 500,
        group_id: str | None = None,
    ) -> None:
        self.service = service
        self.name = name
        self.pool = pool
        self.schema = check_schema_name(schema)
        self.bootstrap_servers = bootstrap_servers
        self.topics = list(topics)
        self.handler = handler
        self.dlq_topic = dlq_topic
        self._reset = reset
        self.max_attempts = max_attempts
        self.retry_backoff_seconds = retry_backoff_seconds
        self.batch_size = batch_size
        self.group_id = group_id or f"hearth.{service}.{name}"
        self.running = False
        self._dlq_producer: AIOKafkaProducer | None = None
        # How far this process has read with everything before it handled: past the
        # last handled record and past any transaction markers or aborted records
        # after it, which the database checkpoint (last record + 1) cannot show.
        self._reached: dict[tuple[str, int], int] = {}
        self._log = log.bind(service=service, consumer=name)

    # --- checkpoints ------------------------------------------------------------------

    async def checkpoints(self, consumer: str | None = None) -> dict[tuple[str, int], int]:
        rows = await self.pool.fetch(
            f"""SELECT topic, partition, next_offset FROM {self.schema}.consumer_offsets
                WHERE consumer = $1""",
            consumer or self.name,
        )
        return {(r["topic"], r["partition"]): r["next_offset"] for r in rows}

    async def _save_checkpoint(
        self, conn: Conn, topic: str, partition: int, next_offset: int, name: str
    ) -> None:
        await conn.execute(
            f"""INSERT INTO {self.schema}.consumer_offsets (consumer, topic, partition, next_offset)
                VALUES ($1, $2, $3, $4)
                ON CONFLICT (consumer, topic, partition)
                DO UPDATE SET next_offset = EXCLUDED.next_offset, updated_at = now()""",
            name,
            topic,
            partition,
            next_offset,
        )

    async def is_caught_up(self, targets: dict[TopicPartition, int]) -> bool:
        """True when everything below each given end offset has been handled."""
        stored = await self.checkpoints()
        for tp, offset in targets.items():
            key = (tp.topic, tp.partition)
            if offset and max(stored.get(key, 0), self._reached.get(key, 0)) < offset:
                return False
        return True

    async def wait_caught_up(self, timeout: float = 60) -> None:
        """Wait until everything on the topics right now has been handled."""
        targets = await end_offsets(self.bootstrap_servers, self.topics)
        deadline = time.monotonic() + timeout
        while not await self.is_caught_up(targets):
            if time.monotonic() > deadline:
                raise TimeoutError(f"consumer {self.name} did not catch up in {timeout}s")
            await asyncio.sleep(0.1)

    async def reset(self) -> None:
        """Forget everything handled: empty the read model, inbox and checkpoints.

        Run it while the consumer is stopped; the next run replays from offset 0.
        """
        if self.running:
            raise RuntimeError(f"stop consumer {self.name} before resetting it")
        async with self.pool.acquire() as conn, conn.transaction():
            if self._reset is not None:
                await self._reset(conn)
            await conn.execute(f"DELETE FROM {self.schema}.inbox WHERE consumer = $1", self.name)
            await conn.execute(
                f"DELETE FROM {self.schema}.consumer_offsets WHERE consumer = $1", self.name
            )
        self._reached.clear()
        self._log.info("consumer reset; it replays from the beginning on its next run")

    # --- running ----------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until `stop` is set, reconnecting after broker or database failures."""
        self.running = True
        try:
            while not stop.is_set():
                try:
                    await self._consume(stop)
                except (*_INFRASTRUCTURE_ERRORS, *_RESTART_ERRORS) as exc:
                    self._log.warning("consumer interrupted; restarting", error=describe_error(exc))
                    await sleep_or_stop(stop, 1.0)
        finally:
            self.running = False
            if self._dlq_producer is not None:
                with contextlib.suppress(Exception):
                    await self._dlq_producer.stop()
                self._dlq_producer = None

    async def _consume(self, stop: asyncio.Event) -> None:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap_servers,
            group_id=self.group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            isolation_level=ISOLATION,
            client_id=f"hearth-{self.service}-{self.name}",
        )
        await consumer.start()
        try:
            consumer.subscribe(self.topics, listener=_SeekToCheckpoint(self, consumer))
            while not stop.is_set():
                batches = await consumer.getmany(timeout_ms=500, max_records=self.batch_size)
                for tp, records in batches.items():
                    await self._handle_batch(consumer, tp, records)
                await self._note_positions(consumer)
        finally:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(consumer.stop(), timeout=10)

    async def _handle_batch(
        self, consumer: AIOKafkaConsumer, tp: TopicPartition, records: list[ConsumerRecord]
    ) -> None:
        for restart in range(1, _BATCH_RESTARTS + 1):
            try:
                await self._handle_batch_once(consumer, tp, records)
                return
            except _RESTART_ERRORS:
                if restart == _BATCH_RESTARTS:
                    raise
                await asyncio.sleep(0.02 * restart)

    async def _handle_batch_once(
        self, consumer: AIOKafkaConsumer, tp: TopicPartition, records: list[ConsumerRecord]
    ) -> None:
        next_offset = records[-1].offset + 1
        try:
            async with self.pool.acquire() as conn:
                try:
                    async with conn.transaction():
                        await self._apply_batch(conn, records)
                        await self._save_checkpoint(
                            conn, tp.topic, tp.partition, next_offset, self.name
                        )
                except _RecordFailed:
                    # Something in the batch failed: redo it record by record, each in a
                    # savepoint, with retries and the DLQ for what keeps failing.
                    async with conn.transaction():
                        for record in records:
                            await self._handle_record(conn, record)
                        await self._save_checkpoint(
                            conn, tp.topic, tp.partition, next_offset, self.name
                        )
        except BaseException:
            # Nothing of the batch is kept: read it again from the first record.
            with contextlib.suppress(Exception):
                consumer.seek(tp, records[0].offset)
            raise
        with contextlib.suppress(KafkaError):
            await consumer.commit({tp: next_offset})

    async def _note_positions(self, consumer: AIOKafkaConsumer) -> None:
        """Record how far every assigned partition has been read and handled; set lag."""
        lag = 0
        for tp in consumer.assignment():
            try:
                position = await asyncio.wait_for(consumer.position(tp), timeout=1)
            except (KafkaError, TimeoutError):
                continue  # revoked or not positioned yet: nothing to record
            key = (tp.topic, tp.partition)
            self._reached[key] = max(self._reached.get(key, 0), position)
            end = consumer.last_stable_offset(tp)
            if end is not None:
                lag += max(0, end - position)
        CONSUMER_LAG.labels(self.service, self.name).set(lag)

    async def _apply_batch(self, conn: Conn, records: list[ConsumerRecord]) -> None:
        """The fast path: one inbox insert for the batch, handlers without savepoints.

        Raises _RecordFailed (and the caller's transaction rolls back) when any record
        is poison or its handler fails, so the careful path can take over.
        """
        try:
            envelopes = [_envelope_of(r) for r in records]
        except PoisonEvent:
            raise _RecordFailed from None
        new_ids = {
            row["event_id"]
            for row in await conn.fetch(
                f"""INSERT INTO {self.schema}.inbox (consumer, event_id, topic, partition, "offset")
                    SELECT $1, * FROM unnest($2::uuid[], $3::text[], $4::int[], $5::bigint[])
                    ON CONFLICT DO NOTHING RETURNING event_id""",
                self.name,
                [e.event_id for e in envelopes],
                [r.topic for r in records],
                [r.partition for r in records],
                [r.offset for r in records],
            )
        }
        await self._prefetch(conn, [e for e in envelopes if e.event_id in new_ids])
        for envelope in envelopes:
            if envelope.event_id not in new_ids:
                EVENTS_HANDLED.labels(self.service, self.name, "duplicate").inc()
                continue
            new_ids.discard(envelope.event_id)  # a repeat within this batch is a duplicate too
            bind_event(envelope)
            started = time.perf_counter()
            try:
                await self.handler(conn, envelope)
            except (*_INFRASTRUCTURE_ERRORS, *_RESTART_ERRORS):
                raise
            except Exception:
                raise _RecordFailed from None
            finally:
                unbind_event()
            HANDLER_SECONDS.labels(self.service, self.name).observe(time.perf_counter() - started)
            EVENTS_HANDLED.labels(self.service, self.name, "handled").inc()

    async def _prefetch(self, conn: Conn, envelopes: list[Envelope]) -> None:
        """The handler's optional per-batch `prefetch` (see `Handler`)."""
        prefetch = getattr(self.handler, "prefetch", None)
        if prefetch is None or not envelopes:
            return
        try:
            await prefetch(conn, envelopes)
        except (*_INFRASTRUCTURE_ERRORS, *_RESTART_ERRORS):
            raise
        except Exception:
            raise _RecordFailed from None

    async def _handle_record(self, conn: Conn, record: ConsumerRecord) -> None:
        try:
            envelope = _envelope_of(record)
        except PoisonEvent as exc:
            await self._dead_letter(record, exc, attempts=1)
            return
        bind_event(envelope)
        try:
            attempt = 0
            while True:
                attempt += 1
                try:
                    await self._apply(conn, envelope, record)
                    return
                except (*_INFRASTRUCTURE_ERRORS, *_RESTART_ERRORS):
                    raise
                except Exception as exc:
                    if attempt >= self.max_attempts:
                        await self._dead_letter(record, exc, attempts=attempt)
                        return
                    self._log.warning(
                        "handler failed; retrying", attempt=attempt, error=describe_error(exc)
                    )
                    await asyncio.sleep(self.retry_backoff_seconds * attempt)
        finally:
            unbind_event()

    async def _apply(self, conn: Conn, envelope: Envelope, record: ConsumerRecord) -> bool:
        """Inbox + handler in a savepoint. Returns False for an event already handled."""
        started = time.perf_counter()
        async with conn.transaction():
            first_time = await conn.fetchval(
                f"""INSERT INTO {self.schema}.inbox (consumer, event_id, topic, partition, "offset")
                    VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING true""",
                self.name,
                envelope.event_id,
                record.topic,
                record.partition,
                record.offset,
            )
            if not first_time:
                EVENTS_HANDLED.labels(self.service, self.name, "duplicate").inc()
                return False
            await self.handler(conn, envelope)
        HANDLER_SECONDS.labels(self.service, self.name).observe(time.perf_counter() - started)
        EVENTS_HANDLED.labels(self.service, self.name, "handled").inc()
        return True

    # --- dead letters -----------------------------------------------------------------

    async def _producer(self) -> AIOKafkaProducer:
        if self._dlq_producer is None:
            producer = AIOKafkaProducer(
                bootstrap_servers=self.bootstrap_servers,
                enable_idempotence=True,
                client_id=f"hearth-{self.service}-{self.name}-dlq",
            )
            await producer.start()
            self._dlq_producer = producer
        return self._dlq_producer

    async def _dead_letter(self, record: ConsumerRecord, exc: BaseException, attempts: int) -> None:
        error = describe_error(exc)
        original = [(k, v) for k, v in (record.headers or ()) if k not in _DLQ_HEADERS]
        headers = [
            *original,
            (DLQ_CONSUMER, self.name.encode()),
            (DLQ_TOPIC, record.topic.encode()),
            (DLQ_PARTITION, str(record.partition).encode()),
            (DLQ_OFFSET, str(record.offset).encode()),
            (DLQ_ERROR, error.encode()),
            (DLQ_ATTEMPTS, str(attempts).encode()),
            (DLQ_AT, datetime.now(UTC).isoformat().encode()),
        ]
        producer = await self._producer()
        await producer.send_and_wait(
            self.dlq_topic, value=record.value, key=record.key, headers=headers
        )
        EVENTS_HANDLED.labels(self.service, self.name, "dead_lettered").inc()
        self._log.error(
            "event parked on the DLQ",
            dlq=self.dlq_topic,
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            attempts=attempts,
            error=error,
        )

    async def replay_dead_letters(self) -> ReplayReport:
        """Hand this consumer's parked events to its handler again, once each.

        Reads the DLQ from where the last replay stopped up to its end now. An event
        that fails again is parked again (with its attempts counted) so nothing is lost.
        """
        replay_name = f"{self.name}.dlq-replay"
        tps = await partitions_of(self.bootstrap_servers, self.dlq_topic)
        reader = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap_servers,
            enable_auto_commit=False,
            isolation_level=ISOLATION,
        )
        await reader.start()
        replayed = still_failing = duplicates = 0
        try:
            reader.assign(tps)
            ends = await reader.end_offsets(tps)
            stored = await self.checkpoints(replay_name)
            for tp in tps:
                reader.seek(tp, stored.get((tp.topic, tp.partition), 0))
            remaining = {tp for tp in tps if await reader.position(tp) < ends[tp]}
            while remaining:
                batches = await reader.getmany(*remaining, timeout_ms=1000)
                for tp, records in batches.items():
                    for record in records:
                        if record.offset >= ends[tp]:
                            break
                        outcome = await self._replay_one(record, replay_name)
                        replayed += outcome == "replayed"
                        still_failing += outcome == "failed"
                        duplicates += outcome == "duplicate"
                remaining = {tp for tp in remaining if await reader.position(tp) < ends[tp]}
        finally:
            await reader.stop()
            if self._dlq_producer is not None and not self.running:
                await self._dlq_producer.stop()
                self._dlq_producer = None
        report = ReplayReport(replayed, still_failing, duplicates)
        self._log.info("DLQ replayed", replayed=replayed, still_failing=still_failing)
        return report

    async def _replay_one(self, record: ConsumerRecord, replay_name: str) -> str:
        headers = dict(record.headers or ())
        outcome = "skipped"
        async with self.pool.acquire() as conn, conn.transaction():
            if headers.get(DLQ_CONSUMER) == self.name.encode():
                attempts = int(headers.get(DLQ_ATTEMPTS, b"1"))
                try:
                    envelope = _envelope_of(record)
                    outcome = (
                        "replayed" if await self._apply(conn, envelope, record) else "duplicate"
                    )
                except (*_INFRASTRUCTURE_ERRORS, *_RESTART_ERRORS):
                    raise
                except Exception as exc:
                    await self._dead_letter(_as_original(record), exc, attempts=attempts + 1)
                    outcome = "failed"
            await self._save_checkpoint(
                conn, record.topic, record.partition, record.offset + 1, replay_name
            )
        return outcome


def _envelope_of(record: ConsumerRecord) -> Envelope:
    try:
        envelope = Envelope.from_kafka(record.key, record.value, list(record.headers or ()))
    except EnvelopeError as exc:
        raise PoisonEvent(str(exc)) from None
    if not envelope.hash_is_valid():
        raise PoisonEvent("the event's hash does not match its content: tampered or corrupt")
    return envelope


@dataclass(frozen=True, slots=True)
class _ParkedRecord:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes]]


def _as_original(record: ConsumerRecord) -> Any:
    """A DLQ record seen as the record it was parked from (same topic, partition, offset)."""
    headers = dict(record.headers or ())
    return _ParkedRecord(
        topic=headers.get(DLQ_TOPIC, record.topic.encode()).decode(),
        partition=int(headers.get(DLQ_PARTITION, b"0")),
        offset=int(headers.get(DLQ_OFFSET, b"0")),
        key=record.key,
        value=record.value,
        headers=list(record.headers or ()),
    )
