"""A command costs the same number of database round trips however long its stream is."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from hearth.contracts.events.base import DomainEvent
from hearth.eventstore.commands import load_streams, run_command
from hearth.eventstore.decider import Decider, Recorded
from hearth.eventstore.store import EventStore
from hearth.eventstore.testing.events import ACTOR, NoteAdded, note, recorded_testing
from hearth.eventstore.testing.round_trips import CountingConn

pytestmark = pytest.mark.integration


def _evolve(seqs: list[int], recorded: Recorded) -> list[int]:
    assert isinstance(recorded.event, NoteAdded)
    return [*seqs, recorded.event.seq]


def _decide(case: str, seqs: list[int], now: datetime) -> Sequence[DomainEvent]:
    return [NoteAdded(case_id=case, seq=len(seqs) + 1, survivor_name="A", narrative="B")]


NOTES = Decider(initial_state=list, evolve=_evolve, decide=_decide)


async def _stream(store: EventStore, length: int) -> str:
    case = str(uuid.uuid4())
    await store.append(
        case, [note(case, i) for i in range(1, length + 1)], expected_version=0, subject=case
    )
    return case


async def _round_trips_of_a_command(store: EventStore, case: str) -> int:
    async with store.transaction() as conn:
        counting = CountingConn(conn)
        result = await run_command(
            store,
            NOTES,
            case,
            case,
            subject=case,
            actor=ACTOR,
            now=datetime.now(UTC),
            correlation_id=uuid.uuid4(),
            conn=counting,
            to_recorded=recorded_testing,
        )
    assert len(result.appended) == 1
    return counting.round_trips


async def test_a_command_on_a_long_stream_costs_what_it_costs_on_a_short_one(
    store: EventStore,
) -> None:
    short, long = await _stream(store, 3), await _stream(store, 300)

    on_short = await _round_trips_of_a_command(store, short)
    on_long = await _round_trips_of_a_command(store, long)

    assert on_short == on_long
    # savepoint (2), read, its keys, head check, the append's keys, insert, notify
    assert 0 < on_long <= 8


async def test_many_streams_load_in_one_round_trip(store: EventStore) -> None:
    cases = [await _stream(store, 2) for _ in range(20)]
    async with store.transaction() as conn:
        counting = CountingConn(conn)
        loaded = await load_streams(
            store, NOTES, cases, conn=counting, to_recorded=recorded_testing
        )

    assert counting.round_trips == 2  # the events, then all their keys at once
    assert [loaded[c].state for c in cases] == [[1, 2]] * 20
