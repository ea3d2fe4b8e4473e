"""Running commands on a case's risk record: load → decide → append and update the read
model, in one transaction, behind the same access rules as cases.

What risk knows of the case (seen open, open, who may see it) is its own projection of
cases' events (`read_model.case_access`), read in the command's transaction and given to
the decider with the command. A case risk has not seen is unknown (404). A restricted
case the caller is not named on is unknown too: the refused attempt is recorded
(`RestrictedRiskRecordRead`, access not granted), committed, and then answered 404.
Every granted read of a restricted case's record is recorded as well, and every other
staff read on the case's reads stream (`RiskRecordRead`). An erased case
(cases' `CaseErased`) is read by nobody (404) and refuses every command (409
`case_erased`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from uuid import UUID

from hearth.contracts.envelope import Actor, Envelope
from hearth.contracts.events.risk import RiskRecordView
from hearth.eventstore import commands
from hearth.eventstore.case_access import CaseAccess
from hearth.eventstore.clock import Clock
from hearth.eventstore.commands import Loaded, in_fresh_transaction
from hearth.eventstore.db import Conn
from hearth.eventstore.reads import record_read
from hearth.eventstore.runtime import Runtime
from hearth.eventstore.store import EventStore
from hearth.risk import read_model
from hearth.risk.domain.commands import Command, RecordRead
from hearth.risk.domain.decider import risk_decider, staff_read
from hearth.risk.domain.guards import CaseNotFound
from hearth.risk.domain.rules import RiskRules
from hearth.risk.domain.state import RiskState, stream_id
from hearth.risk.settings import risk_config


@dataclass(frozen=True)
class Outcome:
    """What a command appended and the risk record's state afterwards."""

    appended: list[Envelope]
    state: RiskState
    access: CaseAccess


@dataclass(frozen=True)
class RiskRead:
    """A case's risk record as read by a member of staff."""

    state: RiskState
    access: CaseAccess


class RiskHandlers:
    """Risk commands and staff reads on the service's store and read model."""

    def __init__(self, store: EventStore, rules: RiskRules, clock: Clock) -> None:
        self.store = store
        self.rules = rules
        self.clock = clock
        self.decider = risk_decider(rules)

    async def run(
        self, conn: Conn, command: Command, *, loaded: Loaded[RiskState] | None = None
    ) -> commands.CommandResult[RiskState]:
        """Decide and append in the caller's transaction, then write the risk summary."""
        now = self.clock.now()
        result = await commands.run_command(
            self.store,
            self.decider,
            stream_id(command.case_id),
            command,
            subject=str(command.case_id),
            actor=command.actor,
            now=now,
            correlation_id=uuid.uuid4(),
            conn=conn,
            loaded=loaded,
        )
        if result.appended:
            await read_model.save_summary(conn, self.store.schema, result.after, now)
        return result

    async def staff_command(self, command: Command) -> Outcome:
        """A command from a member of staff, in its own transaction, behind the access rules
        (afresh after a deadlock or a stale transaction: `in_fresh_transaction`)."""
        return await in_fresh_transaction(lambda: self._staff_command(command))

    async def _staff_command(self, command: Command) -> Outcome:
        actor = command.actor
        async with self.store.transaction() as conn:
            known = await read_model.case_access(conn, self.store.schema, command.case_id)
            if known is None:
                raise CaseNotFound()
            access, opened_at = known
            # An erased case is seen by nobody, but a command on it is answered with why it
            # is refused (409 `case_erased`, by the decider), as cases answers it.
            refused = not access.erased and not access.may_see(actor)
            if refused:
                if access.read_is_recorded(actor):
                    attempt = RecordRead(
                        actor,
                        command.case_id,
                        view=RiskRecordView.COMMAND,
                        granted=False,
                        access=access,
                    )
                    await self.run(conn, attempt)
            else:
                result = await self.run(
                    conn, replace(command, access=access, case_opened_at=opened_at)
                )
        if refused:
            raise CaseNotFound()
        return Outcome(result.appended, result.after, access)

    async def read_record(self, case_id: UUID, actor: Actor, view: RiskRecordView) -> RiskRead:
        """The case's risk record for a member of staff; every staff read is recorded
        before it is answered: a restricted case's on the risk record (refused ones too,
        then answered as unknown), any other on the case's reads stream
        (`hearth.eventstore.reads`). A read that cannot be recorded raises, and nothing of
        the record is returned."""
        read = await in_fresh_transaction(lambda: self._read_record(case_id, actor, view))
        record = staff_read(read.access, case_id, actor, view, self.clock.now())
        if record is not None:
            await record_read(self.store, record, case_id=case_id, actor=actor, now=record.read_at)
        return read

    async def _read_record(self, case_id: UUID, actor: Actor, view: RiskRecordView) -> RiskRead:
        async with self.store.transaction() as conn:
            known = await read_model.case_access(conn, self.store.schema, case_id)
            if known is None:
                raise CaseNotFound()
            access, _ = known
            allowed = access.may_see(actor)
            recorded = access.read_is_recorded(actor)
            if recorded:
                # Reads of one restricted case queue on its stream rather than conflict.
                await self.store.lock_stream(stream_id(case_id), conn=conn)
            loaded = await commands.load_stream(
                self.store, self.decider, stream_id(case_id), conn=conn
            )
            if recorded:
                read = RecordRead(actor, case_id, view=view, granted=allowed, access=access)
                loaded = (await self.run(conn, read, loaded=loaded)).loaded
        if not allowed:
            raise CaseNotFound()
        return RiskRead(loaded.state, access)


def risk_handlers(runtime: Runtime) -> RiskHandlers:
    """The handlers on the service's own PostgreSQL store and read model."""
    return RiskHandlers(runtime.event_store, risk_config(runtime).rules, runtime.clock)


async def staff_command(runtime: Runtime, command: Command) -> Outcome:
    """A command from a member of staff, in its own transaction, behind the access rules."""
    return await risk_handlers(runtime).staff_command(command)


async def read_record(
    runtime: Runtime, case_id: UUID, actor: Actor, view: RiskRecordView
) -> RiskRead:
    """The case's risk record for a member of staff (reads of restricted ones recorded)."""
    return await risk_handlers(runtime).read_record(case_id, actor, view)
