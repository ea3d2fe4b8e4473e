"""`python -m hearth.risk rebuild-read-model`: the risk summary replayed from the event
store equals the one kept up with each append, whatever the table held before."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from hearth.contracts.envelope import Role
from hearth.eventstore.clock import ControllableClock
from hearth.eventstore.db import create_pool
from hearth.eventstore.testing.service import running_service
from hearth.risk.read_model import summary_rows
from hearth.risk.service import SPEC

pytestmark = pytest.mark.integration

CSO = ("cso-0001", Role.CASE_MANAGER)
LEAD = ("dalead-0001", Role.MANAGER)


async def _operator_command(database_url: str, schema: str, *argv: str) -> tuple[int, str]:
    """Run `python -m hearth.risk <argv>` as an operator would, on this schema."""
    env = {**os.environ, "HEARTH_DATABASE_URL": database_url, "HEARTH_DB_SCHEMA": schema}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "hearth.risk",
        *argv,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return process.returncode, out.decode()


async def test_rebuild_read_model_gives_the_summary_kept_up_incrementally(
    kafka_bootstrap: str,
    database_url: str,
    clock: ControllableClock,
    topic_namespace: str,
    cases_topic: Any,
    known: Callable[..., Any],
    dash_answers: Callable[..., list[dict[str, Any]]],
) -> None:
    start = clock.now()
    async with running_service(
        SPEC,
        kafka_bootstrap=kafka_bootstrap,
        database_url=database_url,
        clock=clock,
        topic_namespace=topic_namespace,
    ) as risk:
        schema = risk.runtime.schema
        cso, lead = risk.auth(*CSO), risk.auth(*LEAD)
        reassessed = await cases_topic.open()
        declined = await cases_topic.open()
        restricted = await cases_topic.open(restricted_to=("dalead-0001",))
        untouched = await cases_topic.open()
        for case_id in (reassessed, declined, restricted, untouched):
            await known(risk, case_id)

        async def post(case_id: Any, path: str, body: dict[str, Any], who: Any = cso) -> None:
            clock.set(clock.now() + timedelta(minutes=7))  # each write at its own moment
            answer = await risk.client.post(f"/cases/{case_id}/{path}", json=body, headers=who)
            assert answer.status_code == 201, answer.text

        def at(hours: int) -> str:
            return (start - timedelta(hours=hours)).isoformat()

        # High, then a later lower one; one recorded late and dated between moves nothing.
        await post(reassessed, "assessments", {"completed_at": at(30), "answers": dash_answers(15)})
        await post(reassessed, "assessments", {"completed_at": at(5), "answers": dash_answers(3)})
        await post(reassessed, "assessments", {"completed_at": at(20), "answers": dash_answers(11)})
        # A decline, then another agency's assessment with a level.
        await post(declined, "dash-declined", {"declined_at": at(8), "reason": "Not now."})
        elsewhere = {"agency": "police", "completed_on": "2025-03-06", "risk_level": "high"}
        await post(declined, "dash-elsewhere", elsewhere)
        # A restricted case: a named manager records, and every read of it is recorded too.
        body = {"completed_at": at(2), "answers": dash_answers(12)}
        await post(restricted, "assessments", body, lead)
        clock.set(clock.now() + timedelta(minutes=7))
        read = await risk.client.get(f"/cases/{restricted}/risk", headers=lead)
        assert read.status_code == 200

    # The service has stopped: nothing writes while the two are compared.
    pool = await create_pool(database_url)
    try:
        async with pool.acquire() as conn:
            incremental = await summary_rows(conn, schema)
            # Whatever the table holds is replaced: a row lost, one wrong, one left over.
            await conn.execute(f"DELETE FROM {schema}.risk_summary WHERE case_id = $1", declined)
            await conn.execute(f"UPDATE {schema}.risk_summary SET assessments = 99")
            await conn.execute(
                f"""INSERT INTO {schema}.risk_summary (case_id, version, assessments, declines,
                        assessed_elsewhere, updated_at) VALUES ($1, 1, 0, 0, 0, now())""",
                untouched,
            )

        code, out = await _operator_command(database_url, schema, "rebuild-read-model")

        async with pool.acquire() as conn:
            rebuilt = await summary_rows(conn, schema)
    finally:
        await pool.close()

    assert code == 0, out
    assert "risk summary rebuilt from the event store: 3 cases" in out
    assert rebuilt == incremental
    # And the summary says what happened, not merely the same twice.
    rows = {r["case_id"]: r for r in rebuilt}
    assert set(rows) == {reassessed, declined, restricted}
    assert (rows[reassessed]["assessments"], rows[reassessed]["risk_level"]) == (3, "standard")
    assert (rows[declined]["declines"], rows[declined]["assessed_elsewhere"]) == (1, 1)
    assert rows[declined]["risk_level"] == "high"
    assert rows[restricted]["version"] == 3  # the assessment, its level, the recorded read
