"""What referrals does with other services' events.

- `hearth.cases.events`: the case's people, children, safe contact, the survivor's wishes
  about the perpetrator, restriction and closure, and each report as an incident, kept
  as what referrals knows of the case (`domain.known`); a new case, a new report, a
  reopening or a repeat of an earlier case identified decides the MARAC criteria again.
- `hearth.risk.events`: a completed DASH is the case's latest assessment, and the MARAC
  criteria are decided again (a referral due is shown, never sent by itself).

Each handler runs in the consumer's transaction: the inbox row, the known case, the
events appended and the read model commit together. Event types referrals does not
use are skipped; a payload that does not match its type is left to the consumer's
retries and DLQ.
"""

from __future__ import annotations

import structlog

from hearth.contracts.envelope import Envelope
from hearth.contracts.events import cases, risk
from hearth.contracts.events.base import DomainEvent
from hearth.eventstore.case_access import CASE_ACCESS_EVENTS
from hearth.eventstore.consumer import Handler
from hearth.eventstore.db import Conn
from hearth.eventstore.runtime import Runtime
from hearth.referrals.handlers import referral_handlers

log = structlog.get_logger(__name__)

_CASES_EVENTS: tuple[type[DomainEvent], ...] = (
    *CASE_ACCESS_EVENTS,
    cases.ReportAddedToCase,
    cases.RepeatCaseIdentified,
    cases.SafeContactUpdated,
    cases.SurvivorWishesRecorded,
)
CASES_TYPES = frozenset(t.event_type() for t in _CASES_EVENTS)
RISK_TYPES = frozenset({risk.DashCompleted.event_type(), risk.DashCompletedV1.event_type()})


def cases_events(runtime: Runtime) -> Handler:
    """Cases' events: what referrals knows of each case, and new reports as incidents."""
    return _handler(runtime, CASES_TYPES)


def risk_events(runtime: Runtime) -> Handler:
    """Risk's completed assessments: the latest one of each case."""
    return _handler(runtime, RISK_TYPES)


def _handler(runtime: Runtime, types: frozenset[str]) -> Handler:
    async def handle(conn: Conn, envelope: Envelope) -> None:
        if envelope.type not in types:
            return
        outcome = await referral_handlers(runtime).learn_from(conn, envelope)
        if outcome is not None and outcome.appended:
            names = [e.event_name for e in outcome.appended]
            log.info("MARAC criteria decided", case_id=str(envelope.subject), events=names)

    return handle
