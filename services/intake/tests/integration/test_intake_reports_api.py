"""POST /reports on the real servers: ids, the events on Kafka, refusals that store nothing."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from hearth.contracts.envelope import REQUIRED_HEADERS, Envelope, Role
from hearth.contracts.topics import INTAKE_EVENTS
from hearth.eventstore.testing.service import RunningService

pytestmark = pytest.mark.integration

STAFF = ("staff-0042", Role.INTAKE)


async def _stored_event_count(intake: RunningService) -> int:
    runtime = intake.runtime
    assert runtime.pool is not None
    return int(await runtime.pool.fetchval(f"SELECT count(*) FROM {runtime.schema}.events"))


async def _table_count(intake: RunningService, table: str) -> int:
    runtime = intake.runtime
    assert runtime.pool is not None
    return int(await runtime.pool.fetchval(f"SELECT count(*) FROM {runtime.schema}.{table}"))


async def test_a_staff_report_is_accepted_with_its_ids_and_published_keyed_by_the_case(
    intake: RunningService,
    report_body: Callable[..., dict[str, Any]],
    read_records: Any,
    payload: Any,
) -> None:
    correlation_id = uuid.uuid4()
    response = await intake.client.post(
        "/reports",
        json=report_body(),
        headers={**intake.auth(*STAFF), "X-Correlation-ID": str(correlation_id)},
    )

    assert response.status_code == 202, response.text
    body = response.json()
    report_id, case_id = body["report_id"], body["case_id"]
    assert body["link"] == {"basis": "new_case", "repeat_reasons": [], "previous_case_id": None}
    assert response.headers["cache-control"] == "no-store"

    records = await read_records(
        INTAKE_EVENTS, lambda r: payload(r).get("report_id") == report_id, expect=2
    )
    assert len(records) == 2
    envelopes = [Envelope.from_kafka(r.key, r.value, list(r.headers)) for r in records]
    assert [e.event_name for e in envelopes] == ["ReportReceived", "ReportLinkedToCase"]
    for record, envelope in zip(records, envelopes, strict=True):
        assert record.key == case_id.encode()
        assert {name for name, _ in record.headers} >= set(REQUIRED_HEADERS)
        assert dict(record.headers)["ce_subject"] == case_id.encode()
        assert envelope.subject == case_id
        assert envelope.stream_id == f"report-{report_id}"
        assert envelope.actor.id == "staff-0042" and envelope.actor.role is Role.INTAKE
        assert envelope.correlation_id == correlation_id
        assert envelope.hash_is_valid()
    # Published encrypted: the survivor's name is not on the wire; with key access it reads.
    assert b"Alex Example" not in records[0].value
    assert envelopes[0].payload["survivor"]["name"].startswith("hearth:enc:v1:")
    assert intake.runtime.cipher is not None
    received, linked = await intake.runtime.cipher.open_envelopes(envelopes)
    assert received.payload["case_id"] == case_id
    assert received.payload["channel"] == "phone"
    assert received.payload["reporter"]["relationship"] == "neighbour"
    assert received.payload["survivor"]["name"] == "Alex Example"
    assert received.payload["alleged_perpetrators"][0]["person_id"]
    assert received.payload["children"][0]["person_id"]
    assert received.payload["advised_to_call_999"] is False
    assert linked.payload["basis"] == "new_case"
    assert linked.causation_id == received.event_id
    assert records[0].partition == records[1].partition
    assert records[0].offset < records[1].offset


async def test_a_partner_agency_reports_on_its_own_channel_and_is_the_actor(
    intake: RunningService, report_body: Callable[..., dict[str, Any]]
) -> None:
    body = report_body(
        channel="partner_agency",
        reporter={"kind": "third_party", "relationship": "professional", "organisation": "IDVA"},
        partner_reference="IDVA-2025-0042",
    )
    response = await intake.client.post(
        "/reports", json=body, headers=intake.auth("partner-idva-system", Role.PARTNER)
    )
    assert response.status_code == 202, response.text
    stream = await intake.runtime.event_store.read_stream(f"report-{response.json()['report_id']}")
    assert stream[0].actor.id == "partner-idva-system"
    assert stream[0].actor.role is Role.PARTNER
    assert stream[0].payload["partner_reference"] == "IDVA-2025-0042"


async def test_someone_in_immediate_danger_is_recorded_as_told_to_call_999(
    intake: RunningService, report_body: Callable[..., dict[str, Any]]
) -> None:
    response = await intake.client.post(
        "/reports", json=report_body(immediate_danger=True), headers=intake.auth(*STAFF)
    )
    assert response.status_code == 202, response.text
    stream = await intake.runtime.event_store.read_stream(f"report-{response.json()['report_id']}")
    assert stream[0].payload["immediate_danger"] is True
    assert stream[0].payload["advised_to_call_999"] is True


async def test_a_report_of_a_damaged_home_where_safety_is_at_risk_is_recorded(
    intake: RunningService, report_body: Callable[..., dict[str, Any]]
) -> None:
    response = await intake.client.post(
        "/reports",
        json=report_body(home_damaged_safety_at_risk=True),
        headers=intake.auth(*STAFF),
    )
    assert response.status_code == 202, response.text
    stream = await intake.runtime.event_store.read_stream(f"report-{response.json()['report_id']}")
    assert stream[0].payload["home_damaged_safety_at_risk"] is True


async def test_an_anonymous_report_with_no_names_at_all_is_accepted(
    intake: RunningService,
) -> None:
    body = {
        "channel": "phone",
        "reporter": {"kind": "anonymous"},
        "immediate_danger": False,
        "account": "A caller would not give any names but is frightened for a neighbour.",
    }
    response = await intake.client.post("/reports", json=body, headers=intake.auth(*STAFF))
    assert response.status_code == 202, response.text
    stream = await intake.runtime.event_store.read_stream(f"report-{response.json()['report_id']}")
    assert stream[0].payload["reporter"] == {
        "kind": "anonymous",
        "relationship": None,
        "name": None,
        "phone": None,
        "email": None,
        "staff_id": None,
        "organisation": None,
    }
    assert stream[0].payload["survivor"]["name"] is None


async def test_a_bad_request_answers_422_naming_every_bad_field_and_stores_nothing(
    intake: RunningService, report_body: Callable[..., dict[str, Any]]
) -> None:
    body = report_body(
        channel="carrier_pigeon",
        reporter={"kind": "third_party", "name": "Pat Neighbour"},
        immediate_danger="perhaps",
        abuse_types=["physical", "physical"],
        report_id=str(uuid.uuid4()),
    )
    body["survivor"]["phone"] = "call me maybe"
    response = await intake.client.post("/reports", json=body, headers=intake.auth(*STAFF))

    assert response.status_code == 422
    errors = response.json()["errors"]
    fields = {e["field"] for e in errors}
    assert {
        "channel",
        "reporter",
        "immediate_danger",
        "abuse_types",
        "survivor.phone",
        "report_id",
    } <= fields
    assert "call me maybe" not in response.text and "Pat Neighbour" not in response.text
    assert await _stored_event_count(intake) == 0
    assert await _table_count(intake, "match_keys") == 0


async def test_the_services_own_rules_also_answer_422_listing_the_fields(
    intake: RunningService, report_body: Callable[..., dict[str, Any]]
) -> None:
    partner = await intake.client.post(
        "/reports",
        json=report_body(
            channel="phone",
            reporter={"kind": "staff", "staff_id": "staff-0001"},
            case_id=str(uuid.uuid4()),
        ),
        headers=intake.auth("partner-system", Role.PARTNER),
    )
    assert partner.status_code == 422
    assert {e["field"] for e in partner.json()["errors"]} == {
        "channel",
        "reporter.kind",
        "case_id",
    }

    staff_web_form = await intake.client.post(
        "/reports", json=report_body(channel="web_form"), headers=intake.auth(*STAFF)
    )
    assert staff_web_form.status_code == 422
    assert [e["field"] for e in staff_web_form.json()["errors"]] == ["channel"]

    unknown_case = await intake.client.post(
        "/reports", json=report_body(case_id=str(uuid.uuid4())), headers=intake.auth(*STAFF)
    )
    assert unknown_case.status_code == 422
    assert [e["field"] for e in unknown_case.json()["errors"]] == ["case_id"]

    unknown_enquiry = await intake.client.post(
        "/reports", json=report_body(enquiry_id=str(uuid.uuid4())), headers=intake.auth(*STAFF)
    )
    assert unknown_enquiry.status_code == 422
    assert [e["field"] for e in unknown_enquiry.json()["errors"]] == ["enquiry_id"]
    assert await _stored_event_count(intake) == 0


async def test_no_token_is_401_and_a_role_that_takes_no_reports_is_403(
    intake: RunningService, report_body: Callable[..., dict[str, Any]]
) -> None:
    missing = await intake.client.post("/reports", json=report_body())
    assert missing.status_code == 401
    forged = await intake.client.post(
        "/reports", json=report_body(), headers={"Authorization": "Bearer not-a-token"}
    )
    assert forged.status_code == 401
    auditor = await intake.client.post(
        "/reports", json=report_body(), headers=intake.auth("auditor-1", Role.AUDITOR)
    )
    assert auditor.status_code == 403
    partner_asb = await intake.client.post(
        "/asb-reports",
        json={"category": "shouting_and_arguing", "asb_case_reference": "ASB-1"},
        headers=intake.auth("partner-system", Role.PARTNER),
    )
    assert partner_asb.status_code == 403
    assert await _stored_event_count(intake) == 0


@pytest.mark.parametrize("role", [Role.INTAKE, Role.CASE_MANAGER, Role.MANAGER, Role.ADMIN])
async def test_every_staff_role_can_take_a_report(
    intake: RunningService, report_body: Callable[..., dict[str, Any]], role: Role
) -> None:
    response = await intake.client.post(
        "/reports", json=report_body(channel="in_person"), headers=intake.auth("staff-7", role)
    )
    assert response.status_code == 202, response.text


async def test_a_perpetrators_age_band_is_derived_published_plain_or_a_mismatch_refused(
    intake: RunningService,
    report_body: Callable[..., dict[str, Any]],
    read_records: Any,
    payload: Any,
) -> None:
    """Issue 13: the band reporting counts young perpetrators by; the date stays sealed."""
    ten = intake.runtime.clock.now().year - 10  # 9 or 10 on any day of the year
    perpetrator = {"name": "Sam Sample", "date_of_birth": f"{ten}-06-15"}
    contradicted = await intake.client.post(
        "/reports",
        json=report_body(alleged_perpetrators=[{**perpetrator, "age_band": "25_34"}]),
        headers=intake.auth(*STAFF),
    )
    assert contradicted.status_code == 422
    [error] = contradicted.json()["errors"]
    assert (error["field"], error["kind"]) == (
        "alleged_perpetrators.0.age_band",
        "age_band_mismatch",
    )
    assert str(ten) not in contradicted.text
    assert await _stored_event_count(intake) == 0

    accepted = await intake.client.post(
        "/reports",
        json=report_body(alleged_perpetrators=[perpetrator]),
        headers=intake.auth(*STAFF),
    )
    assert accepted.status_code == 202, accepted.text
    report_id = accepted.json()["report_id"]
    [received] = await read_records(
        INTAKE_EVENTS,
        lambda r: payload(r).get("report_id") == report_id and "survivor" in payload(r),
        expect=1,
    )
    [published] = payload(received)["alleged_perpetrators"]
    assert published["age_band"] == "under_16"
    assert str(ten) not in published["date_of_birth"]  # ciphertext on Kafka
