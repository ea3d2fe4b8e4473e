"""What reporting does with the four services' events: one consumer, `events`, on
`hearth.intake.events`, `hearth.cases.events`, `hearth.risk.events` and
`hearth.referrals.events`, without key access (`opens_personal_data=False`): it sees
personal values as the ciphertext published and needs none of them.

Each event is handled in the consumer's transaction: its inbox row, the facts it
changes (`hearth.reporting.domain.projection`) and the partition's checkpoint commit
together, so each event counts once however often it is delivered. The cases events
that move who may see a case are folded into the case's access facts
(`hearth.eventstore.case_access.follow`), so the case list hides restricted cases from
exactly the staff cases hides them from. `rebuild events` (or `rebuild` with no
argument) empties every table and replays all four topics from offset 0.
"""

from __future__ import annotations

import structlog

from hearth.contracts.envelope import Envelope
from hearth.contracts.events import parse_event
from hearth.contracts.events.base import DomainEvent
from hearth.contracts.topics import EVENT_TOPICS
from hearth.eventstore.case_access import CASE_ACCESS_EVENTS, follow
from hearth.eventstore.consumer import Handler, Reset
from hearth.eventstore.db import Conn
from hearth.eventstore.runtime import ConsumerSpec, Runtime
from hearth.reporting import read_model
from hearth.reporting.domain.projection import EventMeta, changes

log = structlog.get_logger(__name__)

_ACCESS_TYPES = frozenset(event.event_type() for event in CASE_ACCESS_EVENTS)


def service_events(runtime: Runtime) -> Handler:
    """Any service's event → the facts it changes."""

    async def handle(conn: Conn, envelope: Envelope) -> None:
        await project(conn, runtime.schema, envelope)

    return handle


def forget_everything(runtime: Runtime) -> Reset:
    """Before a rebuild: empty every read model table."""

    async def reset(conn: Conn) -> None:
        await read_model.forget(conn, runtime.schema)

    return reset


async def project(conn: Conn, schema: str, envelope: Envelope) -> None:
    """Write what one event changes; an event type reporting does not know is skipped."""
    try:
        event = parse_event(envelope.type, envelope.payload)
    except KeyError:
        log.info("an event type reporting does not know; skipped", event_type=envelope.type)
        return
    meta = EventMeta(
        event_id=envelope.event_id,
        service=envelope.source.removeprefix("hearth."),
        event_type=envelope.event_name,
        occurred_at=envelope.occurred_at,
        actor_role=envelope.actor.role.value,
    )
    await read_model.apply(conn, schema, changes(event, meta))
    if envelope.type in _ACCESS_TYPES:
        await _follow_access(conn, schema, event)


async def _follow_access(conn: Conn, schema: str, event: DomainEvent) -> None:
    case_id = getattr(event, "case_id", None)
    if case_id is None:
        return
    before = await read_model.case_access(conn, schema, case_id)
    after = follow(before, event)
    if after.opened:
        await read_model.save_access(conn, schema, after)


EVENTS = ConsumerSpec(
    name="events",
    topics=list(EVENT_TOPICS),
    handler=service_events,
    reset=forget_everything,
    opens_personal_data=False,
)
