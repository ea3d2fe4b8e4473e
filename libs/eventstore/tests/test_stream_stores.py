"""The promises commands rely on, kept alike by the PostgreSQL and the in-memory store."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from hearth.contracts.envelope import GENESIS_HASH
from hearth.eventstore.memory import InMemoryEventStore
from hearth.eventstore.store import ConcurrencyError, StaleTransaction
from hearth.eventstore.testing.events import note


@pytest.fixture(
    params=["memory", pytest.param("postgres", marks=pytest.mark.integration)],
)
def streams(request: pytest.FixtureRequest) -> Any:
    if request.param == "memory":
        return InMemoryEventStore()
    return request.getfixturevalue("store")


async def test_appends_read_back_in_order_on_a_hash_chain(streams: Any) -> None:
    case = str(uuid.uuid4())
    await streams.append(case, [note(case, 1), note(case, 2)], expected_version=0, subject=case)
    await streams.append(case, [note(case, 3)], expected_version=2, subject=case)

    events = await streams.read_stream(case)

    assert [e.payload["seq"] for e in events] == [1, 2, 3]
    assert [e.stream_version for e in events] == [1, 2, 3]
    assert events[0].prev_hash == GENESIS_HASH
    assert events[1].prev_hash == events[0].hash and events[2].prev_hash == events[1].hash
    # The hashes cover the stored form (personal values encrypted in PostgreSQL).
    stored = await streams.read_stored(case)
    assert [e.hash for e in stored] == [e.hash for e in events]
    assert all(e.hash_is_valid() for e in stored)
    assert [e.payload["survivor_name"] for e in events] == ["Jane Example"] * 3
    assert events[0].source == "hearth.testing" and events[0].subject == case
    assert await streams.stream_version(case) == 3


async def test_an_append_at_a_stale_version_is_refused_and_writes_nothing(streams: Any) -> None:
    case = str(uuid.uuid4())
    await streams.append(case, [note(case, 1)], expected_version=0, subject=case)

    with pytest.raises(ConcurrencyError) as raised:
        await streams.append(case, [note(case, 2)], expected_version=0, subject=case)

    assert (raised.value.expected, raised.value.actual) == (0, 1)
    assert await streams.stream_version(case) == 1


async def test_several_streams_are_read_together(streams: Any) -> None:
    first, second, unknown = (str(uuid.uuid4()) for _ in range(3))
    await streams.append(first, [note(first, 1), note(first, 2)], expected_version=0, subject=first)
    await streams.append(second, [note(second, 1)], expected_version=0, subject=second)

    read = await streams.read_streams([second, unknown, first])

    assert list(read) == [second, unknown, first]
    assert [e.payload["seq"] for e in read[first]] == [1, 2]
    assert [e.stream_id for e in read[second]] == [second]
    assert read[unknown] == []
    assert await streams.read_streams([]) == {}


async def test_a_transaction_sees_its_own_appends_and_keeps_them_only_if_it_ends_well(
    streams: Any,
) -> None:
    kept, dropped = str(uuid.uuid4()), str(uuid.uuid4())
    async with streams.transaction() as conn:
        await streams.append(kept, [note(kept, 1)], expected_version=0, subject=kept, conn=conn)
        assert len(await streams.read_stream(kept, conn=conn)) == 1
        assert await streams.read_streams([kept], conn=conn) != {kept: []}

    async def failing() -> None:
        async with streams.transaction() as conn:
            first = [note(dropped, 1)]
            await streams.append(dropped, first, expected_version=0, subject=dropped, conn=conn)
            raise RuntimeError("changed its mind")

    with pytest.raises(RuntimeError, match="changed its mind"):
        await failing()

    assert await streams.stream_version(kept) == 1
    assert await streams.stream_version(dropped) == 0


async def test_a_failed_savepoint_drops_only_what_was_appended_inside_it(streams: Any) -> None:
    outer, inner = str(uuid.uuid4()), str(uuid.uuid4())

    async def savepoint(conn: Any) -> None:
        async with conn.transaction():
            first = [note(inner, 1)]
            await streams.append(inner, first, expected_version=0, subject=inner, conn=conn)
            await streams.append(inner, first, expected_version=0, subject=inner, conn=conn)

    async with streams.transaction() as conn:
        await streams.append(outer, [note(outer, 1)], expected_version=0, subject=outer, conn=conn)
        with pytest.raises(ConcurrencyError):
            await savepoint(conn)

    assert await streams.stream_version(outer) == 1
    assert await streams.stream_version(inner) == 0


async def test_a_transaction_older_than_the_streams_head_must_start_again(streams: Any) -> None:
    case, other = str(uuid.uuid4()), str(uuid.uuid4())
    await streams.append(case, [note(case, 1)], expected_version=0, subject=case)

    async def older_transaction() -> None:
        async with streams.transaction() as conn:
            first = [note(other, 1)]
            await streams.append(other, first, expected_version=0, subject=other, conn=conn)
            await streams.append(case, [note(case, 2)], expected_version=1, subject=case)
            await streams.append(case, [note(case, 3)], expected_version=2, subject=case, conn=conn)

    with pytest.raises(StaleTransaction):
        await older_transaction()
    assert await streams.stream_version(case) == 2
    assert await streams.stream_version(other) == 0
