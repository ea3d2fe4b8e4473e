"""An event store in memory, for testing handlers without a database.

It keeps the PostgreSQL store's promises that commands rely on: append at an expected
version or a ConcurrencyError, the hash chain sealed by `Envelope.seal`, transactions
whose appends are seen by no one else until they commit and vanish if they fail,
savepoints inside them, and StaleTransaction for a transaction older than the one that
wrote a stream's head. It is not shared between processes and keeps nothing on disk.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from uuid import UUID

from hearth.contracts.envelope import GENESIS_HASH, Envelope
from hearth.eventstore.clock import Clock, SystemClock
from hearth.eventstore.store import (
    ANY_VERSION,
    ConcurrencyError,
    NewEvent,
    StaleTransaction,
    seal,
)

__all__ = ["InMemoryEventStore", "MemoryTransaction"]


class MemoryTransaction:
    """An open transaction on an InMemoryEventStore: pass it as `conn`.

    Its appends stay pending until the outermost `transaction()` commits; `transaction()`
    on it opens a savepoint, which drops its own appends if its block fails.
    """

    def __init__(self) -> None:
        self.pending: list[Envelope] = []
        self.tx_id: int | None = None
        """Given at the first append, as PostgreSQL gives a transaction id at its first write."""
        self.open = True

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[MemoryTransaction]:
        """A savepoint: what is appended inside is dropped if the block raises."""
        mark = len(self.pending)
        try:
            yield self
        except BaseException:
            del self.pending[mark:]
            raise


class InMemoryEventStore:
    """A service's events in memory, published as source `hearth.<service>`."""

    def __init__(self, service: str = "testing", clock: Clock | None = None) -> None:
        self.service = service
        self.source = f"hearth.{service}"
        self.clock = clock or SystemClock()
        self.events: list[Envelope] = []
        """Every committed event in commit order (the global order)."""
        self._streams: dict[str, list[tuple[int, Envelope]]] = {}
        self._event_ids: set[UUID] = set()
        self._open: list[MemoryTransaction] = []
        self._tx_ids = itertools.count(1)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[MemoryTransaction]:
        """A transaction: its appends are committed together when the block ends."""
        tx = MemoryTransaction()
        self._open.append(tx)
        try:
            yield tx
            self._commit(tx)
        finally:
            tx.open = False
            self._open.remove(tx)

    async def append(
        self,
        stream_id: str,
        events: Sequence[NewEvent],
        *,
        expected_version: int,
        subject: str,
        conn: MemoryTransaction | None = None,
    ) -> list[Envelope]:
        """Append events to a stream at `expected_version` (0 for a new stream).

        Raises ConcurrencyError when the stream is not at that version, or when another
        open transaction has appended to it (where PostgreSQL would wait for that one
        and then refuse).
        """
        if not events:
            return []
        if conn is None:
            async with self.transaction() as own:
                return self._append(own, stream_id, events, expected_version, subject)
        return self._append(conn, stream_id, events, expected_version, subject)

    def _append(
        self,
        tx: MemoryTransaction,
        stream_id: str,
        events: Sequence[NewEvent],
        expected_version: int,
        subject: str,
    ) -> list[Envelope]:
        if not tx.open:
            raise RuntimeError("the transaction has ended")
        if tx.tx_id is None:  # PostgreSQL's head query gives the transaction its id too
            tx.tx_id = next(self._tx_ids)
        committed = self._streams.get(stream_id, [])
        mine = [e for e in tx.pending if e.stream_id == stream_id]
        head = mine[-1] if mine else (committed[-1][1] if committed else None)
        version = head.stream_version if head else 0
        if expected_version != ANY_VERSION and version != expected_version:
            raise ConcurrencyError(stream_id, expected_version, version)
        others = (e for other in self._open if other is not tx for e in other.pending)
        if any(e.stream_id == stream_id for e in others):
            raise ConcurrencyError(stream_id, expected_version, None)
        if not mine and committed and committed[-1][0] > tx.tx_id:
            raise StaleTransaction(stream_id, expected_version, version)

        sealed = seal(
            events,
            source=self.source,
            stream_id=stream_id,
            subject=subject,
            after_version=version,
            prev_hash=head.hash if head else GENESIS_HASH,
            recorded_at=self.clock.now(),
        )
        ids = {e.event_id for e in sealed}
        pending = {e.event_id for e in tx.pending}
        if len(ids) < len(sealed) or any(i in self._event_ids or i in pending for i in ids):
            raise ValueError("an event with this id is already stored")
        tx.pending.extend(sealed)
        return sealed

    def _commit(self, tx: MemoryTransaction) -> None:
        assert tx.tx_id is not None or not tx.pending
        for envelope in tx.pending:
            self._streams.setdefault(envelope.stream_id, []).append((tx.tx_id or 0, envelope))
            self.events.append(envelope)
            self._event_ids.add(envelope.event_id)
        tx.pending = []

    async def lock_stream(self, stream_id: str, *, conn: MemoryTransaction) -> None:
        """Nothing to hold in memory: two transactions appending to one stream meet as a
        ConcurrencyError instead, which the caller retries (`hearth.eventstore.reads`)."""

    async def read_stream(
        self, stream_id: str, *, conn: MemoryTransaction | None = None
    ) -> list[Envelope]:
        """The stream's events, oldest first, with `conn`'s own uncommitted appends."""
        return self._read(stream_id, conn)

    async def read_stored(
        self, stream_id: str, *, conn: MemoryTransaction | None = None
    ) -> list[Envelope]:
        """As `read_stream`: this store keeps events as given (no encryption, no keys)."""
        return self._read(stream_id, conn)

    async def read_streams(
        self, stream_ids: Iterable[str], *, conn: MemoryTransaction | None = None
    ) -> dict[str, list[Envelope]]:
        """Several streams: each id given, with its events oldest first."""
        return {stream_id: self._read(stream_id, conn) for stream_id in dict.fromkeys(stream_ids)}

    def _read(self, stream_id: str, conn: MemoryTransaction | None) -> list[Envelope]:
        committed = [e for _, e in self._streams.get(stream_id, [])]
        mine = [e for e in conn.pending if e.stream_id == stream_id] if conn else []
        return committed + mine

    async def stream_version(self, stream_id: str, *, conn: MemoryTransaction | None = None) -> int:
        history = self._read(stream_id, conn)
        return history[-1].stream_version if history else 0
