"""The service's log output for reports, refusals and the web form holds no personal data."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import structlog

from hearth.contracts.envelope import Role
from hearth.eventstore.logs import configure_logging
from hearth.eventstore.testing.service import running_service
from hearth.intake.service import build_spec
from hearth.intake.settings import IntakeSettings

pytestmark = pytest.mark.integration

NAME = "Bethany Quixote-Marsh"
PERPETRATOR = "Rupert Vanderquill"
PHONE = "07700 900 417"
EMAIL = "bethany.qm@example.org"
POSTCODE = "ZZ9 9QQ"
STREET = "14 Lantern Mews"
TENANCY = "TEN-884422"
ACCOUNT = "He took my bank card and said he would burn the flat down"
NOTES = "Only call my sister Wilhelmina"
SECRETS = (NAME, PERPETRATOR, "900 417", "900417", EMAIL, POSTCODE, STREET, TENANCY, ACCOUNT)


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    stream = io.StringIO()
    configure_logging("intake", "DEBUG", stream=stream)
    try:
        yield stream
    finally:
        structlog.reset_defaults()
        root.handlers[:] = handlers
        root.setLevel(level)


async def test_a_submission_logs_its_ids_and_none_of_the_people_or_their_account(
    kafka_bootstrap: str,
    database_url: str,
    log_output: io.StringIO,
    report_body: Callable[..., dict[str, Any]],
) -> None:
    body = report_body(
        survivor={
            "name": NAME,
            "date_of_birth": "1979-02-03",
            "phone": PHONE,
            "email": EMAIL,
            "address": {"lines": [STREET], "postcode": POSTCODE},
        },
        alleged_perpetrators=[
            {"name": PERPETRATOR, "relationship_to_survivor": "spouse_or_civil_partner"}
        ],
        tenancy_reference=TENANCY,
        account=ACCOUNT,
        safe_contact={
            "safe_to_call": True,
            "safe_to_text": False,
            "safe_to_email": False,
            "safe_to_write": False,
            "safe_to_visit": False,
            "safe_phone_numbers": [PHONE],
            "withheld_number_only": True,
            "never_leave_voicemail": True,
            "interpreter_needed": False,
            "notes": NOTES,
        },
    )
    settings = IntakeSettings(match_key="intake-tests-match-key-0123456789")
    async with running_service(
        build_spec(settings), kafka_bootstrap=kafka_bootstrap, database_url=database_url
    ) as intake:
        staff = intake.auth("staff-0042", Role.INTAKE)
        accepted = await intake.client.post("/reports", json=body, headers=staff)
        refused = await intake.client.post(
            "/reports", json={**body, "channel": "telepathy"}, headers=staff
        )
        form = await intake.client.get("/report")
        assert form.status_code == 200
        web = await intake.client.post(
            "/report",
            data={
                "reporter": "self",
                "survivor_name": NAME,
                "safe_phone": PHONE,
                "contact_methods": "call",
                "postcode": POSTCODE,
                "account": ACCOUNT,
            },
        )
        not_sent = await intake.client.post(
            "/report", data={"survivor_name": NAME, "safe_phone": PHONE}
        )

    assert accepted.status_code == 202
    assert refused.status_code == 422
    assert web.status_code == 422  # immediate danger unanswered, address line 1 missing
    assert not_sent.status_code == 422
    text = log_output.getvalue()
    for secret in (*SECRETS, NOTES):
        assert secret not in text
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    received = [line for line in lines if line["event"] == "report received"]
    assert received == [
        {
            **received[0],
            "report_id": accepted.json()["report_id"],
            "case_id": accepted.json()["case_id"],
            "basis": "new_case",
            "channel": "phone",
        }
    ]
    returned = [line for line in lines if line["event"] == "web form returned with errors"]
    assert returned and "immediate_danger" in returned[0]["fields"]
