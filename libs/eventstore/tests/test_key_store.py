"""The key store on a real PostgreSQL: get or create, erasure, rotation and access."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from contract_examples import CASE_ID, CHILD_ID, PERPETRATOR_ID, SURVIVOR_ID, examples

from hearth.contracts.events.base import REDACTED
from hearth.contracts.events.intake import ReportReceived
from hearth.eventstore.personal_data import (
    KeyStore,
    MasterKey,
    MasterKeyMissing,
    MasterKeys,
    PersonalDataError,
    Subject,
    SubjectErased,
    decrypt_personal,
    encrypt_personal,
    key_ids_in,
    subjects_for,
)

pytestmark = pytest.mark.integration

MASTER_A = MasterKey("a", os.urandom(32))
MASTER_B = MasterKey("b", os.urandom(32))
EVENT_ID = uuid.uuid4()


@pytest.fixture
async def key_schema(pool: asyncpg.Pool) -> AsyncIterator[str]:
    name = f"t_keys_{uuid.uuid4().hex[:12]}"
    yield name
    await pool.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")


@pytest.fixture
async def keys(pool: asyncpg.Pool, key_schema: str) -> KeyStore:
    store = KeyStore(pool, MasterKeys([MASTER_A]), schema=key_schema)
    await store.migrate()
    return store


async def _rows(pool: asyncpg.Pool, schema: str) -> list[asyncpg.Record]:
    return await pool.fetch(f"SELECT * FROM {schema}.data_keys ORDER BY case_id, person_id")


def _report() -> tuple[type[ReportReceived], dict[str, Any]]:
    return ReportReceived, examples()[ReportReceived.event_type()].model_dump(mode="json")


async def test_the_key_store_has_a_schema_of_its_own_without_events(
    pool: asyncpg.Pool, keys: KeyStore, key_schema: str
) -> None:
    tables = {
        r["table_name"]
        for r in await pool.fetch(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = $1", key_schema
        )
    }
    assert tables == {"data_keys", "schema_migrations"}
    assert await keys.migrate() == []  # idempotent


async def test_get_or_create_gives_the_same_key_every_time(
    pool: asyncpg.Pool, keys: KeyStore, key_schema: str
) -> None:
    survivor = Subject(CASE_ID, SURVIVOR_ID)
    first = await keys.keys_for([survivor])
    again = await keys.keys_for([survivor, Subject(CASE_ID, CHILD_ID)])

    assert again[survivor] == first[survivor]
    rows = await _rows(pool, key_schema)
    # Every case gets its case key too (the row that also marks the case erased, later).
    assert sorted((str(r["case_id"]), str(r["person_id"])) for r in rows) == sorted(
        [(str(CASE_ID), str(SURVIVOR_ID)), (str(CASE_ID), str(CHILD_ID)), (str(CASE_ID), "None")]
    )
    for row in rows:
        assert row["master_key_id"] == "a" and row["destroyed_at"] is None
    stored = b"".join(bytes(r["wrapped_key"]) for r in rows)
    assert first[survivor].material not in stored  # wrapped, never in the clear


async def test_concurrent_callers_creating_one_subjects_key_get_one_key(
    pool: asyncpg.Pool, keys: KeyStore, key_schema: str
) -> None:
    case = uuid.uuid4()
    subjects = [Subject(case), Subject(case, uuid.uuid4()), Subject(case, uuid.uuid4())]
    other_store = KeyStore(pool, MasterKeys([MASTER_A]), schema=key_schema)

    results = await asyncio.gather(
        *((keys if n % 2 else other_store).keys_for(subjects) for n in range(10))
    )

    assert all(result == results[0] for result in results)
    assert len(await _rows(pool, key_schema)) == len(subjects)


async def test_a_second_creator_waits_for_the_first_and_gets_its_key(
    pool: asyncpg.Pool, keys: KeyStore, key_schema: str
) -> None:
    subject = Subject(uuid.uuid4(), uuid.uuid4())
    async with pool.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        mine = await keys.keys_for([subject], conn=conn)  # inserted, not committed
        theirs = asyncio.create_task(keys.keys_for([subject]))
        await asyncio.sleep(0.3)
        assert not theirs.done()
        await transaction.commit()
    assert (await theirs)[subject] == mine[subject]


async def test_many_keys_load_in_one_call_and_unknown_ids_are_absent(keys: KeyStore) -> None:
    model, payload = _report()
    made = await keys.keys_for(subjects_for(model, payload, case_id=CASE_ID))
    sealed = encrypt_personal(model, payload, case_id=CASE_ID, event_id=EVENT_ID, keys=made)

    loaded = await keys.load([*key_ids_in(model, sealed), "not-a-key"])

    assert set(loaded) == {k.key_id for k in made.values()}
    opened = decrypt_personal(model, sealed, event_id=EVENT_ID, keys=loaded)
    assert opened.payload == payload


async def test_destroying_a_case_destroys_every_key_on_it_for_good(
    pool: asyncpg.Pool, keys: KeyStore, key_schema: str
) -> None:
    model, payload = _report()
    made = await keys.keys_for(subjects_for(model, payload, case_id=CASE_ID))
    other = await keys.keys_for([Subject(uuid.uuid4(), uuid.uuid4())])
    sealed = encrypt_personal(model, payload, case_id=CASE_ID, event_id=EVENT_ID, keys=made)

    destroyed = await keys.destroy_case(CASE_ID, reason="retention period ended (policy R-7)")

    assert destroyed == len(made) == 4
    assert await keys.load(k.key_id for k in made.values()) == {}
    opened = decrypt_personal(
        model, sealed, event_id=EVENT_ID, keys=await keys.load(key_ids_in(model, sealed))
    )
    assert len(opened.redacted) == len(_strings(sealed, model))
    assert opened.payload["survivor"]["name"] == REDACTED
    for row in await pool.fetch(
        f"SELECT * FROM {key_schema}.data_keys WHERE case_id = $1", CASE_ID
    ):
        assert row["wrapped_key"] is None and row["master_key_id"] is None
        assert row["destroyed_at"] is not None
        assert row["destroyed_reason"] == "retention period ended (policy R-7)"
    # Nothing new is stored about anyone on the case, not even someone new.
    for subject in (Subject(CASE_ID, SURVIVOR_ID), Subject(CASE_ID, uuid.uuid4())):
        with pytest.raises(SubjectErased):
            await keys.keys_for([subject])
    # Other cases are untouched; destroying again destroys nothing more.
    assert set(await keys.load(k.key_id for k in other.values())) == {
        k.key_id for k in other.values()
    }
    assert await keys.destroy_case(CASE_ID, reason="again") == 0


def _strings(sealed: dict[str, Any], model: type[ReportReceived]) -> list[str]:
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str) and value.startswith("hearth:enc:v1:"):
            found.append(value)

    walk(sealed)
    return found


async def test_a_destroyed_key_can_never_be_put_back_nor_its_row_deleted(
    pool: asyncpg.Pool, keys: KeyStore, key_schema: str
) -> None:
    subject = Subject(uuid.uuid4(), uuid.uuid4())
    await keys.keys_for([subject])
    await keys.destroy_person(subject.case_id, subject.person_id or uuid.uuid4(), reason="x")

    with pytest.raises(asyncpg.RaiseError, match="stays destroyed"):
        await pool.execute(
            f"""UPDATE {key_schema}.data_keys SET wrapped_key = '\\x00', master_key_id = 'a',
                destroyed_at = NULL, destroyed_reason = NULL WHERE person_id = $1""",
            subject.person_id,
        )
    with pytest.raises(asyncpg.RaiseError, match="never deleted"):
        await pool.execute(f"DELETE FROM {key_schema}.data_keys")


async def test_destroying_one_person_leaves_everyone_else_readable(keys: KeyStore) -> None:
    model, payload = _report()
    made = await keys.keys_for(subjects_for(model, payload, case_id=CASE_ID))
    sealed = encrypt_personal(model, payload, case_id=CASE_ID, event_id=EVENT_ID, keys=made)

    assert await keys.destroy_person(CASE_ID, PERPETRATOR_ID, reason="erasure request E-12") == 1
    assert await keys.destroy_person(CASE_ID, PERPETRATOR_ID, reason="again") == 0

    opened = decrypt_personal(
        model, sealed, event_id=EVENT_ID, keys=await keys.load(key_ids_in(model, sealed))
    )
    assert opened.redacted == ("alleged_perpetrators.0.name",)
    assert opened.payload["survivor"]["name"] == payload["survivor"]["name"]
    assert opened.payload["account"] == payload["account"]
    with pytest.raises(SubjectErased, match=str(PERPETRATOR_ID)):
        await keys.keys_for([Subject(CASE_ID, PERPETRATOR_ID)])
    assert Subject(CASE_ID, SURVIVOR_ID) in await keys.keys_for([Subject(CASE_ID, SURVIVOR_ID)])


async def test_erasing_someone_with_no_key_yet_stops_a_key_being_made_later(
    keys: KeyStore,
) -> None:
    case, person = uuid.uuid4(), uuid.uuid4()
    assert await keys.destroy_person(case, person, reason="erasure request E-13") == 0
    with pytest.raises(SubjectErased):
        await keys.keys_for([Subject(case, person)])
    assert await keys.destroy_case(uuid.uuid4(), reason="erasure request E-14") == 0


async def test_a_case_erased_while_a_persons_key_is_being_made_loses_that_key_too(
    pool: asyncpg.Pool, keys: KeyStore
) -> None:
    case, person = uuid.uuid4(), uuid.uuid4()
    await keys.keys_for([Subject(case)])
    async with pool.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        made = await keys.keys_for([Subject(case, person)], conn=conn)
        erasure = asyncio.create_task(keys.destroy_case(case, reason="retention period ended"))
        await asyncio.sleep(0.3)
        assert not erasure.done()  # waits for the key being made
        await transaction.commit()
    assert await erasure == 2
    assert await keys.load([made[Subject(case, person)].key_id]) == {}


async def test_a_reason_is_required_and_must_be_one_short_line(keys: KeyStore) -> None:
    for reason in ("", "   ", "line\nbreak", "x" * 201):
        with pytest.raises(PersonalDataError, match="reason"):
            await keys.destroy_case(uuid.uuid4(), reason=reason)


async def test_rotation_rewraps_live_keys_and_leaves_destroyed_ones_destroyed(
    pool: asyncpg.Pool, keys: KeyStore, key_schema: str
) -> None:
    model, payload = _report()
    made = await keys.keys_for(subjects_for(model, payload, case_id=CASE_ID))
    more = await keys.keys_for(
        [Subject(case, person) for case in (uuid.uuid4(), uuid.uuid4()) for person in (None,)]
    )
    sealed = encrypt_personal(model, payload, case_id=CASE_ID, event_id=EVENT_ID, keys=made)
    await keys.destroy_person(CASE_ID, CHILD_ID, reason="erasure request E-15")
    live_ids = {k.key_id for k in [*made.values(), *more.values()]} - {
        made[Subject(CASE_ID, CHILD_ID)].key_id
    }
    wrapped_before = {
        r["key_id"]: bytes(r["wrapped_key"])
        for r in await _rows(pool, key_schema)
        if r["wrapped_key"]
    }

    # A restart with only the new master key cannot unwrap keys not yet re-wrapped.
    only_b = KeyStore(pool, MasterKeys([MASTER_B]), schema=key_schema)
    with pytest.raises(MasterKeyMissing, match="'a'"):
        await only_b.load(live_ids)

    rotating = KeyStore(pool, MasterKeys([MASTER_B, MASTER_A]), schema=key_schema)
    assert await rotating.master_keys_in_use() == {"a": len(live_ids)}
    assert await rotating.rewrap(batch_size=2) == len(live_ids)
    assert await rotating.rewrap() == 0
    assert await rotating.master_keys_in_use() == {"b": len(live_ids)}

    # Master key A retired: a fresh store with only B reads every live key.
    restarted = KeyStore(pool, MasterKeys([MASTER_B]), schema=key_schema)
    loaded = await restarted.load([*live_ids, made[Subject(CASE_ID, CHILD_ID)].key_id])
    assert set(loaded) == live_ids
    for key in [*made.values(), *more.values()]:
        if key.key_id in live_ids:
            assert loaded[key.key_id] == key
    rows = await _rows(pool, key_schema)
    for row in rows:
        if row["key_id"] in live_ids:
            assert row["master_key_id"] == "b"
            assert bytes(row["wrapped_key"]) != wrapped_before[row["key_id"]]
        else:
            assert row["wrapped_key"] is None and row["destroyed_at"] is not None
    opened = decrypt_personal(
        model, sealed, event_id=EVENT_ID, keys=await restarted.load(key_ids_in(model, sealed))
    )
    assert opened.redacted == ("children.0.name", "children.0.date_of_birth")
    assert opened.payload["survivor"] == payload["survivor"]
    # New keys are wrapped by the current master key.
    fresh = Subject(uuid.uuid4())
    await restarted.keys_for([fresh])
    assert await restarted.master_keys_in_use() == {"b": len(live_ids) + 1}


async def test_only_a_granted_role_can_read_the_keys(
    pool: asyncpg.Pool, keys: KeyStore, key_schema: str, database_url: str
) -> None:
    await keys.keys_for([Subject(uuid.uuid4())])
    role = f"t_role_{uuid.uuid4().hex[:12]}"
    await pool.execute(f'CREATE ROLE "{role}" NOLOGIN')
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(f'SET ROLE "{role}"')
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.fetch(f"SELECT key_id FROM {key_schema}.data_keys")

        await keys.grant_access(role)
        assert len(await conn.fetch(f"SELECT key_id FROM {key_schema}.data_keys")) == 1
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute(f"UPDATE {key_schema}.data_keys SET destroyed_reason = 'x'")

        await keys.grant_access(role, write=True)
        reader = KeyStore(pool, MasterKeys([MASTER_A]), schema=key_schema)
        assert await reader.keys_for([Subject(uuid.uuid4())], conn=conn)

        await keys.revoke_access(role)
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.fetch(f"SELECT key_id FROM {key_schema}.data_keys")
    finally:
        await conn.execute("RESET ROLE")
        await conn.close()
        await keys.revoke_access(role)
        await pool.execute(f'DROP ROLE "{role}"')
    with pytest.raises(ValueError, match="invalid role name"):
        await keys.grant_access('x"; DROP TABLE y; --')


async def test_a_granted_service_role_starts_on_a_key_store_it_does_not_own(
    pool: asyncpg.Pool, keys: KeyStore, key_schema: str, database_url: str
) -> None:
    """Production: a key-store job owns and migrates the schema; the services' roles are
    only granted access, so their start-up (`migrate`) must need no DDL."""
    role = f"t_role_{uuid.uuid4().hex[:12]}"
    await pool.execute(f'CREATE ROLE "{role}" NOLOGIN')

    async def as_role(conn: asyncpg.Connection) -> None:
        await conn.execute(f'SET ROLE "{role}"')

    service_pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2, setup=as_role)
    assert service_pool is not None
    try:
        service = KeyStore(service_pool, MasterKeys([MASTER_A]), schema=key_schema)
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await service.keys_for([Subject(uuid.uuid4())])
        await keys.grant_access(role, write=True)
        assert await service.migrate() == []
        subject = Subject(uuid.uuid4(), uuid.uuid4())
        made = await service.keys_for([subject])
        assert (await keys.load([made[subject].key_id]))[made[subject].key_id] == made[subject]
    finally:
        await service_pool.close()
        await keys.revoke_access(role)
        await pool.execute(f'DROP ROLE "{role}"')
