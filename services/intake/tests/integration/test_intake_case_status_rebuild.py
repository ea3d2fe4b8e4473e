"""The case-status read model rebuilt from offset 0 equals the one built as events arrived."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import asyncpg
import pytest

from hearth.contracts.envelope import Role
from hearth.contracts.events.case_values import ClosureReason
from hearth.contracts.events.cases import CaseClosed, PeopleUpdated
from hearth.contracts.events.common import MaracCriterion, Survivor
from hearth.contracts.events.referrals import MaracReferred, SharedInformation
from hearth.contracts.topics import CASES_EVENTS, REFERRALS_EVENTS
from hearth.eventstore.clock import ControllableClock
from hearth.eventstore.testing.service import running_service
from hearth.intake.consumers import CASE_STATUS_CONSUMER
from hearth.intake.service import build_spec
from hearth.intake.settings import IntakeSettings

pytestmark = pytest.mark.integration

MATCH_KEY = "intake-rebuild-tests-match-key-0123456789"


async def _snapshot(
    database_url: str, schema: str, case_id: uuid.UUID
) -> tuple[list[Any], list[Any]]:
    """This test's case in the read model (the shared topics carry other tests' cases too)."""
    conn = await asyncpg.connect(database_url)
    try:
        lifecycle = await conn.fetch(
            f"SELECT * FROM {schema}.case_lifecycle WHERE case_id = $1", case_id
        )
        keys = await conn.fetch(
            f"""SELECT digest, role, case_id, person_id, source FROM {schema}.match_keys
                WHERE case_id = $1 ORDER BY digest, role""",
            case_id,
        )
    finally:
        await conn.close()
    return [dict(r) for r in lifecycle], [dict(r) for r in keys]


async def test_rebuilding_the_case_status_consumer_gives_the_same_read_model(
    kafka_bootstrap: str,
    database_url: str,
    clock: ControllableClock,
    report_body: Callable[..., dict[str, Any]],
    publish: Any,
    topic_namespace: str,
    rebuild_case_status: Callable[[str, str], Awaitable[None]],
) -> None:
    settings = IntakeSettings(match_key=MATCH_KEY)
    async with running_service(
        build_spec(settings),
        kafka_bootstrap=kafka_bootstrap,
        database_url=database_url,
        clock=clock,
        topic_namespace=topic_namespace,
    ) as intake:
        schema = intake.runtime.schema
        response = await intake.client.post(
            "/reports", json=report_body(), headers=intake.auth("staff-1", Role.INTAKE)
        )
        case_id = uuid.UUID(response.json()["case_id"])
        await publish(
            MaracReferred(
                case_id=case_id,
                referral_id=uuid.uuid4(),
                referred_at=clock.now() - timedelta(days=3),
                marac_area="West Kent",
                criteria=(MaracCriterion.PROFESSIONAL_JUDGEMENT,),
                survivor_informed=True,
                information_shared=(SharedInformation.RISK_ASSESSMENT,),
            ),
            REFERRALS_EVENTS,
        )
        await publish(
            PeopleUpdated(
                case_id=case_id,
                updated_at=clock.now(),
                survivor=Survivor(person_id=uuid.uuid4(), email=f"{uuid.uuid4().hex}@example.org"),
            ),
            CASES_EVENTS,
        )
        await publish(
            CaseClosed(
                case_id=case_id,
                closed_at=clock.now() - timedelta(days=1),
                reason=ClosureReason.SURVIVOR_MOVED,
                approved_by="staff-manager-1",
            ),
            CASES_EVENTS,
        )
        await intake.runtime.consumers[CASE_STATUS_CONSUMER].wait_caught_up(timeout=60)
    incremental = await _snapshot(database_url, schema, case_id)
    [lifecycle] = incremental[0]
    assert lifecycle["closed_at"] is not None and lifecycle["last_marac_at"] is not None
    assert {row["source"] for row in incremental[1]} == {"intake", "cases"}

    await rebuild_case_status(schema, MATCH_KEY)

    assert await _snapshot(database_url, schema, case_id) == incremental
