"""One person erased on a case (`PersonErased`, issue 12): intake's match index forgets
them, so a report naming them no longer finds the case, while the others on it still
match; a late update naming them indexes nothing, and a rebuild gives the same."""

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
from hearth.contracts.events.cases import PeopleUpdated, PersonErased
from hearth.contracts.events.common import AllegedPerpetrator, Relationship
from hearth.contracts.topics import CASES_EVENTS
from hearth.eventstore.clock import ControllableClock
from hearth.eventstore.testing import erasure
from hearth.eventstore.testing.service import RunningService, running_service
from hearth.intake.consumers import CASE_STATUS_CONSUMER
from hearth.intake.service import build_spec
from hearth.intake.settings import IntakeSettings

pytestmark = pytest.mark.integration

MATCH_KEY = "intake-person-erasure-tests-match-key-0123"
STAFF = ("staff-0101", Role.CASE_MANAGER)


def _planted() -> dict[str, str]:
    tag = uuid.uuid4().hex[:10]
    return {
        "survivor": f"Zinnia S{tag}",
        "survivor_phone": f"07700 9{int(tag[:5], 16) % 100_000:05d}",
        "perpetrator": f"Yorick P{tag}",
        "perpetrator_phone": f"07700 8{int(tag[5:], 16) % 100_000:05d}",
        "perpetrator_email": f"yp{tag}@example.org",
    }


def _body(report_body: Callable[..., dict[str, Any]], p: dict[str, str]) -> dict[str, Any]:
    return report_body(
        survivor={
            "name": p["survivor"],
            "date_of_birth": "1988-04-15",
            "phone": p["survivor_phone"],
            "gender": "woman",
        },
        alleged_perpetrators=[
            {
                "name": p["perpetrator"],
                "date_of_birth": "1984-02-03",
                "phone": p["perpetrator_phone"],
                "relationship_to_survivor": "intimate_partner",
            }
        ],
    )


async def _keys(database_url: str, schema: str, case_id: uuid.UUID) -> list[dict[str, Any]]:
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch(
            f"""SELECT digest, role, case_id, person_id, source, detail
                FROM {schema}.match_keys WHERE case_id = $1 ORDER BY digest, role""",
            case_id,
        )
        erased = await conn.fetch(
            f"SELECT * FROM {schema}.erased_people WHERE case_id = $1", case_id
        )
    finally:
        await conn.close()
    return [dict(r) for r in rows] + [dict(r) for r in erased]


async def _report(intake: RunningService, body: dict[str, Any]) -> dict[str, Any]:
    response = await intake.client.post("/reports", json=body, headers=intake.auth(*STAFF))
    assert response.status_code == 202, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def _linked(intake: RunningService, answer: dict[str, Any]) -> dict[str, Any]:
    [_, linked] = await intake.runtime.event_store.read_stream(f"report-{answer['report_id']}")
    return linked.payload


async def test_an_erased_perpetrator_no_longer_matches_and_the_survivor_still_does(
    kafka_bootstrap: str,
    database_url: str,
    clock: ControllableClock,
    report_body: Callable[..., dict[str, Any]],
    publish: Any,
    topic_namespace: str,
    new_phone: Any,
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
        keys = intake.runtime.key_store
        assert keys is not None
        first = await _report(intake, _body(report_body, p))
        case_a = uuid.UUID(first["case_id"])
        [received, _] = await intake.runtime.event_store.read_stream(f"report-{first['report_id']}")
        survivor_id = uuid.UUID(received.payload["survivor"]["person_id"])
        perpetrator_id = uuid.UUID(received.payload["alleged_perpetrators"][0]["person_id"])
        # Cases records his email too: indexed under his id on the case.
        await publish(
            PeopleUpdated(
                case_id=case_a,
                updated_at=clock.now(),
                alleged_perpetrators=(
                    AllegedPerpetrator(
                        person_id=perpetrator_id,
                        name=p["perpetrator"],
                        email=p["perpetrator_email"],
                        relationship_to_survivor=Relationship.INTIMATE_PARTNER,
                    ),
                ),
            ),
            CASES_EVENTS,
        )
        await intake.runtime.consumers[CASE_STATUS_CONSUMER].wait_caught_up(timeout=60)
        before = await _keys(database_url, schema, case_a)
        his_before = [r for r in before if r.get("person_id") == perpetrator_id]
        assert {r["source"] for r in his_before} == {"intake", "cases"}
        hers_before = [r for r in before if r.get("person_id") == survivor_id]
        assert {r["detail"] for r in hers_before} >= {None, "name", "date_of_birth"}

        # What cases does: destroy his key on the case, then publish PersonErased.
        clock.advance(timedelta(minutes=5))
        await keys.destroy_person(case_a, perpetrator_id, reason="test: person erased")
        await publish(
            PersonErased(
                case_id=case_a,
                person_id=perpetrator_id,
                erased_at=clock.now(),
                basis=ErasureBasis.SUBJECT_REQUEST,
                reason=ErasureReason.OBJECTION_UPHELD,
                request_id=uuid.uuid4(),
                requested_by="staff-manager-2",
                approved_by="staff-manager-1",
            ),
            CASES_EVENTS,
        )
        await intake.runtime.consumers[CASE_STATUS_CONSUMER].wait_caught_up(timeout=60)

        # His entries are gone, whoever wrote them; hers are all still there.
        after = await _keys(database_url, schema, case_a)
        assert [r for r in after if r.get("person_id") == perpetrator_id and "digest" in r] == []
        assert [r for r in after if r.get("person_id") == survivor_id] == hers_before
        assert [r["erased_at"] for r in after if "erased_at" in r] == [clock.now()]
        for what in ("perpetrator", "perpetrator_phone", "perpetrator_email"):
            assert await erasure.tables_holding(intake.runtime.pool, schema, p[what]) == []
        # Intake's own report on the case: his values under his destroyed key, hers readable.
        [received, _] = await intake.runtime.event_store.read_stream(f"report-{first['report_id']}")
        assert received.payload["alleged_perpetrators"][0]["name"] == REDACTED
        assert received.payload["survivor"]["name"] == p["survivor"]

        # Another survivor naming him: her own case, no longer linked to A through him.
        other = _body(report_body, p)
        other["survivor"] = {"name": "Robin Other", "phone": new_phone()}
        hers = await _report(intake, other)
        assert hers["case_id"] != str(case_a)
        related = (await _linked(intake, hers))["related_cases"]
        assert str(case_a) not in {r["case_id"] for r in related}

        # The survivor of A again: her report still joins A.
        again = await _report(intake, _body(report_body, p))
        assert again["case_id"] == str(case_a)
        assert again["link"]["basis"] == "same_survivor"

        # A late update naming him indexes nothing of him on A again.
        await publish(
            PeopleUpdated(
                case_id=case_a,
                updated_at=clock.now(),
                alleged_perpetrators=(
                    AllegedPerpetrator(
                        person_id=perpetrator_id,
                        email=p["perpetrator_email"],
                        relationship_to_survivor=Relationship.INTIMATE_PARTNER,
                    ),
                ),
            ),
            CASES_EVENTS,
        )
        await intake.runtime.consumers[CASE_STATUS_CONSUMER].wait_caught_up(timeout=60)
        incremental = await _keys(database_url, schema, case_a)
        assert [r for r in incremental if r.get("person_id") == perpetrator_id] == [
            r for r in after if "erased_at" in r
        ]

    await rebuild_case_status(schema, MATCH_KEY)
    assert await _keys(database_url, schema, case_a) == incremental
