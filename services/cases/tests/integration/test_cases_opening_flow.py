"""Reports from intake open cases on real Kafka and PostgreSQL; the relay publishes them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from hearth.contracts.envelope import Envelope, Role
from hearth.contracts.events.common import Gender
from hearth.contracts.events.intake import LinkBasis, RepeatReason
from hearth.contracts.topics import CASES_EVENTS

pytestmark = pytest.mark.integration


def names(history: list[Envelope]) -> list[str]:
    return [e.event_name for e in history]


async def test_a_report_opens_its_case_with_the_policy_deadlines(
    cases, intake, opened_case, eventually, case_events, topic_records
) -> None:
    report = intake.report(preferred_case_manager_gender=Gender.MAN)
    previous = uuid.uuid4()
    sent = await intake.send(
        report,
        repeat_reasons=(RepeatReason.CASE_CLOSED_WITHIN_12_MONTHS,),
        previous_case_id=previous,
    )

    async def repeat_recorded() -> list[Envelope]:
        history = await case_events(cases, report.case_id)
        return history if "RepeatCaseIdentified" in names(history) else []

    history = await eventually(repeat_recorded, what="the repeat to be recorded")
    assert names(history) == [
        "CaseOpened",
        "CaseManagerAssigned",
        "FlagRaised",
        "FlagRaised",
        "RepeatCaseIdentified",
    ]
    opened = history[0]
    assert opened.payload["contact_due_at"] == "2025-03-10T16:30:00Z"
    assert opened.payload["dash_due_at"] == "2025-03-11T16:30:00Z"
    assert opened.payload["timescale_policy"] == "west-kent-2024"
    assert opened.actor.role is Role.SYSTEM
    assert opened.causation_id == sent[0].event_id
    assert opened.correlation_id == sent[0].correlation_id
    assigned = history[1].payload
    assert assigned["case_manager"] == {"staff_id": "cso-0002", "gender": "man"}
    assert assigned["preference_met"] is True
    assert history[4].payload["previous_case_id"] == str(previous)

    summary = await cases.runtime.pool.fetchrow(
        f"SELECT * FROM {cases.runtime.schema}.case_summary WHERE case_id = $1", report.case_id
    )
    assert summary["status"] == "open"
    assert summary["case_manager_id"] == "cso-0002"
    assert summary["repeat"] is True
    deadlines = await cases.runtime.pool.fetch(
        f"""SELECT kind, due_at FROM {cases.runtime.schema}.deadlines
            WHERE case_id = $1 ORDER BY due_at""",
        report.case_id,
    )
    assert [(d["kind"], d["due_at"]) for d in deadlines] == [
        ("contact", datetime(2025, 3, 10, 16, 30, tzinfo=UTC)),
        ("dash", datetime(2025, 3, 11, 16, 30, tzinfo=UTC)),
        ("review", datetime(2025, 4, 4, 15, 31, tzinfo=UTC)),  # 28 days on, 16:31 BST
    ]

    published = await topic_records(CASES_EVENTS, str(report.case_id), expect=5)
    types = [dict(r.headers)["ce_type"].decode() for r in published]
    assert types == [f"hearth.cases.{n}.v1" for n in names(history)]


async def test_a_further_report_joins_the_open_case(
    cases, intake, opened_case, eventually, case_events
) -> None:
    first = intake.report()
    await intake.send(first)
    await opened_case(cases, first.case_id)
    further = intake.report(
        case_id=first.case_id,
        survivor=first.survivor,
        alleged_perpetrators=first.alleged_perpetrators,
        immediate_danger=True,
        received_at=datetime(2025, 3, 7, 18, 0, tzinfo=UTC),
    )
    await intake.send(further, basis=LinkBasis.SAME_SURVIVOR)

    async def added() -> list[Envelope]:
        history = await case_events(cases, first.case_id)
        return history if "ReportAddedToCase" in names(history) else []

    history = await eventually(added, what="the further report")
    assert names(history).count("CaseOpened") == 1
    assert history[-1].payload["report_id"] == str(further.report_id)
    assert history[-1].payload["immediate_danger"] is True
    response = await cases.client.get(
        f"/cases/{first.case_id}", headers=cases.auth("dalead-0001", Role.MANAGER)
    )
    assert response.json()["report_ids"] == [str(first.report_id), str(further.report_id)]


async def test_a_report_published_again_opens_nothing_twice(
    cases, intake, opened_case, case_events, eventually
) -> None:
    report = intake.report()
    await intake.send(report)
    await opened_case(cases, report.case_id)
    intake.publisher.heads.clear()  # the same report again, under new event ids
    await intake.send(report)
    # A further report on the same case (same key, same partition) comes after it.
    marker = intake.report(case_id=report.case_id, survivor=report.survivor)
    await intake.send(marker, basis=LinkBasis.SAME_SURVIVOR)

    async def marker_added() -> list[Envelope]:
        history = await case_events(cases, report.case_id)
        return history if "ReportAddedToCase" in names(history) else []

    history = await eventually(marker_added, what="the marker report")
    assert names(history).count("CaseOpened") == 1
    added = [e for e in history if e.event_name == "ReportAddedToCase"]
    assert [e.payload["report_id"] for e in added] == [str(marker.report_id)]


async def test_services_on_different_schemas_each_see_every_report(
    start_cases, intake, opened_case
) -> None:
    async with start_cases() as one, start_cases() as other:
        reports = [intake.report() for _ in range(6)]  # spread over the partitions
        for report in reports:
            await intake.send(report)
        for service in (one, other):
            for report in reports:
                await opened_case(service, report.case_id)
