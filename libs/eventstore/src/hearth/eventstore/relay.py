"""The outbox relay: publishes stored events to Kafka in commit order, losing none.

- Reads only rows below the commit horizon (`pg_snapshot_xmin`), in (tx_id, position)
  order, so an append that commits after a later-numbered one is never skipped.
- One active relay per service: a session advisory lock on a dedicated connection.
  If that connection dies the lock is gone, so the relay stops publishing at once.
- LISTEN/NOTIFY on the same dedicated connection wakes it; a timer polls as well.
- Keyed by case id, CloudEvents binary headers, acks=all, idempotent.
- Each batch is one Kafka transaction, and the position advances only after it
  committed. A producer can fail part of a batch and still write the rest (aiokafka
  expires a batch that waited too long for a partition leader, then sends the
  partition's next batch): without a transaction those later events would reach
  the topic before the resent earlier ones. Aborting the transaction hides every
  record of the failed attempt from `read_committed` consumers, and the stable
  transactional id fences a relay that lost its lock but still holds a producer.
  The batch is then resent whole from the last committed position.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from typing import Any

import asyncpg
import structlog
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from hearth.eventstore.db import Conn, advisory_key, connect
from hearth.eventstore.metrics import OUTBOX_BACKLOG, OUTBOX_PUBLISHED
from hearth.eventstore.store import EventStore, envelope_from_row
from hearth.eventstore.tasks import sleep_or_stop

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class RelayPosition:
    tx_id: str
    global_position: int


START = RelayPosition("0", 0)


class OutboxRelay:
    """Publishes a service's events table to its Kafka topic."""

    def __init__(
        self,
        store: EventStore,
        *,
        dsn: str,
        bootstrap_servers: str,
        topic: str,
        batch_size: int = 500,
        poll_seconds: float = 1.0,
        retry_seconds: float = 1.0,
        request_timeout_ms: int = 15_000,
        name: str = "relay",
    ) -> None:
        self.store = store
        self.dsn = dsn
        self.bootstrap_servers = bootstrap_servers
        self.topic = topic
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.retry_seconds = retry_seconds
        self.request_timeout_ms = request_timeout_ms
        self.name = name
        self.is_leader = False
        self.published = 0
        self._wake = asyncio.Event()
        self._lock_key = advisory_key("relay", store.schema, name)
        # Stable across restarts and shared by every instance of this service's relay:
        # a new leader's producer fences the old one's.
        self.transactional_id = f"hearth-relay.{store.schema}.{name}.{topic}"
        self._log = log.bind(service=store.service, relay=name)

    # --- position ---------------------------------------------------------------------

    async def position(self) -> RelayPosition:
        row = await self.store.pool.fetchrow(
            f"""SELECT tx_id::text AS tx_id, global_position
                FROM {self.store.schema}.outbox_position WHERE relay = $1""",
            self.name,
        )
        return RelayPosition(row["tx_id"], row["global_position"]) if row else START

    async def _save_position(self, position: RelayPosition) -> None:
        await self.store.pool.execute(
            f"""INSERT INTO {self.store.schema}.outbox_position (relay, tx_id, global_position)
                VALUES ($1, $2::text::xid8, $3)
                ON CONFLICT (relay) DO UPDATE
                SET tx_id = EXCLUDED.tx_id, global_position = EXCLUDED.global_position,
                    updated_at = now()""",
            self.name,
            position.tx_id,
            position.global_position,
        )

    async def _next_batch(self, after: RelayPosition) -> list[asyncpg.Record]:
        return await self.store.pool.fetch(
            f"""SELECT tx_id::text AS tx_id, global_position, event_id, stream_id,
                       stream_version, type, subject, payload, metadata, occurred_at,
                       recorded_at, prev_hash, hash
                FROM {self.store.schema}.events
                WHERE (tx_id, global_position) > ($1::text::xid8, $2::bigint)
                  AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
                -- Qualified: a bare `tx_id` here is the text column above, and text
                -- puts transaction 1000 before 999.
                ORDER BY events.tx_id, events.global_position
                LIMIT $3""",
            after.tx_id,
            after.global_position,
            self.batch_size,
        )

    # --- running ----------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Run until `stop` is set: wait for the lock, then publish; start over on loss."""
        while not stop.is_set():
            try:
                await self._lead(stop)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                self._log.warning("relay lost its database connection", error=type(exc).__name__)
            finally:
                self.is_leader = False
            await sleep_or_stop(stop, self.retry_seconds)

    async def _lead(self, stop: asyncio.Event) -> None:
        conn = await connect(self.dsn)
        try:
            while not stop.is_set():
                if await conn.fetchval("SELECT pg_try_advisory_lock($1)", self._lock_key):
                    break
                await sleep_or_stop(stop, self.poll_seconds)
            else:
                return
            self.is_leader = True
            self._log.info("relay is publishing", topic=self.topic)
            await conn.add_listener(self.store.notify_channel, self._on_notify)
            await self._publish_loop(conn, stop)
        finally:
            self.is_leader = False
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.close(), timeout=5)

    def _on_notify(self, *_: Any) -> None:
        self._wake.set()

    async def _publish_loop(self, lock_conn: Conn, stop: asyncio.Event) -> None:
        producer: AIOKafkaProducer | None = None
        try:
            position = await self.position()
            while not stop.is_set():
                # The lock lives only as long as this connection: check it every round.
                await asyncio.wait_for(lock_conn.fetchval("SELECT 1"), timeout=10)
                rows = await self._next_batch(position)
                if not rows:
                    OUTBOX_BACKLOG.labels(self.store.service).set(0)
                    self._wake.clear()
                    await _wait_any(self._wake, stop, self.poll_seconds)
                    continue
                OUTBOX_BACKLOG.labels(self.store.service).set(len(rows))
                try:
                    if producer is None:
                        producer = await self._start_producer()
                    await self._send(producer, rows)
                except (TimeoutError, KafkaError, OSError) as exc:
                    self._log.warning(
                        "publishing failed; will resend from the last acknowledged position",
                        error=type(exc).__name__,
                    )
                    if producer is not None:
                        await _stop_quietly(producer)
                        producer = None
                    await sleep_or_stop(stop, self.retry_seconds)
                    continue
                last = rows[-1]
                position = RelayPosition(last["tx_id"], last["global_position"])
                await self._save_position(position)
                self.published += len(rows)
                OUTBOX_PUBLISHED.labels(self.store.service).inc(len(rows))
        finally:
            if producer is not None:
                await _stop_quietly(producer)

    async def _start_producer(self) -> AIOKafkaProducer:
        producer = AIOKafkaProducer(
            bootstrap_servers=self.bootstrap_servers,
            enable_idempotence=True,
            transactional_id=self.transactional_id,
            linger_ms=5,
            request_timeout_ms=self.request_timeout_ms,
            retry_backoff_ms=200,
            client_id=f"hearth-{self.store.service}-relay",
        )
        try:
            await producer.start()
        except BaseException:
            await _stop_quietly(producer)
            raise
        return producer

    async def _send(self, producer: AIOKafkaProducer, rows: list[asyncpg.Record]) -> None:
        """Publish `rows` as one transaction; on any failure abort it and raise."""
        timeout = self._kafka_wait_seconds()
        await asyncio.wait_for(producer.begin_transaction(), timeout=timeout)
        try:
            await self._write(producer, rows)
            await asyncio.wait_for(producer.commit_transaction(), timeout=timeout)
        except BaseException:
            # Best effort: if the abort cannot reach the coordinator either, the next
            # producer with this transactional id aborts the transaction when it starts.
            with contextlib.suppress(Exception):
                await asyncio.wait_for(producer.abort_transaction(), timeout=10)
            raise

    async def _write(self, producer: AIOKafkaProducer, rows: list[asyncpg.Record]) -> None:
        """Send every row and wait until Kafka acknowledged them all."""
        futures = []
        for row in rows:
            record = envelope_from_row(row).to_kafka()
            futures.append(
                await producer.send(
                    self.topic, value=record.value, key=record.key, headers=record.headers
                )
            )
        await asyncio.wait_for(asyncio.gather(*futures), timeout=self._kafka_wait_seconds())

    def _kafka_wait_seconds(self) -> float:
        return max(60.0, 2 * self.request_timeout_ms / 1000)


async def _stop_quietly(producer: AIOKafkaProducer) -> None:
    with contextlib.suppress(Exception):
        await asyncio.wait_for(producer.stop(), timeout=10)


async def _wait_any(wake: asyncio.Event, stop: asyncio.Event, seconds: float) -> None:
    waiters = [asyncio.ensure_future(wake.wait()), asyncio.ensure_future(stop.wait())]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waiters:
            w.cancel()
