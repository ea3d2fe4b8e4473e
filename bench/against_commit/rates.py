"""Absolute rates of the event store checked out with this file's interpreter: appends
(one event to a new stream, one to an existing stream, 100 to a new stream) and the
outbox relay publishing the result. Printed as one JSON line.

Written to run unchanged against older trees (a commit before encryption has no cipher),
so that `run.sh` can put the same harness to two commits in turn. The figures are
absolute: a raw-client baseline would not help here, because the pool itself changed
between commits (the raw client shares it)."""

from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from typing import Any

from hearth.eventstore.db import create_pool, migrate
from hearth.eventstore.kafka import ensure_topics
from hearth.eventstore.relay import OutboxRelay
from hearth.eventstore.store import EventStore
from hearth.eventstore.testing.events import note

DSN = os.environ.get("DATABASE_URL", "postgresql://hearth@127.0.0.1:15432/hearth")
KAFKA = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092")
SINGLES = 1500
BATCHES = 60


async def main() -> None:
    pool = await create_pool(DSN, min_size=1, max_size=4)
    schema = f"against_{uuid.uuid4().hex[:8]}"
    await migrate(pool, schema)
    options: dict[str, Any] = {}
    keys_schema = None
    try:  # a tree with encryption: a key store of the run's own, as the main bench
        from hearth.eventstore.personal_data import (
            EventCipher,
            KeyStore,
            master_keys_or_development,
        )

        keys_schema = f"against_keys_{uuid.uuid4().hex[:8]}"
        cipher = EventCipher(KeyStore(pool, master_keys_or_development(), schema=keys_schema))
        await cipher.ready()
        options["cipher"] = cipher
    except ImportError:
        pass
    store = EventStore(pool, schema, "testing", **options)
    rates: dict[str, float] = {}
    try:
        cases = [str(uuid.uuid4()) for _ in range(SINGLES)]
        for name, version in (("one event, new stream", 0), ("one event, existing stream", 1)):
            started = time.perf_counter()
            for case in cases:
                await store.append(
                    case, [note(case, version)], expected_version=version, subject=case
                )
            rates[name] = SINGLES / (time.perf_counter() - started)
        started = time.perf_counter()
        for _ in range(BATCHES):
            case = str(uuid.uuid4())
            batch = [note(case, i) for i in range(100)]
            await store.append(case, batch, expected_version=0, subject=case)
        rates["100 events, new stream"] = BATCHES * 100 / (time.perf_counter() - started)

        total = await pool.fetchval(f"SELECT count(*) FROM {schema}.events")
        topic = f"against.{uuid.uuid4().hex[:8]}.events"
        await ensure_topics(KAFKA, [topic, f"{topic}.dlq"], partitions=3)
        relay = OutboxRelay(
            store, dsn=DSN, bootstrap_servers=KAFKA, topic=topic, batch_size=1000, name="against"
        )
        stop = asyncio.Event()
        started = time.perf_counter()
        task = asyncio.create_task(relay.run(stop))
        while relay.published < total:
            await asyncio.sleep(0.01)
        rates["outbox relay"] = total / (time.perf_counter() - started)
        stop.set()
        await task
    finally:
        await pool.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        if keys_schema is not None:
            await pool.execute(f"DROP SCHEMA IF EXISTS {keys_schema} CASCADE")
        await pool.close()
    print(json.dumps(rates), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
