"""A case erased in cases (`CaseErased`, its keys destroyed): risk keeps nothing personal
about it in any table of its schema, answers 404 to reads and 409 `case_erased` to
commands, and its rebuilt read models equal the ones kept up incrementally."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from hearth.contracts.envelope import Envelope, Role
from hearth.contracts.events import cases as cev
from hearth.contracts.events.case_values import ErasureBasis, ErasureReason
from hearth.eventstore.db import check_schema_name
from hearth.eventstore.testing import erasure, waiting
from hearth.eventstore.testing.service import RunningService
from hearth.risk import consumers, read_model

pytestmark = pytest.mark.integration

COMMENT = "Threatened her with a knife at Flat 9 Rowan Court"
NOTES = "Call only on 07700 900777, partner checks her phone"
PLANTED = ("Alex Example", COMMENT, NOTES, "07700 900777", "Rowan Court")


async def tables_holding(service: RunningService, text: str) -> list[str]:
    """The tables of the service's schema, `events` aside, where `text` appears."""
    store = service.runtime.event_store
    return await erasure.tables_holding(store.pool, store.schema, text)


async def test_an_erased_case_leaves_nothing_personal_and_refuses_commands(
    risk: RunningService,
    cases_topic: Any,
    known: Callable[..., Any],
    dash_answers: Callable[..., list[dict[str, Any]]],
) -> None:
    cso = risk.auth("cso-0001", Role.CASE_MANAGER)
    case_id = await cases_topic.open()
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
    declined = await risk.client.post(
        f"/cases/{case_id}/dash-declined",
        json={
            "declined_at": (now - timedelta(hours=1)).isoformat(),
            "reason": "Not safe to talk today",
            "notes": NOTES,
        },
        headers=cso,
    )
    assert declined.status_code == 201, declined.text
    assessment_id = assessed.json()["assessment_id"]
    one = await risk.client.get(f"/cases/{case_id}/assessments/{assessment_id}", headers=cso)
    assert one.json()["answers"][0]["comment"] == COMMENT

    # Cases closes and erases the case: its keys are destroyed, then `CaseErased` follows.
    await cases_topic.close(case_id)
    await known(risk, case_id, open=False)
    closed_at = now - timedelta(hours=1)
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
            closed_at=closed_at,
            request_id=case_id,
            requested_by="cso-0001",
            approved_by="dalead-0001",
        ),
    )
    store = risk.runtime.event_store
    s = check_schema_name(store.schema)

    async def erased() -> bool:
        return bool(
            await store.pool.fetchval(
                f"SELECT erased FROM {s}.case_access WHERE case_id = $1", case_id
            )
        )

    await waiting.eventually(erased, timeout=30, what="risk to learn of the erasure")

    for text in PLANTED:
        assert await tables_holding(risk, text) == [], text
    row = await store.pool.fetchrow(f"SELECT * FROM {s}.case_access WHERE case_id = $1", case_id)
    assert row["people"] == [] and row["restriction"] is None
    assert row["visible_to"] == [] and row["hidden_from"] == []
    assert not row["visible_to_everyone"] and not row["open"]

    for who in (cso, risk.auth("dalead-0001", Role.MANAGER)):
        for path in (f"/cases/{case_id}/risk", f"/cases/{case_id}/assessments/{assessment_id}"):
            answer = await risk.client.get(path, headers=who)
            assert answer.status_code == 404, answer.text
    refused = await risk.client.post(
        f"/cases/{case_id}/assessments",
        json={"completed_at": now.isoformat(), "answers": dash_answers(3)},
        headers=cso,
    )
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "case_erased"
    version = (await store.read_stream(f"risk-case-{case_id}"))[-1].stream_version

    # Rebuilt after the erasure (its events now read redacted), both read models equal
    # the ones kept up incrementally.
    summary = await read_model.summary_rows(store.pool, store.schema)
    assert await read_model.rebuild(store) >= 1
    assert await read_model.summary_rows(store.pool, store.schema) == summary

    async def access_rows() -> list[dict[str, Any]]:
        rows = await store.pool.fetch(f"SELECT * FROM {s}.case_access ORDER BY case_id")
        return [dict(r) for r in rows]

    incremental = await access_rows()
    published: list[Envelope] = cases_topic.history[case_id]
    async with store.transaction() as conn:
        await read_model.forget_access(conn, store.schema)
        for envelope in published:
            await consumers.follow_case(conn, store.schema, envelope)
    assert await access_rows() == incremental
    # Nothing was appended by the refused command or the reads.
    assert (await store.read_stream(f"risk-case-{case_id}"))[-1].stream_version == version
    for text in PLANTED:
        assert await tables_holding(risk, text) == [], text
