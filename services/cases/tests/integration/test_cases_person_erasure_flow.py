"""One person's erasure on the real PostgreSQL and Kafka: the alleged perpetrator of a
closed case asks, a manager requests it and another approves it over HTTP.

Afterwards his planted strings are in no table (the service's or the key store's), his
values on the stored and published events are ciphertext whose key is destroyed (they
read as REDACTED), the survivor's, the child's (a household member) and the case's free
text still decrypt, every earlier event is there unchanged and in order, the hash chains
verify, a rebuild of the read model equals the one kept as it went, and the whole case
can still be erased. (The reporter's details reach cases only as `reporter_kind`.)
"""

from __future__ import annotations

import base64
import os
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hearth.cases.operations import SUBJECT_ACCESS
from hearth.cases.read_model import rebuild, summary_rows
from hearth.contracts.envelope import Envelope, Role
from hearth.contracts.events.base import ENCRYPTED_PREFIX, REDACTED
from hearth.contracts.events.common import (
    AllegedPerpetrator,
    Child,
    PostalAddress,
    Relationship,
    ReporterKind,
    Survivor,
    ThirdPartyRelationship,
)
from hearth.contracts.events.intake import LinkBasis, Reporter
from hearth.contracts.topics import CASES_EVENTS
from hearth.eventstore.personal_data import DEFAULT_SCHEMA as KEY_SCHEMA
from hearth.eventstore.testing.erasure import subject_access, tables_holding
from hearth.eventstore.testing.personal import open_records
from hearth.eventstore.testing.service import RunningService

pytestmark = pytest.mark.integration

CLOSED_AT = datetime(2025, 3, 10, 10, 0, tzinfo=UTC)
ASKED_AT = CLOSED_AT + timedelta(days=30)

HIS = {
    "name": "Quigley Plantedperp",
    "phone": "07700 900311",
    "street": "9 Plantedperp Close",
    "postcode": "PP1 1PP",
}
OTHERS = {
    "survivor": "Zelda Plantedsurvivor",
    "survivor_phone": "07700 900322",
    "survivor_street": "4 Plantedsurvivor Way",
    "child": "Ottilie Plantedchild",
    "reporter": "Rupert Plantedreporter",
    "reporter_phone": "07700 900333",
    "note": "Planted note about the Plantedsurvivor move",
}


@pytest.fixture(autouse=True)
def master_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """Master keys of this test's own; the service's retention sweep stays out of it."""
    secret = base64.b64encode(os.urandom(32)).decode()
    monkeypatch.setenv("HEARTH_MASTER_KEYS", f"test1:{secret}")
    monkeypatch.setenv("HEARTH_CASES_RETENTION_POLL_SECONDS", "3600")


def _people() -> dict[str, Any]:
    return {
        "reporter": Reporter(
            kind=ReporterKind.THIRD_PARTY,
            relationship=ThirdPartyRelationship.NEIGHBOUR,
            name=OTHERS["reporter"],
            phone=OTHERS["reporter_phone"],
        ),
        "survivor": Survivor(
            person_id=uuid.uuid4(),
            name=OTHERS["survivor"],
            phone=OTHERS["survivor_phone"],
            address=PostalAddress(lines=(OTHERS["survivor_street"],), postcode="ZS1 1ZS"),
        ),
        "alleged_perpetrators": (
            AllegedPerpetrator(
                person_id=uuid.uuid4(),
                name=HIS["name"],
                phone=HIS["phone"],
                address=PostalAddress(lines=(HIS["street"],), postcode=HIS["postcode"]),
                relationship_to_survivor=Relationship.FORMER_INTIMATE_PARTNER,
            ),
        ),
        "children": (
            Child(
                person_id=uuid.uuid4(),
                name=OTHERS["child"],
                lives_in_household=True,
                affected_by_abuse=True,
            ),
        ),
    }


async def _closed_case(cases: RunningService, new_case: Callable[..., Any], clock) -> Any:
    report, manager = await new_case(cases, **_people())
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
                "notes": OTHERS["note"],
                "phone_number": OTHERS["survivor_phone"],
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


async def _holding(cases: RunningService, values: dict[str, str]) -> dict[str, list[str]]:
    """Each value still found in a table of the service's schema (but events) or the key
    store's, with the tables holding it."""
    pool = cases.runtime.pool
    found: dict[str, list[str]] = {}
    for what, value in values.items():
        tables = await tables_holding(pool, cases.runtime.schema, value)
        tables += [f"{KEY_SCHEMA}.{t}" for t in await tables_holding(pool, KEY_SCHEMA, value)]
        if tables:
            found[what] = tables
    return found


def _seal(history: list[Envelope]) -> list[tuple[Any, ...]]:
    return [(e.event_id, e.stream_version, e.type, e.hash, e.prev_hash) for e in history]


def _opened(history: list[Envelope]) -> dict[str, Any]:
    return next(e.payload for e in history if e.event_name == "CaseOpened")


async def test_a_perpetrators_erasure_leaves_the_others_readable(
    cases, new_case, clock, case_events, topic_records, intake, eventually
) -> None:
    report = await _closed_case(cases, new_case, clock)
    case_id = report.case_id
    perpetrator_id = report.alleged_perpetrators[0].person_id
    url = f"/cases/{case_id}"
    lead = cases.auth("dalead-0001", Role.MANAGER)
    other_lead = cases.auth("dalead-0002", Role.MANAGER)
    store = cases.runtime.event_store
    keys = cases.runtime.key_store
    assert keys is not None
    before = await case_events(cases, case_id)
    assert _opened(before)["alleged_perpetrators"][0]["name"] == HIS["name"]
    clock.set(ASKED_AT)

    # A request naming nobody on the case, or on an open case, is refused.
    nobody = await cases.client.post(
        f"{url}/erasure-requests",
        json={"reason": "objection_upheld", "person_id": str(uuid.uuid4())},
        headers=lead,
    )
    assert nobody.status_code == 422, nobody.text
    assert "person_id" in nobody.text and "person_not_on_case" in nobody.text

    asked = await cases.client.post(
        f"{url}/erasure-requests",
        json={"reason": "objection_upheld", "person_id": str(perpetrator_id)},
        headers=lead,
    )
    assert asked.status_code == 201, asked.text
    request_id = asked.json()["request_id"]
    approval = f"{url}/erasure-requests/{request_id}/approval"
    own = await cases.client.post(approval, headers=lead)
    assert own.status_code == 403 and own.json()["code"] == "approver_is_requester"

    approved = await cases.client.post(approval, headers=other_lead)
    assert approved.status_code == 200, approved.text
    assert approved.json()["person_id"] == str(perpetrator_id)

    # Every earlier event as it was, in order, then PersonErased (ids and codes only).
    after = await case_events(cases, case_id)
    assert _seal(after[: len(before)]) == _seal(before)
    assert [e.stream_version for e in after] == list(range(1, len(after) + 1))
    erased = after[-1]
    assert [e.event_name for e in after[len(before) :]] == ["ErasureRequested", "PersonErased"]
    assert erased.payload["person_id"] == str(perpetrator_id)
    assert erased.payload["requested_by"] == "dalead-0001"
    assert erased.payload["approved_by"] == "dalead-0002"
    verified = await store.verify()
    assert verified.ok, verified.first_break

    # Stored: his values are ciphertext; read: REDACTED; the others' still decrypt.
    stored = _opened(await store.read_stored(f"case-{case_id}"))
    assert stored["alleged_perpetrators"][0]["name"].startswith(ENCRYPTED_PREFIX)
    assert stored["alleged_perpetrators"][0]["phone"].startswith(ENCRYPTED_PREFIX)
    opened = _opened(after)
    [his] = opened["alleged_perpetrators"]
    assert (his["name"], his["phone"], his["address"]["lines"]) == (REDACTED, REDACTED, [REDACTED])
    assert his["relationship_to_survivor"] == "former_intimate_partner"
    assert opened["survivor"]["name"] == OTHERS["survivor"]
    assert opened["survivor"]["phone"] == OTHERS["survivor_phone"]
    assert opened["children"][0]["name"] == OTHERS["child"]
    # Free text under the case key (a caseworker's note) lives on with the case.
    attempt = next(e.payload for e in after if e.event_name == "ContactAttempted")
    assert attempt["notes"] == OTHERS["note"]

    # The topic holds the stored form: opened with the key store, his values are gone.
    published = await topic_records(CASES_EVENTS, str(case_id), expect=len(after))
    on_topic = await open_records(cases.runtime.pool, published)
    assert [e.event_id for e in on_topic] == [e.event_id for e in after]
    topic_opened = _opened(on_topic)
    assert topic_opened["alleged_perpetrators"][0]["name"] == REDACTED
    assert topic_opened["survivor"]["name"] == OTHERS["survivor"]
    assert not any(
        value in str(r.value) for r in published for value in (*HIS.values(), *OTHERS.values())
    )

    # His key is destroyed (ids and codes as the reason); the others' keys live.
    async with cases.runtime.pool.acquire() as conn:
        rows = await conn.fetch(
            f"""SELECT person_id, destroyed_at, destroyed_reason, wrapped_key
                FROM {KEY_SCHEMA}.data_keys WHERE case_id = $1""",
            case_id,
        )
    destroyed = {r["person_id"]: r for r in rows if r["destroyed_at"] is not None}
    assert set(destroyed) == {perpetrator_id}
    assert destroyed[perpetrator_id]["wrapped_key"] is None
    assert destroyed[perpetrator_id]["destroyed_reason"] == (
        f"subject_request: objection_upheld (request {request_id})"
    )
    assert {r["person_id"] for r in rows if r["destroyed_at"] is None} >= {
        None,
        report.survivor.person_id,
    }

    # No table holds his planted strings; the others' stay where they were (nowhere but
    # the events: the read model keeps no personal values).
    assert await _holding(cases, HIS) == {}

    # Staff see the case with his details gone and the others' there.
    view = (await cases.client.get(url, headers=lead)).json()
    assert view["alleged_perpetrators"][0]["name"] is None
    assert view["survivor"]["name"] == OTHERS["survivor"]
    assert view["erased_people"] == [
        {"person_id": str(perpetrator_id), "erased_at": ASKED_AT.isoformat()}
    ]

    # Subject access: his answer holds none of his planted strings; hers still holds hers.
    his_answer, his_text = await subject_access(
        SUBJECT_ACCESS, cases.runtime, case_id, perpetrator_id
    )
    assert his_answer["role"] == "alleged_perpetrator"
    assert not any(value in his_text for value in HIS.values())
    _, her_text = await subject_access(
        SUBJECT_ACCESS, cases.runtime, case_id, report.survivor.person_id
    )
    assert OTHERS["survivor_phone"] in her_text

    # He is erased once.
    again = await cases.client.post(
        f"{url}/erasure-requests",
        json={"reason": "objection_upheld", "person_id": str(perpetrator_id)},
        headers=lead,
    )
    assert again.status_code == 409 and again.json()["code"] == "person_erased"

    # A rebuild from the events writes what the appends wrote.
    schema = cases.runtime.schema
    async with store.transaction() as conn:
        incremental = await summary_rows(conn, schema)
    await rebuild(store)
    async with store.transaction() as conn:
        assert await summary_rows(conn, schema) == incremental

    # A new report about her (with someone new) reopens the case: the case's people are
    # recorded again, his entry without personal values, so nothing needs his key.
    reported_at = ASKED_AT + timedelta(days=1)
    clock.set(reported_at + timedelta(minutes=5))
    newcomer = AllegedPerpetrator(
        person_id=uuid.uuid4(),
        name="Nigel Plantednew",
        relationship_to_survivor=Relationship.FORMER_INTIMATE_PARTNER,
    )
    further = intake.report(
        case_id=case_id,
        survivor=report.survivor,
        alleged_perpetrators=(newcomer,),
        received_at=reported_at,
    )
    await intake.send(further, basis=LinkBasis.SAME_SURVIVOR)

    async def added() -> list[Envelope]:
        history = await case_events(cases, case_id)
        return history if any(e.event_name == "PeopleUpdated" for e in history) else []

    reopened = await eventually(added, what="the further report and its people")
    people = next(e for e in reopened if e.event_name == "PeopleUpdated").payload
    assert [p["person_id"] for p in people["alleged_perpetrators"]] == [
        str(perpetrator_id),
        str(newcomer.person_id),
    ]
    assert people["alleged_perpetrators"][0]["name"] is None
    assert people["alleged_perpetrators"][1]["name"] == "Nigel Plantednew"
    assert (await store.verify()).ok
    cm = cases.auth(
        next(e for e in reopened if e.event_name == "CaseManagerAssigned").payload["case_manager"][
            "staff_id"
        ],
        Role.CASE_MANAGER,
    )
    for path, body, headers in (
        ("/closure-request", {"reason": "survivor_moved"}, cm),
        ("/closure-decision", {"decision": "approve"}, lead),
    ):
        response = await cases.client.post(f"{url}{path}", json=body, headers=headers)
        assert response.status_code in (200, 201), response.text
    after = await case_events(cases, case_id)

    # The whole case may still be erased: then every key on it goes.
    whole = await cases.client.post(
        f"{url}/erasure-requests", json={"reason": "no_longer_necessary"}, headers=other_lead
    )
    assert whole.status_code == 201, whole.text
    done = await cases.client.post(
        f"{url}/erasure-requests/{whole.json()['request_id']}/approval", headers=lead
    )
    assert done.status_code == 200, done.text
    final = await case_events(cases, case_id)
    assert final[-1].event_name == "CaseErased"
    assert _seal(final[: len(after)]) == _seal(after)
    assert _opened(final)["survivor"]["name"] == REDACTED
    assert await _holding(cases, {**HIS, **OTHERS, "newcomer": "Nigel Plantednew"}) == {}
    assert (await store.verify()).ok
