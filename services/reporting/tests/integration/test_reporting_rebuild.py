"""`python -m hearth.reporting rebuild` empties every table and replays the four topics
from offset 0: the facts and the figures after it equal those written as events came."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import asyncpg
import pytest

from hearth.contracts.envelope import Role
from hearth.eventstore.testing.service import RunningService, fresh_schema
from hearth.reporting import read_model

pytestmark = pytest.mark.integration

REPORTS = (
    "/figures/committee?period=2026-Q3",
    "/figures/marac?period=2026-Q3",
    "/figures/executive?period=2026-07",
    "/figures/committee?period=2026-Q3&external=true",
)


async def test_a_rebuild_from_offset_0_gives_the_same_facts_and_figures(
    start_reporting: Callable[..., Any],
    producers: Any,
    until_caught_up: Callable[..., Any],
    kit: SimpleNamespace,
    kafka_bootstrap: str,
    database_url: str,
    topic_namespace: str,
) -> None:
    schema = fresh_schema("reporting")
    await producers.append(kit.quarter())

    async def figures(service: RunningService) -> list[Any]:
        headers = service.auth("dalead-0001", Role.MANAGER)
        return [(await service.client.get(path, headers=headers)).json() for path in REPORTS]

    async def facts(service: RunningService) -> Any:
        async with service.runtime.event_store.transaction() as conn:
            return await read_model.snapshot(conn, schema)

    async with start_reporting(schema) as reporting:
        await until_caught_up(reporting, producers)
        incremental, written = await figures(reporting), await facts(reporting)
    assert incremental[0]["sections"]["marac"]["referrals"] == {"count": 2}
    assert incremental[1]["sections"]["volume"]["repeats"]["count"] == 1
    assert len(written["timeline"]) == producers.appended - 1  # the enquiry is no case's

    # Spoil the read model, as a bug would: the rebuild must not keep any of it.
    spoiler = await asyncpg.connect(database_url)
    try:
        await spoiler.execute(f"DELETE FROM {schema}.case_facts")
        await spoiler.execute(f"UPDATE {schema}.deadlines SET met_at = NULL")
    finally:
        await spoiler.close()

    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "hearth.reporting",
        "rebuild",
        env={
            **os.environ,
            "HEARTH_KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
            "HEARTH_DATABASE_URL": database_url,
            "HEARTH_DB_SCHEMA": schema,
            "HEARTH_TOPIC_NAMESPACE": topic_namespace,
        },
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=180)
    assert process.returncode == 0, output.decode(errors="replace")[-2000:]
    assert b"events rebuilt from offset 0" in output

    async with start_reporting(schema) as rebuilt:
        assert await facts(rebuilt) == written
        assert await figures(rebuilt) == incremental
