"""Commands decided against current state, retried when another writer got there first."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from hearth.contracts.envelope import Envelope
from hearth.contracts.events.base import DomainEvent
from hearth.eventstore.commands import execute
from hearth.eventstore.errors import DomainError
from hearth.eventstore.store import ConcurrencyError, EventStore
from hearth.eventstore.testing.events import ACTOR, NoteAdded, note

pytestmark = pytest.mark.integration


def _seqs(history: Sequence[Envelope]) -> list[int]:
    return [e.payload["seq"] for e in history]


async def test_a_command_that_loses_a_race_is_decided_again_on_fresh_state(
    store: EventStore,
) -> None:
    case = str(uuid.uuid4())
    decisions: list[list[int]] = []

    def decide(seqs: list[int]) -> Sequence[DomainEvent]:
        decisions.append(seqs)
        return [NoteAdded(case_id=case, seq=len(seqs) + 1, survivor_name="A", narrative="B")]

    await store.append(case, [note(case, 1)], expected_version=0, subject=case)
    async with store.transaction() as rival:
        # The rival holds version 2 uncommitted while our command decides on version 1.
        await store.append(case, [note(case, 2)], expected_version=1, subject=case, conn=rival)
        command = asyncio.create_task(
            execute(
                store,
                case,
                subject=case,
                load=_seqs,
                decide=decide,
                actor=ACTOR,
                occurred_at=datetime.now(UTC),
                correlation_id=uuid.uuid4(),
            )
        )
        await asyncio.sleep(0.3)  # our first attempt is now blocked behind the rival's row
    appended = await command

    assert decisions == [[1], [1, 2]]
    assert [e.stream_version for e in appended] == [3]
    assert _seqs(await store.read_stream(case)) == [1, 2, 3]


async def test_a_command_gives_up_after_its_attempts_with_a_conflict(store: EventStore) -> None:
    case = str(uuid.uuid4())

    def decide(seqs: list[int]) -> Sequence[DomainEvent]:
        raise ConcurrencyError(case, len(seqs), len(seqs) + 1)

    with pytest.raises(ConcurrencyError):
        await execute(
            store,
            case,
            subject=case,
            load=_seqs,
            decide=decide,
            actor=ACTOR,
            occurred_at=datetime.now(UTC),
            correlation_id=uuid.uuid4(),
            attempts=2,
        )


async def test_a_refused_command_writes_nothing(store: EventStore) -> None:
    case = str(uuid.uuid4())
    await store.append(case, [note(case, 1)], expected_version=0, subject=case)

    def decide(seqs: list[int]) -> Sequence[DomainEvent]:
        raise DomainError("notes are closed on this case", code="closed")

    with pytest.raises(DomainError, match="notes are closed"):
        await execute(
            store,
            case,
            subject=case,
            load=_seqs,
            decide=decide,
            actor=ACTOR,
            occurred_at=datetime.now(UTC),
            correlation_id=uuid.uuid4(),
        )
    assert await store.stream_version(case) == 1
