"""Commands decided against current state, retried when another writer got there first."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import pytest

from hearth.contracts.events.base import DomainEvent
from hearth.eventstore.commands import CommandResult, run_command
from hearth.eventstore.decider import Decider, Recorded
from hearth.eventstore.errors import DomainError
from hearth.eventstore.store import ConcurrencyError, EventStore
from hearth.eventstore.testing.events import ACTOR, NoteAdded, note, recorded_testing

pytestmark = pytest.mark.integration


Notes = Decider[None, list[int]]


def _notes(decide: Callable[[None, list[int], datetime], Sequence[DomainEvent]]) -> Notes:
    """A stream of notes whose state is the notes' sequence numbers."""

    def evolve(seqs: list[int], recorded: Recorded) -> list[int]:
        assert isinstance(recorded.event, NoteAdded)
        return [*seqs, recorded.event.seq]

    return Decider(initial_state=list, evolve=evolve, decide=decide)


async def _run(
    store: EventStore, case: str, decider: Notes, attempts: int = 3
) -> CommandResult[list[int]]:
    return await run_command(
        store,
        decider,
        case,
        None,
        subject=case,
        actor=ACTOR,
        now=datetime.now(UTC),
        correlation_id=uuid.uuid4(),
        attempts=attempts,
        to_recorded=recorded_testing,
    )


async def test_a_command_that_loses_a_race_is_decided_again_on_fresh_state(
    store: EventStore,
) -> None:
    case = str(uuid.uuid4())
    decisions: list[list[int]] = []

    def decide(_: None, seqs: list[int], now: datetime) -> Sequence[DomainEvent]:
        decisions.append(seqs)
        return [NoteAdded(case_id=case, seq=len(seqs) + 1, survivor_name="A", narrative="B")]

    await store.append(case, [note(case, 1)], expected_version=0, subject=case)
    async with store.transaction() as rival:
        # The rival holds version 2 uncommitted while our command decides on version 1.
        await store.append(case, [note(case, 2)], expected_version=1, subject=case, conn=rival)
        command = asyncio.create_task(_run(store, case, _notes(decide)))
        await asyncio.sleep(0.3)  # our first attempt is now blocked behind the rival's row
    result = await command

    assert decisions == [[1], [1, 2]]
    assert [e.stream_version for e in result.appended] == [3]
    assert (result.before, result.after) == ([1, 2], [1, 2, 3])
    assert [e.payload["seq"] for e in await store.read_stream(case)] == [1, 2, 3]


async def test_a_command_gives_up_after_its_attempts_with_a_conflict(store: EventStore) -> None:
    case = str(uuid.uuid4())

    def decide(_: None, seqs: list[int], now: datetime) -> Sequence[DomainEvent]:
        raise ConcurrencyError(case, len(seqs), len(seqs) + 1)

    with pytest.raises(ConcurrencyError):
        await _run(store, case, _notes(decide), attempts=2)


async def test_a_refused_command_writes_nothing(store: EventStore) -> None:
    case = str(uuid.uuid4())
    await store.append(case, [note(case, 1)], expected_version=0, subject=case)

    def decide(_: None, seqs: list[int], now: datetime) -> Sequence[DomainEvent]:
        raise DomainError("notes are closed on this case", code="closed")

    with pytest.raises(DomainError, match="notes are closed"):
        await _run(store, case, _notes(decide))
    assert await store.stream_version(case) == 1
