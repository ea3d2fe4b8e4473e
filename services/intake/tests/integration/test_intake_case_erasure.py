"""An erased case (`CaseErased`, issue 12): intake holds nothing that identifies its people,
a new report about the same survivor opens a new case, and a rebuild gives the same."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import asyncpg
import pytest

from hearth.contracts.envelope import Role
from hearth.contracts.events.base import REDACTED
from hearth.contracts.events.case_values import ErasureBasis, ErasureReason
from hearth.contracts.events.cases import CaseErased, PeopleUpdated
from hearth.contracts.events.common import AllegedPerpetrator, Relationship, Survivor
from hearth.contracts.topics import CASES_EVENTS
from hearth.eventstore.clock import ControllableClock
from hearth.eventstore.testing import erasure
from hearth.eventstore.testing.service import RunningService, running_service
from hearth.intake.consumers import CASE_STATUS_CONSUMER
from hearth.intake.service import build_spec
from hearth.intake.settings import IntakeSettings

pytestmark = pytest.mark.integration

MATCH_KEY = "intake-erasure-tests-match-key-0123456789"
STAFF = ("staff-0101", Role.CASE_MANAGER)


def _planted() -> dict[str, str]:
    """Strings no other test uses, to look for after the erasure."""
    tag = uuid.uuid4().hex[:10]
    return {
        "name": f"Zelda Q{tag}",
        "phone": f"07700 9{int(tag[:5], 16) % 100_000:05d}",
        "email": f"z{tag}@example.org",
        "tenancy": f"T-{tag.upper()}",
        "perpetrator": f"Yannick P{tag}",
        "perpetrator_email": f"y{tag}@example.org",
        "account": f"Marker-account-{tag}",
        "indicators": f"Marker-indicators-{tag}",
    }


def _body(report_body: Callable[..., dict[str, Any]], p: dict[str, str], **extra: Any) -> Any:
    return report_body(
        survivor={
            "name": p["name"],
            "date_of_birth": "1987-03-14",
            "phone": p["phone"],
            "email": p["email"],
            "gender": "woman",
        },
        alleged_perpetrators=[
            {"name": p["perpetrator"], "relationship_to_survivor": "intimate_partner"}
        ],
        tenancy_reference=p["tenancy"],
        account=p["account"],
        **extra,
    )


async def _erase(
    intake: RunningService, publish: Any, clock: ControllableClock, case_id: uuid.UUID
) -> None:
    """What cases does: destroy the case's keys, then publish `CaseErased`."""
    assert intake.runtime.key_store is not None
    await intake.runtime.key_store.destroy_case(case_id, reason="test: retention ended")
    await publish(
        CaseErased(
            case_id=case_id,
            erased_at=clock.now(),
            basis=ErasureBasis.RETENTION_EXPIRED,
            reason=ErasureReason.RETENTION_PERIOD_ENDED,
            retention_policy="west-kent-2024",
            retention_years=6,
            closed_at=clock.now() - timedelta(days=6 * 366),
        ),
        CASES_EVENTS,
    )
    await intake.runtime.consumers[CASE_STATUS_CONSUMER].wait_caught_up(timeout=60)


async def _tables_holding(database_url: str, schema: str, needle: str) -> list[str]:
    """Every table of the schema but the event log whose rows mention `needle`."""
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=1)
    try:
        return await erasure.tables_holding(pool, schema, needle)
    finally:
        await pool.close()


async def _snapshot(database_url: str, schema: str, case_ids: list[uuid.UUID]) -> Any:
    conn = await asyncpg.connect(database_url)
    try:
        lifecycle = await conn.fetch(
            f"SELECT * FROM {schema}.case_lifecycle WHERE case_id = ANY($1) ORDER BY case_id",
            case_ids,
        )
        keys = await conn.fetch(
            f"""SELECT digest, role, case_id, person_id, source, detail
                FROM {schema}.match_keys WHERE case_id = ANY($1)
                ORDER BY case_id, digest, role""",
            case_ids,
        )
        marks = await conn.fetch(
            f"SELECT * FROM {schema}.restriction_marks WHERE case_id = ANY($1)", case_ids
        )
    finally:
        await conn.close()
    return [dict(r) for r in lifecycle], [dict(r) for r in keys], [dict(r) for r in marks]


async def test_an_erased_case_is_forgotten_and_a_new_report_opens_a_new_case(
    kafka_bootstrap: str,
    database_url: str,
    clock: ControllableClock,
    report_body: Callable[..., dict[str, Any]],
    publish: Any,
    topic_namespace: str,
    rebuild_case_status: Callable[[str, str], Awaitable[None]],
) -> None:
    p = _planted()
    async with running_service(
        build_spec(IntakeSettings(match_key=MATCH_KEY)),
        kafka_bootstrap=kafka_bootstrap,
        database_url=database_url,
        clock=clock,
        topic_namespace=topic_namespace,
    ) as intake:
        schema = intake.runtime.schema
        auth = intake.auth(*STAFF)
        # An ASB enquiry, then the report that follows it up, opening case A.
        raised = await intake.client.post(
            "/asb-reports",
            json={
                "category": "shouting_and_arguing",
                "asb_case_reference": "ASB-2026-0001",
                "tenancy_reference": p["tenancy"],
                "indicators": p["indicators"],
            },
            headers=auth,
        )
        assert raised.status_code == 202, raised.text
        enquiry_id = raised.json()["enquiry_id"]
        idempotency_key = f"erasure-{uuid.uuid4()}"
        first = await intake.client.post(
            "/reports",
            json=_body(report_body, p, enquiry_id=enquiry_id),
            headers={**auth, "Idempotency-Key": idempotency_key},
        )
        assert first.status_code == 202, first.text
        case_a = uuid.UUID(first.json()["case_id"])
        # A second report joins A, and cases records the perpetrator's email later.
        again = await intake.client.post("/reports", json=_body(report_body, p), headers=auth)
        assert again.json()["case_id"] == str(case_a)
        assert again.json()["link"]["basis"] == "same_survivor"
        await publish(
            PeopleUpdated(
                case_id=case_a,
                updated_at=clock.now(),
                alleged_perpetrators=(
                    AllegedPerpetrator(
                        person_id=uuid.uuid4(),
                        name=p["perpetrator"],
                        email=p["perpetrator_email"],
                        relationship_to_survivor=Relationship.INTIMATE_PARTNER,
                    ),
                ),
            ),
            CASES_EVENTS,
        )
        await intake.runtime.consumers[CASE_STATUS_CONSUMER].wait_caught_up(timeout=60)
        before = await _snapshot(database_url, schema, [case_a])
        assert {row["source"] for row in before[1]} == {"intake", "cases"}

        clock.advance(timedelta(minutes=5))
        await _erase(intake, publish, clock, case_a)

        # Nothing left that points at A or names its people.
        lifecycle, keys, marks = await _snapshot(database_url, schema, [case_a])
        assert keys == [] and marks == []
        assert lifecycle[0]["erased_at"] == clock.now()
        for needle in p.values():
            assert await _tables_holding(database_url, schema, needle) == [], needle
        assert await _tables_holding(database_url, schema, idempotency_key) == []
        # The report's own events were under A's keys; the enquiry's under its own, which
        # intake destroyed: unreadable both.
        report_events = await intake.runtime.event_store.read_stream(
            f"report-{first.json()['report_id']}"
        )
        assert report_events[0].payload["survivor"]["name"] == REDACTED
        assert report_events[0].payload["account"] == REDACTED
        [enquiry] = await intake.runtime.event_store.read_stream(f"enquiry-{enquiry_id}")
        assert enquiry.payload["indicators"] == REDACTED
        assert enquiry.payload["tenancy_reference"] == REDACTED

        # The same survivor again: a new case, as for a person never seen.
        later = await intake.client.post("/reports", json=_body(report_body, p), headers=auth)
        assert later.status_code == 202, later.text
        case_b = uuid.UUID(later.json()["case_id"])
        assert case_b != case_a
        assert later.json()["link"] == {
            "basis": "new_case",
            "repeat_reasons": [],
            "previous_case_id": None,
        }
        # Naming A is answered as for an id never known.
        named = await intake.client.post(
            "/reports", json=_body(report_body, p, case_id=str(case_a)), headers=auth
        )
        assert named.status_code == 422, named.text
        assert "unknown_case" in named.text
        # Cases hears the erasure late? A late update of A indexes nothing.
        await publish(
            PeopleUpdated(
                case_id=case_a,
                updated_at=clock.now(),
                survivor=Survivor(person_id=uuid.uuid4(), email=p["email"]),
            ),
            CASES_EVENTS,
        )
        await intake.runtime.consumers[CASE_STATUS_CONSUMER].wait_caught_up(timeout=60)
        incremental = await _snapshot(database_url, schema, [case_a, case_b])
        assert incremental[1] and {row["case_id"] for row in incremental[1]} == {case_b}

    await rebuild_case_status(schema, MATCH_KEY)
    assert await _snapshot(database_url, schema, [case_a, case_b]) == incremental


async def test_a_report_meeting_a_case_erased_before_intake_heard_opens_a_new_case(
    intake: RunningService,
    report_body: Callable[..., dict[str, Any]],
    database_url: str,
) -> None:
    p = _planted()
    auth = intake.auth(*STAFF)
    first = await intake.client.post("/reports", json=_body(report_body, p), headers=auth)
    case_a = uuid.UUID(first.json()["case_id"])
    # Cases has destroyed A's keys; its CaseErased has not reached intake yet.
    assert intake.runtime.key_store is not None
    await intake.runtime.key_store.destroy_case(case_a, reason="test: erased meanwhile")

    later = await intake.client.post("/reports", json=_body(report_body, p), headers=auth)

    assert later.status_code == 202, later.text
    assert later.json()["case_id"] != str(case_a)
    assert later.json()["link"]["basis"] == "new_case"
    lifecycle, keys, _ = await _snapshot(database_url, intake.runtime.schema, [case_a])
    assert keys == [] and lifecycle[0]["erased_at"] is not None


async def test_an_erasure_forgets_the_staff_a_report_named_and_the_stand_ins_given(
    intake: RunningService,
    report_body: Callable[..., dict[str, Any]],
    publish: Any,
    clock: ControllableClock,
    database_url: str,
) -> None:
    p = _planted()
    staff_perpetrator = {
        "name": p["perpetrator"],
        "relationship_to_survivor": "intimate_partner",
        "is_staff_member": True,
        "staff_id": "staff-0999",
    }
    body = {**_body(report_body, p), "alleged_perpetrators": [staff_perpetrator]}
    first = await intake.client.post("/reports", json=body, headers=intake.auth(*STAFF))
    assert first.status_code == 202, first.text
    case_a = uuid.UUID(first.json()["case_id"])
    # A colleague reporting about her is given a stand-in, never case A.
    colleague = intake.auth("staff-0202", Role.CASE_MANAGER)
    withheld = await intake.client.post("/reports", json=body, headers=colleague)
    stand_in = withheld.json()["case_id"]
    assert stand_in != str(case_a)
    schema = intake.runtime.schema

    async def held() -> tuple[int, int]:
        conn = await asyncpg.connect(database_url)
        try:
            marks = await conn.fetchval(
                f"SELECT count(*) FROM {schema}.restriction_marks WHERE case_id = $1", case_a
            )
            stand_ins = await conn.fetchval(
                f"SELECT count(*) FROM {schema}.stand_in_cases WHERE case_id = $1", case_a
            )
        finally:
            await conn.close()
        return marks, stand_ins

    assert await held() == (1, 1)

    await _erase(intake, publish, clock, case_a)

    assert await held() == (0, 0)
    assert await _tables_holding(database_url, schema, "staff-0999") == []
    # The colleague's stand-in names nothing now.
    named = await intake.client.post(
        "/reports", json={**body, "case_id": stand_in}, headers=colleague
    )
    assert named.status_code == 422, named.text
    assert "unknown_case" in named.text
