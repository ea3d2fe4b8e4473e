"""Restricted cases: invisible (404) to everyone not named, and every read recorded."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest

from hearth.contracts.envelope import Actor, Role
from hearth.contracts.events.common import AllegedPerpetrator, Relationship
from hearth.contracts.events.intake import CaseWithheldFromSubmitter
from hearth.contracts.topics import INTAKE_EVENTS
from hearth.eventstore.testing.publish import StreamPublisher

pytestmark = pytest.mark.integration

LEAD = ("dalead-0001", Role.MANAGER)
NO_ANSWER = {
    "method": "call",
    "outcome": "no_answer",
    "message_left": False,
    "safe_to_talk_checked": True,
    "happened_at": "2025-03-07T16:31:00+00:00",
}


def reads(history) -> list[tuple[str, str, bool]]:
    return [
        (e.payload["staff_id"], e.payload["view"], e.payload["access_granted"])
        for e in history
        if e.event_name == "RestrictedCaseRead"
    ]


@pytest.fixture
async def restricted(cases, new_case):
    """A case whose alleged perpetrator is officer cso-0003."""
    perpetrator = AllegedPerpetrator(
        person_id=uuid.uuid4(),
        relationship_to_survivor=Relationship.FORMER_INTIMATE_PARTNER,
        is_staff_member=True,
        staff_id="cso-0003",
    )
    report, manager = await new_case(cases, alleged_perpetrators=(perpetrator,))
    return report, manager


async def test_a_case_involving_staff_opens_restricted_to_named_staff(
    cases, restricted, case_events
) -> None:
    report, manager = restricted
    assert manager != "cso-0003"
    history = await case_events(cases, report.case_id)
    opened = history[0]
    assert opened.payload["restriction"] == {
        "reason": "alleged_perpetrator_is_staff",
        "permitted_staff_ids": [manager, "dalead-0001"],
    }
    assert "CaseRestricted" in [e.event_name for e in history]


async def test_others_get_404_as_for_an_unknown_case_and_the_attempt_is_recorded(
    cases, restricted, case_events
) -> None:
    report, manager = restricted
    outsider = next(s for s in ("cso-0001", "cso-0002") if s != manager)
    url = f"/cases/{report.case_id}"
    unknown = await cases.client.get(f"/cases/{uuid.uuid4()}", headers=cases.auth(*LEAD))
    for staff_id, role in (
        (outsider, Role.CASE_MANAGER),
        ("cso-0003", Role.CASE_MANAGER),  # the member of staff involved
        ("audit-7", Role.AUDITOR),
        ("dalead-0009", Role.MANAGER),
    ):
        refused = await cases.client.get(url, headers=cases.auth(staff_id, role))
        assert refused.status_code == 404
        assert refused.json() == unknown.json()
    attempt = await cases.client.post(
        f"{url}/contact-attempts",
        json=NO_ANSWER,
        headers=cases.auth(outsider, Role.CASE_MANAGER),
    )
    assert attempt.status_code == 404
    history = await case_events(cases, report.case_id)
    assert reads(history) == [
        (outsider, "timeline", False),
        ("cso-0003", "timeline", False),
        ("audit-7", "timeline", False),
        ("dalead-0009", "timeline", False),
        (outsider, "summary", False),
    ]
    assert "ContactAttempted" not in [e.event_name for e in history]


async def test_named_staff_read_and_act_and_each_read_is_recorded(
    cases, restricted, case_events
) -> None:
    report, manager = restricted
    url = f"/cases/{report.case_id}"
    got = await cases.client.get(url, headers=cases.auth(manager, Role.CASE_MANAGER))
    assert got.status_code == 200
    assert got.json()["restriction"]["permitted_staff_ids"] == [manager, "dalead-0001"]
    assert got.json()["timeline"][-1]["event"] == "RestrictedCaseRead"
    lead = await cases.client.get(url, headers=cases.auth(*LEAD))
    assert lead.status_code == 200
    acted = await cases.client.post(
        f"{url}/contact-attempts",
        json=NO_ANSWER,
        headers=cases.auth(manager, Role.CASE_MANAGER),
    )
    assert acted.status_code == 201
    history = await case_events(cases, report.case_id)
    assert reads(history) == [(manager, "timeline", True), ("dalead-0001", "timeline", True)]


async def test_the_list_shows_a_restricted_case_only_to_named_staff_and_records_it(
    cases, restricted, case_events, all_listed
) -> None:
    report, manager = restricted
    case_id = str(report.case_id)
    lead = await all_listed(cases, cases.auth(*LEAD), "restricted=true")
    assert case_id in {c["case_id"] for c in lead}
    other = await all_listed(cases, cases.auth("dalead-0009", Role.MANAGER))
    assert case_id not in {c["case_id"] for c in other}
    own = await all_listed(cases, cases.auth(manager, Role.CASE_MANAGER))
    assert case_id in {c["case_id"] for c in own}
    history = await case_events(cases, report.case_id)
    assert ("dalead-0001", "summary", True) in reads(history)
    assert (manager, "summary", True) in reads(history)
    assert not any(r[0] == "dalead-0009" for r in reads(history))


async def test_reads_of_a_restricted_case_at_once_queue_and_are_each_recorded(
    cases, restricted, case_events
) -> None:
    """Lists and case pages opened together (a team page, two tabs) all answer: their
    reads wait for each other on the case's stream instead of failing as a conflict."""
    report, manager = restricted
    before = len(reads(await case_events(cases, report.case_id)))
    lead = cases.auth(*LEAD)
    own = cases.auth(manager, Role.CASE_MANAGER)
    answers = await asyncio.gather(
        *(cases.client.get("/cases?restricted=true&limit=200", headers=lead) for _ in range(6)),
        *(cases.client.get(f"/cases/{report.case_id}", headers=own) for _ in range(6)),
    )
    assert [a.status_code for a in answers] == [200] * 12, [a.text for a in answers]
    recorded = reads(await case_events(cases, report.case_id))[before:]
    assert sorted(recorded) == sorted(
        [("dalead-0001", "summary", True)] * 6 + [(manager, "timeline", True)] * 6
    )


async def test_reassigning_a_restricted_case_moves_who_may_see_it(
    cases, restricted, case_events
) -> None:
    report, manager = restricted
    url = f"/cases/{report.case_id}"
    successor = next(s for s in ("cso-0001", "cso-0002") if s != manager)
    cannot = await cases.client.post(
        f"{url}/case-manager", json={"staff_id": "cso-0003"}, headers=cases.auth(*LEAD)
    )
    assert (cannot.status_code, cannot.json()["code"]) == (409, "staff_involved")
    moved = await cases.client.post(
        f"{url}/case-manager", json={"staff_id": successor}, headers=cases.auth(*LEAD)
    )
    assert moved.status_code == 200, moved.text
    before = await cases.client.get(url, headers=cases.auth(manager, Role.CASE_MANAGER))
    after = await cases.client.get(url, headers=cases.auth(successor, Role.CASE_MANAGER))
    assert (before.status_code, after.status_code) == (404, 200)
    lifting = {"reason": "The member of staff has left"}
    refused = await cases.client.post(
        f"{url}/restriction/lifting", json=lifting, headers=cases.auth(*LEAD)
    )
    # Still a member of staff: lifting would show the case to every colleague, unlogged.
    assert (refused.status_code, refused.json()["code"]) == (409, "staff_involved")
    assert "cso-0003" not in refused.text
    [perpetrator] = report.alleged_perpetrators
    left = {**perpetrator.model_dump(mode="json"), "is_staff_member": False}
    corrected = await cases.client.post(
        f"{url}/people", json={"alleged_perpetrators": [left]}, headers=cases.auth(*LEAD)
    )
    assert corrected.status_code == 200, corrected.text
    lifted = await cases.client.post(
        f"{url}/restriction/lifting", json=lifting, headers=cases.auth(*LEAD)
    )
    assert lifted.status_code == 200, lifted.text
    anyone = await cases.client.get(url, headers=cases.auth(manager, Role.CASE_MANAGER))
    involved = await cases.client.get(url, headers=cases.auth("cso-0003", Role.CASE_MANAGER))
    assert (anyone.status_code, involved.status_code) == (200, 404)


async def test_intake_keeping_the_case_from_a_colleague_is_their_refused_read(
    cases, restricted, case_events, eventually, producer, topic
) -> None:
    """Issue 10, point 17: a report about the case's people by someone not named on it,
    answered as if there were no case, is recorded on the case as a refused read."""
    report, _ = restricted
    prober = Actor(id="cso-0002", role=Role.INTAKE)
    intake_as_prober = StreamPublisher(producer, topic(INTAKE_EVENTS), "intake", prober)
    withheld = CaseWithheldFromSubmitter(
        case_id=report.case_id,
        withheld_at=datetime(2025, 3, 7, 16, 40, tzinfo=UTC),
        report_id=uuid.uuid4(),
        answered_case_id=uuid.uuid4(),
    )
    await intake_as_prober.publish(f"withheld-{uuid.uuid4()}", report.case_id, withheld)

    async def recorded():
        return [
            r for r in reads(await case_events(cases, report.case_id)) if r[1] == "intake_answer"
        ]

    assert await eventually(recorded, what="the refused read") == [
        ("cso-0002", "intake_answer", False)
    ]
