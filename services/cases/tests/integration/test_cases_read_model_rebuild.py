"""The case summary and deadlines rebuilt from the event store equal the incremental ones."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hearth.cases.operations import rebuild_read_model
from hearth.cases.read_model import summary_rows
from hearth.cases.service import SPEC
from hearth.contracts.envelope import Role
from hearth.contracts.events.intake import LinkBasis
from hearth.eventstore.db import create_pool
from hearth.eventstore.settings import ServiceSettings
from hearth.eventstore.store import EventStore

pytestmark = pytest.mark.integration


async def test_rebuilding_from_events_gives_the_same_read_model(
    start_cases, new_case, intake, clock, case_events, eventually, database_url
) -> None:
    async with start_cases() as cases:
        schema = cases.runtime.schema
        first, manager = await new_case(cases)
        second, _ = await new_case(cases)
        lead = cases.auth("dalead-0001", Role.MANAGER)
        cm = cases.auth(manager, Role.CASE_MANAGER)
        clock.set(datetime(2025, 3, 10, 10, 0, tzinfo=UTC))
        for path, body, headers in (
            (f"{first.case_id}/contacts", {"method": "visit"}, cm),
            (f"{first.case_id}/repairs", {"kind": "doors", "description": "Door"}, cm),
            (
                f"{first.case_id}/restriction",
                {"reason": "other_sensitivity", "permitted_staff_ids": ["dalead-0001"]},
                lead,
            ),
            (f"{second.case_id}/closure-request", {"reason": "referred_on"}, cm),
            (f"{second.case_id}/closure-decision", {"decision": "approve"}, lead),
        ):
            response = await cases.client.post(f"/cases/{path}", json=body, headers=headers)
            assert response.status_code in (200, 201), response.text
        await cases.client.get(f"/cases/{first.case_id}", headers=lead)  # a recorded read
        further = intake.report(case_id=first.case_id, immediate_danger=True)
        await intake.send(further, basis=LinkBasis.SAME_SURVIVOR)

        async def further_added() -> bool:
            history = await case_events(cases, first.case_id)
            return any(e.event_name == "ReportAddedToCase" for e in history)

        await eventually(further_added)
        clock.set(datetime(2025, 3, 12, 10, 0, tzinfo=UTC))

        async def dash_overdue() -> bool:
            history = await case_events(cases, first.case_id)
            return any(e.event_name == "DashOverdue" for e in history)

        await eventually(dash_overdue)

    # The service has stopped: nothing writes while the two are compared.
    pool = await create_pool(database_url)
    try:
        store = EventStore(pool, schema, "cases")
        async with store.transaction() as conn:
            incremental = await summary_rows(conn, schema)
        rebuilt_cases = await rebuild_read_model(
            SPEC, ServiceSettings(database_url=database_url, db_schema=schema)
        )
        async with store.transaction() as conn:
            rebuilt = await summary_rows(conn, schema)
    finally:
        await pool.close()
    assert rebuilt_cases >= 2
    assert rebuilt == incremental
    summaries = {r["case_id"]: r for r in rebuilt if "episode" in r}
    assert summaries[first.case_id]["restricted"] is True
    assert summaries[first.case_id]["immediate_danger"] is True
    assert summaries[second.case_id]["status"] == "closed"
    overdue = [r for r in rebuilt if r.get("kind") == "dash" and r["case_id"] == first.case_id]
    assert overdue[0]["overdue_recorded_at"] is not None
    # The decided facts are stored: the DASH was recorded overdue, the case is restricted.
    assert overdue[0]["status"] == "overdue"
    assert summaries[first.case_id]["overdue"] is True
    assert summaries[first.case_id]["visible_to_everyone"] is False
    assert summaries[first.case_id]["visible_to"] == sorted({"dalead-0001", manager})
    closed = [r for r in rebuilt if r.get("kind") == "dash" and r["case_id"] == second.case_id]
    assert closed[0]["status"] == "cancelled"
    assert summaries[second.case_id]["overdue"] is False
