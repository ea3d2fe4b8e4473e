"""Point 13 (issue 10) over HTTP: a case about someone nobody can identify or reach shows
a task for the DA lead in place of a contact deadline, until details are added."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from hearth.contracts.envelope import Role
from hearth.contracts.events.common import Channel, ReporterKind, Survivor
from hearth.contracts.events.intake import LinkBasis, Reporter

pytestmark = pytest.mark.integration

LEAD = ("dalead-0001", Role.MANAGER)


async def test_an_unidentifiable_survivor_gets_a_task_until_details_are_added(
    cases, intake, opened_case, all_listed, clock
) -> None:
    report = intake.report(
        channel=Channel.WEB_FORM,
        reporter=Reporter(kind=ReporterKind.ANONYMOUS),
        survivor=Survivor(person_id=uuid.uuid4()),
    )
    await intake.send(report)
    await opened_case(cases, report.case_id)
    lead = cases.auth(*LEAD)
    url = f"/cases/{report.case_id}"

    case = (await cases.client.get(url, headers=lead)).json()
    assert case["identify_survivor"]["status"] == "open"
    assert case["identify_survivor"]["for_role"] == "da_lead"
    assert "contact" not in [d["kind"] for d in case["deadlines"]]
    listed = await all_listed(cases, lead, "identify_survivor=true")
    [row] = [r for r in listed if r["case_id"] == str(report.case_id)]
    assert row["identify_survivor"] is True
    assert "contact" not in [d["kind"] for d in row["deadlines"]]

    response = await cases.client.post(
        f"{url}/people", json={"survivor": {"name": "Alex Example"}}, headers=lead
    )
    assert response.status_code == 200, response.text
    assert "hearth.cases.SurvivorIdentified.v1" in [e["type"] for e in response.json()["events"]]

    case = (await cases.client.get(url, headers=lead)).json()
    assert case["identify_survivor"]["status"] == "done"
    [contact] = [d for d in case["deadlines"] if d["kind"] == "contact"]
    assert contact["starts_at"] == clock.now().isoformat()
    assert contact["status"] == "due"
    listed = await all_listed(cases, lead, "identify_survivor=false")
    assert str(report.case_id) in [r["case_id"] for r in listed]


async def test_further_reports_start_contact_only_once_they_reach_the_survivor(
    cases, intake, opened_case, eventually, case_events, clock
) -> None:
    """A new report restarts the contact clock (point 9), but not while nobody can identify
    or reach the survivor; a further report giving a way to reach them closes the task and
    starts contact from when it was reported."""
    anonymous = {
        "channel": Channel.WEB_FORM,
        "reporter": Reporter(kind=ReporterKind.ANONYMOUS),
    }
    first = intake.report(survivor=Survivor(person_id=uuid.uuid4()), **anonymous)
    await intake.send(first)
    await opened_case(cases, first.case_id)
    lead = cases.auth(*LEAD)
    url = f"/cases/{first.case_id}"

    async def reports_added(count: int):
        history = await case_events(cases, first.case_id)
        added = [e for e in history if e.event_name == "ReportAddedToCase"]
        return history if len(added) == count else []

    still_anonymous = intake.report(
        case_id=first.case_id,
        survivor=first.survivor,
        received_at=datetime(2025, 3, 10, 9, 0, tzinfo=UTC),
        **anonymous,
    )
    clock.set(datetime(2025, 3, 10, 9, 5, tzinfo=UTC))
    await intake.send(still_anonymous, basis=LinkBasis.NAMED_BY_STAFF)
    await eventually(lambda: reports_added(1), what="the further report")
    case = (await cases.client.get(url, headers=lead)).json()
    assert case["identify_survivor"]["status"] == "open"
    assert "contact" not in [d["kind"] for d in case["deadlines"]]

    reached = intake.report(
        case_id=first.case_id,
        survivor=first.survivor,
        received_at=datetime(2025, 3, 10, 10, 0, tzinfo=UTC),
        channel=Channel.WEB_FORM,
        reporter=Reporter(kind=ReporterKind.SURVIVOR, phone="07700 900123"),
    )
    clock.set(datetime(2025, 3, 10, 10, 5, tzinfo=UTC))  # cases hears of it a little later
    await intake.send(reached, basis=LinkBasis.NAMED_BY_STAFF)
    history = await eventually(lambda: reports_added(2), what="the report reaching her")
    assert "SurvivorIdentified" in [e.event_name for e in history]
    case = (await cases.client.get(url, headers=lead)).json()
    assert case["identify_survivor"]["status"] == "done"
    [contact] = [d for d in case["deadlines"] if d["kind"] == "contact"]
    assert (contact["starts_at"], contact["due_at"]) == (
        "2025-03-10T10:00:00+00:00",
        "2025-03-11T10:00:00+00:00",
    )
