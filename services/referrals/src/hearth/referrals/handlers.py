"""Running commands on a case's referrals: load → decide → append and update the read
model, in one transaction; and learning what other services' events say of a case.

Each command is given what referrals knows of the case (`known_cases`) and, for a case
that repeats an earlier one, that case's last MARAC referral. Staff commands and reads
go through the access rule first (`hearth.eventstore.case_access`): a refused attempt on
a restricted case is recorded (`RestrictedReferralRecordRead`), committed, and answered
as an unknown case.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from hearth.contracts.envelope import Actor, Envelope, Role
from hearth.contracts.events import parse_event
from hearth.contracts.events import risk as risk_events
from hearth.contracts.events.case_values import RestrictedView
from hearth.eventstore import commands
from hearth.eventstore.commands import Loaded
from hearth.eventstore.db import Conn
from hearth.eventstore.runtime import Runtime
from hearth.referrals import read_model
from hearth.referrals.domain.commands import Command, Reassess, RecordRead
from hearth.referrals.domain.decider import referrals_decider
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
        return Outcome(result.appended, result.after, facts)

    async def staff_command(self, case_id: UUID, command: Command) -> Outcome:
        """A command from a member of staff, in its own transaction, behind the access rule."""
        async with self.store.transaction() as conn:
            known = await read_model.load_known(conn, self.schema, case_id)
            refused = known.opened and not known.may_see(command.actor)
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

    async def read(self, case_id: UUID, actor: Actor, view: RestrictedView) -> ReferralsRead:
        """The case's referrals for a member of staff; reads of restricted cases are recorded."""
        async with self.store.transaction() as conn:
            known = await read_model.load_known(conn, self.schema, case_id)
            if not known.opened:
                raise CaseNotFound()
            allowed = known.may_see(actor)
            loaded = await self.load(conn, case_id)
            state, history = loaded.state, loaded.history
            if known.access.read_is_recorded(actor):
                read = RecordRead(actor=actor, view=view, granted=allowed)
                outcome = await self.run(conn, case_id, read, known=known, loaded=loaded)
                state = outcome.state
                history = [*history, *outcome.appended]
        if not allowed:
            raise CaseNotFound()
        return ReferralsRead(state, known, history)

    async def learn_from(self, conn: Conn, envelope: Envelope) -> Outcome | None:
        """What another service's event says of a case; the MARAC criteria decided again
        after a new report or assessment. Other events change nothing."""
        event = parse_event(envelope.type, envelope.payload)
        case_id = getattr(event, "case_id", None)
        if not isinstance(case_id, UUID):
            return None
        known = await read_model.load_known(conn, self.schema, case_id, for_update=True)
        threshold = None
        if isinstance(event, risk_events.DashCompleted):
            # Published by risk from its policy when it knows the instrument's threshold.
            raw = envelope.payload.get("visible_high_risk_at")
            threshold = raw if isinstance(raw, int) and raw > 0 else None
        after = learn(known, event, visible_high_risk_at=threshold)
        if after != known:
            await read_model.save_known(conn, self.schema, case_id, after, self.clock.now())
        if type(event) not in TRIGGERS or not after.opened:
            return None
        return await self.run(
            conn,
            case_id,
            Reassess(actor=REFERRALS_SYSTEM),
            known=after,
            correlation_id=envelope.correlation_id,
            causation_id=envelope.event_id,
        )


def referral_handlers(runtime: Runtime) -> ReferralHandlers:
    return ReferralHandlers(runtime)
