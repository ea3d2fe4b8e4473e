"""Recording assessments over HTTP, on real Kafka and PostgreSQL: validation, banding,
judgement, the events published, declines and other agencies' assessments, and the
case rules (unknown, closed, restricted) risk applies from its projection of cases."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from hearth.contracts.envelope import Role
from hearth.contracts.events import cases as cev
from hearth.contracts.events.case_values import Restriction, RestrictionReason
from hearth.contracts.events.common import AllegedPerpetrator, Relationship
from hearth.contracts.topics import RISK_EVENTS
from hearth.eventstore.testing import waiting
from hearth.eventstore.testing.kafka import read_topic
from hearth.risk import read_model

pytestmark = pytest.mark.integration

CSO = ("cso-0001", Role.CASE_MANAGER)
LEAD = ("dalead-0001", Role.MANAGER)
COMPLETED_AT = "2025-03-10T10:00:00+00:00"


def _assessment(answers: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"completed_at": COMPLETED_AT, "answers": answers, **extra}


async def test_the_instruments_are_listed_with_their_questions(risk) -> None:
    headers = risk.auth(*CSO)
    listed = (await risk.client.get("/instruments", headers=headers)).json()["instruments"]
    assert [(i["id"], i["question_count"], i["default"]) for i in listed] == [
        ("dash-ric-24", 24, True),
        ("police-dash-27", 27, False),
    ]
    dash = (await risk.client.get("/instruments/dash-ric-24", headers=headers)).json()
    assert dash["bands"] == {"standard": 0, "medium": 10, "high": 14}
    assert dash["answer_options"] == ["yes", "no", "dont_know"]
    assert dash["questions"][14]["number"] == 15
    assert "strangle" in dash["questions"][14]["text"]
    missing = await risk.client.get("/instruments/no-such-set", headers=headers)
    assert (missing.status_code, missing.json()["code"]) == (404, "instrument_not_found")
    assert (await risk.client.get("/instruments")).status_code == 401


async def test_an_assessment_is_scored_banded_published_and_sets_the_level(
    risk, cases_topic, known, risk_events, dash_answers, kafka_bootstrap, topic
) -> None:
    case_id = await cases_topic.open()
    await known(risk, case_id)
    headers = risk.auth(*CSO)
    body = _assessment(dash_answers(14, dont_know=3))
    body["answers"][0] |= {"source": "police", "comment": "From the police log."}
    answer = await risk.client.post(f"/cases/{case_id}/assessments", json=body, headers=headers)
    assert answer.status_code == 201, answer.text
    made = answer.json()
    assert (made["yes_count"], made["dont_know_count"], made["score"]) == (14, 3, 14)
    assert (made["question_count"], made["answered"]) == (24, 24)
    assert (made["scored_level"], made["risk_level"]) == ("high", "high")
    assert made["marac_criteria_met"] == ["visible_high_risk"]
    assert made["risk_level_changed"] is True
    assert (
        made["reassessment_due_at"] == "2025-06-08T09:00:00+00:00"
    )  # 90 days on: 10:00 local, in BST
    history = await risk_events(risk, case_id)
    assert [e.event_name for e in history] == ["DashCompleted", "RiskLevelChanged"]
    completed = history[0].payload
    assert completed["question_set_id"] == "dash-ric-24"
    assert completed["question_set_version"] == "safelives-2015.1"
    assert completed["visible_high_risk_at"] == 14
    assert completed["answers"][0]["source"] == "police"
    assert history[0].actor.id == "cso-0001"
    # Published on the risk topic, keyed by the case.
    records = await read_topic(
        kafka_bootstrap,
        topic(RISK_EVENTS),
        expect=2,
        match=lambda r: r.key == str(case_id).encode(),
        timeout=30,
    )
    assert len(records) == 2
    # The record shows it, and the one assessment in full.
    record = (await risk.client.get(f"/cases/{case_id}/risk", headers=headers)).json()
    assert record["risk_level"] == "high"
    assert [a["assessment_id"] for a in record["assessments"]] == [made["assessment_id"]]
    one = await risk.client.get(
        f"/cases/{case_id}/assessments/{made['assessment_id']}", headers=headers
    )
    assert one.status_code == 200
    assert one.json()["answers"][0]["text"] == "Has the current incident resulted in injury?"
    assert one.json()["answers"][0]["comment"] == "From the police log."
    other = await risk.client.get(f"/cases/{case_id}/assessments/{uuid.uuid4()}", headers=headers)
    assert (other.status_code, other.json()["code"]) == (404, "assessment_not_found")


async def test_judgement_raises_and_the_latest_assessment_sets_the_level(
    risk, cases_topic, known, risk_events, dash_answers
) -> None:
    case_id = await cases_topic.open()
    await known(risk, case_id)
    headers = risk.auth(*CSO)
    url = f"/cases/{case_id}/assessments"
    judged = _assessment(
        dash_answers(11),
        professional_judgement={"raised_to": "high", "reason": "Strangulation disclosed."},
        completed_at="2025-03-09T10:00:00+00:00",
    )
    first = (await risk.client.post(url, json=judged, headers=headers)).json()
    assert (first["scored_level"], first["risk_level"]) == ("medium", "high")
    assert first["marac_criteria_met"] == ["professional_judgement"]
    later = (await risk.client.post(url, json=_assessment(dash_answers(2)), headers=headers)).json()
    assert later["case_risk_level"] == "standard"
    record = (await risk.client.get(f"/cases/{case_id}/risk", headers=headers)).json()
    assert record["risk_level"] == "standard"
    assert [a["assessment_id"] for a in record["assessments"]] == [
        later["assessment_id"],
        first["assessment_id"],
    ]
    changes = [
        e.payload for e in await risk_events(risk, case_id) if e.event_name == "RiskLevelChanged"
    ]
    assert [(c["previous_level"], c["new_level"], c["basis"]) for c in changes] == [
        (None, "high", "professional_judgement"),
        ("high", "standard", "assessment"),
    ]


@pytest.mark.parametrize(
    ("change", "field", "kind"),
    [
        (lambda a: a[:-1], "answers", "unanswered_question"),
        (
            lambda a: [*a, {"question": 25, "answer": "yes"}],
            "answers.24.question",
            "unknown_question",
        ),
        (lambda a: [*a, {"question": 3, "answer": "no"}], "answers.24.question", "answered_twice"),
        (lambda a: [{**a[0], "answer": "maybe"}, *a[1:]], "answers.0.answer", "enum"),
    ],
)
async def test_a_missing_extra_or_invalid_answer_is_a_422_naming_the_question(
    risk, cases_topic, known, risk_events, dash_answers, change, field, kind
) -> None:
    case_id = await cases_topic.open()
    await known(risk, case_id)
    body = _assessment(change(dash_answers(3)))
    answer = await risk.client.post(
        f"/cases/{case_id}/assessments", json=body, headers=risk.auth(*CSO)
    )
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["errors"]
    assert (error["field"], error["kind"]) == (field, kind)
    assert await risk_events(risk, case_id) == []


async def test_bad_judgement_instrument_and_time_are_422s(
    risk, cases_topic, known, dash_answers
) -> None:
    case_id = await cases_topic.open()
    await known(risk, case_id)
    url = f"/cases/{case_id}/assessments"
    headers = risk.auth(*CSO)
    cases = [
        (
            _assessment(
                dash_answers(14), professional_judgement={"raised_to": "medium", "reason": "x"}
            ),
            "professional_judgement.raised_to",
        ),
        (
            _assessment(dash_answers(3), professional_judgement={"raised_to": "high"}),
            "professional_judgement.reason",
        ),
        (_assessment(dash_answers(3), instrument_id="no-such-set"), "instrument_id"),
        (_assessment(dash_answers(27), instrument_id="dash-ric-24"), "answers.24.question"),
        (_assessment(dash_answers(3), completed_at="2025-03-10T12:00:00+00:00"), "completed_at"),
        (_assessment(dash_answers(3), completed_at="2025-03-07T16:00:00+00:00"), "completed_at"),
    ]
    for body, field in cases:
        answer = await risk.client.post(url, json=body, headers=headers)
        assert answer.status_code == 422, (field, answer.text)
        assert answer.json()["errors"][0]["field"] == field
    police = _assessment(dash_answers(14, count=27), instrument_id="police-dash-27")
    answer = await risk.client.post(url, json=police, headers=headers)
    assert answer.status_code == 201, answer.text
    assert (answer.json()["question_count"], answer.json()["risk_level"]) == (27, "high")


async def test_unknown_and_closed_cases_are_refused(
    risk, cases_topic, known, risk_events, dash_answers
) -> None:
    headers = risk.auth(*CSO)
    unknown = await risk.client.post(
        f"/cases/{uuid.uuid4()}/assessments", json=_assessment(dash_answers(3)), headers=headers
    )
    assert (unknown.status_code, unknown.json()["code"]) == (404, "case_not_found")
    case_id = await cases_topic.open()
    await known(risk, case_id)
    await cases_topic.close(case_id)
    await known(risk, case_id, open=False)
    closed = await risk.client.post(
        f"/cases/{case_id}/assessments", json=_assessment(dash_answers(3)), headers=headers
    )
    assert (closed.status_code, closed.json()["code"]) == (409, "case_closed")
    record = await risk.client.get(f"/cases/{case_id}/risk", headers=headers)
    assert record.json()["case_status"] == "closed"
    await cases_topic.reopen(case_id)
    await known(risk, case_id, open=True)
    reopened = await risk.client.post(
        f"/cases/{case_id}/assessments", json=_assessment(dash_answers(3)), headers=headers
    )
    assert reopened.status_code == 201, reopened.text


async def test_only_case_managers_and_managers_record(
    risk, cases_topic, known, dash_answers
) -> None:
    case_id = await cases_topic.open()
    await known(risk, case_id)
    for staff in (("auditor-0001", Role.AUDITOR), ("intake-0001", Role.INTAKE)):
        answer = await risk.client.post(
            f"/cases/{case_id}/assessments",
            json=_assessment(dash_answers(3)),
            headers=risk.auth(*staff),
        )
        assert answer.status_code == 403
    auditor = await risk.client.get(
        f"/cases/{case_id}/risk", headers=risk.auth("auditor-0001", Role.AUDITOR)
    )
    assert auditor.status_code == 200


async def test_a_restricted_case_is_hidden_from_staff_not_named_and_every_read_is_recorded(
    risk, cases_topic, known, risk_events, dash_answers
) -> None:
    case_id = await cases_topic.open(
        restricted_to=("cso-0002", "dalead-0001"), perpetrator_staff_id="cso-0003"
    )
    await known(risk, case_id)
    for staff in (CSO, ("cso-0003", Role.CASE_MANAGER)):
        headers = risk.auth(*staff)
        read = await risk.client.get(f"/cases/{case_id}/risk", headers=headers)
        assert (read.status_code, read.json()["code"]) == (404, "case_not_found")
        write = await risk.client.post(
            f"/cases/{case_id}/assessments", json=_assessment(dash_answers(3)), headers=headers
        )
        assert (write.status_code, write.json()["code"]) == (404, "case_not_found")
    named = risk.auth("cso-0002", Role.CASE_MANAGER)
    made = await risk.client.post(
        f"/cases/{case_id}/assessments", json=_assessment(dash_answers(3)), headers=named
    )
    assert made.status_code == 201
    assert (await risk.client.get(f"/cases/{case_id}/risk", headers=named)).status_code == 200
    reads = [
        (e.payload["staff_id"], e.payload["view"], e.payload["access_granted"])
        for e in await risk_events(risk, case_id)
        if e.event_name == "RestrictedRiskRecordRead"
    ]
    assert reads == [
        ("cso-0001", "risk_record", False),
        ("cso-0001", "command", False),
        ("cso-0003", "risk_record", False),
        ("cso-0003", "command", False),
        ("cso-0002", "risk_record", True),
    ]
    # Two tabs and a colleague at once: the reads queue on the record, none is refused.
    together = await asyncio.gather(
        *(
            risk.client.get(f"/cases/{case_id}/risk", headers=risk.auth(*who))
            for who in [("cso-0002", Role.CASE_MANAGER)] * 4 + [("dalead-0001", Role.MANAGER)] * 4
        )
    )
    assert [r.status_code for r in together] == [200] * 8, [r.text for r in together]
    granted = [
        e.payload["staff_id"]
        for e in await risk_events(risk, case_id)
        if e.event_name == "RestrictedRiskRecordRead" and e.payload["access_granted"]
    ]
    assert sorted(granted) == sorted(["cso-0002"] * 5 + ["dalead-0001"] * 4)


async def test_declines_and_other_agencies_assessments_are_recorded(
    risk, cases_topic, known, risk_events
) -> None:
    case_id = await cases_topic.open()
    await known(risk, case_id)
    headers = risk.auth(*CSO)
    no_reason = await risk.client.post(
        f"/cases/{case_id}/dash-declined", json={"declined_at": COMPLETED_AT}, headers=headers
    )
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"][0]["field"] == "reason"
    declined = await risk.client.post(
        f"/cases/{case_id}/dash-declined",
        json={"declined_at": COMPLETED_AT, "reason": "Not ready to talk about it yet."},
        headers=headers,
    )
    assert declined.status_code == 201, declined.text
    elsewhere = await risk.client.post(
        f"/cases/{case_id}/dash-elsewhere",
        json={
            "agency": "police",
            "agency_name": "Example Constabulary",
            "completed_on": "2025-03-06",
            "risk_level": "high",
            "referred_to_marac": True,
        },
        headers=headers,
    )
    assert elsewhere.status_code == 201, elsewhere.text
    assert elsewhere.json()["case_risk_level"] == "high"
    unnamed = await risk.client.post(
        f"/cases/{case_id}/dash-elsewhere",
        json={"agency": "other", "completed_on": "2025-03-06"},
        headers=headers,
    )
    assert (unnamed.status_code, unnamed.json()["errors"][0]["field"]) == (422, "agency_name")
    record = (await risk.client.get(f"/cases/{case_id}/risk", headers=headers)).json()
    assert record["risk_level"] == "high"
    assert [d["reason"] for d in record["declines"]] == ["Not ready to talk about it yet."]
    assert [e["agency"] for e in record["assessed_elsewhere"]] == ["police"]
    names = [e.event_name for e in await risk_events(risk, case_id)]
    assert names == ["DashDeclined", "DashCompletedElsewhere", "RiskLevelChanged"]


async def test_the_risk_summary_is_rebuilt_as_written(
    risk, cases_topic, known, dash_answers
) -> None:
    case_id = await cases_topic.open()
    await known(risk, case_id)
    answer = await risk.client.post(
        f"/cases/{case_id}/assessments", json=_assessment(dash_answers(12)), headers=risk.auth(*CSO)
    )
    assert answer.status_code == 201
    store = risk.runtime.event_store
    async with store.transaction() as conn:
        written = await read_model.summary_rows(conn, store.schema)
    assert any(r["case_id"] == case_id and r["risk_level"] == "medium" for r in written)
    await read_model.rebuild(store)
    async with store.transaction() as conn:
        assert await read_model.summary_rows(conn, store.schema) == written


async def test_risk_follows_cases_restriction_and_people_as_cases_publish_them(
    risk, cases_topic, known, dash_answers
) -> None:
    at = datetime(2025, 3, 8, 9, 0, tzinfo=UTC)
    case_id = await cases_topic.open()
    await known(risk, case_id)
    cso = risk.auth(*CSO)
    url = f"/cases/{case_id}/risk"
    assert (await risk.client.get(url, headers=cso)).status_code == 200
    # Restricted to others: cso-0001 no longer sees it.
    restriction = Restriction(
        reason=RestrictionReason.OTHER_SENSITIVITY, permitted_staff_ids=("cso-0002",)
    )
    await cases_topic.send(
        case_id, cev.CaseRestricted(case_id=case_id, restricted_at=at, restriction=restriction)
    )

    async def answered(headers: dict[str, str], status: int) -> bool:
        return (await risk.client.get(url, headers=headers)).status_code == status

    await waiting.eventually(lambda: answered(cso, 404), timeout=30, what="the restriction")
    # Lifted: seen again.
    await cases_topic.send(
        case_id, cev.CaseRestrictionLifted(case_id=case_id, lifted_at=at, reason="Cleared.")
    )
    await waiting.eventually(lambda: answered(cso, 200), timeout=30, what="the lifting")
    # A member of staff added as an alleged perpetrator never sees it, restricted or not.
    perpetrator = AllegedPerpetrator(
        person_id=uuid.uuid4(),
        relationship_to_survivor=Relationship.FORMER_INTIMATE_PARTNER,
        is_staff_member=True,
        staff_id="cso-0001",
    )
    await cases_topic.send(
        case_id,
        cev.PeopleUpdated(case_id=case_id, updated_at=at, alleged_perpetrators=(perpetrator,)),
    )
    await waiting.eventually(lambda: answered(cso, 404), timeout=30, what="the people update")
    other = risk.auth("cso-0002", Role.CASE_MANAGER)
    assert (await risk.client.get(url, headers=other)).status_code == 200
    # What risk stores of the people is their ids, never their details.
    store = risk.runtime.event_store
    people = await store.pool.fetchval(
        f"SELECT people FROM {store.schema}.case_access WHERE case_id = $1", case_id
    )
    assert all(set(p) <= {"person_id", "staff_id"} for p in people)
    assert {"person_id": str(perpetrator.person_id), "staff_id": "cso-0001"} in people
