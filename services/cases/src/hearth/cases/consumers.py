"""What cases does with other services' events.

- `hearth.intake.events`: `ReportReceived` opens its case (or joins, or reopens it);
  `ReportLinkedToCase` records a repeat. Enquiries precede any case and are ignored.
- `hearth.risk.events`: a completed, declined or elsewhere-completed DASH meets the
  case's DASH deadline.

Each handler runs in the consumer's transaction: the inbox row, the events appended and
the read model commit together. Event types this service does not act on are skipped;
a payload that does not match its type is left to the consumer's retries and DLQ.
"""

from __future__ import annotations

from uuid import UUID

import structlog

from hearth.contracts.envelope import Envelope
from hearth.contracts.events import intake, parse_event, risk
from hearth.contracts.events.case_values import DashOutcome
from hearth.eventstore.consumer import Handler
from hearth.eventstore.db import Conn
from hearth.eventstore.runtime import Runtime

from .domain.commands import Command, MeetDashDeadline, ReceiveReport, RecordLink
from .handlers import CASES_SYSTEM, run_command

log = structlog.get_logger(__name__)

_INTAKE_TYPES = frozenset(
    {intake.ReportReceived.event_type(), intake.ReportLinkedToCase.event_type()}
)
_RISK_TYPES = frozenset(
    {
        risk.DashCompleted.event_type(),
        risk.DashCompletedV1.event_type(),
        risk.DashDeclined.event_type(),
        risk.DashCompletedElsewhere.event_type(),
    }
)


def intake_events(runtime: Runtime) -> Handler:
    """Reports open cases; links record repeats."""

    async def handle(conn: Conn, envelope: Envelope) -> None:
        if envelope.type not in _INTAKE_TYPES:
            return
        event = parse_event(envelope.type, envelope.payload)
        command: Command
        if isinstance(event, intake.ReportReceived):
            command = ReceiveReport(CASES_SYSTEM, event)
        else:
            assert isinstance(event, intake.ReportLinkedToCase)
            command = RecordLink(CASES_SYSTEM, event)
        await _run(runtime, conn, event.case_id, command, envelope)

    return handle


def risk_events(runtime: Runtime) -> Handler:
    """DASH outcomes meet the DASH deadline."""

    async def handle(conn: Conn, envelope: Envelope) -> None:
        if envelope.type not in _RISK_TYPES:
            return
        event = parse_event(envelope.type, envelope.payload)
        command: MeetDashDeadline
        if isinstance(event, risk.DashCompleted):
            command = MeetDashDeadline(
                CASES_SYSTEM, event.completed_at, DashOutcome.COMPLETED, event.assessment_id
            )
        elif isinstance(event, risk.DashDeclined):
            command = MeetDashDeadline(CASES_SYSTEM, event.declined_at, DashOutcome.DECLINED)
        else:
            assert isinstance(event, risk.DashCompletedElsewhere)
            command = MeetDashDeadline(
                CASES_SYSTEM, event.recorded_at, DashOutcome.COMPLETED_ELSEWHERE
            )
        await _run(runtime, conn, event.case_id, command, envelope)

    return handle


async def _run(
    runtime: Runtime, conn: Conn, case_id: UUID, command: Command, envelope: Envelope
) -> None:
    outcome = await run_command(
        runtime,
        conn,
        case_id,
        command,
        correlation_id=envelope.correlation_id,
        causation_id=envelope.event_id,
    )
    if not outcome.state.exists:
        log.warning("event about a case this service does not know", case_id=str(case_id))
    elif outcome.appended:
        names = [e.event_name for e in outcome.appended]
        level = log.info if "CaseOpened" in names or "CaseReopened" in names else log.debug
        level("case updated from another service's event", case_id=str(case_id), events=names)
