"""What a report's submitter is told, through the API (issue 10, points 17-19)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from hearth.contracts.envelope import Role
from hearth.eventstore.testing.service import RunningService

pytestmark = pytest.mark.integration

STAFF = ("staff-0042", Role.INTAKE)
PARTNER = ("partner-idva-system", Role.PARTNER)


async def _post(intake: RunningService, body: dict[str, Any], who: tuple[str, Role]) -> Any:
    response = await intake.client.post("/reports", json=body, headers=intake.auth(*who))
    assert response.status_code == 202, response.text
    return response.json()


def _partner_body(body: dict[str, Any]) -> dict[str, Any]:
    return {**body, "channel": "partner_agency", "partner_reference": "IDVA-2025-0042"}


async def test_a_partner_gets_its_reports_id_and_a_reference_and_nothing_of_cases(
    intake: RunningService, report_body: Callable[..., dict[str, Any]]
) -> None:
    """Point 19: whether the person already has a case is not a partner's to know."""
    body = report_body()
    opened = await _post(intake, body, STAFF)

    about_known = await _post(intake, _partner_body(body), PARTNER)
    about_nobody = await _post(intake, _partner_body(report_body()), PARTNER)

    for answer in (about_known, about_nobody):
        assert set(answer) == {"report_id", "reference"}
        assert answer["reference"] == answer["report_id"]
    # The partner's report joined the survivor's case all the same.
    stream = await intake.runtime.event_store.read_stream(f"report-{about_known['report_id']}")
    assert stream[0].payload["case_id"] == opened["case_id"]
    assert stream[1].payload["basis"] == "same_survivor"


COLLEAGUE = ("cm-0007", Role.CASE_MANAGER)


async def test_a_report_by_an_unnamed_colleague_right_after_the_one_naming_staff_is_not_told(
    intake: RunningService, report_body: Callable[..., dict[str, Any]]
) -> None:
    """Point 18, the race made deterministic: no cases service runs here, so the second
    report arrives before cases has published anything about the case."""
    body = report_body()
    body["survivor"] = {**body["survivor"], "is_staff_member": True, "staff_id": "hr-0042"}
    first = await _post(intake, body, STAFF)
    second = await _post(intake, {**report_body(), "survivor": body["survivor"]}, COLLEAGUE)

    assert first["link"]["basis"] == "new_case"
    assert second["case_id"] != first["case_id"]
    assert first["case_id"] not in str(second)
    # The second report joined the (restricted) case all the same.
    stream = await intake.runtime.event_store.read_stream(f"report-{second['report_id']}")
    assert stream[0].payload["case_id"] == first["case_id"]
