"""The MARAC tables rebuilt from the event store equal what the appends wrote."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from hearth.contracts.envelope import Role
from hearth.eventstore.testing.service import RunningService
from hearth.referrals.read_model import rebuild

pytestmark = pytest.mark.integration


async def test_rebuild_writes_what_the_appends_wrote(
    referrals: RunningService, cases: Any, known_case: Callable[..., Awaitable[Any]]
) -> None:
    cm = referrals.auth("cso-0001", Role.CASE_MANAGER)
    opened = cases.opened()
    case_id = opened.case_id
    await cases.send(case_id, opened)
    await known_case(referrals, case_id, cm)
    referred = await referrals.client.post(
        f"/cases/{case_id}/marac-referrals",
        json={
            "marac_area": "Example District MARAC",
            "survivor_informed": True,
            "professional_judgement_reason": "Threats to kill.",
        },
        headers=cm,
    )
    referral_id = referred.json()["referral_id"]
    base = f"/cases/{case_id}/marac-referrals/{referral_id}"
    await referrals.client.post(f"{base}/listing", json={"meeting_date": "2025-03-10"}, headers=cm)
    heard = await referrals.client.post(
        f"{base}/hearing",
        json={
            "heard_on": "2025-03-10",
            "actions": [
                {
                    "description": "Police to visit.",
                    "owner_agency": "Example Police",
                    "landlord_action": False,
                    "due_on": "2025-04-10",
                },
            ],
        },
        headers=cm,
    )
    assert heard.status_code == 200, heard.text

    store = referrals.runtime.event_store
    tables = ("marac_referrals", "marac_actions")

    async def rows() -> list[list[Any]]:
        return [
            [
                dict(r)
                for r in await store.pool.fetch(f"SELECT * FROM {store.schema}.{t} ORDER BY 2, 3")
            ]
            for t in tables
        ]

    written = await rows()
    assert written[0] and written[1]
    assert await rebuild(store) >= 1
    assert await rows() == written
