"""ASB reports of shouting and arguing (and the like) raise a DA enquiry; others do not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hearth.contracts.envelope import Envelope, Role
from hearth.contracts.topics import INTAKE_EVENTS
from hearth.eventstore.testing.service import RunningService, running_service
from hearth.intake.service import build_spec
from hearth.intake.settings import IntakeSettings

pytestmark = pytest.mark.integration

HOUSING_OFFICER = ("staff-0101", Role.CASE_MANAGER)


async def _events(intake: RunningService) -> int:
    runtime = intake.runtime
    assert runtime.pool is not None
    return int(await runtime.pool.fetchval(f"SELECT count(*) FROM {runtime.schema}.events"))


async def test_shouting_and_arguing_raises_a_da_enquiry_on_the_bus(
    intake: RunningService, read_records: Any, payload: Any
) -> None:
    response = await intake.client.post(
        "/asb-reports",
        json={
            "category": "shouting_and_arguing",
            "asb_case_reference": "ASB-2025-0042",
            "tenancy_reference": "T-000123",
            "indicators": "Repeated reports of shouting and a woman crying late at night.",
        },
        headers=intake.auth(*HOUSING_OFFICER),
    )

    assert response.status_code == 202, response.text
    body = response.json()
    assert body["enquiry_raised"] is True
    enquiry_id = body["enquiry_id"]
    [record] = await read_records(
        INTAKE_EVENTS, lambda r: payload(r).get("enquiry_id") == enquiry_id, expect=1
    )
    envelope = Envelope.from_kafka(record.key, record.value, list(record.headers))
    assert envelope.type == "hearth.intake.EnquiryRaised.v1"
    assert record.key == enquiry_id.encode()
    assert envelope.subject == enquiry_id
    assert envelope.actor.id == "staff-0101"
    assert envelope.payload["trigger"] == "asb_report"
    assert envelope.payload["asb_category"] == "shouting_and_arguing"
    assert envelope.payload["asb_case_reference"] == "ASB-2025-0042"


async def test_a_report_that_came_out_of_the_enquiry_can_name_it(
    intake: RunningService, report_body: Any
) -> None:
    raised = await intake.client.post(
        "/asb-reports",
        json={"category": "door_slamming_late_at_night", "asb_case_reference": "ASB-7"},
        headers=intake.auth(*HOUSING_OFFICER),
    )
    enquiry_id = raised.json()["enquiry_id"]
    report = await intake.client.post(
        "/reports",
        json=report_body(channel="visit", enquiry_id=enquiry_id),
        headers=intake.auth(*HOUSING_OFFICER),
    )
    assert report.status_code == 202, report.text
    stream = await intake.runtime.event_store.read_stream(f"report-{report.json()['report_id']}")
    assert stream[0].payload["enquiry_id"] == enquiry_id


async def test_other_asb_categories_are_left_to_the_asb_procedure(
    intake: RunningService,
) -> None:
    response = await intake.client.post(
        "/asb-reports",
        json={"category": "fly_tipping", "asb_case_reference": "ASB-2025-0043"},
        headers=intake.auth(*HOUSING_OFFICER),
    )
    assert response.status_code == 202
    assert response.json()["enquiry_raised"] is False
    assert response.json()["enquiry_id"] is None
    assert "no DA enquiry was raised" in response.json()["detail"]
    assert await _events(intake) == 0


async def test_a_bad_asb_report_is_422_naming_the_fields(intake: RunningService) -> None:
    response = await intake.client.post(
        "/asb-reports",
        json={"category": "Shouting And Arguing"},
        headers=intake.auth(*HOUSING_OFFICER),
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"category", "asb_case_reference"}


async def test_a_retried_asb_report_raises_one_enquiry(intake: RunningService) -> None:
    headers = {**intake.auth(*HOUSING_OFFICER), "Idempotency-Key": "asb-2025-0044"}
    body = {"category": "screaming_or_crying", "asb_case_reference": "ASB-2025-0044"}
    first = await intake.client.post("/asb-reports", json=body, headers=headers)
    second = await intake.client.post("/asb-reports", json=body, headers=headers)
    assert first.json() == second.json()
    assert await _events(intake) == 1


async def test_the_signal_categories_come_from_the_policy_file(
    kafka_bootstrap: str, database_url: str, tmp_path: Path
) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text(
        'name = "another-landlord"\n[repeats]\nwindow_months = 6\n'
        '[asb]\nda_signal_categories = ["noise_nuisance"]\n'
        "[retention]\nenquiry_years_unfollowed = 3\n"
    )
    settings = IntakeSettings(match_key="intake-tests-match-key-0123456789", policy_file=policy)
    async with running_service(
        build_spec(settings), kafka_bootstrap=kafka_bootstrap, database_url=database_url
    ) as intake:
        noise = await intake.client.post(
            "/asb-reports",
            json={"category": "noise_nuisance", "asb_case_reference": "ASB-1"},
            headers=intake.auth(*HOUSING_OFFICER),
        )
        shouting = await intake.client.post(
            "/asb-reports",
            json={"category": "shouting_and_arguing", "asb_case_reference": "ASB-2"},
            headers=intake.auth(*HOUSING_OFFICER),
        )
    assert noise.json()["enquiry_raised"] is True
    assert shouting.json()["enquiry_raised"] is False
