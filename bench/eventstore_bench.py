"""Throughput of the event store, outbox relay and inbox consumer against raw baselines,
and what encrypting personal data costs them.

Run with `make bench` (servers from KAFKA_BOOTSTRAP_SERVERS / DATABASE_URL, defaulting to
the local stack). Each figure is measured in the same run as its baseline and printed
with the ratio, so the numbers mean something on whatever machine runs them.

Encryption's cost: the same store appends two events of the same shape and values, one
with its name and account marked personal (`NoteAdded`: encrypted, one key per case,
made on the stream's first append) and one with nothing marked (`PlainNoteAdded`: what
every append did before encryption). Appends alternate between the two, round after
round (the order alternates too), so both see the machine's noise alike; each round
gives a ratio and the verdict takes their median. The relay and the inbox consumer go
the same way: each round, the raw client and each store's relay (or consumer) publish
(or consume) everything once more, from the start, in turning order.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import os
import statistics
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from hearth.contracts.envelope import Envelope
from hearth.eventstore.consumer import EventConsumer
from hearth.eventstore.db import Conn, create_pool, migrate
from hearth.eventstore.kafka import ensure_topics, partitions_of
from hearth.eventstore.personal_data import EventCipher, KeyStore, master_keys_or_development
from hearth.eventstore.relay import OutboxRelay
from hearth.eventstore.store import EventStore, NewEvent
from hearth.eventstore.testing.events import note, plain_note

DSN = os.environ.get("DATABASE_URL", "postgresql://hearth@127.0.0.1:15432/hearth")
KAFKA = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092")
TARGET: float = 0.85
"""Encrypted figures stay within 15% of the plaintext ones (issue 12)."""

RawWork = Callable[[int], Awaitable[None]]
StoreWork = Callable[[str, int], Awaitable[None]]
KINDS: dict[str, Callable[[str, int], NewEvent]] = {"plaintext": plain_note, "encrypted": note}


def _row(name: str, count: int, seconds: float, baseline: float | None = None) -> float:
    rate = count / seconds
    ratio = f"{rate / baseline:6.2f}x baseline" if baseline else ""
    print(f"{name:62} {rate:10,.0f} /s  {ratio}")
    return rate


async def _timed(work: Callable[[], Awaitable[None]]) -> float:
    started = time.perf_counter()
    await work()
    return time.perf_counter() - started


def _verdict(name: str, ratios: list[float], *, judged: bool = True) -> bool:
    """Prints the median encrypted / plaintext ratio of the rounds, against the target
    when `judged` (else only reported): whether it is within the target."""
    median = statistics.median(ratios)
    ok = median >= TARGET
    each = ", ".join(f"{r:.2f}" for r in ratios)
    verdict = (
        f"{'within' if ok else 'NOT within'} {1 - TARGET:.0%}" if judged else "reported, no target"
    )
    print(f"{'encrypted / plaintext, ' + name:62} {median:10.2f}     (rounds: {each}; {verdict})")
    return ok


async def _round(
    runs: list[tuple[str, Callable[[], Awaitable[None]]]],
    round_: int,
    baseline: str,
    label: Callable[[str], str],
    total: int,
    totals: dict[str, int],
) -> float:
    """One round of the raw baseline (`total` records) and each kind (`totals`), in an
    order that turns each round; prints their rates and returns encrypted / plaintext."""
    turn = round_ % len(runs)
    spent = {key: await _timed(run) for key, run in runs[turn:] + runs[:turn]}
    base = _row(baseline, total, spent["raw"])
    rates = {kind: _row(label(kind), totals[kind], spent[kind], base) for kind in KINDS}
    return rates["encrypted"] / rates["plaintext"]


async def main(events: int, batch: int, rounds: int, keys_schema: str | None) -> None:
    pool = await create_pool(DSN, min_size=2, max_size=8)
    schemas = {kind: f"bench_{kind[:5]}_{uuid.uuid4().hex[:8]}" for kind in KINDS}
    # By default a key store of the run's own, grown from empty like the events tables
    # beside it, and dropped with them at the end (`--keys-schema hearth_keys` measures
    # against the shared one instead, which holds every earlier run's and test's keys).
    own_keys = keys_schema is None
    keys_schema = keys_schema or f"bench_keys_{uuid.uuid4().hex[:8]}"
    cipher = EventCipher(KeyStore(pool, master_keys_or_development(), schema=keys_schema))
    await cipher.ready()
    stores: dict[str, EventStore] = {}
    for kind, schema in schemas.items():
        await migrate(pool, schema)
        stores[kind] = EventStore(pool, schema, "testing", cipher=cipher)
    raw_schema = schemas["plaintext"]
    singles = events // 10
    print(
        f"events: {events}, batch: {batch}, rounds: {rounds}, "
        f"schemas {list(schemas.values())}, keys in {keys_schema}"
    )
    verdicts: list[bool] = []
    try:
        # --- PostgreSQL: raw insert baseline vs event store append -------------------
        await pool.execute(f"CREATE TABLE {raw_schema}.raw (id uuid, body jsonb)")
        body = note("x", 1).event.model_dump(mode="json")
        # Streams holding one event, for the existing-stream phase to append to.
        one_event: dict[str, deque[str]] = {kind: deque() for kind in KINDS}

        async def raw_single(n: int) -> None:
            for _ in range(n):
                await pool.execute(
                    f"INSERT INTO {raw_schema}.raw VALUES ($1, $2)", uuid.uuid4(), body
                )

        async def raw_batched(n: int) -> None:
            for _ in range(n // batch):
                await pool.executemany(
                    f"INSERT INTO {raw_schema}.raw VALUES ($1, $2)",
                    [(uuid.uuid4(), body) for _ in range(batch)],
                )

        def new_streams(size: int) -> StoreWork:
            async def work(kind: str, n: int) -> None:
                store, make = stores[kind], KINDS[kind]
                for i in range(n // size):
                    case = str(uuid.uuid4())
                    await store.append(
                        case, [make(case, i) for _ in range(size)], expected_version=0, subject=case
                    )
                    if size == 1:
                        one_event[kind].append(case)

            return work

        async def existing_streams(kind: str, n: int) -> None:
            store, make = stores[kind], KINDS[kind]
            # Streams an earlier phase made with one event: one more event each.
            for i in range(n):
                case = one_event[kind].popleft()
                await store.append(case, [make(case, i)], expected_version=1, subject=case)

        # Each phase alternates the baseline and the two kinds in small chunks (a few
        # transactions each, the order turning each time), so the machine's noise, which
        # on a shared machine comes and goes within seconds, falls on all three alike.
        plan: list[tuple[str, RawWork, int, int, StoreWork]] = [
            ("one event per transaction, new stream", raw_single, singles, 5, new_streams(1)),
            (
                "one event per transaction, existing stream",
                raw_single,
                singles,
                5,
                existing_streams,
            ),
            (
                f"{batch} events per transaction, new stream",
                raw_batched,
                events,
                batch,
                new_streams(batch),
            ),
        ]
        for name, raw, count, chunk, work in plan:
            ratios: list[float] = []
            for _ in range(rounds):
                spent = {"raw": 0.0, **dict.fromkeys(KINDS, 0.0)}
                done = 0
                while done < count:
                    size = min(chunk, count - done)
                    runs: list[tuple[str, Callable[[], Awaitable[None]]]] = [
                        ("raw", functools.partial(raw, size)),
                        *[(kind, functools.partial(work, kind, size)) for kind in KINDS],
                    ]
                    turn = (done // chunk) % len(runs)
                    for key, run in runs[turn:] + runs[:turn]:
                        spent[key] += await _timed(run)
                    done += size
                base = _row(f"asyncpg baseline for: {name}", count, spent["raw"])
                rates = {
                    kind: _row(f"event store append ({kind}), {name}", count, spent[kind], base)
                    for kind in KINDS
                }
                ratios.append(rates["encrypted"] / rates["plaintext"])
            verdicts.append(_verdict(f"append, {name}", ratios))

        # --- Kafka: raw idempotent producer vs outbox relay -----------------------------
        # Each round publishes each store's whole table again (a relay of its own name, so
        # from the start, to a topic of its own) beside the raw producer, the order turning
        # each round, as for the appends.
        totals = {
            kind: await pool.fetchval(f"SELECT count(*) FROM {schemas[kind]}.events")
            for kind in KINDS
        }
        record = (await stores["encrypted"].read_all(limit=1))[0][1]
        stored = (await stores["encrypted"].read_stored(record.stream_id))[0].to_kafka()
        total = totals["encrypted"]
        topics: dict[str, str] = {}  # each kind's first round's topic, for the inbox below

        def relay_all(kind: str, round_: int, topic: str) -> Callable[[], Awaitable[None]]:
            relay = OutboxRelay(
                stores[kind],
                dsn=DSN,
                bootstrap_servers=KAFKA,
                topic=topic,
                batch_size=1000,
                name=f"bench{round_}",
            )

            async def run() -> None:
                stop = asyncio.Event()
                task = asyncio.create_task(relay.run(stop))
                while relay.published < totals[kind]:
                    await asyncio.sleep(0.01)
                stop.set()
                await task

            return run

        relay_ratios: list[float] = []
        for round_ in range(rounds):
            round_topics = {kind: f"bench.{uuid.uuid4().hex[:8]}.events" for kind in KINDS}
            raw_topic = f"bench.{uuid.uuid4().hex[:8]}.raw"
            for topic in round_topics.values():
                await ensure_topics(KAFKA, [topic, f"{topic}.dlq"], partitions=3)
            await ensure_topics(KAFKA, [raw_topic], partitions=3)
            for kind, topic in round_topics.items():
                topics.setdefault(kind, topic)

            async def raw_produce(raw_topic: str = raw_topic) -> None:
                producer = AIOKafkaProducer(
                    bootstrap_servers=KAFKA, enable_idempotence=True, linger_ms=5
                )
                await producer.start()
                futures = [
                    await producer.send(
                        raw_topic, value=stored.value, key=str(i).encode(), headers=stored.headers
                    )
                    for i in range(total)
                ]
                await asyncio.gather(*futures)
                await producer.stop()

            relays: list[tuple[str, Callable[[], Awaitable[None]]]] = [
                ("raw", raw_produce),
                *[(kind, relay_all(kind, round_, round_topics[kind])) for kind in KINDS],
            ]
            relay_ratios.append(
                await _round(
                    relays,
                    round_,
                    "aiokafka idempotent produce (the encrypted records)",
                    lambda kind: f"outbox relay ({kind}): table to Kafka, in commit order",
                    total,
                    totals,
                )
            )
        verdicts.append(_verdict("outbox relay", relay_ratios))

        # --- Kafka -> PostgreSQL: raw consume vs inbox consumer --------------------------
        async def raw_consume() -> None:
            consumer = AIOKafkaConsumer(bootstrap_servers=KAFKA, enable_auto_commit=False)
            await consumer.start()
            tps = await partitions_of(KAFKA, topics["encrypted"])
            consumer.assign(tps)
            await consumer.seek_to_beginning(*tps)
            seen = 0
            while seen < total:
                for batch_ in (await consumer.getmany(timeout_ms=500, max_records=1000)).values():
                    seen += len(batch_)
            await consumer.stop()

        async def inbox_consumer(kind: str, round_: int) -> Callable[[], Awaitable[None]]:
            sink = f"{schemas[kind]}_sink{round_}"
            await migrate(pool, sink)
            await pool.execute(f"CREATE TABLE {sink}.seen (event_id uuid PRIMARY KEY, seq int)")

            async def project(conn: Conn, envelope: Envelope, sink: str = sink) -> None:
                await conn.execute(
                    f"INSERT INTO {sink}.seen VALUES ($1, $2)",
                    envelope.event_id,
                    envelope.payload["seq"],
                )

            consumer = EventConsumer(
                service="testing",
                name=f"bench{round_}_{uuid.uuid4().hex[:8]}",
                pool=pool,
                schema=sink,
                bootstrap_servers=KAFKA,
                topics=[topics[kind]],
                handler=project,
                dlq_topic=f"{topics[kind]}.dlq",
                batch_size=1000,
                cipher=cipher,  # as the runtime does: handlers get the events opened
            )

            async def run() -> None:
                stop = asyncio.Event()
                task = asyncio.create_task(consumer.run(stop))
                await consumer.wait_caught_up(timeout=600)
                stop.set()
                await task

            return run

        inbox_ratios: list[float] = []
        for round_ in range(rounds):
            inboxes: list[tuple[str, Callable[[], Awaitable[None]]]] = [
                ("raw", raw_consume),
                *[(kind, await inbox_consumer(kind, round_)) for kind in KINDS],
            ]
            inbox_ratios.append(
                await _round(
                    inboxes,
                    round_,
                    "aiokafka consume (getmany from offset 0)",
                    lambda kind: (
                        f"inbox consumer ({kind}): Kafka to PostgreSQL, inbox + checkpoint"
                    ),
                    total,
                    totals,
                )
            )
        _verdict("inbox consumer (opens every event)", inbox_ratios, judged=False)
        print("verdict:", "append and relay within 15%" if all(verdicts) else "NOT all within 15%")
    finally:
        if own_keys:
            await pool.execute(f"DROP SCHEMA IF EXISTS {keys_schema} CASCADE")
        for schema in schemas.values():
            await pool.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            for round_ in range(rounds):
                await pool.execute(f"DROP SCHEMA IF EXISTS {schema}_sink{round_} CASCADE")
        await pool.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--keys-schema",
        help="an existing key store to use (kept); default: one of the run's own (dropped)",
    )
    args = parser.parse_args()
    asyncio.run(main(args.events, args.batch, args.rounds, args.keys_schema))
