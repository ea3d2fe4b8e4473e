"""The command runner on the in-memory store: fold once, retry on conflict, refuse cleanly."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from hearth.contracts.events.base import DomainEvent
from hearth.eventstore.commands import CommandResult, Loaded, load_stream, load_streams, run_command
from hearth.eventstore.decider import Decider, Recorded
from hearth.eventstore.errors import DomainError
from hearth.eventstore.memory import InMemoryEventStore, MemoryTransaction
from hearth.eventstore.store import ConcurrencyError, StaleTransaction
from hearth.eventstore.testing.events import ACTOR, NoteAdded, note, recorded_testing

NOW = datetime(2025, 3, 7, 16, 30, tzinfo=UTC)


@dataclass
class Notes:
    """A decider over note streams that counts its evolve calls and what it decided on."""

    evolved: int = 0
    decided_on: list[list[int]] = field(default_factory=list)
    refuse: bool = False

    def evolve(self, seqs: list[int], recorded: Recorded) -> list[int]:
        self.evolved += 1
        assert isinstance(recorded.event, NoteAdded)
        return [*seqs, recorded.event.seq]

    def decide(self, case: str, seqs: list[int], now: datetime) -> Sequence[DomainEvent]:
        self.decided_on.append(seqs)
        if self.refuse:
            raise DomainError("notes are closed on this case", code="closed")
        return [NoteAdded(case_id=case, seq=len(seqs) + 1, survivor_name="A", narrative="B")]

    @property
    def decider(self) -> Decider[str, list[int]]:
        return Decider(initial_state=list, evolve=self.evolve, decide=self.decide)


async def _run(
    store: InMemoryEventStore,
    notes: Notes,
    case: str,
    *,
    conn: MemoryTransaction | None = None,
    loaded: Loaded[list[int]] | None = None,
    attempts: int = 3,
) -> CommandResult[list[int]]:
    return await run_command(
        store,
        notes.decider,
        case,
        case,
        subject=case,
        actor=ACTOR,
        now=NOW,
        correlation_id=uuid.uuid4(),
        conn=conn,
        loaded=loaded,
        attempts=attempts,
        to_recorded=recorded_testing,
    )


async def _stream(store: InMemoryEventStore, length: int) -> str:
    case = str(uuid.uuid4())
    await store.append(
        case, [note(case, i) for i in range(1, length + 1)], expected_version=0, subject=case
    )
    return case


@pytest.fixture
def store() -> InMemoryEventStore:
    return InMemoryEventStore()


async def test_a_command_folds_each_stored_event_once_and_the_appended_ones_once(
    store: InMemoryEventStore,
) -> None:
    case = await _stream(store, 40)
    notes = Notes()

    result = await _run(store, notes, case)

    assert notes.evolved == 40 + 1
    assert result.before == list(range(1, 41))
    assert result.after == list(range(1, 42))
    assert [e.stream_version for e in result.appended] == [41]
    assert [e.stream_version for e in result.history] == list(range(1, 41))
    assert result.loaded.version == 41 and result.loaded.state == result.after


async def test_a_stream_the_caller_loaded_is_not_read_or_folded_again(
    store: InMemoryEventStore,
) -> None:
    case = await _stream(store, 40)
    notes = Notes()
    async with store.transaction() as conn:
        loaded = await load_stream(
            store, notes.decider, case, conn=conn, to_recorded=recorded_testing
        )
        result = await _run(store, notes, case, conn=conn, loaded=loaded)

    assert notes.evolved == 40 + 1  # the load's fold, then the appended event only
    assert result.after == list(range(1, 42))
    assert await store.stream_version(case) == 41


async def test_a_command_that_loses_a_race_is_decided_again_on_fresh_state(
    store: InMemoryEventStore,
) -> None:
    case = await _stream(store, 1)
    notes = Notes()
    loaded = await load_stream(store, notes.decider, case, to_recorded=recorded_testing)
    await store.append(case, [note(case, 2)], expected_version=1, subject=case)  # a rival

    result = await _run(store, notes, case, loaded=loaded)

    assert notes.decided_on == [[1], [1, 2]]
    assert [e.stream_version for e in result.appended] == [3]
    assert result.before == [1, 2] and result.after == [1, 2, 3]
    assert [e.payload["seq"] for e in await store.read_stream(case)] == [1, 2, 3]


async def test_a_command_gives_up_after_its_attempts_with_a_conflict(
    store: InMemoryEventStore,
) -> None:
    case = await _stream(store, 1)
    notes = Notes()
    async with store.transaction() as rival:
        await store.append(case, [note(case, 2)], expected_version=1, subject=case, conn=rival)
        with pytest.raises(ConcurrencyError):
            await _run(store, notes, case, attempts=2)

    assert notes.decided_on == [[1], [1]]
    assert [e.payload["seq"] for e in await store.read_stream(case)] == [1, 2]


async def test_a_refused_command_writes_nothing(store: InMemoryEventStore) -> None:
    case = await _stream(store, 1)
    notes = Notes(refuse=True)

    with pytest.raises(DomainError, match="notes are closed"):
        await _run(store, notes, case)

    assert await store.stream_version(case) == 1
    assert len(store.events) == 1


async def test_a_refusal_in_the_callers_transaction_keeps_what_it_did_before(
    store: InMemoryEventStore,
) -> None:
    case, other = await _stream(store, 1), str(uuid.uuid4())
    async with store.transaction() as conn:
        await store.append(other, [note(other, 1)], expected_version=0, subject=other, conn=conn)
        with pytest.raises(DomainError):
            await _run(store, Notes(refuse=True), case, conn=conn)

    assert await store.stream_version(other) == 1
    assert await store.stream_version(case) == 1


async def test_a_stale_transaction_goes_back_to_the_caller(store: InMemoryEventStore) -> None:
    case, other = await _stream(store, 1), str(uuid.uuid4())
    notes = Notes()

    async def consumer_transaction() -> None:
        async with store.transaction() as conn:
            first = [note(other, 1)]
            await store.append(other, first, expected_version=0, subject=other, conn=conn)
            # A younger transaction writes the stream's head after ours began writing.
            await store.append(case, [note(case, 2)], expected_version=1, subject=case)
            await _run(store, notes, case, conn=conn)

    with pytest.raises(StaleTransaction):
        await consumer_transaction()

    assert notes.decided_on == [[1, 2]]  # not retried inside the stale transaction
    assert await store.stream_version(other) == 0
    assert await store.stream_version(case) == 2


async def test_streams_load_together_and_unknown_ones_are_new(store: InMemoryEventStore) -> None:
    first, second, unknown = await _stream(store, 2), await _stream(store, 3), str(uuid.uuid4())
    notes = Notes()

    loaded = await load_streams(
        store, notes.decider, [first, second, unknown, first], to_recorded=recorded_testing
    )

    assert list(loaded) == [first, second, unknown]
    assert loaded[first].state == [1, 2] and loaded[second].version == 3
    assert loaded[unknown].history == [] and loaded[unknown].state == []
    assert notes.evolved == 5
