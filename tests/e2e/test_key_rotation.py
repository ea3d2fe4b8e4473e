"""Rotating the master key: re-wrap with the operator command, restart, and every live
case still decrypts, with the old master key gone.

intake and cases run on real Kafka and PostgreSQL with a key store of the test's own
(`HEARTH_KEY_STORE_SCHEMA`): the rotation re-wraps every key in its key store, and the
tests running beside this one keep theirs.
"""

from __future__ import annotations

import base64
import io
import os
import uuid
from contextlib import redirect_stdout
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest

from hearth.cases.service import SPEC as CASES
from hearth.contracts.envelope import Role
from hearth.eventstore.clock import ControllableClock
from hearth.eventstore.runtime import Runtime, key_commands
from hearth.eventstore.testing.service import RunningService, fresh_schema, running_service
from hearth.eventstore.testing.waiting import eventually
from hearth.intake.service import SPEC as INTAKE

pytestmark = pytest.mark.integration

MANAGER = ("dalead-0001", Role.MANAGER)
SURVIVOR = "Ottoline Rotation-Test"
PERPETRATOR = "Mordecai Rotation-Test"


def _master(key_id: str) -> str:
    return f"{key_id}:{base64.b64encode(os.urandom(32)).decode()}"


async def _operate(runtime: Runtime[Any], name: str) -> tuple[int, str]:
    [command] = [c for c in key_commands() if c.name == name]
    out = io.StringIO()
    with redirect_stdout(out):
        code = await command.run(runtime, {})
    return code, out.getvalue()


async def _case_view(cases: RunningService, case_id: str) -> Any:
    response = await cases.client.get(f"/cases/{case_id}", headers=cases.auth(*MANAGER))
    return response.json() if response.status_code == 200 else None


async def test_after_rotating_the_master_key_and_restarting_every_live_case_still_decrypts(
    kafka_bootstrap: str,
    database_url: str,
    topic_namespace: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = ControllableClock(datetime(2026, 11, 30, 9, 30, tzinfo=UTC))
    key_schema = f"t_keys_{uuid.uuid4().hex[:12]}"
    schemas = {INTAKE.name: fresh_schema("intake"), CASES.name: fresh_schema("cases")}
    old, new = _master("mk-2026-01"), _master("mk-2026-07")

    def start(spec: Any) -> Any:
        return running_service(
            spec,
            kafka_bootstrap=kafka_bootstrap,
            database_url=database_url,
            clock=clock,
            schema=schemas[spec.name],
            topic_namespace=topic_namespace,
            key_store_schema=key_schema,
        )

    try:
        monkeypatch.setenv("HEARTH_MASTER_KEYS", old)
        async with start(INTAKE) as intake, start(CASES) as cases:
            case_ids = []
            for n in range(3):
                sent = await intake.client.post(
                    "/reports",
                    json={
                        "channel": "phone",
                        "reporter": {"kind": "survivor"},
                        "survivor": {"name": f"{SURVIVOR} {n}", "phone": f"07700 90{n:04d}"},
                        "alleged_perpetrators": [{"name": PERPETRATOR}],
                        "abuse_types": ["physical"],
                        "immediate_danger": False,
                        "account": "He took my keys.",
                    },
                    headers=intake.auth("intake-0007", Role.INTAKE),
                )
                assert sent.status_code == 202, sent.text
                case_ids.append(sent.json()["case_id"])
            before = {
                case_id: await eventually(
                    lambda case_id=case_id: _case_view(cases, case_id), what="the case to open"
                )
                for case_id in case_ids
            }
        for n, case_id in enumerate(case_ids):
            assert f"{SURVIVOR} {n}" in str(before[case_id])

        # Rotation: the new key first, the old one after it; restart, re-wrap.
        monkeypatch.setenv("HEARTH_MASTER_KEYS", f"{new},{old}")
        async with start(CASES) as cases:
            code, printed = await _operate(cases.runtime, "keys-status")
            assert code == 1 and "run keys-rewrap" in printed
            code, printed = await _operate(cases.runtime, "keys-rewrap")
            assert code == 0, printed
            assert "mk-2026-07: wraps" in printed and "older ones may be retired" in printed

        pool = await asyncpg.connect(database_url)
        try:
            masters = await pool.fetch(
                f"SELECT DISTINCT master_key_id FROM {key_schema}.data_keys "
                "WHERE wrapped_key IS NOT NULL"
            )
        finally:
            await pool.close()
        assert [r["master_key_id"] for r in masters] == ["mk-2026-07"]

        # The old master key retired: only the new one is loaded. Every case still opens.
        monkeypatch.setenv("HEARTH_MASTER_KEYS", new)
        async with start(INTAKE) as intake, start(CASES) as cases:
            for n, case_id in enumerate(case_ids):
                after = await _case_view(cases, case_id)
                assert after == before[case_id]
                assert f"{SURVIVOR} {n}" in str(after)
            # A new report's keys are wrapped by the new master key too.
            sent = await intake.client.post(
                "/reports",
                json={
                    "channel": "email",
                    "reporter": {"kind": "survivor"},
                    "survivor": {"name": f"{SURVIVOR} new", "phone": "07700 900999"},
                    "abuse_types": ["stalking"],
                    "immediate_danger": False,
                },
                headers=intake.auth("intake-0007", Role.INTAKE),
            )
            assert sent.status_code == 202, sent.text
            opened = await eventually(
                lambda: _case_view(cases, sent.json()["case_id"]), what="the new case to open"
            )
            assert f"{SURVIVOR} new" in str(opened)
            code, printed = await _operate(cases.runtime, "keys-status")
            assert code == 0, printed
    finally:
        conn = await asyncpg.connect(database_url)
        try:
            await conn.execute(f"DROP SCHEMA IF EXISTS {key_schema} CASCADE")
        finally:
            await conn.close()
