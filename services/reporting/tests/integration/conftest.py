"""Reporting on real Kafka and PostgreSQL, fed by the other services' own plumbing.

`producers` appends events to an `EventStore` per producing service (intake, cases,
risk, referrals: each in a schema of its own, personal values encrypted with the key
store) and runs an `OutboxRelay` for each onto its topic in the test's namespace, so
what reporting consumes is exactly what those services publish: ciphertext where the
contract says personal. `reporting` runs the whole service with `start_service`.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from typing import Any

import pytest

from hearth.contracts.topics import PRODUCING_SERVICES, events_topic
from hearth.eventstore.clock import ControllableClock
from hearth.eventstore.db import create_pool, migrate
from hearth.eventstore.kafka import ensure_topics, hearth_topics
from hearth.eventstore.relay import OutboxRelay
from hearth.eventstore.store import EventStore, NewEvent
from hearth.eventstore.testing.service import RunningService, fresh_schema
from hearth.eventstore.testing.waiting import eventually
from hearth.reporting.service import SPEC

pytestmark = pytest.mark.integration

NOW = datetime(2026, 10, 5, 12, 0, tzinfo=UTC)
"""After the third quarter of 2026: its figures are complete."""


class Producers:
    """The four producing services' event stores and relays."""

    def __init__(self, stores: dict[str, EventStore]) -> None:
        self.stores = stores
        self.versions: dict[tuple[str, str], int] = {}
        self.appended = 0

    async def append(self, published: Iterable[Any]) -> None:
        """Append each event (a `Published`) to its service's stream, in order."""
        for p in published:
            store = self.stores[p.service]
            key = (p.service, p.stream)
            version = self.versions.get(key, 0)
            subject = str(getattr(p.event, "case_id", None) or p.stream.split("-", 1)[1])
            new = NewEvent(p.event, p.actor, p.at, uuid.uuid4())
            await store.append(p.stream, [new], expected_version=version, subject=subject)
            self.versions[key] = version + 1
            self.appended += 1


@pytest.fixture
async def producers(
    database_url: str, kafka_bootstrap: str, topic_namespace: str
) -> AsyncIterator[Producers]:
    await ensure_topics(kafka_bootstrap, hearth_topics(topic_namespace), partitions=3)
    pool = await create_pool(database_url, min_size=1, max_size=8)
    stop = asyncio.Event()
    tasks = []
    stores: dict[str, EventStore] = {}
    try:
        for service in PRODUCING_SERVICES:
            schema = fresh_schema(service)
            await migrate(pool, schema)
            store = EventStore(pool, schema, service)
            await store.cipher.ready()
            stores[service] = store
            relay = OutboxRelay(
                store,
                dsn=database_url,
                bootstrap_servers=kafka_bootstrap,
                topic=f"{topic_namespace}.{events_topic(service)}",
                poll_seconds=0.2,
            )
            tasks.append(asyncio.create_task(relay.run(stop)))
        yield Producers(stores)
    finally:
        stop.set()
        for task in tasks:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(task, timeout=20)
        await pool.close()


@pytest.fixture
def clock() -> ControllableClock:
    return ControllableClock(NOW)


@pytest.fixture
def start_reporting(
    start_service: Callable[..., AbstractAsyncContextManager[RunningService]],
    clock: ControllableClock,
) -> Callable[..., AbstractAsyncContextManager[RunningService]]:
    def start(schema: str | None = None) -> AbstractAsyncContextManager[RunningService]:
        return start_service(SPEC, clock, schema)

    return start


@pytest.fixture
async def reporting(start_reporting: Callable[..., Any]) -> AsyncIterator[RunningService]:
    async with start_reporting() as service:
        yield service


async def caught_up(service: RunningService, producers: Producers) -> None:
    """Wait until reporting has handled every event the producers appended."""

    async def handled() -> bool:
        count = await service.runtime.event_store.pool.fetchval(
            f"SELECT count(*) FROM {service.runtime.schema}.inbox WHERE consumer = 'events'"
        )
        return bool(count >= producers.appended)

    await eventually(handled, timeout=90, what="reporting to handle every event")


@pytest.fixture
def until_caught_up() -> Callable[[RunningService, Producers], Any]:
    return caught_up
