"""The case summary, deadlines and caseloads rebuilt from the event store, or migrated
from the first migration's shape, equal the incremental ones."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hearth.cases.operations import rebuild_read_model
from hearth.cases.read_model import summary_rows
from hearth.cases.service import SPEC
from hearth.contracts.envelope import Role
from hearth.contracts.events.intake import LinkBasis
from hearth.eventstore.db import create_pool, migrate
from hearth.eventstore.settings import ServiceSettings
from hearth.eventstore.store import EventStore
from hearth.eventstore.testing.service import fresh_schema

pytestmark = pytest.mark.integration

MIGRATIONS = SPEC.migrations
MONDAY_10 = "2025-03-10T10:00:00+00:00"
TUESDAY_10 = "2025-03-11T10:00:00+00:00"
FIRST_VISIT = {
    "method": "visit",
    "safe_to_talk_checked": True,
    "safe_contact": {
        "safe_to_call": False,
        "safe_to_text": False,
        "safe_to_email": False,
        "safe_to_write": False,
        "safe_to_visit": True,
        "withheld_number_only": False,
        "never_leave_voicemail": True,
        "interpreter_needed": False,
    },
}


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
            (f"{first.case_id}/contacts", {**FIRST_VISIT, "happened_at": MONDAY_10}, cm),
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


_OLD_SUMMARY = """case_id, version, status, episode, reported_at, opened_at, closed_at, channel,
    immediate_danger, repeat, closure_requested, case_manager_id, preferred_gender,
    preference_met, restricted, permitted_staff_ids, involved_staff_ids, timescale_policy,
    updated_at"""
_OLD_DEADLINES = """case_id, kind, ref_id, starts_at, due_at, met_at, cancelled_at,
    overdue_recorded_at"""


async def test_rows_written_before_the_facts_were_stored_are_converted_as_saves_write_them(
    cases, new_case, clock, eventually, case_events, database_url, tmp_path
) -> None:
    """The read model as the first migration shaped it, migrated, equals the one `save`
    writes: deadline statuses, visibility, overdue and caseloads alike."""
    schema = cases.runtime.schema
    first, manager = await new_case(cases)
    second, _ = await new_case(cases)
    # Nobody on the roster is non-binary: a preference left unmet.
    third, _ = await new_case(cases, preferred_case_manager_gender="non_binary")
    lead = cases.auth("dalead-0001", Role.MANAGER)
    cm = cases.auth(manager, Role.CASE_MANAGER)
    clock.set(datetime(2025, 3, 11, 10, 0, tzinfo=UTC))  # after contact was due

    async def contact_overdue() -> bool:
        histories = [await case_events(cases, r.case_id) for r in (first, second, third)]
        return all(any(e.event_name == "ContactOverdue" for e in h) for h in histories)

    # Recorded before the commands below, which the scheduler is then not racing.
    await eventually(contact_overdue)
    for path, body, headers in (
        (f"{first.case_id}/contacts", {**FIRST_VISIT, "happened_at": TUESDAY_10}, cm),  # late
        (
            f"{first.case_id}/restriction",
            {"reason": "other_sensitivity", "permitted_staff_ids": ["dalead-0001"]},
            lead,
        ),
        (f"{second.case_id}/closure-request", {"reason": "referred_on"}, lead),
        (
            f"{second.case_id}/closure-decision",
            {"decision": "approve"},
            cases.auth("dalead-0002", Role.MANAGER),
        ),
    ):
        response = await cases.client.post(f"/cases/{path}", json=body, headers=headers)
        assert response.status_code in (200, 201), response.text

    async with cases.runtime.pool.acquire() as conn, conn.transaction():
        saved = await summary_rows(conn, schema)

    # The same cases in a schema only the first migration made, copied as it shaped them.
    old = fresh_schema("cases")
    first_only = tmp_path / "cases" / "migrations"
    first_only.mkdir(parents=True)
    (first_only / "0001_cases.sql").write_text((MIGRATIONS / "0001_cases.sql").read_text())
    pool = await create_pool(database_url)
    try:
        await migrate(pool, old, [first_only])
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute(
                f"""INSERT INTO {old}.case_summary ({_OLD_SUMMARY})
                    SELECT case_id, version, status, episode, reported_at, opened_at, closed_at,
                        channel, immediate_danger, repeat, closure_requested, case_manager_id,
                        preferred_gender, preference_met, restricted, visible_to, hidden_from,
                        timescale_policy, updated_at FROM {schema}.case_summary"""
            )
            await conn.execute(
                f"""INSERT INTO {old}.deadlines ({_OLD_DEADLINES})
                    SELECT {_OLD_DEADLINES} FROM {schema}.deadlines"""
            )
        assert await migrate(pool, old, [MIGRATIONS]) == [
            "cases/0002_decided_facts.sql",
            "cases/0003_caseloads.sql",
            "cases/0004_preference_unmet.sql",
            "cases/0005_identify_survivor.sql",
            "cases/0006_reassessment.sql",
            "cases/0007_erasure.sql",
            "cases/0008_closure_requested.sql",
            "cases/0009_closure_request_summary.sql",  # no request waits here: nothing to fill
        ]
        async with pool.acquire() as conn, conn.transaction():
            migrated = await summary_rows(conn, old)
    finally:
        await pool.close()
    assert migrated == saved
    statuses = {r["status"] for r in saved if "kind" in r}
    assert {"met_late", "cancelled", "overdue", "due"} <= statuses
    unmet = {r["case_id"] for r in saved if r.get("preference_unmet")}
    assert third.case_id in unmet and first.case_id not in unmet
