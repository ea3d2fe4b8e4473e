"""What referrals does with other services' events.

- `hearth.cases.events`: the case's people, children, safe contact, the survivor's wishes
  about the perpetrator, restriction and closure, and each report as an incident, kept
  as what referrals knows of the case (`domain.known`); a new case, a new report, a
  reopening or a repeat of an earlier case identified decides the MARAC criteria again.
- `hearth.risk.events`: a completed DASH is the case's latest assessment, and the MARAC
  criteria are decided again (a referral due is shown, never sent by itself).

Each handler runs in the consumer's transaction: the inbox row, the known case, the
events appended and the read model commit together. A batch's cases are locked and
loaded together first (`ReferralEvents.prepare`, the consumer's per-batch hook): what is
known of them in one query and their referral streams in another, so each case is read
once per batch. Event types referrals does not use are skipped; a payload that does
not match its type is left to the consumer's retries and DLQ.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from uuid import UUID

import structlog

from hearth.contracts.envelope import Envelope
from hearth.contracts.events import cases, parse_event, risk
from hearth.contracts.events.base import DomainEvent
from hearth.eventstore.case_access import CASE_ACCESS_EVENTS
from hearth.eventstore.consumer import Handler, Prepare
from hearth.eventstore.db import Conn
from hearth.eventstore.runtime import Runtime
from hearth.referrals.handlers import (
    ReferralHandlers,
    ReferralsBatch,
    case_of,
    referral_handlers,
)

log = structlog.get_logger(__name__)

_CASES_EVENTS: tuple[type[DomainEvent], ...] = (
    *CASE_ACCESS_EVENTS,
    cases.ReportAddedToCase,
    cases.RepeatCaseIdentified,
    cases.SafeContactUpdated,
    cases.SurvivorWishesRecorded,
    cases.PersonErased,
)
CASES_TYPES = frozenset(t.event_type() for t in _CASES_EVENTS)
RISK_TYPES = frozenset({risk.DashCompleted.event_type(), risk.DashCompletedV1.event_type()})


def cases_events(runtime: Runtime) -> ReferralEvents:
    """Cases' events: what referrals knows of each case, and new reports as incidents."""
    return ReferralEvents(lambda: referral_handlers(runtime), CASES_TYPES)


def risk_events(runtime: Runtime) -> ReferralEvents:
    """Risk's completed assessments: the latest one of each case."""
    return ReferralEvents(lambda: referral_handlers(runtime), RISK_TYPES)


def cases_batches(runtime: Runtime) -> Prepare:
    """The cases consumer's per-batch preparation: its cases loaded together."""
    return cases_events(runtime).prepare


def risk_batches(runtime: Runtime) -> Prepare:
    """The risk consumer's per-batch preparation: its cases loaded together."""
    return risk_events(runtime).prepare


class ReferralEvents:
    """A consumer handler: other services' events of the given types, learnt case by case.

    Called directly it reads (and locks) each case it needs (the careful path, DLQ
    replays). `prepare(conn, envelopes)` locks and loads every case a batch concerns
    together (`ReferralsBatch`) and gives back a handler for that batch alone; a failed
    batch is redone event by event without it.
    """

    def __init__(self, handlers: Callable[[], ReferralHandlers], types: frozenset[str]) -> None:
        self._handlers = handlers
        self._types = types

    async def __call__(self, conn: Conn, envelope: Envelope) -> None:
        await self._handle(conn, envelope, None)

    async def prepare(self, conn: Conn, envelopes: Sequence[Envelope]) -> Handler | None:
        """Lock and load together the cases these events concern, in the batch's transaction."""
        case_ids: list[UUID] = []
        for envelope in envelopes:
            if envelope.type not in self._types:
                continue
            # An event that cannot be read is left for its own handling to report.
            with contextlib.suppress(Exception):
                case_id = case_of(parse_event(envelope.type, envelope.payload))
                if case_id is not None:
                    case_ids.append(case_id)
        if not case_ids:
            return None
        batch = ReferralsBatch()
        await batch.prefetch(self._handlers(), conn, case_ids)

        async def handle_in_batch(conn: Conn, envelope: Envelope) -> None:
            await self._handle(conn, envelope, batch)

        return handle_in_batch

    async def _handle(self, conn: Conn, envelope: Envelope, batch: ReferralsBatch | None) -> None:
        if envelope.type not in self._types:
            return
        outcome = await self._handlers().learn_from(conn, envelope, batch)
        if outcome is not None and outcome.appended:
            names = [e.event_name for e in outcome.appended]
            log.info("MARAC criteria decided", case_id=str(envelope.subject), events=names)
