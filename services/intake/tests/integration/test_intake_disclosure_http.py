"""What a report's submitter is told, through the API (issue 10, points 17-19)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from hearth.contracts.envelope import EXT_ACTOR_ID, Role
from hearth.contracts.topics import INTAKE_EVENTS
from hearth.eventstore.testing.service import RunningService

pytestmark = pytest.mark.integration

STAFF = ("staff-0042", Role.INTAKE)
ACTOR_HEADER = f"ce_{EXT_ACTOR_ID}"
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


async def test_an_unnamed_colleague_cannot_tell_a_restricted_case_from_no_case(
    intake: RunningService,
    report_body: Callable[..., dict[str, Any]],
    read_records: Any,
    payload: Any,
) -> None:
    """Point 17: the same status and shape as for a person with no case, a stand-in id kept
    for them, naming the real id refused as a random id is, and each probe recorded."""
    body = report_body()
    body["survivor"] = {**body["survivor"], "is_staff_member": True, "staff_id": "hr-0042"}
    restricted = await _post(intake, body, STAFF)
    case_id = restricted["case_id"]
    about_nobody = await _post(intake, report_body(), COLLEAGUE)

    first = await _post(intake, body, COLLEAGUE)
    assert set(first) == set(about_nobody)
    assert (
        first["link"]
        == about_nobody["link"]
        == {
            "basis": "new_case",
            "repeat_reasons": [],
            "previous_case_id": None,
        }
    )
    assert first["case_id"] != case_id
    # Asking again about the same person names "their" case, as for a real one.
    again = await _post(intake, body, COLLEAGUE)
    assert again["case_id"] == first["case_id"]
    assert again["link"]["basis"] == "same_survivor"

    # Naming the real case id answers exactly as a random id does.
    async def naming(case: str, about: dict[str, Any] | None = None) -> Any:
        return await intake.client.post(
            "/reports",
            json={**(about or report_body()), "case_id": case},
            headers=intake.auth(*COLLEAGUE),
        )

    real = await naming(case_id)
    random = await naming("00000000-0000-4000-8000-0000000000ee")
    assert (real.status_code, real.json()) == (random.status_code, random.json())
    assert real.status_code == 422
    # Naming the stand-in in a report about the case's survivor names the case, for them.
    via_stand_in = await naming(first["case_id"], body)
    assert via_stand_in.status_code == 202, via_stand_in.text
    assert via_stand_in.json()["case_id"] == first["case_id"]
    assert via_stand_in.json()["link"]["basis"] == "named_by_staff"
    # About someone else, it answers as naming a real case about someone else does: her
    # own new case (the named one only a candidate link, in no answer).
    other = await naming(first["case_id"])
    visible = await naming(about_nobody["case_id"])
    assert (other.status_code, visible.status_code) == (202, 202)
    assert other.json()["link"] == visible.json()["link"] == about_nobody["link"]
    assert other.json()["case_id"] not in (case_id, first["case_id"])
    assert case_id not in other.text

    # Each probe is an event keyed by the restricted case, for cases to record as a read.
    probes = await read_records(
        INTAKE_EVENTS,
        lambda r: (
            r.key == case_id.encode()
            and dict(r.headers).get("ce_type") == b"hearth.intake.CaseWithheldFromSubmitter.v1"
        ),
        expect=5,
    )
    recorded = [payload(r) for r in probes]
    assert [p["report_id"] is None for p in recorded] == [False, False, True, False, False]
    stand_in = first["case_id"]
    assert [p["answered_case_id"] for p in recorded] == [
        stand_in,
        stand_in,
        None,
        stand_in,
        None,
    ]
    actors = {dict(r.headers)[ACTOR_HEADER].decode() for r in probes}
    assert actors == {COLLEAGUE[0]}
