"""`hearth.eventstore.reads`: a staff read of a case is one event on the case's reads
stream; reads of one case at the same moment queue on its lock, and none fails."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest

from hearth.contracts.envelope import Actor, Role
from hearth.contracts.events.case_values import RestrictedView
from hearth.contracts.events.cases import CaseRecordRead
from hearth.eventstore.memory import InMemoryEventStore
from hearth.eventstore.reads import reads_stream_id, record_read
from hearth.eventstore.store import ConcurrencyError, EventStore

AT = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)


def _read(case_id: uuid.UUID, staff_id: str) -> CaseRecordRead:
    return CaseRecordRead(
        case_id=case_id, read_at=AT, staff_id=staff_id, view=RestrictedView.TIMELINE
    )


@pytest.mark.integration
async def test_twenty_reads_of_one_case_at_once_are_twenty_events_in_an_unbroken_chain(
    store: EventStore,
) -> None:
    case_id = uuid.uuid4()
    readers = [Actor(id=f"cso-{n:04d}", role=Role.CASE_MANAGER) for n in range(20)]

    await asyncio.gather(
        *(
            record_read(store, _read(case_id, who.id), case_id=case_id, actor=who, now=AT)
            for who in readers
        )
    )

    stream = reads_stream_id("testing", case_id)
    stored = await store.read_stream(stream)
    assert [e.stream_version for e in stored] == list(range(1, len(readers) + 1))
    assert sorted(e.actor.id for e in stored) == sorted(r.id for r in readers)
    assert {e.subject for e in stored} == {str(case_id)}
    assert (await store.verify(stream)).ok


async def test_a_lost_race_is_retried_and_a_lasting_failure_goes_back_to_the_reader() -> None:
    memory = InMemoryEventStore("cases")
    case_id = uuid.uuid4()
    who = Actor(id="cso-0001", role=Role.CASE_MANAGER)
    append = memory.append
    failures = [ConcurrencyError("x", -1, None)]

    async def sometimes(*args: object, **kwargs: object) -> object:
        if failures:
            raise failures.pop()
        return await append(*args, **kwargs)  # type: ignore[arg-type]

    memory.append = sometimes  # type: ignore[method-assign]
    recorded = await record_read(memory, _read(case_id, who.id), case_id=case_id, actor=who, now=AT)
    assert (recorded.stream_id, recorded.stream_version) == (f"reads-cases-{case_id}", 1)

    async def never(*args: object, **kwargs: object) -> object:
        raise ConcurrencyError("x", -1, None)

    memory.append = never  # type: ignore[method-assign]
    with pytest.raises(ConcurrencyError):
        await record_read(
            memory, _read(case_id, who.id), case_id=case_id, actor=who, now=AT, attempts=2
        )
    assert len(await memory.read_stream(f"reads-cases-{case_id}")) == 1
