"""Running a command: load the stream, fold it to state, decide, append; retry on conflict."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TypeVar
from uuid import UUID

from hearth.contracts.envelope import Actor, Envelope
from hearth.contracts.events.base import DomainEvent

from .db import Conn
from .store import ConcurrencyError, EventStore, NewEvent, StaleTransaction

State = TypeVar("State")


async def execute(
    store: EventStore,
    stream_id: str,
    *,
    subject: str,
    load: Callable[[Sequence[Envelope]], State],
    decide: Callable[[State], Sequence[DomainEvent]],
    actor: Actor,
    occurred_at: datetime,
    correlation_id: UUID,
    causation_id: UUID | None = None,
    conn: Conn | None = None,
    attempts: int = 3,
) -> list[Envelope]:
    """Decide against the stream's current state and append what was decided.

    On a concurrent write the stream is read again and the decision made again, up to
    `attempts` times. With `conn` it runs in the caller's transaction (each attempt in a
    savepoint); a StaleTransaction then goes back to the caller, whose whole
    transaction must start again.
    """
    for attempt in range(1, attempts + 1):
        try:
            if conn is not None:
                async with conn.transaction():
                    return await _once(
                        store,
                        stream_id,
                        subject,
                        load,
                        decide,
                        actor,
                        occurred_at,
                        correlation_id,
                        causation_id,
                        conn,
                    )
            async with store.transaction() as own:
                return await _once(
                    store,
                    stream_id,
                    subject,
                    load,
                    decide,
                    actor,
                    occurred_at,
                    correlation_id,
                    causation_id,
                    own,
                )
        except StaleTransaction:
            if conn is not None or attempt == attempts:
                raise
        except ConcurrencyError:
            if attempt == attempts:
                raise
    raise AssertionError("unreachable")


async def _once(
    store: EventStore,
    stream_id: str,
    subject: str,
    load: Callable[[Sequence[Envelope]], State],
    decide: Callable[[State], Sequence[DomainEvent]],
    actor: Actor,
    occurred_at: datetime,
    correlation_id: UUID,
    causation_id: UUID | None,
    conn: Conn,
) -> list[Envelope]:
    history = await store.read_stream(stream_id, conn=conn)
    decided = decide(load(history))
    return await store.append(
        stream_id,
        [
            NewEvent(
                event=event,
                actor=actor,
                occurred_at=occurred_at,
                correlation_id=correlation_id,
                causation_id=causation_id,
            )
            for event in decided
        ],
        expected_version=history[-1].stream_version if history else 0,
        subject=subject,
        conn=conn,
    )
