"""What risk does with other services' events.

- `hearth.cases.events`: the events that move who may see a case and whether it is open
  (`CASE_ACCESS_EVENTS`: opened, people updated, restricted, restriction lifted, closed,
  reopened) are folded into `case_access` (`hearth.eventstore.case_access.follow`), so
  risk refuses assessments on closed cases and hides restricted cases from exactly the
  staff cases hides them from. Every other event of cases is skipped.

Each event is handled in the consumer's transaction: the inbox row and the row written
commit together. `rebuild cases` empties `case_access` and replays cases' events.
"""

from __future__ import annotations

import structlog

from hearth.contracts.envelope import Envelope
from hearth.contracts.events import cases, parse_event
from hearth.eventstore.case_access import CASE_ACCESS_EVENTS, CaseAccess, follow
from hearth.eventstore.consumer import Handler, Reset
from hearth.eventstore.db import Conn
from hearth.eventstore.runtime import Runtime
from hearth.risk import read_model

log = structlog.get_logger(__name__)

_ACCESS_TYPES = frozenset(event.event_type() for event in CASE_ACCESS_EVENTS)


def case_events(runtime: Runtime) -> Handler:
    """Cases' events → what risk knows of each case (open, who may see it)."""

    async def handle(conn: Conn, envelope: Envelope) -> None:
        await follow_case(conn, runtime.event_store.schema, envelope)

    return handle


def forget_cases(runtime: Runtime) -> Reset:
    """Before a rebuild of the `cases` consumer: empty `case_access`."""

    async def reset(conn: Conn) -> None:
        await read_model.forget_access(conn, runtime.event_store.schema)

    return reset


async def follow_case(conn: Conn, schema: str, envelope: Envelope) -> None:
    """Fold one of cases' events into the case's access row (locked while it is moved)."""
    if envelope.type not in _ACCESS_TYPES:
        return
    event = parse_event(envelope.type, envelope.payload)
    case_id = getattr(event, "case_id", None)
    if case_id is None:
        return
    known = await read_model.case_access(conn, schema, case_id, for_update=True)
    access, opened_at = known if known is not None else (CaseAccess(), None)
    after = follow(access, event)
    if isinstance(event, cases.CaseOpened):
        opened_at = event.opened_at
    if not after.opened or opened_at is None:
        log.warning("event about a case risk has not seen open", case_id=str(case_id))
        return
    await read_model.save_access(conn, schema, after, opened_at)
    if isinstance(event, cases.CaseErased) and not access.erased:
        await read_model.note_erased(conn, schema, case_id, event.erased_at)
