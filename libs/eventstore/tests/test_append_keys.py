"""The keys an append needs, fetched (on a new stream: made) inside its first statement,
on a real PostgreSQL: the same keys and the same erasure guarantees as `KeyStore.keys_for`."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg
import pytest
from contract_examples import examples

from hearth.contracts.envelope import Actor, Role
from hearth.contracts.events.base import REDACTED, DomainEvent
from hearth.contracts.events.intake import ReportReceived
from hearth.eventstore.db import create_pool
from hearth.eventstore.personal_data import KeyStore, MasterKey, MasterKeys, SubjectErased
from hearth.eventstore.personal_data.cipher import EventCipher
from hearth.eventstore.store import ConcurrencyError, EventStore, NewEvent

pytestmark = pytest.mark.integration

ACTOR = Actor(id="staff-0042", role=Role.INTAKE)


@pytest.fixture
async def keyed(pool: asyncpg.Pool, schema: str) -> AsyncIterator[tuple[EventStore, KeyStore]]:
    key_schema = f"t_keys_{uuid.uuid4().hex[:12]}"
    keys = KeyStore(pool, MasterKeys([MasterKey("a", os.urandom(32))]), schema=key_schema)
    await keys.migrate()
    yield EventStore(pool, schema, "testing", cipher=EventCipher(keys)), keys
    await pool.execute(f"DROP SCHEMA IF EXISTS {key_schema} CASCADE")


def _report(case_id: UUID, *, perpetrator: UUID | None = None) -> ReportReceived:
    data = examples()["hearth.intake.ReportReceived.v1"].model_dump(mode="json")
    data.update(case_id=str(case_id), report_id=str(uuid.uuid4()))
    data["survivor"].update(person_id=str(uuid.uuid4()), name="Ottoline Brackenbury")
    data["alleged_perpetrators"][0].update(
        person_id=str(perpetrator or uuid.uuid4()), name="Mordecai Thistlewood"
    )
    return ReportReceived.model_validate(data)


def _new(event: DomainEvent) -> NewEvent:
    return NewEvent(event, ACTOR, datetime.now(UTC), uuid.uuid4())


async def _key_rows(keys: KeyStore, case: UUID) -> dict[UUID | None, Any]:
    rows = await keys._pool.fetch(
        f"SELECT person_id, wrapped_key, destroyed_at FROM {keys.schema}.data_keys "
        "WHERE case_id = $1",
        case,
    )
    return {r["person_id"]: r for r in rows}


def _people(report: ReportReceived) -> set[UUID | None]:
    people: set[UUID | None] = {None, report.survivor.person_id}
    people |= {p.person_id for p in report.alleged_perpetrators}
    people |= {c.person_id for c in report.children}
    return people


async def test_a_new_streams_first_append_makes_every_key_it_needs(
    keyed: tuple[EventStore, KeyStore],
) -> None:
    store, keys = keyed
    case = uuid.uuid4()
    report = _report(case)
    await store.append(str(case), [_new(report)], expected_version=0, subject=str(case))

    rows = await _key_rows(keys, case)
    assert set(rows) == _people(report)
    assert all(r["wrapped_key"] is not None for r in rows.values())
    [read] = await store.read_stream(str(case))
    assert read.payload == report.model_dump(mode="json")
    [stored] = await store.read_stored(str(case))
    assert "Ottoline Brackenbury" not in str(stored.payload)


async def test_a_later_append_naming_someone_new_makes_their_key_and_reuses_the_others(
    keyed: tuple[EventStore, KeyStore],
) -> None:
    store, keys = keyed
    case = uuid.uuid4()
    first = _report(case)
    await store.append(str(case), [_new(first)], expected_version=0, subject=str(case))
    before = await _key_rows(keys, case)
    second = _report(case)  # a new survivor and perpetrator id: two keys to make
    await store.append(str(case), [_new(second)], expected_version=1, subject=str(case))

    after = await _key_rows(keys, case)
    assert set(after) == _people(first) | _people(second)
    for person, row in before.items():
        assert after[person]["wrapped_key"] == row["wrapped_key"]  # not made again
    opened = await store.read_stream(str(case))
    assert [e.payload for e in opened] == [
        first.model_dump(mode="json"),
        second.model_dump(mode="json"),
    ]


async def test_a_refused_new_stream_append_leaves_no_key_behind(
    keyed: tuple[EventStore, KeyStore],
) -> None:
    store, keys = keyed
    case = uuid.uuid4()
    await store.append(str(case), [_new(_report(case))], expected_version=0, subject=str(case))
    before = await _key_rows(keys, case)
    with pytest.raises(ConcurrencyError):
        await store.append(str(case), [_new(_report(case))], expected_version=0, subject=str(case))
    assert await _key_rows(keys, case) == before


async def test_nothing_is_stored_nor_any_key_made_for_an_erased_case(
    keyed: tuple[EventStore, KeyStore],
) -> None:
    store, keys = keyed
    case = uuid.uuid4()
    await keys.destroy_case(case, reason="retention period ended")
    for expected in (0, 0):  # a new stream's path, twice: still nothing
        with pytest.raises(SubjectErased):
            await store.append(
                str(case), [_new(_report(case))], expected_version=expected, subject=str(case)
            )
    rows = await _key_rows(keys, case)
    assert list(rows) == [None] and rows[None]["destroyed_at"] is not None
    assert await store.read_stream(str(case)) == []


async def test_a_case_erased_while_its_new_stream_is_appended_loses_the_new_keys_too(
    keyed: tuple[EventStore, KeyStore],
) -> None:
    store, keys = keyed
    case = uuid.uuid4()
    # The case already has its key (another service wrote about it first).
    other = EventStore(store.pool, store.schema, "testing", cipher=store.cipher)
    await other.append(f"{case}-a", [_new(_report(case))], expected_version=0, subject=str(case))
    report = _report(case)
    async with store.transaction() as conn:
        await store.append(
            f"{case}-b", [_new(report)], expected_version=0, subject=str(case), conn=conn
        )
        erasure = asyncio.create_task(keys.destroy_case(case, reason="retention period ended"))
        await asyncio.sleep(0.3)
        assert not erasure.done()  # waits for the append that is making keys on the case
    await erasure
    rows = await _key_rows(keys, case)
    assert _people(report) <= set(rows)
    assert all(r["wrapped_key"] is None for r in rows.values())
    [read] = await store.read_stream(f"{case}-b")
    assert read.payload["survivor"]["name"] == REDACTED


async def test_a_store_on_a_single_connection_makes_its_first_keys(
    database_url: str, schema: str
) -> None:
    """The key store's schema is made sure of before the append holds its connection:
    with only one connection in the pool, the first append must not wait for a second."""
    pool = await create_pool(database_url, min_size=1, max_size=1)
    key_schema = f"t_keys_{uuid.uuid4().hex[:12]}"
    try:
        keys = KeyStore(pool, MasterKeys([MasterKey("a", os.urandom(32))]), schema=key_schema)
        store = EventStore(pool, schema, "testing", cipher=EventCipher(keys))
        case = uuid.uuid4()
        report = _report(case)
        await asyncio.wait_for(
            store.append(str(case), [_new(report)], expected_version=0, subject=str(case)),
            timeout=20,
        )
        [read] = await store.read_stream(str(case))
        assert read.payload == report.model_dump(mode="json")
    finally:
        await pool.execute(f"DROP SCHEMA IF EXISTS {key_schema} CASCADE")
        await pool.close()


async def _stored_key_ids(store: EventStore, stream: str) -> set[str]:
    [stored] = await store.read_stored(stream)
    text = str(stored.payload)
    ids = {part.split(":")[3] for part in text.split("'") if part.startswith("hearth:enc:v1:")}
    assert ids, "the stored event holds no encrypted value"
    return ids


async def test_a_new_stream_about_a_case_with_keys_seals_with_the_cases_own_keys(
    keyed: tuple[EventStore, KeyStore],
) -> None:
    """A second service's first event about a case: the keys the append set out to make
    are not made, and what it stores opens with the keys the case already has."""
    store, keys = keyed
    case = uuid.uuid4()
    perpetrator = uuid.uuid4()
    first = _report(case, perpetrator=perpetrator)
    await store.append(f"{case}-a", [_new(first)], expected_version=0, subject=str(case))
    before = await _key_rows(keys, case)
    second = _report(case, perpetrator=perpetrator)
    second_data = second.model_dump(mode="json")
    second_data["survivor"] = first.model_dump(mode="json")["survivor"]
    second = ReportReceived.model_validate(second_data)  # the same people, already keyed

    await store.append(f"{case}-b", [_new(second)], expected_version=0, subject=str(case))

    assert await _key_rows(keys, case) == before  # no key made, none replaced
    assert await _stored_key_ids(store, f"{case}-b") == await _stored_key_ids(store, f"{case}-a")
    [read] = await store.read_stream(f"{case}-b")
    assert read.payload == second.model_dump(mode="json")


async def test_a_new_stream_naming_an_erased_person_is_refused_and_makes_no_key(
    keyed: tuple[EventStore, KeyStore],
) -> None:
    """A person erased before their case had any key: the new case's first append would
    make the case's key and the others' keys, but stores nothing and keeps no key."""
    store, keys = keyed
    case, perpetrator = uuid.uuid4(), uuid.uuid4()
    await keys.destroy_person(case, perpetrator, reason="erasure request ER-1")
    with pytest.raises(SubjectErased):
        await store.append(
            str(case),
            [_new(_report(case, perpetrator=perpetrator))],
            expected_version=0,
            subject=str(case),
        )
    rows = await _key_rows(keys, case)
    assert list(rows) == [perpetrator] and rows[perpetrator]["destroyed_at"] is not None
    assert await store.read_stream(str(case)) == []


async def test_two_new_streams_about_one_new_case_at_once_share_one_key_each(
    keyed: tuple[EventStore, KeyStore],
) -> None:
    """Two services' first events about a case new to the key store, at once: one makes
    the keys, the other waits for it and seals with them."""
    store, keys = keyed
    case, survivor, perpetrator = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()

    def report() -> ReportReceived:
        data = _report(case, perpetrator=perpetrator).model_dump(mode="json")
        data["survivor"]["person_id"] = str(survivor)
        data["children"] = []
        return ReportReceived.model_validate(data)

    reports = {f"{case}-{side}": report() for side in "ab"}
    async with store.transaction() as first:
        stream, event = next(iter(reports.items()))
        await store.append(stream, [_new(event)], expected_version=0, subject=str(case), conn=first)
        second = asyncio.create_task(
            store.append(
                f"{case}-b", [_new(reports[f"{case}-b"])], expected_version=0, subject=str(case)
            )
        )
        await asyncio.sleep(0.3)
        assert not second.done()  # waits for the first's keys
    await second

    rows = await _key_rows(keys, case)
    assert set(rows) == {None, survivor, perpetrator}
    assert await _stored_key_ids(store, f"{case}-a") == await _stored_key_ids(store, f"{case}-b")
    for stream, event in reports.items():
        [read] = await store.read_stream(stream)
        assert read.payload == event.model_dump(mode="json")


async def test_a_failure_while_sealing_ahead_stores_nothing_and_frees_the_connection(
    keyed: tuple[EventStore, KeyStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sealing runs while the first statement is out: if it fails, the statement is still
    awaited (the connection is not left mid-query), the transaction rolls back with its
    keys, and the same connection serves the next append."""
    store, keys = keyed
    case = uuid.uuid4()

    def broken(*_: object) -> None:
        raise RuntimeError("sealing failed")

    monkeypatch.setattr(store.cipher, "seal_ahead", broken)
    async with store.transaction() as conn:
        with pytest.raises(RuntimeError, match="sealing failed"):
            async with conn.transaction():  # a savepoint: the outer transaction goes on
                await store.append(
                    str(case),
                    [_new(_report(case))],
                    expected_version=0,
                    subject=str(case),
                    conn=conn,
                )
        monkeypatch.undo()
        other = uuid.uuid4()
        report = _report(other)
        await store.append(
            str(other), [_new(report)], expected_version=0, subject=str(other), conn=conn
        )
    assert await _key_rows(keys, case) == {}
    assert await store.read_stream(str(case)) == []
    [read] = await store.read_stream(str(other))
    assert read.payload == report.model_dump(mode="json")
