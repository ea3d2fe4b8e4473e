"""Point 13 (issue 10) over HTTP: a case about someone nobody can identify or reach shows
a task for the DA lead in place of a contact deadline, until details are added."""

from __future__ import annotations

import uuid

import pytest

from hearth.contracts.envelope import Role
from hearth.contracts.events.common import Channel, ReporterKind, Survivor
from hearth.contracts.events.intake import Reporter

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
