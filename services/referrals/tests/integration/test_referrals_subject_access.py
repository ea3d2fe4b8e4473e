"""`python -m hearth.referrals subject-access <case_id> <person_id>` on real PostgreSQL:
the survivor gets their MARAC referral, the alleged perpetrator is never told of it nor
given anything of the survivor's, and an erased case answers only that it was erased."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest

from hearth.contracts.envelope import Role
from hearth.contracts.events import cases as cev
from hearth.contracts.events.case_values import ClosureReason, ErasureBasis, ErasureReason
from hearth.eventstore.clock import ControllableClock
from hearth.eventstore.testing import erasure
from hearth.eventstore.testing.service import RunningService
from hearth.referrals.operations import SUBJECT_ACCESS

pytestmark = pytest.mark.integration


async def _subject_access(
    service: RunningService, case_id: uuid.UUID, person_id: uuid.UUID
) -> tuple[dict[str, Any], str]:
    return await erasure.subject_access(SUBJECT_ACCESS, service.runtime, case_id, person_id)


async def test_each_person_gets_their_own_referrals_and_an_erased_case_only_its_erasure(
    referrals: RunningService,
    cases: Any,
    risk_service: Any,
    high_risk_yes: int,
    stream: Callable[..., Awaitable[list[Any]]],
    eventually: Callable[..., Awaitable[Any]],
    known_case: Callable[..., Awaitable[Any]],
    clock: ControllableClock,
) -> None:
    cm = referrals.auth("cso-0001", Role.CASE_MANAGER)
    opened = cases.opened()
    case_id = opened.case_id
    survivor = opened.survivor.person_id
    perpetrator = opened.alleged_perpetrators[0].person_id
    await cases.send(case_id, opened, cases.safe_contact(case_id))
    await risk_service.send(risk_service.dash(case_id, high_risk_yes))

    async def due() -> Any:
        return [e for e in await stream(referrals, case_id) if e.event_name == "MaracReferralDue"]

    await eventually(due, what="a MARAC referral due")
    await known_case(referrals, case_id, cm)
    referred = await referrals.client.post(
        f"/cases/{case_id}/marac-referrals",
        json={
            "marac_area": "Example District MARAC",
            "survivor_informed": True,
            "risk_summary": "Planted summary of the risk",
        },
        headers=cm,
    )
    assert referred.status_code == 201, referred.text
    referral_id = referred.json()["referral_id"]

    theirs, printed = await _subject_access(referrals, case_id, survivor)
    assert theirs["role"] == "survivor"
    marac = [e for e in theirs["events"] if e["event"] == "MaracReferred"]
    assert [e["referral_id"] for e in marac] == [referral_id]
    assert marac[0]["marac_area"] == "Example District MARAC"
    assert "Planted summary" not in printed
    assert {"event": "MaracReferred", "field": "risk_summary"}.items() <= (
        theirs["held_for_review"][0].items()
    )

    his, printed = await _subject_access(referrals, case_id, perpetrator)
    assert his["role"] == "alleged_perpetrator"
    assert his["events"] == [] and his["held_for_review"] == []
    for secret in (referral_id, "MARAC", "marac", "Alex Example", "07700 900456", str(survivor)):
        assert secret not in printed

    # Cases erases the case: the answer is only that it was erased, and when.
    closed_at = clock.now()
    key_store = referrals.runtime.key_store
    assert key_store is not None
    await key_store.destroy_case(case_id, reason="test: erased by cases")
    erased_at = closed_at + timedelta(minutes=5)
    await cases.send(
        case_id,
        cev.CaseClosed(
            case_id=case_id,
            closed_at=closed_at,
            reason=ClosureReason.SURVIVOR_MOVED,
            approved_by="dalead-0001",
        ),
        cev.CaseErased(
            case_id=case_id,
            erased_at=erased_at,
            basis=ErasureBasis.SUBJECT_REQUEST,
            reason=ErasureReason.CONSENT_WITHDRAWN,
            retention_policy="west-kent-2024",
            retention_years=6,
            closed_at=closed_at,
            request_id=uuid.uuid4(),
            requested_by="cso-0001",
            approved_by="dalead-0002",
        ),
    )

    async def erased() -> Any:
        answer, _ = await _subject_access(referrals, case_id, survivor)
        return answer if answer["erased"] else None

    answer = await eventually(erased, what="referrals to learn of the erasure")
    assert answer == {
        "case_id": str(case_id),
        "person_id": str(survivor),
        "erased": True,
        "erased_at": erased_at.isoformat(),
    }
