"""The four topics keep order only within themselves: a case's risk or referrals events
may arrive before the cases event that opened it. The facts must not depend on which
topic came first."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import asyncpg
import pytest

from hearth.contracts.envelope import GENESIS_HASH, Envelope
from hearth.eventstore.db import create_pool, migrate
from hearth.eventstore.testing.service import fresh_schema
from hearth.reporting import read_model
from hearth.reporting.consumers import project
from hearth.reporting.service import SPEC

pytestmark = pytest.mark.integration


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(database_url, min_size=1, max_size=2)
    yield pool
    await pool.close()


def _by_topic(story: Any) -> dict[str, list[Any]]:
    topics: dict[str, list[Any]] = {}
    for p in story.events:
        topics.setdefault(p.service, []).append(p)
    return topics


async def _fold(pool: asyncpg.Pool, order: list[str], topics: dict[str, list[Any]]) -> Any:
    schema = fresh_schema("reporting")
    assert SPEC.migrations is not None
    await migrate(pool, schema, [SPEC.migrations])
    async with pool.acquire() as conn, conn.transaction():
        for service in order:
            for n, p in enumerate(topics.get(service, []), start=1):
                envelope = Envelope.seal(
                    event_id=p.event_id,
                    type=p.event.event_type(),
                    source=f"hearth.{p.service}",
                    subject=str(p.event.case_id),
                    stream_id=p.stream,
                    stream_version=n,
                    occurred_at=p.at,
                    recorded_at=p.at,
                    correlation_id=uuid.uuid4(),
                    causation_id=None,
                    actor=p.actor,
                    prev_hash=GENESIS_HASH,
                    payload=p.event.model_dump(mode="json"),
                )
                await project(conn, schema, envelope)
        return await read_model.snapshot(conn, schema)


async def test_the_facts_are_the_same_whichever_topic_arrives_first(
    pool: asyncpg.Pool, kit: SimpleNamespace
) -> None:
    story = kit.CaseStory()
    opened = story.opened(kit.MONDAY, equality=kit.EQUALITY, restricted_to=("dalead-0002",))
    story.assigned("cso-0001")
    story.contacted(opened, kit.MONDAY + timedelta(hours=1))
    assessment = story.dash(15, kit.RiskLevel.HIGH, kit.MONDAY + timedelta(hours=2))
    story.dash_met(opened, assessment)
    referral = story.marac(kit.MONDAY + timedelta(hours=3))
    story.heard(referral, (kit.MONDAY + timedelta(days=7)).date(), actions=1)
    story.consent(False, kit.MONDAY + timedelta(hours=4))
    story.closed(kit.MONDAY + timedelta(days=9))
    topics = _by_topic(story)

    cases_first = await _fold(pool, ["cases", "risk", "referrals"], topics)
    cases_last = await _fold(pool, ["referrals", "risk", "cases"], topics)
    assert cases_first == cases_last
    [row] = cases_first["case_facts"]
    assert (row["risk_level"], row["open"], row["visible_to"]) == ("high", False, ["dalead-0002"])
