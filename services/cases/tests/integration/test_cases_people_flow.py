"""Caseworkers updating the people on a case over HTTP: the events reach the stream and
the cases topic (where intake keeps its match index), and the case shows the people."""

from __future__ import annotations

import json

import pytest

from hearth.contracts.envelope import Role
from hearth.contracts.topics import CASES_EVENTS

pytestmark = pytest.mark.integration

LEAD = ("dalead-0001", Role.MANAGER)


def as_given(person) -> dict:
    return json.loads(person.model_dump_json())


async def test_adding_a_perpetrator_records_and_flags_them(
    cases, new_case, case_events, topic_records
) -> None:
    report, manager = await new_case(cases)
    case = f"/cases/{report.case_id}"
    cm = cases.auth(manager, Role.CASE_MANAGER)
    known = as_given(report.alleged_perpetrators[0])
    newcomer = {"name": "Lee Newcomer", "relationship_to_survivor": "relative"}
    before = len(await case_events(cases, report.case_id))

    response = await cases.client.post(
        f"{case}/people", json={"alleged_perpetrators": [known, newcomer]}, headers=cm
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    assert [e["type"] for e in answer["events"]] == [
        "hearth.cases.PeopleUpdated.v1",
        "hearth.cases.FlagRaised.v1",
    ]
    old_id, new_id = answer["alleged_perpetrator_person_ids"]
    assert old_id == known["person_id"]
    assert answer["survivor_person_id"] == str(report.survivor.person_id)
    assert "Lee" not in response.text  # ids and versions, never the details

    history = await case_events(cases, report.case_id)
    updated, flagged = history[before:]
    assert updated.event_name == "PeopleUpdated"
    assert [p["person_id"] for p in updated.payload["alleged_perpetrators"]] == [old_id, new_id]
    assert updated.actor.id == manager
    assert (flagged.event_name, flagged.payload["person_id"]) == ("FlagRaised", new_id)
    assert flagged.payload["kind"] == "potential_risk"

    published = await topic_records(CASES_EVENTS, str(report.case_id), expect=len(history))
    types = [dict(r.headers)["ce_type"].decode() for r in published]
    assert types[before:] == ["hearth.cases.PeopleUpdated.v1", "hearth.cases.FlagRaised.v1"]

    detail = (await cases.client.get(case, headers=cm)).json()
    shown = {p["person_id"]: p for p in detail["alleged_perpetrators"]}
    assert shown[new_id]["name"] == "Lee Newcomer"
    assert shown[old_id]["name"] == report.alleged_perpetrators[0].name
    assert any(f["person_id"] == new_id and f["active"] for f in detail["flags"])

    again = await cases.client.post(
        f"{case}/people",
        json={"alleged_perpetrators": detail["alleged_perpetrators"]},
        headers=cm,
    )
    assert (again.status_code, again.json()["code"]) == (409, "nothing_changed")
    assert len(await case_events(cases, report.case_id)) == len(history)


async def test_an_update_without_people_or_with_bad_details_is_422(
    cases, new_case, case_events
) -> None:
    report, manager = await new_case(cases)
    url = f"/cases/{report.case_id}/people"
    cm = cases.auth(manager, Role.CASE_MANAGER)
    before = len(await case_events(cases, report.case_id))

    empty = await cases.client.post(url, json={}, headers=cm)
    assert empty.status_code == 422
    [error] = empty.json()["errors"]
    assert "give at least one of survivor" in error["problem"]

    bad = await cases.client.post(
        url,
        json={"survivor": {"name": "Secret Person", "phone": "not a number 0770"}},
        headers=cm,
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"survivor.phone"}
    assert "Secret" not in bad.text and "0770" not in bad.text

    auditor = cases.auth("audit-1", Role.AUDITOR)
    moved = {"survivor": {"name": "Alex Example"}}
    assert (await cases.client.post(url, json=moved, headers=auditor)).status_code == 403
    assert len(await case_events(cases, report.case_id)) == before


async def test_naming_the_case_manager_as_perpetrator_reassigns_and_restricts(
    cases, new_case, case_events
) -> None:
    report, manager = await new_case(cases)
    case = f"/cases/{report.case_id}"
    staffer = {
        **as_given(report.alleged_perpetrators[0]),
        "is_staff_member": True,
        "staff_id": manager,
    }
    response = await cases.client.post(
        f"{case}/people", json={"alleged_perpetrators": [staffer]}, headers=cases.auth(*LEAD)
    )
    assert response.status_code == 200, response.text
    assert [e["type"] for e in response.json()["events"]] == [
        "hearth.cases.PeopleUpdated.v1",
        "hearth.cases.CaseManagerAssigned.v1",
        "hearth.cases.CaseRestricted.v1",
    ]
    history = await case_events(cases, report.case_id)
    assigned = next(e for e in reversed(history) if e.event_name == "CaseManagerAssigned")
    new_manager = assigned.payload["case_manager"]["staff_id"]
    assert assigned.payload["previous_staff_id"] == manager and new_manager != manager
    restricted = history[-1].payload["restriction"]
    assert restricted == {
        "reason": "alleged_perpetrator_is_staff",
        "permitted_staff_ids": [new_manager, "dalead-0001"],
    }
    # The member of staff now involved no longer sees the case at all.
    hidden = await cases.client.get(case, headers=cases.auth(manager, Role.CASE_MANAGER))
    assert hidden.status_code == 404
