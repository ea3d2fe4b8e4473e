"""Running commands on a case's referrals: load → decide → append and update the read
model, in one transaction; and learning what other services' events say of a case.

Each command is given what referrals knows of the case (`known_cases`) and, for a case
that repeats an earlier one, that case's last MARAC referral. Staff commands and reads
go through the access rule first (`hearth.eventstore.case_access`): a refused attempt on
a restricted case is recorded (`RestrictedReferralRecordRead`), committed, and answered
as an unknown case; every other staff read is recorded on the case's reads stream
(`ReferralRecordRead`). An erased case (cases' `CaseErased`) is read by nobody (404, its
MARAC document no longer produced) and every staff command on it is refused (409
`case_erased`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from uuid import UUID

from hearth.contracts.envelope import Actor, Envelope, Role
from hearth.contracts.events import parse_event
from hearth.contracts.events import risk as risk_events
from hearth.contracts.events.base import DomainEvent
from hearth.contracts.events.case_values import RestrictedView
from hearth.eventstore import commands
from hearth.eventstore.commands import Loaded, in_fresh_transaction
from hearth.eventstore.db import Conn
from hearth.eventstore.reads import record_read
from hearth.eventstore.runtime import Runtime
from hearth.referrals import read_model
from hearth.referrals.domain.commands import Command, Reassess, RecordRead
from hearth.referrals.domain.decider import referrals_decider, staff_read
from hearth.referrals.domain.guards import CaseNotFound
from hearth.referrals.domain.known import TRIGGERS, KnownCase, learn
from hearth.referrals.domain.state import ReferralsState, stream_id
from hearth.referrals.settings import referrals_config

REFERRALS_SYSTEM = Actor(id="hearth.referrals", role=Role.SYSTEM)
"""The service itself, reacting to other services' events."""
SCHEDULER = Actor(id="hearth.referrals.marac-action-scheduler", role=Role.SYSTEM)


@dataclass(frozen=True)
class Outcome:
    """What a command appended, the stream's state afterwards and the case as known."""

    appended: list[Envelope]
    state: ReferralsState
    known: KnownCase
    stream: Loaded[ReferralsState]
    """The stream as it is now, for a next command in the same transaction."""


@dataclass(frozen=True)
class ReferralsRead:
    """A case's referrals as read by a member of staff."""

    state: ReferralsState
    known: KnownCase
    history: list[Envelope]


class ReferralHandlers:
    """Referral commands, staff reads and consumed events on the service's PostgreSQL."""

    def __init__(self, runtime: Runtime) -> None:
        self.store = runtime.event_store
        self.schema = self.store.schema
        self.policy = referrals_config(runtime).policy
        self.clock = runtime.clock
        self.decider = referrals_decider(self.policy)

    async def load(self, conn: Conn, case_id: UUID) -> Loaded[ReferralsState]:
        return await commands.load_stream(self.store, self.decider, stream_id(case_id), conn=conn)

    async def _given(self, conn: Conn, command: Command, known: KnownCase) -> Command:
        earlier = None
        if known.repeat_of_case_id is not None:
            earlier = await read_model.earlier_referral(conn, self.schema, known.repeat_of_case_id)
        return replace(command, known=known, earlier_case_referral=earlier)

    async def run(
        self,
        conn: Conn,
        case_id: UUID,
        command: Command,
        *,
        known: KnownCase | None = None,
        correlation_id: UUID | None = None,
        causation_id: UUID | None = None,
        now: datetime | None = None,
        loaded: Loaded[ReferralsState] | None = None,
    ) -> Outcome:
        """Decide and append in the caller's transaction, then write the read model."""
        facts = (
            known if known is not None else await read_model.load_known(conn, self.schema, case_id)
        )
        given = await self._given(conn, command, facts)
        result = await commands.run_command(
            self.store,
            self.decider,
            stream_id(case_id),
            given,
            subject=str(case_id),
            actor=command.actor,
            now=now or self.clock.now(),
            correlation_id=correlation_id or uuid.uuid4(),
            causation_id=causation_id,
            conn=conn,
            loaded=loaded,
        )
        if result.appended:
            await read_model.save(conn, self.schema, result.after, facts)
        return Outcome(result.appended, result.after, facts, result.loaded)

    async def staff_command(self, case_id: UUID, command: Command) -> Outcome:
        """A command from a member of staff, in its own transaction, behind the access rule
        (afresh after a deadlock or a stale transaction: `in_fresh_transaction`)."""
        return await in_fresh_transaction(lambda: self._staff_command(case_id, command))

    async def _staff_command(self, case_id: UUID, command: Command) -> Outcome:
        async with self.store.transaction() as conn:
            known = await read_model.load_known(conn, self.schema, case_id)
            # An erased case is seen by nobody, but a command on it is answered with why it
            # is refused (409 `case_erased`, by the decider), as cases answers it.
            refused = known.opened and not known.erased and not known.may_see(command.actor)
            if refused:
                attempt = RecordRead(
                    actor=command.actor, view=RestrictedView.SUMMARY, granted=False
                )
                await self.run(conn, case_id, attempt, known=known)
            else:
                outcome = await self.run(conn, case_id, command, known=known)
        if refused:
            raise CaseNotFound()
        return outcome

    async def list_actions(
        self,
        actor: Actor,
        *,
        overdue: bool | None,
        completed: bool | None,
        limit: int,
        offset: int,
    ) -> list[dict[str, Any]]:
        """MARAC actions the actor may see; each restricted case listed is a recorded read.
        Its stream is locked first, in one order, so lists at once queue (never conflict or
        deadlock); afresh after a race with background work."""

        async def listed() -> list[dict[str, Any]]:
            async with self.store.transaction() as conn:
                rows = await read_model.list_actions(
                    conn,
                    self.schema,
                    actor,
                    overdue=overdue,
                    completed=completed,
                    limit=limit,
                    offset=offset,
                )
                restricted = sorted({r["case_id"] for r in rows if r["restricted"]}, key=str)
                for case_id in restricted:
                    await self.store.lock_stream(stream_id(case_id), conn=conn)
                for case_id in restricted:
                    read = RecordRead(actor=actor, view=RestrictedView.SUMMARY, granted=True)
                    await self.run(conn, case_id, read)
            return rows

        return await in_fresh_transaction(listed)

    async def read(self, case_id: UUID, actor: Actor, view: RestrictedView) -> ReferralsRead:
        """The case's referrals for a member of staff; every staff read is recorded before
        it is answered: a restricted case's on the referrals' stream (refused ones too),
        any other on the case's reads stream (`hearth.eventstore.reads`). A read that
        cannot be recorded raises, and nothing of the referrals is returned."""
        read = await in_fresh_transaction(lambda: self._read(case_id, actor, view))
        record = staff_read(read.known, actor, view, self.clock.now())
        if record is not None:
            await record_read(self.store, record, case_id=case_id, actor=actor, now=record.read_at)
        return read

    async def _read(self, case_id: UUID, actor: Actor, view: RestrictedView) -> ReferralsRead:
        async with self.store.transaction() as conn:
            known = await read_model.load_known(conn, self.schema, case_id)
            if not known.opened:
                raise CaseNotFound()
            allowed = known.may_see(actor)
            recorded = known.access.read_is_recorded(actor)
            if recorded:
                # Reads of one restricted case queue on its stream rather than conflict.
                await self.store.lock_stream(stream_id(case_id), conn=conn)
            loaded = await self.load(conn, case_id)
            state, history = loaded.state, loaded.history
            if recorded:
                read = RecordRead(actor=actor, view=view, granted=allowed)
                outcome = await self.run(conn, case_id, read, known=known, loaded=loaded)
                state = outcome.state
                history = [*history, *outcome.appended]
        if not allowed:
            raise CaseNotFound()
        return ReferralsRead(state, known, history)

    async def load_many(
        self, conn: Conn, case_ids: Iterable[UUID]
    ) -> dict[UUID, Loaded[ReferralsState]]:
        """Several cases' referral streams in one read."""
        ids = {stream_id(case_id): case_id for case_id in case_ids}
        loaded = await commands.load_streams(self.store, self.decider, ids, conn=conn)
        return {ids[stream]: case for stream, case in loaded.items()}

    async def learn_from(
        self, conn: Conn, envelope: Envelope, batch: ReferralsBatch | None = None
    ) -> Outcome | None:
        """What another service's event says of a case; the MARAC criteria decided again
        after a new report or assessment. Other events change nothing.

        With `batch`, the case is taken as the batch loaded (and locked) it, and kept
        current there for the batch's next event about it."""
        event = parse_event(envelope.type, envelope.payload)
        case_id = case_of(event)
        if case_id is None:
            return None
        known, loaded = batch.take(conn, case_id) if batch is not None else (None, None)
        try:
            if known is None:
                known = await read_model.load_known(conn, self.schema, case_id, for_update=True)
            after, outcome = await self._learn(conn, envelope, event, case_id, known, loaded)
        except BaseException:
            if batch is not None:
                batch.forget()
            raise
        if batch is not None:
            batch.keep(conn, case_id, after, outcome.stream if outcome is not None else loaded)
        return outcome

    async def _learn(
        self,
        conn: Conn,
        envelope: Envelope,
        event: DomainEvent,
        case_id: UUID,
        known: KnownCase,
        loaded: Loaded[ReferralsState] | None,
    ) -> tuple[KnownCase, Outcome | None]:
        threshold = None
        if isinstance(event, risk_events.DashCompleted):
            # Published by risk from its policy when it knows the instrument's threshold.
            raw = envelope.payload.get("visible_high_risk_at")
            threshold = raw if isinstance(raw, int) and raw > 0 else None
        after = learn(known, event, visible_high_risk_at=threshold)
        if after != known:
            await read_model.save_known(conn, self.schema, case_id, after, self.clock.now())
        if type(event) not in TRIGGERS or not after.opened:
            return after, None
        outcome = await self.run(
            conn,
            case_id,
            Reassess(actor=REFERRALS_SYSTEM),
            known=after,
            correlation_id=envelope.correlation_id,
            causation_id=envelope.event_id,
            loaded=loaded,
        )
        return after, outcome


def case_of(event: DomainEvent) -> UUID | None:
    """The case another service's event is about (none: not about one case)."""
    case_id = getattr(event, "case_id", None)
    return case_id if isinstance(case_id, UUID) else None


class ReferralsBatch:
    """What is known of a consumer batch's cases and their referral streams, loaded
    together and kept current as the batch's events are handled.

    `prefetch` takes every case's lock (the one `load_known(for_update=True)` takes, so
    cases' and risk's consumers still take turns per case) and reads what is known of
    them and their streams, one query each; `take` hands a case to the next event about
    it. What is kept belongs to the transaction that loaded it: it is used only on the
    same connection and forgotten as soon as a command fails (the transaction then rolls
    back, or the batch is redone event by event). A stream a staff command wrote in the
    meantime is safe: the append finds it moved on and the command is decided again on
    a fresh read. What is known is written only under the case's lock, held here.
    """

    def __init__(self) -> None:
        self._conn: object | None = None
        self._known: dict[UUID, KnownCase] = {}
        self._streams: dict[UUID, Loaded[ReferralsState]] = {}

    def forget(self) -> None:
        self._conn, self._known, self._streams = None, {}, {}

    async def prefetch(
        self, handlers: ReferralHandlers, conn: Conn, case_ids: Iterable[UUID]
    ) -> None:
        """Lock and load these cases, for the events this transaction will handle."""
        self.forget()
        ids = sorted(set(case_ids))
        if not ids:
            return
        known = await read_model.load_known_many(conn, handlers.schema, ids)
        streams = await handlers.load_many(conn, ids)
        self._conn, self._known, self._streams = conn, known, streams

    def take(
        self, conn: Conn, case_id: UUID
    ) -> tuple[KnownCase | None, Loaded[ReferralsState] | None]:
        """The case as kept for this transaction (None, None: read it afresh)."""
        if conn is not self._conn:
            return None, None
        return self._known.pop(case_id, None), self._streams.pop(case_id, None)

    def keep(
        self,
        conn: Conn,
        case_id: UUID,
        known: KnownCase,
        stream: Loaded[ReferralsState] | None,
    ) -> None:
        """The case as it is now, locked by this transaction, for its next event."""
        if conn is not self._conn:
            return
        self._known[case_id] = known
        if stream is not None:
            self._streams[case_id] = stream


def referral_handlers(runtime: Runtime) -> ReferralHandlers:
    return ReferralHandlers(runtime)
