"""The event store on a real PostgreSQL: versions, immutability, hash chain, migrations."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest

from hearth.contracts.envelope import GENESIS_HASH
from hearth.eventstore.db import EVENTSTORE_MIGRATIONS, create_pool, migrate
from hearth.eventstore.store import ANY_VERSION, ConcurrencyError, EventStore, StaleTransaction
from hearth.eventstore.testing.events import note

pytestmark = pytest.mark.integration


async def test_appended_events_read_back_in_order_with_a_chained_hash(store: EventStore) -> None:
    case = str(uuid.uuid4())
    await store.append(case, [note(case, 1), note(case, 2)], expected_version=0, subject=case)
    await store.append(case, [note(case, 3)], expected_version=2, subject=case)

    events = await store.read_stream(case)

    assert [e.stream_version for e in events] == [1, 2, 3]
    assert [e.payload["seq"] for e in events] == [1, 2, 3]
    assert events[0].prev_hash == GENESIS_HASH
    assert events[1].prev_hash == events[0].hash and events[2].prev_hash == events[1].hash
    # Read opened (plaintext); the hashes cover the stored (encrypted) form.
    assert [e.payload["survivor_name"] for e in events] == ["Jane Example"] * 3
    stored = await store.read_stored(case)
    assert [e.hash for e in stored] == [e.hash for e in events]
    assert all(e.hash_is_valid() for e in stored)
    assert all(e.payload["survivor_name"].startswith("hearth:enc:v1:") for e in stored)
    assert events[0].type == "hearth.testing.NoteAdded.v1"
    assert events[0].source == "hearth.testing"
    assert events[0].actor.id == "staff-0042"


async def test_appending_at_a_stale_version_is_refused_and_writes_nothing(
    store: EventStore,
) -> None:
    case = str(uuid.uuid4())
    await store.append(case, [note(case, 1)], expected_version=0, subject=case)

    with pytest.raises(ConcurrencyError) as raised:
        await store.append(case, [note(case, 2), note(case, 3)], expected_version=0, subject=case)

    assert raised.value.actual == 1 and raised.value.expected == 0
    assert f"stream {case} is at version 1, expected version 0" in str(raised.value)
    assert len(await store.read_stream(case)) == 1


async def test_two_writers_racing_at_one_version_one_wins_one_conflicts(
    store: EventStore,
) -> None:
    case = str(uuid.uuid4())
    await store.append(case, [note(case, 1)], expected_version=0, subject=case)

    results = await asyncio.gather(
        *(store.append(case, [note(case, 2)], expected_version=1, subject=case) for _ in range(5)),
        return_exceptions=True,
    )

    winners = [r for r in results if not isinstance(r, BaseException)]
    losers = [r for r in results if isinstance(r, BaseException)]
    assert len(winners) == 1
    assert len(losers) == 4 and all(isinstance(r, ConcurrencyError) for r in losers)
    assert [e.stream_version for e in await store.read_stream(case)] == [1, 2]
    assert (await store.verify(case)).ok


async def test_any_version_appends_after_whatever_is_there(store: EventStore) -> None:
    case = str(uuid.uuid4())
    await store.append(case, [note(case, 1)], expected_version=0, subject=case)
    await store.append(case, [note(case, 2)], expected_version=ANY_VERSION, subject=case)
    assert await store.stream_version(case) == 2


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE {schema}.events SET payload = '{{}}'::jsonb",
        "DELETE FROM {schema}.events",
        "TRUNCATE {schema}.events",
    ],
)
async def test_stored_events_cannot_be_changed_or_deleted(
    store: EventStore, schema: str, statement: str
) -> None:
    case = str(uuid.uuid4())
    await store.append(case, [note(case, 1)], expected_version=0, subject=case)

    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="events are immutable"):
        await store.pool.execute(statement.format(schema=schema))

    assert len(await store.read_stream(case)) == 1


async def _tamper(store: EventStore, sql: str, *args: object) -> None:
    """What only someone bypassing the triggers (a superuser) could do."""
    async with store.pool.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL session_replication_role = replica")
        await conn.execute(sql.format(schema=store.schema), *args)


async def test_verify_passes_an_untouched_store(store: EventStore) -> None:
    for _ in range(3):
        case = str(uuid.uuid4())
        await store.append(
            case, [note(case, i) for i in range(1, 5)], expected_version=0, subject=case
        )
    report = await store.verify()
    assert report.ok and report.events_checked == 12


async def test_verify_names_the_first_event_whose_content_was_altered(store: EventStore) -> None:
    case = str(uuid.uuid4())
    await store.append(case, [note(case, i) for i in range(1, 6)], expected_version=0, subject=case)
    await _tamper(
        store,
        """UPDATE {schema}.events SET payload = jsonb_set(payload, '{{narrative}}', '"nothing"')
           WHERE stream_id = $1 AND stream_version = 3""",
        case,
    )

    report = await store.verify(case)

    assert not report.ok and report.first_break is not None
    assert report.first_break.stream_version == 3
    assert report.first_break.reason == "hash does not match the event's content"


async def test_verify_detects_a_recomputed_hash_by_the_broken_link_after_it(
    store: EventStore,
) -> None:
    case = str(uuid.uuid4())
    await store.append(case, [note(case, i) for i in range(1, 4)], expected_version=0, subject=case)
    await _tamper(
        store,
        "UPDATE {schema}.events SET hash = $2 WHERE stream_id = $1 AND stream_version = 2",
        case,
        "f" * 64,
    )

    report = await store.verify(case)

    assert report.first_break is not None and report.first_break.stream_version == 2


async def test_verify_detects_a_deleted_event_as_a_gap(store: EventStore) -> None:
    case = str(uuid.uuid4())
    await store.append(case, [note(case, i) for i in range(1, 5)], expected_version=0, subject=case)
    await _tamper(
        store, "DELETE FROM {schema}.events WHERE stream_id = $1 AND stream_version = 2", case
    )

    report = await store.verify(case)

    assert report.first_break is not None
    assert report.first_break.stream_version == 3
    assert "gap" in report.first_break.reason


async def test_a_transaction_older_than_the_streams_head_must_retry(store: EventStore) -> None:
    """Keeps per-stream order equal to (transaction id, position) order for the relay."""
    case = str(uuid.uuid4())
    async with store.pool.acquire() as older, older.transaction():
        # The older transaction takes its id first, by writing to another stream...
        other = str(uuid.uuid4())
        await store.append(other, [note(other, 1)], expected_version=0, subject=other, conn=older)
        # ...then a younger transaction writes the head of `case` and commits...
        await store.append(case, [note(case, 1)], expected_version=0, subject=case)
        # ...so the older one must not append after it: it has to start again.
        with pytest.raises(StaleTransaction):
            await store.append(case, [note(case, 2)], expected_version=1, subject=case, conn=older)


async def test_migrations_apply_once_and_are_idempotent(pool: asyncpg.Pool, schema: str) -> None:
    assert await migrate(pool, schema) == []
    applied = await pool.fetchval(f"SELECT count(*) FROM {schema}.schema_migrations")
    assert applied == len(list(EVENTSTORE_MIGRATIONS.glob("*.sql"))) == 3


def test_a_schema_name_that_could_inject_sql_is_refused() -> None:
    with pytest.raises(ValueError, match="invalid schema name"):
        EventStore(pool=None, schema="x; DROP TABLE y", service="testing")  # type: ignore[arg-type]


async def test_a_pooled_connection_goes_back_without_a_reset_but_never_in_a_transaction(
    database_url: str,
) -> None:
    """Pooled connections are handed back with no reset statement (a round trip saved on
    every command); an open transaction is still ended, so nothing it wrote survives."""
    pool = await create_pool(database_url, min_size=1, max_size=1)
    try:
        async with pool.acquire() as conn:
            assert conn.get_reset_query() == ""
            await conn.execute("BEGIN")
            await conn.execute("CREATE TEMP TABLE left_open (x int)")
        async with pool.acquire() as conn:
            assert not conn.is_in_transaction()
            assert await conn.fetchval("SELECT to_regclass('pg_temp.left_open')") is None
    finally:
        await pool.close()
