"""Throughput of the event store, outbox relay and inbox consumer against raw baselines.

Run with `make bench` (servers from KAFKA_BOOTSTRAP_SERVERS / DATABASE_URL, defaulting to
the local stack). Each figure is measured in the same run as its baseline and printed
with the ratio, so the numbers mean something on whatever machine runs them.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
import uuid
from collections.abc import Awaitable, Callable

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from hearth.contracts.envelope import Envelope
from hearth.eventstore.consumer import EventConsumer
from hearth.eventstore.db import Conn, create_pool, migrate
from hearth.eventstore.kafka import ensure_topics, partitions_of
from hearth.eventstore.relay import OutboxRelay
from hearth.eventstore.store import EventStore
from hearth.eventstore.testing.events import note

DSN = os.environ.get("DATABASE_URL", "postgresql://hearth@127.0.0.1:15432/hearth")
KAFKA = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092")


def _row(name: str, count: int, seconds: float, baseline: float | None = None) -> float:
    rate = count / seconds
    ratio = f"{rate / baseline:6.2f}x baseline" if baseline else ""
    print(f"{name:58} {rate:10,.0f} /s  {ratio}")
    return rate


async def _timed(work: Callable[[], Awaitable[None]]) -> float:
    started = time.perf_counter()
    await work()
    return time.perf_counter() - started


async def main(events: int, batch: int) -> None:
    pool = await create_pool(DSN, min_size=2, max_size=8)
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    await migrate(pool, schema)
    store = EventStore(pool, schema, "testing")
    topic = f"bench.{uuid.uuid4().hex[:8]}.events"
    await ensure_topics(KAFKA, [topic, f"{topic}.dlq"], partitions=3)
    print(f"events: {events}, batch: {batch}, schema {schema}, topic {topic}")
    try:
        # --- PostgreSQL: raw insert baseline vs event store append -------------------
        await pool.execute(f"CREATE TABLE {schema}.raw (id uuid, body jsonb)")
        body = note("x", 1).event.model_dump(mode="json")

        async def raw_single() -> None:
            for _ in range(events // 10):
                await pool.execute(f"INSERT INTO {schema}.raw VALUES ($1, $2)", uuid.uuid4(), body)

        async def raw_batched() -> None:
            for _ in range(events // batch):
                await pool.executemany(
                    f"INSERT INTO {schema}.raw VALUES ($1, $2)",
                    [(uuid.uuid4(), body) for _ in range(batch)],
                )

        async def store_single() -> None:
            for i in range(events // 10):
                case = str(uuid.uuid4())
                await store.append(case, [note(case, i)], expected_version=0, subject=case)

        async def store_batched() -> None:
            for i in range(events // batch):
                case = str(uuid.uuid4())
                await store.append(
                    case, [note(case, i) for _ in range(batch)], expected_version=0, subject=case
                )

        base1 = _row(
            "asyncpg insert, one row per transaction", events // 10, await _timed(raw_single)
        )
        _row(
            "event store append, one event per transaction",
            events // 10,
            await _timed(store_single),
            base1,
        )
        base2 = _row(
            f"asyncpg executemany, {batch} rows per transaction", events, await _timed(raw_batched)
        )
        _row(
            f"event store append, {batch} events per transaction",
            events,
            await _timed(store_batched),
            base2,
        )

        # --- Kafka: raw idempotent producer vs outbox relay -----------------------------
        total = await pool.fetchval(f"SELECT count(*) FROM {schema}.events")
        record = (await store.read_all(limit=1))[0][1].to_kafka()
        raw_topic = f"bench.{uuid.uuid4().hex[:8]}.raw"
        await ensure_topics(KAFKA, [raw_topic], partitions=3)
        producer = AIOKafkaProducer(bootstrap_servers=KAFKA, enable_idempotence=True, linger_ms=5)
        await producer.start()

        async def raw_produce() -> None:
            futures = [
                await producer.send(
                    raw_topic, value=record.value, key=str(i).encode(), headers=record.headers
                )
                for i in range(total)
            ]
            await asyncio.gather(*futures)

        base3 = _row("aiokafka idempotent produce (same records)", total, await _timed(raw_produce))
        await producer.stop()

        relay = OutboxRelay(store, dsn=DSN, bootstrap_servers=KAFKA, topic=topic, batch_size=1000)
        stop = asyncio.Event()

        async def relay_all() -> None:
            task = asyncio.create_task(relay.run(stop))
            while relay.published < total:
                await asyncio.sleep(0.01)
            stop.set()
            await task

        _row("outbox relay: table to Kafka, in commit order", total, await _timed(relay_all), base3)

        # --- Kafka -> PostgreSQL: raw consume vs inbox consumer --------------------------
        async def raw_consume() -> None:
            consumer = AIOKafkaConsumer(bootstrap_servers=KAFKA, enable_auto_commit=False)
            await consumer.start()
            tps = await partitions_of(KAFKA, topic)
            consumer.assign(tps)
            await consumer.seek_to_beginning(*tps)
            seen = 0
            while seen < total:
                for batch_ in (await consumer.getmany(timeout_ms=500, max_records=1000)).values():
                    seen += len(batch_)
            await consumer.stop()

        base4 = _row("aiokafka consume (getmany from offset 0)", total, await _timed(raw_consume))
        sink = f"{schema}_sink"
        await migrate(pool, sink)
        await pool.execute(f"CREATE TABLE {sink}.seen (event_id uuid PRIMARY KEY, seq int)")

        async def project(conn: Conn, envelope: Envelope) -> None:
            await conn.execute(
                f"INSERT INTO {sink}.seen VALUES ($1, $2)",
                envelope.event_id,
                envelope.payload["seq"],
            )

        consumer = EventConsumer(
            service="testing",
            name="bench",
            pool=pool,
            schema=sink,
            bootstrap_servers=KAFKA,
            topics=[topic],
            handler=project,
            dlq_topic=f"{topic}.dlq",
            batch_size=1000,
        )

        async def inbox_all() -> None:
            stop2 = asyncio.Event()
            task = asyncio.create_task(consumer.run(stop2))
            await consumer.wait_caught_up(timeout=600)
            stop2.set()
            await task

        _row(
            "inbox consumer: Kafka to PostgreSQL with inbox + checkpoint",
            total,
            await _timed(inbox_all),
            base4,
        )
    finally:
        await pool.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        await pool.execute(f"DROP SCHEMA IF EXISTS {schema}_sink CASCADE")
        await pool.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()
    asyncio.run(main(args.events, args.batch))
