"""Erasure on the real PostgreSQL and Kafka: at the end of retention (the operator command
and the service's own sweep) and at a person's request (HTTP, approved by another
manager).

Personal strings are planted in a case. After erasure none of them is in any table of the
service's schema but `events` (whose payload is plaintext until encryption is wired into
the event store: then it holds ciphertext whose keys are gone), the case's keys are
destroyed, `CaseErased` ends the stream after every earlier event unchanged and in order,
the hash chains verify, and a rebuild of the read model equals the one kept as it went.
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import os
import uuid
from collections.abc import Callable
from contextlib import redirect_stdout
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from hearth.cases.operations import ERASE_EXPIRED, SUBJECT_ACCESS
from hearth.cases.read_model import rebuild, summary_rows
from hearth.contracts.envelope import Envelope, Role
from hearth.contracts.events.common import (
    AllegedPerpetrator,
    Child,
    PostalAddress,
    Relationship,
    Survivor,
)
from hearth.eventstore.personal_data import DEFAULT_SCHEMA as DEFAULT_KEY_SCHEMA
from hearth.eventstore.personal_data import KeyStore, Subject
from hearth.eventstore.testing import erasure
from hearth.eventstore.testing.service import RunningService

pytestmark = pytest.mark.integration

CLOSED_AT = datetime(2025, 3, 10, 10, 0, tzinfo=UTC)
RETENTION_ENDS = datetime(2031, 3, 10, 10, 0, tzinfo=UTC)
"""Six years (the packaged policy) after the closure."""

PLANTED = {
    "survivor": "Zebedee Plantedname",
    "phone": "07700 900871",
    "street": "17 Plantedstreet Road",
    "postcode": "ZZ9 9ZZ",
    "perpetrator": "Quentin Plantedperp",
    "perpetrator_staff_id": "staff-planted-0077",
    "child": "Ottoline Plantedchild",
    "tenancy": "TEN-PLANTED-4242",
    "note": "Planted note: spoke about the Plantedstreet move",
    "safe_phone": "07700 900872",
}


@pytest.fixture(autouse=True)
def key_schema(monkeypatch: pytest.MonkeyPatch) -> str:
    """Master keys of this test's own (the key store is the runtime's, in its schema)."""
    schema = DEFAULT_KEY_SCHEMA
    secret = base64.b64encode(os.urandom(32)).decode()
    monkeypatch.setenv("HEARTH_MASTER_KEYS", f"test1:{secret}")
    # Only the tests' own sweeps and commands erase (the service's sweep waits an hour).
    monkeypatch.setenv("HEARTH_CASES_RETENTION_POLL_SECONDS", "3600")
    return schema


async def _key_store(service: RunningService, schema: str) -> KeyStore:
    store = service.runtime.key_store
    assert store is not None and store.schema == schema
    return store


def _people(staff_perpetrator: bool) -> dict[str, Any]:
    home = PostalAddress(lines=(PLANTED["street"], "Maidstone"), postcode=PLANTED["postcode"])
    return {
        "survivor": Survivor(
            person_id=uuid.uuid4(), name=PLANTED["survivor"], phone=PLANTED["phone"], address=home
        ),
        "alleged_perpetrators": (
            AllegedPerpetrator(
                person_id=uuid.uuid4(),
                name=PLANTED["perpetrator"],
                relationship_to_survivor=Relationship.INTIMATE_PARTNER,
                is_staff_member=staff_perpetrator,
                staff_id=PLANTED["perpetrator_staff_id"] if staff_perpetrator else None,
                address=home,
            ),
        ),
        "children": (
            Child(
                person_id=uuid.uuid4(),
                name=PLANTED["child"],
                lives_in_household=True,
                affected_by_abuse=True,
            ),
        ),
        "tenancy_reference": PLANTED["tenancy"],
    }


async def _closed_case(
    cases: RunningService, new_case: Callable[..., Any], clock, *, staff_perpetrator: bool = True
) -> Any:
    """A case holding every planted string, worked and closed at CLOSED_AT (restricted when
    the alleged perpetrator is a member of staff: then only the DA leads see it)."""
    report, manager = await new_case(cases, **_people(staff_perpetrator))
    cm = cases.auth(manager, Role.CASE_MANAGER)
    lead = cases.auth("dalead-0001", Role.MANAGER)
    clock.set(CLOSED_AT)
    url = f"/cases/{report.case_id}"
    for path, body, headers in (
        (
            "/contact-attempts",
            {
                "method": "call",
                "outcome": "no_answer",
                "notes": PLANTED["note"],
                "phone_number": PLANTED["phone"],
                "happened_at": (CLOSED_AT - timedelta(hours=1)).isoformat(),
                "message_left": False,
                "safe_to_talk_checked": True,
            },
            cm,
        ),
        ("/closure-request", {"reason": "survivor_moved"}, cm),
        ("/closure-decision", {"decision": "approve"}, lead),
    ):
        response = await cases.client.post(f"{url}{path}", json=body, headers=headers)
        assert response.status_code in (200, 201), response.text
    return report


async def _tables(conn: asyncpg.Connection, schema: str) -> list[str]:
    rows = await conn.fetch(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY table_name",
        schema,
    )
    return [r["table_name"] for r in rows]


async def _where_planted(service: RunningService, *schemas: str) -> dict[str, list[str]]:
    """Each planted string, and the tables (but `events`) whose rows hold it, case
    insensitively: a generic search of every row of every table, as text."""
    found: dict[str, list[str]] = {}
    async with service.runtime.pool.acquire() as conn:
        for schema in schemas:
            for table in await _tables(conn, schema):
                if schema == service.runtime.schema and table == "events":
                    continue
                for what, value in PLANTED.items():
                    hits = await conn.fetchval(
                        f"SELECT count(*) FROM {schema}.{table} t WHERE t::text ILIKE $1",
                        f"%{value}%",
                    )
                    if hits:
                        found.setdefault(what, []).append(f"{schema}.{table}")
    return found


async def _subject_access(
    service: RunningService, case_id: uuid.UUID, person_id: uuid.UUID
) -> dict[str, Any]:
    """What `python -m hearth.cases subject-access <case> <person> <out>` writes, parsed."""
    answer, _ = await erasure.subject_access(SUBJECT_ACCESS, service.runtime, case_id, person_id)
    return answer


def _seal(history: list[Envelope]) -> list[tuple[Any, ...]]:
    return [(e.event_id, e.stream_version, e.type, e.hash, e.prev_hash) for e in history]


async def _plant_keys(store: KeyStore, report: Any) -> list[str]:
    """The keys encryption makes for the case's subjects (not wired in yet: made here)."""
    people = [report.survivor, *report.alleged_perpetrators, *report.children]
    subjects = [Subject(report.case_id), *(Subject(report.case_id, p.person_id) for p in people)]
    keys = await store.keys_for(subjects)
    return [key.key_id for key in keys.values()]


async def test_the_operator_command_erases_a_case_whose_retention_has_ended(
    cases, new_case, clock, case_events, key_schema, all_listed
) -> None:
    keys = await _key_store(cases, key_schema)
    report = await _closed_case(cases, new_case, clock)
    key_ids = await _plant_keys(keys, report)
    schema = cases.runtime.schema
    before = await case_events(cases, report.case_id)
    # The search finds what is there: the staff id of the member of staff involved is kept
    # (to hide the case from them) until the case is erased.
    assert "perpetrator_staff_id" in await _where_planted(cases, schema)

    clock.set(RETENTION_ENDS - timedelta(days=1))
    out = io.StringIO()
    with redirect_stdout(out):
        assert await ERASE_EXPIRED.run(cases.runtime, {}) == 0
    assert "erased 0 cases" in out.getvalue()
    assert len(await keys.load(key_ids)) == len(key_ids)

    clock.set(RETENTION_ENDS + timedelta(days=1))
    out = io.StringIO()
    with redirect_stdout(out):
        assert await ERASE_EXPIRED.run(cases.runtime, {}) == 0
    assert "erased 1 cases closed more than 6 years ago" in out.getvalue()

    # The stream: every earlier event as it was, in order, then CaseErased.
    after = await case_events(cases, report.case_id)
    assert _seal(after[: len(before)]) == _seal(before)
    assert [e.stream_version for e in after] == list(range(1, len(after) + 1))
    [erased] = after[len(before) :]
    assert erased.event_name == "CaseErased"
    assert erased.payload["basis"] == "retention_expired"
    assert erased.payload["reason"] == "retention_period_ended"
    assert erased.payload["retention_years"] == 6
    assert erased.payload["retention_policy"] == "west-kent-2024"
    assert erased.actor.role is Role.SYSTEM
    report_ = await cases.runtime.event_store.verify()
    assert report_.ok, report_.first_break

    # The keys are gone, and the key store says when and why (ids and codes only).
    assert await keys.load(key_ids) == {}
    async with cases.runtime.pool.acquire() as conn:
        rows = await conn.fetch(
            f"SELECT destroyed_at, destroyed_reason, wrapped_key FROM {key_schema}.data_keys "
            "WHERE case_id = $1",
            report.case_id,
        )
    assert len(rows) == len(key_ids)
    assert all(r["wrapped_key"] is None and r["destroyed_at"] is not None for r in rows)
    assert {r["destroyed_reason"] for r in rows} == {
        "retention_expired: retention_period_ended (west-kent-2024, 6 years after closure)"
    }

    # No planted string is left in any table of the service's schema (but events), nor in
    # the key store's.
    assert await _where_planted(cases, schema, key_schema) == {}

    # The summary keeps what identifies nobody: dates, statuses, categories.
    async with cases.runtime.pool.acquire() as conn:
        summary = await conn.fetchrow(
            f"SELECT * FROM {schema}.case_summary WHERE case_id = $1", report.case_id
        )
    assert summary["status"] == "closed" and summary["closed_at"] == CLOSED_AT
    assert summary["erased_at"] == RETENTION_ENDS + timedelta(days=1)
    assert summary["channel"] == "phone" and summary["opened_at"] is not None
    assert summary["visible_to"] == [] and summary["hidden_from"] == []
    assert summary["visible_to_everyone"] is False
    async with cases.runtime.pool.acquire() as conn:
        deadlines = await conn.fetch(
            f"SELECT kind, due_at, status FROM {schema}.deadlines WHERE case_id = $1",
            report.case_id,
        )
    # Timescales stay countable: every deadline, with when it was due and how it ended.
    assert {d["kind"] for d in deadlines} >= {"contact", "dash"}

    # Nobody on staff finds it; nothing more is done to it, a second erasure included.
    lead = cases.auth("dalead-0001", Role.MANAGER)
    url = f"/cases/{report.case_id}"
    assert (await cases.client.get(url, headers=lead)).status_code == 404
    listed = await all_listed(cases, lead, "status=closed")
    assert str(report.case_id) not in {c["case_id"] for c in listed}
    again = await cases.client.post(
        f"{url}/erasure-requests", json={"reason": "consent_withdrawn"}, headers=lead
    )
    assert again.status_code == 409
    assert again.json()["code"] == "case_erased"
    out = io.StringIO()
    with redirect_stdout(out):
        assert await ERASE_EXPIRED.run(cases.runtime, {}) == 0
    assert "erased 0 cases" in out.getvalue()
    assert len(await case_events(cases, report.case_id)) == len(after)

    # Subject access on the erased case tells only that it was erased.
    _, written = await erasure.subject_access(
        SUBJECT_ACCESS, cases.runtime, report.case_id, report.survivor.person_id
    )
    assert '"erased": true' in written
    assert PLANTED["survivor"] not in written

    # A rebuild from the events writes what the erasure wrote.
    async with cases.runtime.event_store.transaction() as conn:
        incremental = await summary_rows(conn, schema)
    await rebuild(cases.runtime.event_store)
    async with cases.runtime.event_store.transaction() as conn:
        assert await summary_rows(conn, schema) == incremental
    assert await _where_planted(cases, schema) == {}


async def test_a_persons_request_is_erased_once_another_manager_approves(
    cases, new_case, clock, case_events, key_schema
) -> None:
    keys = await _key_store(cases, key_schema)
    report = await _closed_case(cases, new_case, clock, staff_perpetrator=False)
    key_ids = await _plant_keys(keys, report)
    url = f"/cases/{report.case_id}"
    lead = cases.auth("dalead-0001", Role.MANAGER)
    other_lead = cases.auth("dalead-0002", Role.MANAGER)
    clock.set(CLOSED_AT + timedelta(days=30))

    # Before: subject access gives each their own, never the other's.
    survivor = await _subject_access(cases, report.case_id, report.survivor.person_id)
    perpetrator_id = report.alleged_perpetrators[0].person_id
    perpetrator = await _subject_access(cases, report.case_id, perpetrator_id)
    assert survivor["role"] == "survivor" and perpetrator["role"] == "alleged_perpetrator"
    assert PLANTED["phone"] in json.dumps(survivor)
    assert PLANTED["perpetrator"] not in json.dumps(survivor)
    assert PLANTED["perpetrator"] in json.dumps(perpetrator)
    for value in ("survivor", "phone", "street", "postcode", "child", "tenancy", "note"):
        assert PLANTED[value] not in json.dumps(perpetrator), value

    bad = await cases.client.post(
        f"{url}/erasure-requests", json={"reason": "retention_period_ended"}, headers=lead
    )
    assert bad.status_code == 422
    # A request a manager declines keeps the case; a new one may be made.
    first = await cases.client.post(
        f"{url}/erasure-requests", json={"reason": "objection_upheld"}, headers=lead
    )
    assert first.status_code == 201, first.text
    declined = await cases.client.post(
        f"{url}/erasure-requests/{first.json()['request_id']}/decline",
        json={"reason": "The objection was not upheld after all."},
        headers=other_lead,
    )
    assert declined.status_code == 200, declined.text
    asked = await cases.client.post(
        f"{url}/erasure-requests",
        json={"reason": "consent_withdrawn", "data_protection_reference": "DPO-2025-9"},
        headers=lead,
    )
    assert asked.status_code == 201, asked.text
    request_id = asked.json()["request_id"]
    twice = await cases.client.post(
        f"{url}/erasure-requests", json={"reason": "objection_upheld"}, headers=other_lead
    )
    assert twice.status_code == 409
    assert twice.json()["code"] == "erasure_already_requested"

    approval = f"{url}/erasure-requests/{request_id}/approval"
    own = await cases.client.post(approval, headers=lead)
    assert own.status_code == 403
    assert own.json()["code"] == "approver_is_requester"
    cm = await cases.client.post(approval, headers=cases.auth("cso-0001", Role.CASE_MANAGER))
    assert cm.status_code == 403
    unknown = await cases.client.post(
        f"{url}/erasure-requests/{uuid.uuid4()}/approval", headers=other_lead
    )
    assert unknown.status_code == 409
    assert unknown.json()["code"] == "no_erasure_request"
    assert len(await keys.load(key_ids)) == len(key_ids)  # nothing erased yet

    approved = await cases.client.post(approval, headers=other_lead)
    assert approved.status_code == 200, approved.text
    history = await case_events(cases, report.case_id)
    erased = history[-1]
    assert erased.event_name == "CaseErased"
    assert erased.payload["basis"] == "subject_request"
    assert erased.payload["requested_by"] == "dalead-0001"
    assert erased.payload["approved_by"] == "dalead-0002"
    assert erased.payload["request_id"] == request_id
    assert await keys.load(key_ids) == {}
    assert await _where_planted(cases, cases.runtime.schema, key_schema) == {}
    assert (await cases.runtime.event_store.verify()).ok
    again = await cases.client.post(approval, headers=other_lead)
    assert again.status_code == 409
    assert again.json()["code"] == "case_erased"


async def test_an_open_case_is_not_erased_on_request(cases, new_case, key_schema) -> None:
    report, _ = await new_case(cases)
    lead = cases.auth("dalead-0001", Role.MANAGER)
    refused = await cases.client.post(
        f"/cases/{report.case_id}/erasure-requests",
        json={"reason": "consent_withdrawn"},
        headers=lead,
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "case_open"


async def test_the_services_sweep_erases_at_the_end_of_retention_and_not_before(
    start_cases, new_case, clock, case_events, key_schema, eventually, monkeypatch
) -> None:
    monkeypatch.setenv("HEARTH_CASES_RETENTION_POLL_SECONDS", "0.1")
    async with start_cases() as cases:
        report = await _closed_case(cases, new_case, clock)
        before = len(await case_events(cases, report.case_id))
        clock.set(RETENTION_ENDS - timedelta(days=1))

        await asyncio.sleep(1.0)  # ten polls of the sweep, to (not) act
        assert len(await case_events(cases, report.case_id)) == before

        clock.set(RETENTION_ENDS + timedelta(days=1))

        async def erased() -> list[Envelope]:
            history = await case_events(cases, report.case_id)
            return history if history[-1].event_name == "CaseErased" else []

        history = await eventually(erased, what="the sweep to erase the case")
        assert sum(e.event_name == "CaseErased" for e in history) == 1
        assert await _where_planted(cases, cases.runtime.schema, key_schema) == {}
