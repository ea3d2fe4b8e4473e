"""Running a command: load the stream and fold it once, decide, append; retry on conflict.

    result = await run_command(
        store, decider, stream_id, command,
        subject=..., actor=..., now=..., correlation_id=...,
    )
    result.before, result.appended, result.after

Whatever the stream's length, a command costs the same few round trips: one read of
the stream (none when the caller passes what it already `load_stream`ed, say for an
access check), the append, and with a caller's `conn` a savepoint around them. The
state after is the loaded state with the appended events folded on; the stream is never
read twice. `load_streams` reads many streams in one query, for a consumer's batch.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar
from uuid import UUID

from hearth.contracts.envelope import Actor, Envelope
from hearth.eventstore.decider import Decider, Recorded, recorded
from hearth.eventstore.store import (
    RESTART_ERRORS,
    ConcurrencyError,
    ConnT,
    NewEvent,
    StaleTransaction,
    StreamStore,
)

__all__ = ["CommandResult", "Loaded", "load_stream", "load_streams", "run_command"]

C = TypeVar("C")
T = TypeVar("T")
S = TypeVar("S")

ToRecorded = Callable[[Envelope], Recorded]
"""How a stored envelope becomes what `evolve` reads (by default `decider.recorded`)."""


@dataclass(frozen=True, slots=True)
class Loaded(Generic[S]):
    """A stream as read once: its stored events and the state they fold to."""

    stream_id: str
    history: list[Envelope]
    state: S

    @property
    def version(self) -> int:
        """The stream's version: an append expects it (0 for a stream not yet written)."""
        return self.history[-1].stream_version if self.history else 0


@dataclass(frozen=True, slots=True)
class CommandResult(Generic[S]):
    """What a command did: the stream it was decided on, what it appended, the state after."""

    stream_id: str
    history: list[Envelope]
    """The stored events the command was decided on (without those it appended)."""
    before: S
    appended: list[Envelope]
    after: S

    @property
    def loaded(self) -> Loaded[S]:
        """The stream as it is now, for a next command that should not read it again."""
        return Loaded(self.stream_id, [*self.history, *self.appended], self.after)


async def load_stream(
    store: StreamStore[ConnT],
    decider: Decider[C, S],
    stream_id: str,
    *,
    conn: ConnT | None = None,
    to_recorded: ToRecorded = recorded,
) -> Loaded[S]:
    """Read a stream and fold it to its state."""
    history = await store.read_stream(stream_id, conn=conn)
    return Loaded(stream_id, history, decider.fold(map(to_recorded, history)))


async def load_streams(
    store: StreamStore[ConnT],
    decider: Decider[C, S],
    stream_ids: Iterable[str],
    *,
    conn: ConnT | None = None,
    to_recorded: ToRecorded = recorded,
) -> dict[str, Loaded[S]]:
    """Read several streams in one query and fold each (a stream not written is new)."""
    streams = await store.read_streams(stream_ids, conn=conn)
    return {
        stream_id: Loaded(stream_id, history, decider.fold(map(to_recorded, history)))
        for stream_id, history in streams.items()
    }


async def run_command(
    store: StreamStore[ConnT],
    decider: Decider[C, S],
    stream_id: str,
    command: C,
    *,
    subject: str,
    actor: Actor,
    now: datetime,
    correlation_id: UUID,
    causation_id: UUID | None = None,
    conn: ConnT | None = None,
    loaded: Loaded[S] | None = None,
    attempts: int = 3,
    to_recorded: ToRecorded = recorded,
) -> CommandResult[S]:
    """Decide `command` against the stream's current state and append what was decided.

    `loaded` is the stream as the caller already read it in this transaction; it is used
    for the first attempt only. On a concurrent write the stream is read again and the
    command decided again, up to `attempts` times. A DomainError from `decide` appends
    nothing and goes back to the caller. With `conn` it runs in the caller's transaction
    (each attempt in a savepoint); a StaleTransaction then goes back to the caller, whose
    whole transaction must start again.
    """
    if loaded is not None and loaded.stream_id != stream_id:
        raise ValueError(f"loaded stream {loaded.stream_id} is not {stream_id}")

    async def once(conn: ConnT, given: Loaded[S] | None) -> CommandResult[S]:
        loaded = given or await load_stream(
            store, decider, stream_id, conn=conn, to_recorded=to_recorded
        )
        decided = decider.decide(command, loaded.state, now)
        new = [NewEvent(event, actor, now, correlation_id, causation_id) for event in decided]
        appended = await store.append(
            stream_id, new, expected_version=loaded.version, subject=subject, conn=conn
        )
        after = decider.fold(map(to_recorded, appended), loaded.state)
        return CommandResult(stream_id, loaded.history, loaded.state, appended, after)

    for attempt in range(1, attempts + 1):
        given = loaded if attempt == 1 else None
        try:
            if conn is not None:
                async with conn.transaction():
                    return await once(conn, given)
            async with store.transaction() as own:
                return await once(own, given)
        except StaleTransaction:
            if conn is not None or attempt == attempts:
                raise
        except ConcurrencyError:
            if attempt == attempts:
                raise
    raise AssertionError("unreachable")


FRESH_TRANSACTION_ATTEMPTS = 3


async def in_fresh_transaction(
    work: Callable[[], Awaitable[T]], *, attempts: int = FRESH_TRANSACTION_ATTEMPTS
) -> T:
    """Run `work` (which opens and ends its own transaction) again afresh when it meets a
    deadlock or a stale transaction (`RESTART_ERRORS`: a scheduler or a consumer appended to
    the stream after the transaction began), up to `attempts` times in all; nothing of a
    failed attempt is kept. What a staff command or a recorded read does, so a race with
    background work is not answered as a conflict."""
    for attempt in range(1, attempts + 1):
        try:
            return await work()
        except RESTART_ERRORS:
            if attempt == attempts:
                raise
    raise AssertionError("unreachable")
