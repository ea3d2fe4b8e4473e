"""Reporting beside the four services themselves, on real Kafka and PostgreSQL: a report
made through intake, the case cases opens, a contact, a DASH through risk, a MARAC
referral through referrals; reporting counts them from the topics, where every personal
value is ciphertext, and holds none of them."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hearth.cases.service import SPEC as CASES
from hearth.contracts.envelope import Role
from hearth.eventstore.clock import ControllableClock
from hearth.eventstore.testing.erasure import tables_holding
from hearth.eventstore.testing.service import RunningService
from hearth.eventstore.testing.waiting import eventually
from hearth.intake.service import SPEC as INTAKE
from hearth.referrals.service import SPEC as REFERRALS
from hearth.reporting.service import SPEC as REPORTING
from hearth.risk.service import SPEC as RISK

pytestmark = pytest.mark.integration

# Monday 30 November 2026, 09:30 in London: contact is due Tuesday 09:30, the DASH Wednesday.
REPORTED = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)
MANAGER = ("dalead-0001", Role.MANAGER)
NAME = f"Quentin Reportless {uuid.uuid4().hex[:6]}"
PHONE = f"07700 8{uuid.uuid4().int % 100000:05d}"

Start = Callable[..., AbstractAsyncContextManager[RunningService]]


async def _until(probe: Callable[[], Awaitable[Any]], what: str) -> Any:
    return await eventually(probe, timeout=90, what=what)


async def _ok(answer: Any, status: int = 200) -> Any:
    assert answer.status_code == status, answer.text
    return answer.json()


async def test_reporting_counts_what_the_services_did_and_keeps_nothing_personal(
    start_service: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEARTH_CASES_SCHEDULER_POLL_SECONDS", "0.1")
    monkeypatch.setenv("HEARTH_REFERRALS_SCHEDULER_POLL_SECONDS", "0.1")
    clock = ControllableClock(REPORTED)
    async with (
        start_service(INTAKE, clock) as intake,
        start_service(CASES, clock) as cases,
        start_service(RISK, clock) as risk,
        start_service(REFERRALS, clock) as referrals,
        start_service(REPORTING, clock) as reporting,
    ):
        report = {
            "channel": "phone",
            "reporter": {"kind": "survivor"},
            "survivor": {
                "name": NAME,
                "phone": PHONE,
                "equality": {"sex": "male", "age_band": "16_17", "disability": "yes"},
            },
            "alleged_perpetrators": [{"name": "Lee Example"}],
            "children": [{"name": "Robin Reportless", "affected_by_abuse": True}],
            "abuse_types": ["physical"],
            "immediate_danger": False,
            "account": "He said he would kill me if I left.",
        }
        sent = await intake.client.post(
            "/reports", json=report, headers=intake.auth("intake-0007", Role.INTAKE)
        )
        case_id = (await _ok(sent, 202))["case_id"]

        async def case_view() -> Any:
            answer = await cases.client.get(f"/cases/{case_id}", headers=cases.auth(*MANAGER))
            return answer.json() if answer.status_code == 200 else None

        view = await _until(case_view, "the case to open")
        caseworker = (view["case_manager"]["staff_id"], Role.CASE_MANAGER)

        # First contact an hour after the report: on time.
        clock.set(REPORTED + timedelta(hours=1))
        contact = {
            "happened_at": clock.now().isoformat(),
            "method": "call",
            "phone_number": PHONE,
            "safe_to_talk_checked": True,
            "safe_contact": {
                "safe_to_call": True,
                "safe_to_text": False,
                "safe_to_email": False,
                "safe_to_write": False,
                "safe_to_visit": False,
                "safe_phone_numbers": [PHONE],
                "withheld_number_only": False,
                "never_leave_voicemail": True,
                "interpreter_needed": False,
            },
        }
        await _ok(
            await cases.client.post(
                f"/cases/{case_id}/contacts", json=contact, headers=cases.auth(*caseworker)
            ),
            201,
        )

        # A DASH at the visible-high-risk threshold, three hours after the report.
        async def risk_knows() -> Any:
            answer = await risk.client.get(f"/cases/{case_id}/risk", headers=risk.auth(*caseworker))
            return answer.status_code == 200

        await _until(risk_knows, "risk to know the case")
        instrument = await _ok(
            await risk.client.get("/instruments/dash-ric-24", headers=risk.auth(*caseworker))
        )
        threshold = instrument["visible_high_risk_at"]
        answers = [
            {"question": q["number"], "answer": "yes" if i < threshold else "no"}
            for i, q in enumerate(instrument["questions"])
        ]
        clock.set(REPORTED + timedelta(hours=3))
        await _ok(
            await risk.client.post(
                f"/cases/{case_id}/assessments",
                json={"completed_at": clock.now().isoformat(), "answers": answers},
                headers=risk.auth(*caseworker),
            ),
            201,
        )

        async def marac_due() -> Any:
            answer = await referrals.client.get(
                f"/cases/{case_id}/referrals", headers=referrals.auth(*caseworker)
            )
            return answer.status_code == 200 and answer.json().get("marac_referral_due")

        await _until(marac_due, "a MARAC referral due")
        await _ok(
            await referrals.client.post(
                f"/cases/{case_id}/marac-referrals",
                json={"marac_area": "West Kent", "survivor_informed": True},
                headers=referrals.auth(*caseworker),
            ),
            201,
        )

        clock.set(REPORTED + timedelta(days=5))

        async def counted() -> Any:
            answer = await reporting.client.get(
                "/figures/committee?period=2026-Q4", headers=reporting.auth(*MANAGER)
            )
            sections = answer.json()["sections"]
            done = sections["marac"]["referrals"] == {"count": 1} and sections["timescales"][
                "dash_within_target"
            ] == {"count": 1, "of": 1, "percent": 100.0}
            return sections if done else None

        sections = await _until(counted, "reporting to count the case")
        assert sections["cases"]["new"] == {"count": 1}
        assert sections["timescales"]["first_contact_within_target"] == {
            "count": 1,
            "of": 1,
            "percent": 100.0,
        }
        assert sections["risk"]["assessments_by_level"]["counts"]["high"] == 1
        assert sections["reports"]["by_channel"]["counts"]["phone"] == 1
        assert sections["equality"]["male"]["count"] == 1
        assert sections["equality"]["aged_16_17"]["count"] == 1
        assert sections["children"]["children_in_households"] == {"count": 1}
        marac = await _ok(
            await reporting.client.get(
                "/figures/marac?period=2026-11", headers=reporting.auth(*MANAGER)
            )
        )
        assert marac["sections"]["victims"]["disabled"] == {
            "count": 1,
            "of": 1,
            "percent": 100.0,
        }
        listed = await _ok(await reporting.client.get("/cases", headers=reporting.auth(*MANAGER)))
        [row] = listed["cases"]
        assert (row["case_id"], row["risk_level"], row["case_manager_id"]) == (
            case_id,
            "high",
            caseworker[0],
        )

        store = reporting.runtime.event_store
        for planted in (NAME, PHONE, "Lee Example", "Robin Reportless", "kill me"):
            assert await tables_holding(store.pool, store.schema, planted) == []
