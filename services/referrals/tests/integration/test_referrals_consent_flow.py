"""Consent through HTTP on real Kafka and PostgreSQL: a consent-less referral below the
MARAC threshold is refused and nothing is written; safeguarding goes ahead; a withdrawn
consent shows on the open referral; a restricted case is hidden and its reads recorded."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from hearth.contracts.envelope import Role
from hearth.contracts.events.case_values import Restriction, RestrictionReason
from hearth.contracts.events.cases import CaseRestricted
from hearth.eventstore.testing.service import RunningService

pytestmark = pytest.mark.integration

POLICE = {
    "referral_type": "police",
    "agency_name": "Example Constabulary",
    "sharing_basis": "consent",
    "information_shared": ["account_of_abuse"],
}


async def test_a_consentless_police_referral_is_refused_and_nothing_is_written(
    referrals: RunningService,
    cases: Any,
    known_case: Callable[..., Awaitable[Any]],
    stream: Callable[..., Awaitable[list[Any]]],
) -> None:
    cm = referrals.auth("cso-0001", Role.CASE_MANAGER)
    opened = cases.opened()
    case_id = opened.case_id
    await cases.send(case_id, opened)
    await known_case(referrals, case_id, cm)
    before = await stream(referrals, case_id)

    refused = await referrals.client.post(f"/cases/{case_id}/referrals", json=POLICE, headers=cm)

    assert refused.status_code == 409
    assert refused.json()["code"] == "consent_required"
    assert await stream(referrals, case_id) == before

    consent = await referrals.client.post(
        f"/cases/{case_id}/consents",
        json={"given": True, "scope": ["police"], "method": "verbal"},
        headers=cm,
    )
    assert consent.status_code == 201, consent.text
    consent_id = consent.json()["consent_id"]
    made = await referrals.client.post(f"/cases/{case_id}/referrals", json=POLICE, headers=cm)
    assert made.status_code == 201, made.text
    assert made.json()["consent_id"] == consent_id

    withdrawn = await referrals.client.post(
        f"/cases/{case_id}/consents/{consent_id}/withdrawal", json={}, headers=cm
    )
    assert withdrawn.status_code == 200, withdrawn.text
    again = await referrals.client.post(f"/cases/{case_id}/referrals", json=POLICE, headers=cm)
    assert again.status_code == 409
    assert again.json()["code"] == "consent_withdrawn"
    view = (await referrals.client.get(f"/cases/{case_id}/referrals", headers=cm)).json()
    assert [r["consent_withdrawn"] for r in view["referrals"]] == [True]


async def test_safeguarding_children_goes_ahead_without_consent(
    referrals: RunningService, cases: Any, known_case: Callable[..., Awaitable[Any]]
) -> None:
    cm = referrals.auth("cso-0001", Role.CASE_MANAGER)
    opened = cases.opened()
    await cases.send(opened.case_id, opened)
    await known_case(referrals, opened.case_id, cm)

    made = await referrals.client.post(
        f"/cases/{opened.case_id}/referrals",
        json={
            "referral_type": "safeguarding_children",
            "agency_name": "Example Children's Services",
            "sharing_basis": "safeguarding_child",
            "safeguarding_reason": "The child witnessed an assault.",
            "approved_by": "dalead-0001",
            "about_person_id": str(opened.children[0].person_id),
            "information_shared": ["children_details", "account_of_abuse"],
        },
        headers=cm,
    )
    assert made.status_code == 201, made.text
    referral_id = made.json()["referral_id"]
    accepted = await referrals.client.post(
        f"/cases/{opened.case_id}/referrals/{referral_id}/acceptance",
        json={"agency_reference": "CS-123"},
        headers=cm,
    )
    assert accepted.status_code == 200, accepted.text
    closed = await referrals.client.post(
        f"/cases/{opened.case_id}/referrals/{referral_id}/closure",
        json={"outcome": "support_completed"},
        headers=cm,
    )
    assert closed.status_code == 200, closed.text


async def test_a_restricted_case_is_not_found_and_the_attempt_is_recorded(
    referrals: RunningService,
    cases: Any,
    known_case: Callable[..., Awaitable[Any]],
    stream: Callable[..., Awaitable[list[Any]]],
    eventually: Callable[..., Awaitable[Any]],
) -> None:
    named = referrals.auth("dalead-0001", Role.MANAGER)
    outsider = referrals.auth("cso-0002", Role.CASE_MANAGER)
    opened = cases.opened()
    case_id = opened.case_id
    restricted = CaseRestricted(
        case_id=case_id,
        restricted_at=opened.opened_at,
        restriction=Restriction(
            reason=RestrictionReason.OTHER_SENSITIVITY, permitted_staff_ids=("dalead-0001",)
        ),
    )
    await cases.send(case_id, opened, restricted)
    await known_case(referrals, case_id, named)

    refused = await referrals.client.get(f"/cases/{case_id}/referrals", headers=outsider)
    assert refused.status_code == 404
    posted = await referrals.client.post(
        f"/cases/{case_id}/incidents",
        json={"occurred_on": "2025-03-01", "source": "police"},
        headers=outsider,
    )
    assert posted.status_code == 404

    reads = [e for e in await stream(referrals, case_id) if e.event_name.startswith("Restricted")]
    assert [(r.payload["staff_id"], r.payload["access_granted"]) for r in reads] == [
        ("dalead-0001", True),
        ("cso-0002", False),
        ("cso-0002", False),
    ]
    # Reads at once queue on the case's referrals stream: none is refused as a conflict.
    together = await asyncio.gather(
        *(referrals.client.get(f"/cases/{case_id}/referrals", headers=named) for _ in range(8))
    )
    assert [r.status_code for r in together] == [200] * 8, [r.text for r in together]
    reads = [e for e in await stream(referrals, case_id) if e.event_name.startswith("Restricted")]
    assert len(reads) == 3 + 8
