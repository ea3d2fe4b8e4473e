"""What cases does with other services' events.

- `hearth.intake.events`: `ReportReceived` opens its case (or joins, or reopens it);
  `ReportLinkedToCase` records a repeat and the report's links to other cases, on the
  report's case and on each of the others; `CaseWithheldFromSubmitter` (intake kept a
  restricted case from a member of staff not named on it) is their refused read.
  Enquiries precede any case and are ignored.
- `hearth.risk.events`: a completed, declined or elsewhere-completed DASH meets the
  case's DASH deadline and any reassessment deadline; an assessment whose instrument
  sets a reassessment interval starts the next reassessment deadline.

Each handler runs in the consumer's transaction: the inbox row, the events appended and
the read model commit together. A batch's cases are loaded together first
(`CaseEvents.prepare`, the consumer's per-batch hook), so each case is read once per
batch. Event types this service does not act on are skipped; a payload that does not
match its type is left to the consumer's retries and DLQ.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from typing import Generic
from uuid import UUID

import structlog

from hearth.cases.domain.commands import (
    Command,
    MeetDashDeadline,
    ReceiveReport,
    RecordLink,
    RecordRelatedLink,
    RecordWithheldAnswer,
)
from hearth.cases.handlers import CASES_SYSTEM, CaseBatch, CaseHandlers, case_handlers
from hearth.contracts.envelope import Envelope
from hearth.contracts.events import intake, parse_event, risk
from hearth.contracts.events.case_values import DashOutcome
from hearth.eventstore.consumer import Handler, Prepare
from hearth.eventstore.db import Conn
from hearth.eventstore.runtime import Runtime
from hearth.eventstore.store import ConnT

log = structlog.get_logger(__name__)

_INTAKE_TYPES = frozenset(
    {
        intake.ReportReceived.event_type(),
        intake.ReportLinkedToCase.event_type(),
        intake.CaseWithheldFromSubmitter.event_type(),
    }
)
_RISK_TYPES = frozenset(
    {
        risk.DashCompleted.event_type(),
        risk.DashCompletedV1.event_type(),
        risk.DashDeclined.event_type(),
        risk.DashCompletedElsewhere.event_type(),
    }
)


def intake_events(runtime: Runtime) -> CaseEvents[Conn]:
    """Reports open cases; links record repeats."""
    return CaseEvents(lambda: case_handlers(runtime), intake_command)


def risk_events(runtime: Runtime) -> CaseEvents[Conn]:
    """DASH outcomes meet the DASH deadline."""
    return CaseEvents(lambda: case_handlers(runtime), risk_command)


def intake_batches(runtime: Runtime) -> Prepare:
    """The intake consumer's per-batch preparation: its cases loaded together."""
    return intake_events(runtime).prepare


def risk_batches(runtime: Runtime) -> Prepare:
    """The risk consumer's per-batch preparation: its cases loaded together."""
    return risk_events(runtime).prepare


CommandFor = Callable[[Envelope], list[tuple[UUID, Command]]]
"""The cases an event concerns and the command it causes on each (none: not for this
service), in the order they run."""


class CaseEvents(Generic[ConnT]):
    """A consumer handler that turns other services' events into case commands.

    Called directly it reads each case it needs (the careful path, DLQ replays).
    `prepare(conn, envelopes)` loads every case a batch concerns in one query and gives
    back a handler for that batch alone that decides on the loaded cases (see
    `CaseBatch`); a failed batch is redone event by event without them.
    """

    def __init__(
        self, handlers: Callable[[], CaseHandlers[ConnT]], command_for: CommandFor
    ) -> None:
        self._handlers = handlers
        self._command_for = command_for

    async def __call__(self, conn: ConnT, envelope: Envelope) -> None:
        await self._handle(conn, envelope, None)

    async def prepare(self, conn: ConnT, envelopes: Sequence[Envelope]) -> Handler:
        """Load together the cases these events concern, in the batch's transaction."""
        case_ids: list[UUID] = []
        for envelope in envelopes:
            # An event that cannot be read is left for its own handling to report.
            with contextlib.suppress(Exception):
                case_ids += [case_id for case_id, _ in self._command_for(envelope)]
        batch = CaseBatch()
        await batch.prefetch(self._handlers(), conn, case_ids)

        async def handle_in_batch(conn: ConnT, envelope: Envelope) -> None:
            await self._handle(conn, envelope, batch)

        return handle_in_batch  # type: ignore[return-value]

    async def _handle(self, conn: ConnT, envelope: Envelope, batch: CaseBatch | None) -> None:
        handlers = self._handlers()
        for case_id, command in self._command_for(envelope):
            await self._run(handlers, conn, envelope, batch, case_id, command)

    async def _run(
        self,
        handlers: CaseHandlers[ConnT],
        conn: ConnT,
        envelope: Envelope,
        batch: CaseBatch | None,
        case_id: UUID,
        command: Command,
    ) -> None:
        if batch is None:
            outcome = await handlers.run(
                conn,
                case_id,
                command,
                correlation_id=envelope.correlation_id,
                causation_id=envelope.event_id,
            )
        else:
            outcome = await batch.run(
                handlers,
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


def intake_command(envelope: Envelope) -> list[tuple[UUID, Command]]:
    """A report opens (or joins) its case; a link records a repeat and the links to other
    cases, on the report's case and then on each case it is linked to."""
    if envelope.type not in _INTAKE_TYPES:
        return []
    event = parse_event(envelope.type, envelope.payload)
    if isinstance(event, intake.ReportReceived):
        return [(event.case_id, ReceiveReport(CASES_SYSTEM, event))]
    if isinstance(event, intake.CaseWithheldFromSubmitter):
        # The member of staff intake kept the case from: their refused read.
        return [(event.case_id, RecordWithheldAnswer(envelope.actor, event.withheld_at))]
    assert isinstance(event, intake.ReportLinkedToCase)
    commands: list[tuple[UUID, Command]] = [(event.case_id, RecordLink(CASES_SYSTEM, event))]
    commands += [
        (related.case_id, RecordRelatedLink(CASES_SYSTEM, event, related))
        for related in event.related_cases
    ]
    return commands


def risk_command(envelope: Envelope) -> list[tuple[UUID, Command]]:
    """A DASH outcome meets the case's DASH deadline."""
    if envelope.type not in _RISK_TYPES:
        return []
    event = parse_event(envelope.type, envelope.payload)
    command: MeetDashDeadline
    if isinstance(event, risk.DashCompleted):
        command = MeetDashDeadline(
            CASES_SYSTEM,
            event.completed_at,
            DashOutcome.COMPLETED,
            event.assessment_id,
            reassessment_due_at=event.reassessment_due_at,
        )
    elif isinstance(event, risk.DashDeclined):
        command = MeetDashDeadline(CASES_SYSTEM, event.declined_at, DashOutcome.DECLINED)
    else:
        assert isinstance(event, risk.DashCompletedElsewhere)
        command = MeetDashDeadline(CASES_SYSTEM, event.recorded_at, DashOutcome.COMPLETED_ELSEWHERE)
    return [(event.case_id, command)]
