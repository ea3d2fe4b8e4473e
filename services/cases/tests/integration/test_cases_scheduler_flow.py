"""Missed deadlines become exactly one Overdue event, across restarts and instances."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from contract_examples import examples

from hearth.contracts.envelope import Envelope, Role
from hearth.contracts.events import risk
from hearth.contracts.topics import CASES_EVENTS
from hearth.eventstore.metrics import SLA_BREACHES

pytestmark = pytest.mark.integration

CONTACT_DUE = datetime(2025, 3, 10, 16, 30, tzinfo=UTC)
DASH_DUE = datetime(2025, 3, 11, 16, 30, tzinfo=UTC)
POLLS = 1.0
"""Long enough for ten scheduler polls: a second Overdue would have been written by then."""


def count(history: list[Envelope], name: str) -> int:
    return sum(e.event_name == name for e in history)


def has(case_events, service, case_id, name):
    async def check() -> list[Envelope]:
        history = await case_events(service, case_id)
        return history if count(history, name) else []

    return check


def breaches(kind: str) -> float:
    return SLA_BREACHES.labels("cases", kind)._value.get()


async def test_a_missed_contact_deadline_is_recorded_overdue_exactly_once(
    cases, intake, clock, opened_case, case_events, eventually, topic_records, all_listed
) -> None:
    report = intake.report()
    await intake.send(report)
    await opened_case(cases, report.case_id)
    before = breaches("contact")

    clock.set(CONTACT_DUE - timedelta(seconds=1))
    await asyncio.sleep(POLLS)
    assert count(await case_events(cases, report.case_id), "ContactOverdue") == 0

    clock.set(CONTACT_DUE + timedelta(seconds=1))
    history = await eventually(has(case_events, cases, report.case_id, "ContactOverdue"))
    await asyncio.sleep(POLLS)
    history = await case_events(cases, report.case_id)
    assert count(history, "ContactOverdue") == 1
    assert count(history, "DashOverdue") == 0
    overdue = next(e for e in history if e.event_name == "ContactOverdue")
    assert overdue.payload["due_at"] == "2025-03-10T16:30:00Z"
    assert overdue.payload["detected_at"] == "2025-03-10T16:30:01Z"
    assert overdue.actor.role is Role.SYSTEM
    assert breaches("contact") >= before + 1

    row = await cases.runtime.pool.fetchrow(
        f"""SELECT overdue_recorded_at FROM {cases.runtime.schema}.deadlines
            WHERE case_id = $1 AND kind = 'contact'""",
        report.case_id,
    )
    assert row["overdue_recorded_at"] == CONTACT_DUE + timedelta(seconds=1)

    listing = await all_listed(cases, cases.auth("dalead-0001", Role.MANAGER), "overdue=true")
    listed = {c["case_id"]: c for c in listing}
    mine = listed[str(report.case_id)]
    assert mine["overdue"] is True
    assert [d["status"] for d in mine["deadlines"]] == ["overdue", "due", "due"]

    records = await topic_records(CASES_EVENTS, str(report.case_id), expect=5)
    published = [dict(r.headers)["ce_type"].decode() for r in records]
    assert published.count("hearth.cases.ContactOverdue.v1") == 1


async def test_a_deadline_that_passes_while_the_service_is_down_is_recorded_once(
    start_cases, intake, clock, opened_case, case_events, eventually
) -> None:
    report = intake.report()
    async with start_cases() as first:
        schema = first.runtime.schema
        await intake.send(report)
        await opened_case(first, report.case_id)
        clock.set(CONTACT_DUE - timedelta(milliseconds=1))
    # The service stops just before the due moment; the deadline passes while it is down.
    clock.set(CONTACT_DUE + timedelta(minutes=3))
    async with start_cases(schema=schema) as second:
        await eventually(has(case_events, second, report.case_id, "ContactOverdue"))
        await asyncio.sleep(POLLS)
    async with start_cases(schema=schema) as third:
        await asyncio.sleep(POLLS)
        history = await case_events(third, report.case_id)
    assert count(history, "ContactOverdue") == 1


async def test_two_instances_on_one_schema_record_a_deadline_once(
    start_cases, intake, clock, opened_case, case_events, eventually
) -> None:
    report = intake.report()
    async with start_cases() as first:
        await intake.send(report)
        await opened_case(first, report.case_id)
        async with start_cases(schema=first.runtime.schema) as second:
            clock.set(DASH_DUE + timedelta(seconds=5))
            await eventually(has(case_events, first, report.case_id, "DashOverdue"))
            await asyncio.sleep(POLLS)
            history = await case_events(second, report.case_id)
    assert count(history, "ContactOverdue") == 1
    assert count(history, "DashOverdue") == 1


async def test_a_dash_completed_on_time_meets_the_deadline(
    cases, intake, risk_service, clock, opened_case, case_events, eventually
) -> None:
    report = intake.report()
    await intake.send(report)
    await opened_case(cases, report.case_id)
    completed_at = datetime(2025, 3, 10, 11, 0, tzinfo=UTC)
    template = examples()[risk.DashCompleted.event_type()]
    dash = template.model_copy(update={"case_id": report.case_id, "completed_at": completed_at})
    await risk_service.publish(
        f"assessment-{report.case_id}", report.case_id, dash, at=completed_at
    )

    history = await eventually(has(case_events, cases, report.case_id, "DashDeadlineMet"))
    met = next(e for e in history if e.event_name == "DashDeadlineMet")
    assert met.payload["late"] is False
    assert met.payload["outcome"] == "completed"
    assert met.payload["assessment_id"] == str(dash.assessment_id)

    clock.set(DASH_DUE + timedelta(hours=1))
    await eventually(has(case_events, cases, report.case_id, "ContactOverdue"))
    await asyncio.sleep(POLLS)
    assert count(await case_events(cases, report.case_id), "DashOverdue") == 0


async def test_a_dash_declined_after_its_overdue_is_recorded_late(
    cases, intake, risk_service, clock, opened_case, case_events, eventually
) -> None:
    report = intake.report()
    await intake.send(report)
    await opened_case(cases, report.case_id)
    clock.set(DASH_DUE + timedelta(minutes=1))
    await eventually(has(case_events, cases, report.case_id, "DashOverdue"))
    declined_at = DASH_DUE + timedelta(hours=2)
    declined = risk.DashDeclined(case_id=report.case_id, declined_at=declined_at)
    await risk_service.publish(
        f"assessment-{report.case_id}", report.case_id, declined, at=declined_at
    )

    history = await eventually(has(case_events, cases, report.case_id, "DashDeadlineMet"))
    met = next(e for e in history if e.event_name == "DashDeadlineMet")
    assert (met.payload["late"], met.payload["outcome"]) == (True, "declined")
    assert count(history, "DashOverdue") == 1


async def test_a_missed_emergency_repair_is_recorded_overdue_once(
    cases, intake, clock, opened_case, case_events, eventually
) -> None:
    report = intake.report()
    await intake.send(report)
    await opened_case(cases, report.case_id)
    clock.set(datetime(2025, 3, 8, 10, 0, tzinfo=UTC))
    raised = await cases.client.post(
        f"/cases/{report.case_id}/repairs",
        json={"kind": "locks", "description": "Front door lock forced"},
        headers=cases.auth("cso-0001", Role.CASE_MANAGER),
    )
    assert raised.status_code == 201, raised.text
    assert raised.json()["due_at"] == "2025-03-09T10:00:00+00:00"

    clock.set(datetime(2025, 3, 9, 10, 0, 1, tzinfo=UTC))
    history = await eventually(has(case_events, cases, report.case_id, "EmergencyRepairOverdue"))
    await asyncio.sleep(POLLS)
    history = await case_events(cases, report.case_id)
    assert count(history, "EmergencyRepairOverdue") == 1
    overdue = next(e for e in history if e.event_name == "EmergencyRepairOverdue")
    assert overdue.payload["repair_id"] == raised.json()["repair_id"]


async def test_a_reported_damaged_home_left_unrepaired_is_overdue_from_the_report(
    cases, intake, clock, opened_case, case_events, eventually
) -> None:
    report = intake.report(home_damaged_safety_at_risk=True)  # Friday 16:30
    await intake.send(report)
    history = await opened_case(cases, report.case_id)
    repair_id = history[0].payload["emergency_repair"]["repair_id"]
    clock.set(datetime(2025, 3, 8, 16, 30, 1, tzinfo=UTC))  # nobody raised the repair
    await eventually(has(case_events, cases, report.case_id, "EmergencyRepairOverdue"))
    await asyncio.sleep(POLLS)
    history = await case_events(cases, report.case_id)
    assert count(history, "EmergencyRepairOverdue") == 1
    overdue = next(e for e in history if e.event_name == "EmergencyRepairOverdue")
    assert overdue.payload["repair_id"] == repair_id
    assert overdue.payload["due_at"] == "2025-03-08T16:30:00Z"
