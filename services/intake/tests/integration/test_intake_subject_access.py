"""`python -m hearth.intake subject-access <case_id> <person_id>` on real PostgreSQL: the
survivor gets the report about them without who reported it, the perpetrator only that a
report names them, the reporter what was theirs, and an erased case only its erasure."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from hearth.contracts.envelope import Role
from hearth.contracts.events.case_values import ErasureBasis, ErasureReason
from hearth.contracts.events.cases import CaseErased
from hearth.contracts.topics import CASES_EVENTS
from hearth.eventstore.clock import ControllableClock
from hearth.eventstore.testing import erasure
from hearth.eventstore.testing.service import RunningService
from hearth.intake.consumers import CASE_STATUS_CONSUMER
from hearth.intake.operations import SUBJECT_ACCESS

pytestmark = pytest.mark.integration


async def _subject_access(
    service: RunningService, case_id: uuid.UUID, person_id: uuid.UUID | str
) -> tuple[dict[str, Any], str]:
    return await erasure.subject_access(SUBJECT_ACCESS, service.runtime, case_id, person_id)


async def test_each_person_gets_what_is_theirs_and_an_erased_case_only_its_erasure(
    intake: RunningService,
    report_body: Callable[..., dict[str, Any]],
    publish: Any,
    clock: ControllableClock,
) -> None:
    auth = intake.auth("staff-0101", Role.CASE_MANAGER)
    sent = await intake.client.post("/reports", json=report_body(), headers=auth)
    assert sent.status_code == 202, sent.text
    case_id = uuid.UUID(sent.json()["case_id"])
    report_id = sent.json()["report_id"]
    [received, *_] = await intake.runtime.event_store.read_stream(f"report-{report_id}")
    survivor = received.payload["survivor"]["person_id"]
    survivor_phone = received.payload["survivor"]["phone"]
    perpetrator = received.payload["alleged_perpetrators"][0]["person_id"]

    theirs, printed = await _subject_access(intake, case_id, survivor)
    assert theirs["role"] == "survivor"
    [report] = theirs["events"]
    assert report["report_id"] == report_id
    assert report["details"]["name"] == "Alex Example"
    assert report["details"]["phone"] == survivor_phone
    for secret in ("Pat Neighbour", "07700 900789", "neighbour", "Sam Sample", "smash"):
        assert secret not in printed, secret
    assert {"field": "account"}.items() <= theirs["held_for_review"][0].items()

    his, printed = await _subject_access(intake, case_id, perpetrator)
    assert his["role"] == "alleged_perpetrator"
    assert [e["report_id"] for e in his["events"]] == [report_id]
    for secret in ("Alex Example", survivor_phone, "Example Street", "ZZ1 1ZZ", "Pat Neighbour"):
        assert secret not in printed, secret

    reporter, printed = await _subject_access(intake, case_id, report_id)
    assert reporter["role"] == "reporter"
    assert reporter["events"][0]["reporter"]["name"] == "Pat Neighbour"
    assert "Alex Example" not in printed and survivor_phone not in printed

    # Cases erases the case: the answer is only that it was erased, and when.
    assert intake.runtime.key_store is not None
    await intake.runtime.key_store.destroy_case(case_id, reason="test: retention ended")
    erased_at = clock.now()
    await publish(
        CaseErased(
            case_id=case_id,
            erased_at=erased_at,
            basis=ErasureBasis.RETENTION_EXPIRED,
            reason=ErasureReason.RETENTION_PERIOD_ENDED,
            retention_policy="west-kent-2024",
            retention_years=6,
            closed_at=erased_at - timedelta(days=6 * 366),
        ),
        CASES_EVENTS,
    )
    await intake.runtime.consumers[CASE_STATUS_CONSUMER].wait_caught_up(timeout=60)
    answer, _ = await _subject_access(intake, case_id, survivor)
    assert answer == {
        "case_id": str(case_id),
        "person_id": survivor,
        "erased": True,
        "erased_at": erased_at.isoformat(),
    }
