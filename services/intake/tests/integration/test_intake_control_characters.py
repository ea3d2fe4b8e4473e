"""Issue 10, point 15: a NUL (or any control character) in a report is a 422, not a lost report.

A NUL in `account` answered 500 (PostgreSQL refuses `\\u0000` in JSON and wrote part of
the event into its own log) and the web form answered "not sent". Now the API refuses it
at the door naming the field, nothing is stored, and the web form asks again with what
the resident typed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from hearth.contracts.envelope import Role
from hearth.eventstore.testing.service import RunningService

pytestmark = pytest.mark.integration

STAFF = ("staff-0042", Role.INTAKE)


async def _stored(intake: RunningService) -> dict[str, int]:
    runtime = intake.runtime
    assert runtime.pool is not None
    return {
        table: int(await runtime.pool.fetchval(f"SELECT count(*) FROM {runtime.schema}.{table}"))
        for table in ("events", "match_keys", "idempotency_keys")
    }


def _fields(response: Any) -> list[str]:
    body = response.json()
    assert body["detail"] == "invalid request"
    assert all(e["kind"] == "control_character" for e in body["errors"]), body
    return [e["field"] for e in body["errors"]]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"account": "a\u0000b"}, "account"),
        ({"account": "escape \u001b[2J sequence"}, "account"),
        ({"partner_reference": "REF\u00001"}, "partner_reference"),
    ],
)
async def test_a_report_with_a_control_character_is_refused_naming_the_field_and_not_stored(
    intake: RunningService,
    report_body: Callable[..., dict[str, Any]],
    change: dict[str, str],
    field: str,
) -> None:
    before = await _stored(intake)
    response = await intake.client.post(
        "/reports",
        json=report_body(**change),
        headers={**intake.auth(*STAFF), "Idempotency-Key": "nul-report-1"},
    )

    assert response.status_code == 422, response.text
    assert _fields(response) == [field]
    assert "\u0000" not in response.text and "\\u0000" not in response.text
    assert await _stored(intake) == before


async def test_a_nul_in_a_name_deep_in_the_report_names_that_field(
    intake: RunningService, report_body: Callable[..., dict[str, Any]]
) -> None:
    body = report_body()
    body["survivor"]["name"] = "Alex\u0000Example"
    body["alleged_perpetrators"][0]["name"] = "Sam\nSample"
    response = await intake.client.post("/reports", json=body, headers=intake.auth(*STAFF))

    assert response.status_code == 422, response.text
    assert sorted(_fields(response)) == ["alleged_perpetrators.0.name", "survivor.name"]
    assert await _stored(intake) == {"events": 0, "match_keys": 0, "idempotency_keys": 0}


async def test_an_asb_report_with_a_nul_is_refused_naming_the_field(
    intake: RunningService,
) -> None:
    response = await intake.client.post(
        "/asb-reports",
        json={
            "category": "shouting_and_arguing",
            "asb_case_reference": "ASB-2025-0042",
            "tenancy_reference": "T-000\u0000123",
            "indicators": "Shouting late at night.",
        },
        headers=intake.auth(*STAFF),
    )

    assert response.status_code == 422, response.text
    assert _fields(response) == ["tenancy_reference"]
    assert (await _stored(intake))["events"] == 0


async def test_the_web_form_asks_again_keeping_what_was_typed_and_never_says_not_sent(
    intake: RunningService,
) -> None:
    page = (await intake.client.get("/report")).text
    match = re.search(r'name="idempotency_token" value="([0-9a-f]{32})"', page)
    assert match
    account = "My partner took my keys.\u0000 He shouts at the children."
    response = await intake.client.post(
        "/report",
        data={
            "idempotency_token": match.group(1),
            "reporter": "self",
            "survivor_name": "Robin Example",
            "account": account,
            "immediate_danger": "no",
        },
    )

    assert response.status_code == 422
    html = response.text
    assert "There is a problem" in html
    assert "has not been sent" not in html
    assert "What is happening had hidden characters in it" in html
    assert "My partner took my keys. He shouts at the children." in html
    assert 'value="Robin Example"' in html
    assert "\u0000" not in html
    assert (await _stored(intake))["events"] == 0
