"""Dead letters: events a handler keeps refusing, parked on the service's DLQ topic.

A parked record keeps its key, value and headers, with headers added naming the
consumer, where it came from, the error and the attempts. `replay` hands a consumer's
parked events to its handler again, once each, remembering how far it got.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord

from hearth.contracts.envelope import Envelope
from hearth.eventstore.consumer.inbox import Inbox
from hearth.eventstore.consumer.records import INFRASTRUCTURE_ERRORS, RESTART_ERRORS, envelope_of
from hearth.eventstore.db import Conn
from hearth.eventstore.kafka import ISOLATION, partitions_of
from hearth.eventstore.logs import describe_error
from hearth.eventstore.metrics import EVENTS_HANDLED

DLQ_CONSUMER = "hearth_dlq_consumer"
DLQ_TOPIC = "hearth_dlq_topic"
DLQ_PARTITION = "hearth_dlq_partition"
DLQ_OFFSET = "hearth_dlq_offset"
DLQ_ERROR = "hearth_dlq_error"
DLQ_ATTEMPTS = "hearth_dlq_attempts"
DLQ_AT = "hearth_dlq_at"
_DLQ_HEADERS = {DLQ_CONSUMER, DLQ_TOPIC, DLQ_PARTITION, DLQ_OFFSET, DLQ_ERROR, DLQ_ATTEMPTS, DLQ_AT}

Apply = Callable[[Conn, Envelope, Any], Awaitable[bool]]
"""Inbox and handler for one event in a savepoint; False for an event already handled."""
Outcome = Literal["replayed", "failed", "duplicate", "skipped"]


@dataclass(frozen=True, slots=True)
class ReplayReport:
    """What a DLQ replay did: events handled now, events still failing (parked again)."""

    replayed: int
    still_failing: int
    duplicates: int


class DeadLetters:
    """One consumer's DLQ: parking records on it and replaying them."""

    def __init__(
        self,
        *,
        service: str,
        consumer: str,
        bootstrap_servers: str,
        topic: str,
        inbox: Inbox,
    ) -> None:
        self.service = service
        self.consumer = consumer
        self.bootstrap_servers = bootstrap_servers
        self.topic = topic
        self.inbox = inbox
        self._producer: AIOKafkaProducer | None = None
        self._log = structlog.get_logger(__name__).bind(service=service, consumer=consumer)

    async def _started_producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = AIOKafkaProducer(
                bootstrap_servers=self.bootstrap_servers,
                enable_idempotence=True,
                client_id=f"hearth-{self.service}-{self.consumer}-dlq",
            )
            await producer.start()
            self._producer = producer
        return self._producer

    async def close(self) -> None:
        """Stop the DLQ producer, if one was started."""
        if self._producer is not None:
            with contextlib.suppress(Exception):
                await self._producer.stop()
            self._producer = None

    async def park(
        self, record: Any, exc: BaseException, attempts: int, *, conn: Conn | None = None
    ) -> None:
        """Publish `record` to the DLQ with why and how often it failed.

        With `conn` (the consumer's batch transaction) it parks a record once: it notes
        the record's origin in `dead_lettered` in that transaction, and a record already
        noted there by a committed batch is not parked again (the batch is being handled a
        second time). Without it (a replay that failed again) it always parks."""
        if conn is not None:
            noted = await conn.fetchval(
                f"""INSERT INTO {self.inbox.schema}.dead_lettered
                        (consumer, topic, partition, "offset")
                    VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING true""",
                self.consumer,
                record.topic,
                record.partition,
                record.offset,
            )
            if not noted:
                self._log.info(
                    "already parked on the DLQ",
                    topic=record.topic,
                    partition=record.partition,
                    offset=record.offset,
                )
                return
        error = describe_error(exc)
        original = [(k, v) for k, v in (record.headers or ()) if k not in _DLQ_HEADERS]
        headers = [
            *original,
            (DLQ_CONSUMER, self.consumer.encode()),
            (DLQ_TOPIC, record.topic.encode()),
            (DLQ_PARTITION, str(record.partition).encode()),
            (DLQ_OFFSET, str(record.offset).encode()),
            (DLQ_ERROR, error.encode()),
            (DLQ_ATTEMPTS, str(attempts).encode()),
            (DLQ_AT, datetime.now(UTC).isoformat().encode()),
        ]
        producer = await self._started_producer()
        await producer.send_and_wait(
            self.topic, value=record.value, key=record.key, headers=headers
        )
        EVENTS_HANDLED.labels(self.service, self.consumer, "dead_lettered").inc()
        self._log.error(
            "event parked on the DLQ",
            dlq=self.topic,
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            attempts=attempts,
            error=error,
        )

    async def replay(self, apply: Apply) -> ReplayReport:
        """Hand this consumer's parked events to `apply` again, once each.

        Reads the DLQ from where the last replay stopped up to its end now. An event
        that fails again is parked again (with its attempts counted) so nothing is lost.
        """
        replay_name = f"{self.consumer}.dlq-replay"
        tps = await partitions_of(self.bootstrap_servers, self.topic)
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
            stored = await self.inbox.checkpoints(replay_name)
            for tp in tps:
                reader.seek(tp, stored.get((tp.topic, tp.partition), 0))
            remaining = {tp for tp in tps if await reader.position(tp) < ends[tp]}
            while remaining:
                batches = await reader.getmany(*remaining, timeout_ms=1000)
                for tp, records in batches.items():
                    for record in records:
                        if record.offset >= ends[tp]:
                            break
                        outcome = await self._replay_one(record, replay_name, apply)
                        replayed += outcome == "replayed"
                        still_failing += outcome == "failed"
                        duplicates += outcome == "duplicate"
                remaining = {tp for tp in remaining if await reader.position(tp) < ends[tp]}
        finally:
            await reader.stop()
        report = ReplayReport(replayed, still_failing, duplicates)
        self._log.info("DLQ replayed", replayed=replayed, still_failing=still_failing)
        return report

    async def _replay_one(self, record: ConsumerRecord, replay_name: str, apply: Apply) -> Outcome:
        headers = dict(record.headers or ())
        outcome: Outcome = "skipped"
        async with self.inbox.pool.acquire() as conn, conn.transaction():
            if headers.get(DLQ_CONSUMER) == self.consumer.encode():
                attempts = int(headers.get(DLQ_ATTEMPTS, b"1"))
                try:
                    envelope = envelope_of(record)
                    outcome = "replayed" if await apply(conn, envelope, record) else "duplicate"
                except (*INFRASTRUCTURE_ERRORS, *RESTART_ERRORS):
                    raise
                except Exception as exc:
                    await self.park(_as_original(record), exc, attempts=attempts + 1)
                    outcome = "failed"
            await self.inbox.save_checkpoint(
                conn, record.topic, record.partition, record.offset + 1, replay_name
            )
        return outcome


@dataclass(frozen=True, slots=True)
class _ParkedRecord:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes]]


def _as_original(record: ConsumerRecord) -> _ParkedRecord:
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
