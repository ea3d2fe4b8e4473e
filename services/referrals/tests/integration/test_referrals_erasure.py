"""A case erased in cases (`CaseErased`, its keys destroyed): referrals keeps nothing
personal about it in any table of its schema (the MARAC document's people, children,
safe contact and DASH comments included), answers 404 to reads (the document too), 409
`case_erased` to commands, records no `MaracActionOverdue` for it, and a rebuild after
the erasure equals the read models kept up as events came."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hearth.contracts.envelope import Envelope, Role
from hearth.contracts.events import cases as cev
from hearth.contracts.events import risk
from hearth.contracts.events.case_values import ClosureReason, ErasureBasis, ErasureReason
from hearth.eventstore.clock import ControllableClock
from hearth.eventstore.db import check_schema_name
from hearth.eventstore.testing import erasure
from hearth.eventstore.testing.service import RunningService
from hearth.referrals import read_model, scheduler
from hearth.referrals.consumers import cases_events, risk_events

pytestmark = pytest.mark.integration

COMMENT = "He said he would burn the flat at 9 Rowan Court"
JUDGEMENT = "Her sister Jo Example says he keeps a gun"
PLANTED = (
    "Alex Example",
    "Sam Sample",
    "Kit Example",
    "07700 900123",
    "07700 900456",
    "Rowan Court",
    "Jo Example",
)


async def tables_holding(service: RunningService, text: str) -> list[str]:
    """The tables of the service's schema, `events` aside, where `text` appears."""
    store = service.runtime.event_store
    return await erasure.tables_holding(store.pool, store.schema, text)


async def test_an_erased_case_leaves_nothing_personal_and_nothing_more_is_done(
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
    manager = referrals.auth("dalead-0001", Role.MANAGER)
    opened = cases.opened()
    case_id = opened.case_id
    sent: list[Envelope] = await cases.send(case_id, opened, cases.safe_contact(case_id))
    dash = risk_service.dash(case_id, high_risk_yes)
    first = dash.answers[0].model_copy(update={"comment": COMMENT})
    second = dash.answers[1].model_copy(update={"comment": JUDGEMENT})
    dash = risk.DashCompleted.model_validate(
        {**dash.model_dump(), "answers": (first, second, *dash.answers[2:])}
    )
    assessed = await risk_service.send(dash)

    async def due() -> Any:
        return [e for e in await stream(referrals, case_id) if e.event_name == "MaracReferralDue"]

    await eventually(due, what="a MARAC referral due")
    await known_case(referrals, case_id, cm)
    referred = await referrals.client.post(
        f"/cases/{case_id}/marac-referrals",
        json={"marac_area": "Example District MARAC", "survivor_informed": True},
        headers=cm,
    )
    assert referred.status_code == 201, referred.text
    referral_id = referred.json()["referral_id"]
    base = f"/cases/{case_id}/marac-referrals/{referral_id}"
    document = await referrals.client.get(f"{base}/document", headers=cm)
    assert document.status_code == 200
    assert "07700 900456" in document.text and "Alex Example" in document.text
    listed = await referrals.client.post(
        f"{base}/listing", json={"meeting_date": "2025-03-10"}, headers=cm
    )
    assert listed.status_code == 200, listed.text
    heard = await referrals.client.post(
        f"{base}/hearing",
        json={
            "heard_on": "2025-03-10",
            "actions": [
                {
                    "description": "Fit a fire-safe letterbox.",
                    "owner_agency": "Example Homes",
                    "landlord_action": True,
                    "owner_staff_id": "cso-0001",
                    "due_on": "2025-03-11",
                }
            ],
        },
        headers=cm,
    )
    assert heard.status_code == 200, heard.text
    actions = (await referrals.client.get("/marac/actions", headers=manager)).json()["actions"]
    assert [a["case_id"] for a in actions] == [str(case_id)]
    store = referrals.runtime.event_store
    s = check_schema_name(store.schema)
    assert await tables_holding(referrals, "Alex Example") == ["known_cases"]
    assert await tables_holding(referrals, COMMENT) == ["known_cases"]

    # Cases closes and erases the case: its keys are destroyed, then `CaseErased` follows.
    closed_at = clock.now()
    key_store = referrals.runtime.key_store
    assert key_store is not None
    await key_store.destroy_case(case_id, reason="test: erased by cases")
    sent += await cases.send(
        case_id,
        cev.CaseClosed(
            case_id=case_id,
            closed_at=closed_at,
            reason=ClosureReason.SURVIVOR_MOVED,
            approved_by="dalead-0001",
        ),
        cev.CaseErased(
            case_id=case_id,
            erased_at=closed_at + timedelta(minutes=5),
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

    async def erased() -> bool:
        facts = await store.pool.fetchval(
            f"SELECT facts FROM {s}.known_cases WHERE case_id = $1", case_id
        )
        return bool(facts and facts.get("erased"))

    await eventually(erased, what="referrals to learn of the erasure")

    for text in (*PLANTED, COMMENT, JUDGEMENT):
        assert await tables_holding(referrals, text) == [], text

    # Nobody reads it, the document included; every command is refused with why.
    for who in (cm, manager):
        for path in (f"/cases/{case_id}/referrals", f"{base}/document"):
            answer = await referrals.client.get(path, headers=who)
            assert answer.status_code == 404, answer.text
    listed_actions = await referrals.client.get("/marac/actions", headers=manager)
    assert listed_actions.status_code == 200, listed_actions.text
    assert all(a["case_id"] != str(case_id) for a in listed_actions.json()["actions"])
    refused = await referrals.client.post(
        f"/cases/{case_id}/incidents",
        json={"occurred_on": "2025-03-10", "source": "police"},
        headers=cm,
    )
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "case_erased"

    # Its action is past due, yet the scheduler records nothing.
    clock.set(datetime(2025, 3, 13, 9, 0, tzinfo=UTC))
    assert await scheduler.sweep(referrals.runtime) == 0
    history = await stream(referrals, case_id)
    assert [e for e in history if e.event_name == "MaracActionOverdue"] == []
    version = history[-1].stream_version

    # Rebuilt after the erasure (the streams now read redacted): the MARAC tables, and what
    # is known of the case replayed from scratch with risk's topic read after cases'.
    async def rows() -> dict[str, list[dict[str, Any]]]:
        got = {}
        for t, order in (
            ("known_cases", "case_id"),
            ("marac_referrals", "referral_id"),
            ("marac_actions", "action_id"),
        ):
            fetched = await store.pool.fetch(f"SELECT * FROM {s}.{t} ORDER BY {order}")
            got[t] = [{k: v for k, v in r.items() if k != "updated_at"} for r in fetched]
        return got

    incremental = await rows()
    assert incremental["marac_actions"][0]["case_erased"]
    assert await read_model.rebuild(store) >= 1
    async with store.transaction() as conn:
        await conn.execute(f"DELETE FROM {s}.known_cases WHERE case_id = $1", case_id)
        learn_cases, learn_risk = cases_events(referrals.runtime), risk_events(referrals.runtime)
        for envelope in sent:
            await learn_cases(conn, envelope)
        for envelope in assessed:
            await learn_risk(conn, envelope)
    assert await rows() == incremental
    assert (await stream(referrals, case_id))[-1].stream_version == version
    for text in (*PLANTED, COMMENT, JUDGEMENT):
        assert await tables_holding(referrals, text) == [], text
