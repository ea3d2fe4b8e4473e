"""Recording that a member of staff read a case: one event on the case's reads stream.

Cases, risk and referrals record every staff read of a case's data. A read of a
restricted case is recorded on the case's own stream, as it always was (`Restricted*Read`,
refused ones too); any other granted read is one event (`CaseRecordRead`,
`RiskRecordRead`, `ReferralRecordRead`) on a stream of its own per case and service,
`reads-<service>-<case id>`, with the case id as its subject, so it is keyed on the topic
by the case id and kept in order with the case's other events, yet never conflicts with
nor waits for a command on the case.

`record_read` appends it in a transaction of its own, after the case was found and the
reader allowed, and before anything is shown: if it cannot be recorded the read fails
(an unrecorded read is what an assessor checks for). Reads of one case at the same
moment queue on the stream's lock (`lock_stream`), so none fails for a conflict; a
conflict or a deadlock that still happens is retried afresh.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import datetime
from typing import Final, Protocol
from uuid import UUID

from hearth.contracts.envelope import Actor, Envelope
from hearth.contracts.events.base import DomainEvent
from hearth.eventstore.store import (
    ANY_VERSION,
    RESTART_ERRORS,
    Appends,
    ConcurrencyError,
    ConnT,
    NewEvent,
)

__all__ = ["READS_STREAM_PREFIX", "ReadStore", "reads_stream_id", "record_read"]

READS_STREAM_PREFIX: Final = "reads-"
"""Every reads stream's id starts with this (a case's own streams never do)."""

ATTEMPTS: Final = 8
"""How often a read's record is tried before the read fails (only a lost race retries)."""


class ReadStore(Appends[ConnT], Protocol[ConnT]):
    """What recording a read needs of an event store (`EventStore`, `InMemoryEventStore`):
    it appends (`Appends`), knows its service and locks a stream."""

    @property
    def service(self) -> str: ...

    async def lock_stream(self, stream_id: str, *, conn: ConnT) -> None: ...


def reads_stream_id(service: str, case_id: UUID) -> str:
    """The stream holding the reads of one case in one service."""
    return f"{READS_STREAM_PREFIX}{service}-{case_id}"


async def record_read(
    store: ReadStore[ConnT],
    event: DomainEvent,
    *,
    case_id: UUID,
    actor: Actor,
    now: datetime,
    attempts: int = ATTEMPTS,
) -> Envelope:
    """Append `event` (a read of the case) to the case's reads stream in its own
    transaction, and return it as stored. Raises when it could not be recorded."""
    stream = reads_stream_id(store.service, case_id)
    correlation_id = uuid.uuid4()
    for attempt in range(1, attempts + 1):
        try:
            async with store.transaction() as conn:
                await store.lock_stream(stream, conn=conn)
                appended = await store.append(
                    stream,
                    [NewEvent(event, actor, now, correlation_id)],
                    expected_version=ANY_VERSION,
                    subject=str(case_id),
                    conn=conn,
                )
            return appended[0]
        except (ConcurrencyError, *RESTART_ERRORS):
            if attempt == attempts:
                raise
            await asyncio.sleep(random.uniform(0, 0.005 * attempt))  # jitter
    raise AssertionError("unreachable")
