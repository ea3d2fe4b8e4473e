"""`python -m hearth.risk subject-access <case_id> <person_id>` on real PostgreSQL: the
survivor gets their DASH (free text held for review), the alleged perpetrator only that
risk holds an assessment in which they may be mentioned, an erased case only its erasure."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from hearth.contracts.envelope import Role
from hearth.contracts.events import cases as cev
from hearth.contracts.events.case_values import ErasureBasis, ErasureReason
from hearth.eventstore.testing import erasure, waiting
from hearth.eventstore.testing.service import RunningService
from hearth.risk.domain.subject_access import MAY_BE_MENTIONED
from hearth.risk.operations import SUBJECT_ACCESS

pytestmark = pytest.mark.integration

COMMENT = "Threatened her with a knife at Flat 9 Rowan Court"


async def _subject_access(
    service: RunningService, case_id: uuid.UUID, person_id: str
) -> tuple[dict[str, Any], str]:
    return await erasure.subject_access(SUBJECT_ACCESS, service.runtime, case_id, person_id)


async def test_the_survivor_gets_the_dash_the_perpetrator_only_that_one_exists(
    risk: RunningService,
    cases_topic: Any,
    known: Callable[..., Any],
    dash_answers: Callable[..., list[dict[str, Any]]],
) -> None:
    cso = risk.auth("cso-0001", Role.CASE_MANAGER)
    case_id = await cases_topic.open(perpetrator_staff_id="staff-0999")
    opened = cases_topic.history[case_id][0].payload
    survivor = opened["survivor"]["person_id"]
    perpetrator = opened["alleged_perpetrators"][0]["person_id"]
    await known(risk, case_id)
    answers = dash_answers(15)
    answers[0] |= {"source": "police", "comment": COMMENT}
    now = risk.runtime.clock.now()
    assessed = await risk.client.post(
        f"/cases/{case_id}/assessments",
        json={"completed_at": (now - timedelta(hours=2)).isoformat(), "answers": answers},
        headers=cso,
    )
    assert assessed.status_code == 201, assessed.text
    assessment_id = assessed.json()["assessment_id"]

    theirs, printed = await _subject_access(risk, case_id, survivor)
    assert theirs["role"] == "survivor"
    [dash] = [e for e in theirs["events"] if e["event"] == "DashCompleted"]
    assert dash["assessment_id"] == assessment_id
    assert dash["yes_count"] == 15
    assert COMMENT not in printed
    assert "answers[question=1].comment" in {h["field"] for h in theirs["held_for_review"]}

    his, printed = await _subject_access(risk, case_id, perpetrator)
    assert his["role"] == "other" and his["note"] == MAY_BE_MENTIONED
    assert his["events"] == []
    assert [(h["event"], h["field"]) for h in his["held_for_review"]] == [
        ("DashCompleted", "answers")
    ]
    for secret in (COMMENT, "Alex Example", survivor, assessment_id, '"yes"'):
        assert secret not in printed, secret

    # Cases closes and erases the case: the answer is only that it was erased, and when.
    await cases_topic.close(case_id)
    await known(risk, case_id, open=False)
    key_store = risk.runtime.key_store
    assert key_store is not None
    await key_store.destroy_case(case_id, reason="test: erased by cases")
    await cases_topic.send(
        case_id,
        cev.CaseErased(
            case_id=case_id,
            erased_at=now,
            basis=ErasureBasis.SUBJECT_REQUEST,
            reason=ErasureReason.CONSENT_WITHDRAWN,
            retention_policy="west-kent-2024",
            retention_years=6,
            closed_at=now - timedelta(hours=1),
            request_id=uuid.uuid4(),
            requested_by="cso-0001",
            approved_by="dalead-0001",
        ),
    )

    async def erased() -> Any:
        answer, _ = await _subject_access(risk, case_id, survivor)
        return answer if answer["erased"] else None

    answer = await waiting.eventually(erased, timeout=30, what="risk to learn of the erasure")
    assert answer == {
        "case_id": str(case_id),
        "person_id": survivor,
        "erased": True,
        "erased_at": now.isoformat(),
    }
