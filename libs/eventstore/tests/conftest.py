"""Fixtures for the event store's integration tests: a fresh schema and topic per test."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from hearth.eventstore.db import create_pool, migrate
from hearth.eventstore.kafka import ensure_topics
from hearth.eventstore.store import EventStore
from hearth.eventstore.testing.service import fresh_topic


@pytest.fixture(scope="session")
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(database_url, min_size=1, max_size=20)
    yield pool
    await pool.close()


@pytest.fixture
async def schema(pool: asyncpg.Pool) -> AsyncIterator[str]:
    name = f"t_{uuid.uuid4().hex[:12]}"
    await migrate(pool, name)
    yield name
    await pool.execute(f"DROP SCHEMA {name} CASCADE")


@pytest.fixture
def store(pool: asyncpg.Pool, schema: str) -> EventStore:
    return EventStore(pool, schema, "testing")


@pytest.fixture
async def topic(kafka_bootstrap: str) -> str:
    name = fresh_topic()
    await ensure_topics(kafka_bootstrap, [name, f"{name}.dlq"], partitions=3)
    return name
