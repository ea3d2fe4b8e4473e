"""What a consumer hands its handlers, and how it tells a bad record from a bad moment."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

import asyncpg
from aiokafka import ConsumerRecord
from aiokafka.errors import KafkaError

from hearth.contracts.envelope import Envelope, EnvelopeError
from hearth.eventstore.db import Conn
from hearth.eventstore.store import RESTART_ERRORS as RESTART_ERRORS

Handler = Callable[[Conn, Envelope], Awaitable[None]]
"""Handles one event inside the consumer's transaction, using the connection given."""
Reset = Callable[[Conn], Awaitable[None]]
"""Empties a projection's read model before a rebuild."""
Prepare = Callable[[Conn, Sequence[Envelope]], Awaitable[Handler | None]]
"""Prepares a whole batch before its events are handled, in the batch's transaction.

Called once per batch on the fast path, with the batch's events that are new to the
inbox (in offset order), before the first of them is handled; it may load, in one
query, everything the batch touches. It returns the handler for this batch's events
(so what it loaded lives in that handler and ends with the batch), or None to use the
consumer's own handler. The careful path (a batch redone record by record after a
failure) and DLQ replays skip it, so the consumer's handler must work without it.
"""

# Failures of the infrastructure, not of the event: never dead-letter for these.
INFRASTRUCTURE_ERRORS = (
    OSError,
    asyncio.TimeoutError,
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CannotConnectNowError,
    KafkaError,
)

# RESTART_ERRORS (from the store): the transaction must start again, so the batch is
# redone afresh (a deadlock: a batch taking case managers' caseload rows in another order
# than a staff command, say).


class PoisonEvent(Exception):
    """A record that can never be handled as it is (not a valid, untampered event)."""

    message_is_safe = True


def envelope_of(record: ConsumerRecord) -> Envelope:
    """The event a record carries, checked against its hash; PoisonEvent when it cannot be."""
    try:
        envelope = Envelope.from_kafka(record.key, record.value, list(record.headers or ()))
    except EnvelopeError as exc:
        raise PoisonEvent(str(exc)) from None
    if not envelope.hash_is_valid():
        raise PoisonEvent("the event's hash does not match its content: tampered or corrupt")
    return envelope
