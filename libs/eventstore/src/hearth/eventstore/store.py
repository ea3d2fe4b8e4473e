"""The event store: append with expected version, read streams, verify the hash chain.

`StreamStore` is what commands need of any event store; `EventStore` is the PostgreSQL
one (and `hearth.eventstore.memory.InMemoryEventStore` the one for tests without a
database). One store per service schema. The events table is also the outbox: the relay
publishes its rows in commit order. Rows are never changed (a trigger refuses it).
"""

from __future__ import annotations

import asyncio
import functools
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, Protocol, TypeVar
from uuid import UUID

import asyncpg

from hearth.contracts.envelope import GENESIS_HASH, Actor, Envelope
from hearth.contracts.events.base import DomainEvent
from hearth.eventstore.clock import Clock, SystemClock
from hearth.eventstore.db import Conn, check_schema_name
from hearth.eventstore.personal_data.cipher import EventCipher, ToSeal
from hearth.eventstore.personal_data.key_store import KeyStore
from hearth.eventstore.personal_data.keys import master_keys_or_development

ANY_VERSION: Final = -1
"""Pass as `expected_version` to append whatever the stream's current version."""


class ConcurrencyError(Exception):
    """The stream moved on since it was read: reload, decide again, retry (or answer 409)."""

    message_is_safe = True

    def __init__(self, stream_id: str, expected: int, actual: int | None) -> None:
        self.stream_id = stream_id
        self.expected = expected
        self.actual = actual
        where = "was written concurrently" if actual is None else f"is at version {actual}"
        super().__init__(f"stream {stream_id} {where}, expected version {expected}")


class StaleTransaction(ConcurrencyError):
    """This transaction is older than the one that wrote the stream's head.

    Appending would put the stream out of order for the relay, and retrying inside the
    same transaction cannot help: the whole transaction must start again.
    """


RESTART_ERRORS: Final = (StaleTransaction, asyncpg.exceptions.DeadlockDetectedError)
"""What a transaction cannot get past but the same work in a new one can: the stream was
appended to by a younger transaction (`StaleTransaction`), or PostgreSQL chose it to give
way in a deadlock."""


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event decided by a handler, with who caused it and why, not yet stored."""

    event: DomainEvent
    actor: Actor
    occurred_at: datetime
    correlation_id: UUID
    causation_id: UUID | None = None
    event_id: UUID = field(default_factory=uuid.uuid4)


@dataclass(frozen=True, slots=True)
class ChainBreak:
    stream_id: str
    stream_version: int
    global_position: int
    reason: str


@dataclass(frozen=True, slots=True)
class ChainReport:
    """The result of verifying hash chains: how many events were checked, the first break."""

    events_checked: int
    first_break: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.first_break is None


class Savepoints(Protocol):
    """A connection inside a transaction that can open a nested one (a savepoint)."""

    def transaction(self) -> AbstractAsyncContextManager[Any]: ...


ConnT = TypeVar("ConnT", bound=Savepoints)


class Appends(Protocol[ConnT]):
    """Appending to streams in transactions: what every use of an event store needs
    (`StreamStore`, `hearth.eventstore.reads.ReadStore`).

    `transaction()` yields a connection (`ConnT`) to pass as `conn`, so that appends and
    reads share one transaction; without `conn` each call runs on its own.
    """

    def transaction(self) -> AbstractAsyncContextManager[ConnT]: ...

    async def append(
        self,
        stream_id: str,
        events: Sequence[NewEvent],
        *,
        expected_version: int,
        subject: str,
        conn: ConnT | None = None,
    ) -> list[Envelope]: ...


class StreamStore(Appends[ConnT], Protocol[ConnT]):
    """What running commands needs of an event store, whichever keeps the events: it
    appends (`Appends`) and reads streams."""

    async def read_stream(self, stream_id: str, *, conn: ConnT | None = None) -> list[Envelope]: ...

    async def read_streams(
        self, stream_ids: Iterable[str], *, conn: ConnT | None = None
    ) -> dict[str, list[Envelope]]: ...

    async def stream_version(self, stream_id: str, *, conn: ConnT | None = None) -> int: ...


_COLUMNS: Final = """global_position, event_id, stream_id, stream_version, type, subject,
    payload, metadata, occurred_at, recorded_at, prev_hash, hash"""


def seal(
    events: Sequence[NewEvent],
    *,
    source: str,
    stream_id: str,
    subject: str,
    after_version: int,
    prev_hash: str,
    recorded_at: datetime,
    payloads: Sequence[dict[str, Any]] | None = None,
) -> list[Envelope]:
    """Events decided for a stream, sealed in order onto its hash chain after `after_version`.

    `payloads` are the events' stored forms (personal values encrypted), one per event;
    without them each event's own JSON is sealed. The hash covers what is sealed."""
    sealed: list[Envelope] = []
    for offset, new in enumerate(events, start=1):
        payload = (
            payloads[offset - 1] if payloads is not None else new.event.model_dump(mode="json")
        )
        envelope = Envelope.seal(
            event_id=new.event_id,
            type=new.event.event_type(),
            source=source,
            subject=subject,
            stream_id=stream_id,
            stream_version=after_version + offset,
            occurred_at=new.occurred_at,
            recorded_at=recorded_at,
            correlation_id=new.correlation_id,
            causation_id=new.causation_id,
            actor=new.actor,
            prev_hash=prev_hash,
            payload=payload,
        )
        prev_hash = envelope.hash
        sealed.append(envelope)
    return sealed


def envelope_from_row(row: asyncpg.Record) -> Envelope:
    meta: dict[str, Any] = row["metadata"]
    causation = meta.get("causation_id")
    return Envelope(
        event_id=row["event_id"],
        type=row["type"],
        source=meta["source"],
        subject=row["subject"],
        stream_id=row["stream_id"],
        stream_version=row["stream_version"],
        occurred_at=row["occurred_at"],
        recorded_at=row["recorded_at"],
        correlation_id=UUID(meta["correlation_id"]),
        causation_id=UUID(causation) if causation else None,
        actor=Actor.model_validate(meta["actor"]),
        prev_hash=row["prev_hash"],
        hash=row["hash"],
        payload=row["payload"],
    )


class EventStore:
    """A service's events in PostgreSQL schema `schema`, published as source `hearth.<service>`.

    Personal data is stored encrypted (`hearth.eventstore.personal_data`): `append`
    encrypts every value the contract marks personal under its subject's key before the
    hash chain is sealed, so the chain covers the stored ciphertext and `verify` holds
    before and after keys are destroyed. `read_stream(s)` and `read_all` give the events
    opened (plaintext, or `REDACTED` where the key is destroyed); `append` returns them
    opened too. The relay publishes the stored rows: ciphertext. `cipher` defaults to
    the key store in `hearth_keys` with the master keys of the environment (the
    development key when none is set).
    """

    def __init__(
        self,
        pool: asyncpg.Pool,
        schema: str,
        service: str,
        clock: Clock | None = None,
        *,
        cipher: EventCipher | None = None,
    ) -> None:
        self.pool = pool
        self.cipher = cipher or EventCipher(KeyStore(pool, master_keys_or_development()))
        self.schema = check_schema_name(schema)
        self.service = service
        self.source = f"hearth.{service}"
        self.clock = clock or SystemClock()
        self.notify_channel = f"hearth_events_{schema}"

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Conn]:
        """A connection in a transaction: append and write read models atomically."""
        # The key store's schema is made sure of before a connection is held: doing it in
        # the first append would need a second connection while holding this one.
        await self.cipher.ready()
        async with self.pool.acquire() as conn, conn.transaction():
            yield conn

    async def append(
        self,
        stream_id: str,
        events: Sequence[NewEvent],
        *,
        expected_version: int,
        subject: str,
        conn: Conn | None = None,
    ) -> list[Envelope]:
        """Append events to a stream at `expected_version` (0 for a new stream).

        Raises ConcurrencyError when the stream is not at that version. With `conn`,
        runs inside the caller's transaction; otherwise in a transaction of its own.
        """
        if not events:
            return []
        if conn is None:
            async with self.transaction() as own:
                return await self._append(own, stream_id, events, expected_version, subject)
        return await self._append(conn, stream_id, events, expected_version, subject)

    async def _append(
        self,
        conn: Conn,
        stream_id: str,
        events: Sequence[NewEvent],
        expected_version: int,
        subject: str,
    ) -> list[Envelope]:
        plain = [new.event.model_dump(mode="json") for new in events]
        plan = self.cipher.plan(
            [
                ToSeal(type(new.event), payload, new.event_id)
                for new, payload in zip(events, plain, strict=True)
            ],
            subject=subject,
        )
        # One statement reads the stream's head, fetches (on a new stream: makes) the keys
        # of everyone the events are about, and queues the relay's wake-up (sent only if
        # the transaction commits), so encryption costs no round trip of its own.
        prefetch = await self.cipher.prefetch(plan, new_stream=expected_version == 0)
        args: list[Any] = [stream_id, self.notify_channel]
        keys_with, keys_columns, keys_join = "", "", ""
        if prefetch is not None:
            keys_with = f"WITH {prefetch.sql(len(args) + 1)}"
            keys_columns = f", {prefetch.columns}"
            keys_join = prefetch.join
            args.extend(prefetch.args)
        query = conn.fetchrow(
            f"""{keys_with}
                SELECT h.stream_version, h.hash, h.written_later,
                       pg_notify($2, '') IS NULL AS notified{keys_columns}
                FROM (SELECT 1) AS one
                LEFT JOIN LATERAL (
                    SELECT stream_version, hash, tx_id > pg_current_xact_id() AS written_later
                    FROM {self.schema}.events WHERE stream_id = $1
                    ORDER BY stream_version DESC LIMIT 1) AS h ON true
                {keys_join}""",
            *args,
        )
        ahead: list[dict[str, Any]] | None = None
        if prefetch is not None and prefetch.made:
            # A new case's keys are made here, not read: encrypt with them while the
            # database runs the statement (`seal` checks they were all made).
            head, ahead = await _meanwhile(
                query, functools.partial(self.cipher.seal_ahead, plan, prefetch)
            )
        else:
            head = await query
        assert head is not None  # one row: FROM (SELECT 1)
        exists = head["stream_version"] is not None
        version = head["stream_version"] if exists else 0
        prev_hash = head["hash"] if exists else GENESIS_HASH
        if expected_version != ANY_VERSION and version != expected_version:
            raise ConcurrencyError(stream_id, expected_version, version)
        if exists and head["written_later"]:
            # The stream's head was written by a transaction younger than this one, so
            # (tx_id, position) order would put our events before it.
            raise StaleTransaction(stream_id, expected_version, version)

        stored = await self.cipher.seal(plan, head, conn=conn, prefetch=prefetch, ahead=ahead)
        sealed = seal(
            events,
            source=self.source,
            stream_id=stream_id,
            subject=subject,
            after_version=version,
            prev_hash=prev_hash,
            recorded_at=self.clock.now(),
            payloads=stored,
        )

        try:
            await conn.executemany(
                f"""INSERT INTO {self.schema}.events (event_id, stream_id, stream_version, type,
                        subject, payload, metadata, occurred_at, recorded_at, prev_hash, hash)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)""",
                [_row(e) for e in sealed],
            )
        except asyncpg.UniqueViolationError as exc:
            if exc.constraint_name and "event_id" in exc.constraint_name:
                raise
            raise ConcurrencyError(stream_id, expected_version, None) from None
        # The caller gets the events opened, as a read would give them (the hashes are
        # the stored form's).
        return [
            envelope.model_copy(update={"payload": payload})
            for envelope, payload in zip(sealed, plain, strict=True)
        ]

    async def lock_stream(self, stream_id: str, *, conn: Conn) -> None:
        """Hold the stream until `conn`'s transaction ends: another transaction that locks it
        waits for this one, then appends after it (for a stream many requests append to at
        once, a case's reads: they queue rather than conflict). Take it before anything
        else in the transaction, so the transaction's id comes after the last holder's."""
        await conn.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", f"{self.schema}.{stream_id}"
        )

    async def read_stream(self, stream_id: str, *, conn: Conn | None = None) -> list[Envelope]:
        """A stream's events oldest first, opened: personal values decrypted (`REDACTED`
        where the key is destroyed). Their `hash` is the stored form's (`read_stored`)."""
        return await self.cipher.open_envelopes(
            await self.read_stored(stream_id, conn=conn), conn=conn
        )

    async def read_stored(self, stream_id: str, *, conn: Conn | None = None) -> list[Envelope]:
        """A stream's events exactly as stored and published: personal values encrypted,
        each envelope's `hash_is_valid()`. For checking and copying, never for deciding."""
        query = f"""SELECT {_COLUMNS} FROM {self.schema}.events
                    WHERE stream_id = $1 ORDER BY stream_version"""
        rows = await (conn or self.pool).fetch(query, stream_id)
        return [envelope_from_row(r) for r in rows]

    async def read_streams(
        self, stream_ids: Iterable[str], *, conn: Conn | None = None
    ) -> dict[str, list[Envelope]]:
        """Several streams in one query: each id given, with its events oldest first."""
        wanted = list(dict.fromkeys(stream_ids))
        streams: dict[str, list[Envelope]] = {stream_id: [] for stream_id in wanted}
        if not wanted:
            return streams
        rows = await (conn or self.pool).fetch(
            f"""SELECT {_COLUMNS} FROM {self.schema}.events
                WHERE stream_id = ANY($1::text[]) ORDER BY stream_id, stream_version""",
            wanted,
        )
        opened = await self.cipher.open_envelopes([envelope_from_row(r) for r in rows], conn=conn)
        for envelope in opened:
            streams[envelope.stream_id].append(envelope)
        return streams

    async def stream_version(self, stream_id: str, *, conn: Conn | None = None) -> int:
        value = await (conn or self.pool).fetchval(
            f"SELECT max(stream_version) FROM {self.schema}.events WHERE stream_id = $1", stream_id
        )
        return int(value or 0)

    async def read_all(self, *, after: int = 0, limit: int = 1000) -> list[tuple[int, Envelope]]:
        """Committed events after a global position, with their positions, oldest first."""
        rows = await self.pool.fetch(
            f"""SELECT {_COLUMNS} FROM {self.schema}.events
                WHERE global_position > $1 ORDER BY global_position LIMIT $2""",
            after,
            limit,
        )
        opened = await self.cipher.open_envelopes([envelope_from_row(r) for r in rows])
        return [(r["global_position"], e) for r, e in zip(rows, opened, strict=True)]

    async def verify(self, stream_id: str | None = None) -> ChainReport:
        """Re-walk the hash chain of one stream (or all) and report the first broken link."""
        where = "WHERE stream_id = $1" if stream_id is not None else ""
        args = [stream_id] if stream_id is not None else []
        checked = 0
        current: str | None = None
        expected_prev = GENESIS_HASH
        expected_version = 1
        async with self.pool.acquire() as conn, conn.transaction(readonly=True):
            cursor = conn.cursor(
                f"""SELECT {_COLUMNS} FROM {self.schema}.events {where}
                    ORDER BY stream_id, stream_version""",
                *args,
            )
            async for row in cursor:
                if row["stream_id"] != current:
                    current, expected_prev, expected_version = row["stream_id"], GENESIS_HASH, 1
                checked += 1
                reason = _chain_fault(row, expected_prev, expected_version)
                if reason is not None:
                    return ChainReport(
                        checked,
                        ChainBreak(
                            row["stream_id"], row["stream_version"], row["global_position"], reason
                        ),
                    )
                expected_prev = row["hash"]
                expected_version += 1
        return ChainReport(checked, None)


T = TypeVar("T")
R = TypeVar("R")


async def _meanwhile(query: Awaitable[T], work: Callable[[], R]) -> tuple[T, R]:
    """`query`'s result, and `work()` (CPU only) done while the database answers it: the
    query goes out first (one turn of the event loop sends it), then `work` runs."""
    task = asyncio.ensure_future(query)
    try:
        await asyncio.sleep(0)
        done = work()
    except BaseException:  # `work` failed, or this task was cancelled meanwhile
        await asyncio.gather(task, return_exceptions=True)  # the connection is free again
        raise
    return await task, done


def _chain_fault(row: asyncpg.Record, expected_prev: str, expected_version: int) -> str | None:
    if row["stream_version"] != expected_version:
        return f"stream version {row['stream_version']} follows {expected_version - 1}: gap"
    if row["prev_hash"] != expected_prev:
        return "prev_hash does not match the previous event's hash"
    try:
        envelope = envelope_from_row(row)
    except ValueError:
        return "stored envelope is malformed"
    if not envelope.hash_is_valid():
        return "hash does not match the event's content"
    return None


def _row(e: Envelope) -> tuple[Any, ...]:
    metadata = {
        "source": e.source,
        "correlation_id": str(e.correlation_id),
        "causation_id": str(e.causation_id) if e.causation_id else None,
        "actor": e.actor.model_dump(mode="json"),
    }
    return (
        e.event_id,
        e.stream_id,
        e.stream_version,
        e.type,
        e.subject,
        e.payload,
        metadata,
        e.occurred_at,
        e.recorded_at,
        e.prev_hash,
        e.hash,
    )
