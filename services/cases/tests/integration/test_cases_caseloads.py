"""Open cases per case manager, kept as cases open, change hands, close and reopen, equal
to counting every case, to what a rebuild counts, and right under concurrent commands."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from hearth.cases.operations import rebuild_read_model
from hearth.cases.read_model import caseloads
from hearth.cases.service import SPEC
from hearth.contracts.envelope import Role
from hearth.eventstore.db import create_pool
from hearth.eventstore.settings import ServiceSettings

pytestmark = pytest.mark.integration

LEAD = ("dalead-0001", Role.MANAGER)
CASE_MANAGERS = ("cso-0001", "cso-0002", "cso-0003")


async def counted_from_every_case(conn: Any, schema: str) -> dict[str, int]:
    """The count as it used to be made: every open case grouped by its case manager."""
    rows = await conn.fetch(
        f"""SELECT case_manager_id, count(*) AS n FROM {schema}.case_summary
            WHERE status = 'open' AND case_manager_id IS NOT NULL GROUP BY case_manager_id"""
    )
    return {r["case_manager_id"]: r["n"] for r in rows}


async def test_caseloads_follow_every_change_and_equal_a_rebuild(
    start_cases, new_case, database_url
) -> None:
    async with start_cases() as cases:
        schema = cases.runtime.schema
        lead = cases.auth(*LEAD)

        async def post(case_id: object, path: str, body: dict, headers=lead) -> dict:
            response = await cases.client.post(
                f"/cases/{case_id}/{path}", json=body, headers=headers
            )
            assert response.status_code in (200, 201), response.text
            return response.json()

        async def counts() -> tuple[dict[str, int], dict[str, int]]:
            async with cases.runtime.pool.acquire() as conn:
                return await caseloads(conn, schema), await counted_from_every_case(conn, schema)

        opened = [await new_case(cases) for _ in range(6)]
        kept, expected = await counts()
        assert kept == expected and sum(kept.values()) == 6

        # Reassigned to a named member of staff.
        (first, first_manager), (second, second_manager), (third, third_manager) = opened[:3]
        other = next(m for m in CASE_MANAGERS if m != first_manager)
        await post(first.case_id, "case-manager", {"staff_id": other})
        # Closed, and closed then reopened.
        for report, manager in ((second, second_manager), (third, third_manager)):
            cm = cases.auth(manager, Role.CASE_MANAGER)
            await post(report.case_id, "closure-request", {"reason": "referred_on"}, cm)
            await post(report.case_id, "closure-decision", {"decision": "approve"})
        kept, expected = await counts()
        assert kept == expected and sum(kept.values()) == 4
        await post(third.case_id, "reopening", {"reason": "new_incident"})
        kept, expected = await counts()
        assert kept == expected and sum(kept.values()) == 5

        # Many commands at once: cases passed round the team in every direction while
        # another case closes and new ones open.
        open_cases = [r.case_id for r, _ in (opened[0], *opened[2:])]

        async def reassign(case_id: object, staff_id: str) -> int:
            response = await cases.client.post(
                f"/cases/{case_id}/case-manager", json={"staff_id": staff_id}, headers=lead
            )
            return response.status_code

        for round_ in range(3):
            moves = [
                reassign(case_id, CASE_MANAGERS[(i + round_) % 3])
                for i, case_id in enumerate(open_cases)
            ]
            results = await asyncio.gather(*moves, new_case(cases))
            # A case already with that person is refused (409); every other move lands.
            assert set(results[:-1]) <= {200, 409} and 200 in results[:-1]
        kept, expected = await counts()
        assert kept == expected and sum(kept.values()) == 5 + 3

    # The service has stopped: the rebuilt counts equal those kept as it ran.
    pool = await create_pool(database_url)
    try:
        rebuilt_cases = await rebuild_read_model(
            SPEC, ServiceSettings(database_url=database_url, db_schema=schema)
        )
        async with pool.acquire() as conn:
            rebuilt = await caseloads(conn, schema)
    finally:
        await pool.close()
    assert rebuilt_cases == 9
    assert rebuilt == kept
