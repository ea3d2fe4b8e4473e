"""The Kafka loop of a consumer: fetch per partition, handle a batch in one transaction.

Each fetched batch of one partition is handled in one PostgreSQL transaction: the fast
path records the batch in the inbox with one statement and runs the handler for each
new event without savepoints. If anything in it fails, the transaction rolls back and
the careful path redoes the batch record by record, each in a savepoint, with retries
and the DLQ for what keeps failing. Either way the checkpoint moves in the same
transaction, and the offset is then committed to Kafka so standard tools show lag.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence

import asyncpg
import structlog
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.abc import ConsumerRebalanceListener
from aiokafka.errors import KafkaError

from hearth.contracts.envelope import Envelope
from hearth.eventstore.consumer.dead_letters import DeadLetters, ReplayReport
from hearth.eventstore.consumer.inbox import Checkpoints, Inbox
from hearth.eventstore.consumer.records import (
    INFRASTRUCTURE_ERRORS,
    RESTART_ERRORS,
    Handler,
    PoisonEvent,
    Prepare,
    Reset,
    envelope_of,
)
from hearth.eventstore.db import Conn
from hearth.eventstore.kafka import ISOLATION, end_offsets
from hearth.eventstore.logs import bind_event, describe_error, unbind_event
from hearth.eventstore.metrics import CONSUMER_LAG, EVENTS_HANDLED, HANDLER_SECONDS
from hearth.eventstore.personal_data.cipher import EventCipher
from hearth.eventstore.tasks import sleep_or_stop

log = structlog.get_logger(__name__)

_BATCH_RESTARTS = 5


class _RecordFailed(Exception):
    """A record of a batch failed on the fast path; the batch is redone with care."""


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
        prepare: Prepare | None = None,
        max_attempts: int = 5,
        retry_backoff_seconds: float = 0.2,
        batch_size: int = 500,
        group_id: str | None = None,
        cipher: EventCipher | None = None,
    ) -> None:
        self.service = service
        # With a cipher (key store access), handlers get the events' personal values
        # decrypted (REDACTED where the key is destroyed); without one they get the
        # ciphertext as published.
        self.cipher = cipher
        self.name = name
        self.pool = pool
        self.inbox = Inbox(pool, schema, name)
        self.schema = self.inbox.schema
        self.bootstrap_servers = bootstrap_servers
        self.topics = list(topics)
        self.handler = handler
        self.prepare = prepare
        self.dlq_topic = dlq_topic
        self.dead_letters = DeadLetters(
            service=service,
            consumer=name,
            bootstrap_servers=bootstrap_servers,
            topic=dlq_topic,
            inbox=self.inbox,
        )
        self._reset = reset
        self.max_attempts = max_attempts
        self.retry_backoff_seconds = retry_backoff_seconds
        self.batch_size = batch_size
        self.group_id = group_id or f"hearth.{service}.{name}"
        self.running = False
        # How far this process has read with everything before it handled: past the
        # last handled record and past any transaction markers or aborted records
        # after it, which the database checkpoint (last record + 1) cannot show.
        self._reached: Checkpoints = {}
        self._log = log.bind(service=service, consumer=name)

    # --- progress ---------------------------------------------------------------------

    async def checkpoints(self, consumer: str | None = None) -> Checkpoints:
        return await self.inbox.checkpoints(consumer)

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
            await self.inbox.forget(conn)
        self._reached.clear()
        self._log.info("consumer reset; it replays from the beginning on its next run")

    async def replay_dead_letters(self) -> ReplayReport:
        """Hand this consumer's parked events to its handler again, once each."""
        try:
            return await self.dead_letters.replay(self._apply)
        finally:
            if not self.running:
                await self.dead_letters.close()

    # --- running ----------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until `stop` is set, reconnecting after broker or database failures."""
        self.running = True
        try:
            while not stop.is_set():
                try:
                    await self._consume(stop)
                except (*INFRASTRUCTURE_ERRORS, *RESTART_ERRORS) as exc:
                    self._log.warning("consumer interrupted; restarting", error=describe_error(exc))
                    await sleep_or_stop(stop, 1.0)
        finally:
            self.running = False
            await self.dead_letters.close()

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
            except RESTART_ERRORS:
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
                        await self.inbox.save_checkpoint(conn, tp.topic, tp.partition, next_offset)
                except _RecordFailed:
                    # Something in the batch failed: redo it record by record, each in a
                    # savepoint, with retries and the DLQ for what keeps failing.
                    async with conn.transaction():
                        for record in records:
                            await self._handle_record(conn, record)
                        await self.inbox.save_checkpoint(conn, tp.topic, tp.partition, next_offset)
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
        is poison or its handler (or the batch's preparation) fails, so the careful path
        can take over.
        """
        try:
            envelopes = [envelope_of(r) for r in records]
        except PoisonEvent:
            raise _RecordFailed from None
        new_ids = await self.inbox.admit_all(conn, envelopes, records)
        fresh: list[Envelope] = []
        for envelope in envelopes:
            if envelope.event_id not in new_ids:
                EVENTS_HANDLED.labels(self.service, self.name, "duplicate").inc()
                continue
            new_ids.discard(envelope.event_id)  # a repeat within this batch is a duplicate too
            fresh.append(envelope)
        try:
            fresh = await self._opened(conn, fresh)
        except (*INFRASTRUCTURE_ERRORS, *RESTART_ERRORS):
            raise
        except Exception:
            raise _RecordFailed from None
        handler = await self._prepared_handler(conn, fresh)
        for envelope in fresh:
            bind_event(envelope)
            started = time.perf_counter()
            try:
                await handler(conn, envelope)
            except (*INFRASTRUCTURE_ERRORS, *RESTART_ERRORS):
                raise
            except Exception:
                raise _RecordFailed from None
            finally:
                unbind_event()
            HANDLER_SECONDS.labels(self.service, self.name).observe(time.perf_counter() - started)
            EVENTS_HANDLED.labels(self.service, self.name, "handled").inc()

    async def _opened(self, conn: Conn, envelopes: list[Envelope]) -> list[Envelope]:
        """The envelopes with personal values decrypted: one key-store query per batch."""
        if self.cipher is None or not envelopes:
            return envelopes
        return await self.cipher.open_envelopes(envelopes, conn=conn)

    async def _prepared_handler(self, conn: Conn, fresh: Sequence[Envelope]) -> Handler:
        """The handler for a batch's new events: the one `prepare` gives, or the usual."""
        if self.prepare is None or not fresh:
            return self.handler
        try:
            prepared = await self.prepare(conn, fresh)
        except (*INFRASTRUCTURE_ERRORS, *RESTART_ERRORS):
            raise
        except Exception:
            raise _RecordFailed from None
        return prepared or self.handler

    async def _handle_record(self, conn: Conn, record: ConsumerRecord) -> None:
        try:
            envelope = envelope_of(record)
        except PoisonEvent as exc:
            await self.dead_letters.park(record, exc, attempts=1, conn=conn)
            return
        bind_event(envelope)
        try:
            attempt = 0
            while True:
                attempt += 1
                try:
                    await self._apply(conn, envelope, record)
                    return
                except (*INFRASTRUCTURE_ERRORS, *RESTART_ERRORS):
                    raise
                except Exception as exc:
                    if attempt >= self.max_attempts:
                        await self.dead_letters.park(record, exc, attempts=attempt, conn=conn)
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
            if not await self.inbox.admit(conn, envelope, record):
                EVENTS_HANDLED.labels(self.service, self.name, "duplicate").inc()
                return False
            (opened,) = await self._opened(conn, [envelope])
            await self.handler(conn, opened)
        HANDLER_SECONDS.labels(self.service, self.name).observe(time.perf_counter() - started)
        EVENTS_HANDLED.labels(self.service, self.name, "handled").inc()
        return True
