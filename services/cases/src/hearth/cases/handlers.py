"""Running commands on a case: load → decide → append and update the read model, in one
transaction. Staff reads and commands go through the access rules first: a refused
attempt on a restricted case is recorded, committed, and then answered as unknown.

Each command reads and folds the case's stream once: the access check and the command
share what was loaded, and the state after is the appended events folded onto it.
`CaseHandlers` does the work against any event store and read model (the in-memory store
in tests); the module's functions run it on the service's PostgreSQL store and tables.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar
from uuid import UUID

from hearth.cases import read_model
from hearth.cases.domain.access import may_see, read_is_recorded, staff_read
from hearth.cases.domain.commands import (
    ChangeCaseManager,
    Command,
    ReceiveReport,
    RecordRead,
    UpdatePeople,
)
from hearth.cases.domain.decider import case_decider
from hearth.cases.domain.guards import CaseNotFound
from hearth.cases.domain.rules import CaseRules
from hearth.cases.domain.state import CaseState, stream_id
from hearth.cases.settings import cases_config
from hearth.contracts.envelope import Actor, Envelope, Role
from hearth.contracts.events.case_values import RestrictedView
from hearth.contracts.events.cases import CaseErased, PersonErased
from hearth.eventstore import commands
from hearth.eventstore.clock import Clock
from hearth.eventstore.commands import Loaded, in_fresh_transaction
from hearth.eventstore.db import Conn
from hearth.eventstore.personal_data import KeyStore
from hearth.eventstore.reads import ReadStore, record_read
from hearth.eventstore.runtime import Runtime
from hearth.eventstore.store import ConnT, StreamStore

CASES_SYSTEM = Actor(id="hearth.cases", role=Role.SYSTEM)
"""The service itself, reacting to other services' events."""
SCHEDULER = Actor(id="hearth.cases.deadline-scheduler", role=Role.SYSTEM)

_ConnT_contra = TypeVar("_ConnT_contra", contravariant=True)

# Commands that choose a case manager, and so need each manager's open cases.
_NEEDS_CASELOADS = (ReceiveReport, ChangeCaseManager, UpdatePeople)


@dataclass(frozen=True)
class Outcome:
    """What a command appended and the case's state afterwards."""

    appended: list[Envelope]
    state: CaseState
    stream: Loaded[CaseState]
    """The case as it is now (its history with the appended events), for a next command."""


@dataclass(frozen=True)
class CaseRead:
    """A case as read by a member of staff: its state and its whole stored history."""

    state: CaseState
    history: list[Envelope]


class CaseShredder(Protocol[_ConnT_contra]):
    """Erasure's part outside the event store: destroy a case's keys, or one person's key
    on it, in the caller's transaction (so the keys go with the `CaseErased` or
    `PersonErased` event, or not at all)."""

    async def destroy_case(self, conn: _ConnT_contra, case_id: UUID, *, reason: str) -> int: ...

    async def destroy_person(
        self, conn: _ConnT_contra, case_id: UUID, person_id: UUID, *, reason: str
    ) -> int: ...


class ErasureUnavailable(Exception):
    """A case is to be erased where no key store is configured: refused, nothing written."""

    message_is_safe = True


class CaseRecords(Protocol[_ConnT_contra]):
    """The read model as commands keep it: caseloads to choose from, and each case saved."""

    async def caseloads(self, conn: _ConnT_contra) -> Mapping[str, int]: ...

    async def save(self, conn: _ConnT_contra, state: CaseState) -> None: ...


@dataclass(frozen=True)
class SqlCaseShredder:
    """The runtime's key store (`hearth.eventstore.personal_data`): the one every append
    encrypts with, so destroying a case's keys there makes its personal data unreadable."""

    key_store: KeyStore | None

    async def destroy_case(self, conn: Conn, case_id: UUID, *, reason: str) -> int:
        if self.key_store is None:
            raise ErasureUnavailable("erasing a case needs the key store: none is configured here")
        return await self.key_store.destroy_case(case_id, reason=reason, conn=conn)

    async def destroy_person(
        self, conn: Conn, case_id: UUID, person_id: UUID, *, reason: str
    ) -> int:
        if self.key_store is None:
            raise ErasureUnavailable(
                "erasing a person needs the key store: none is configured here"
            )
        return await self.key_store.destroy_person(case_id, person_id, reason=reason, conn=conn)


def erasure_reason(erased: CaseErased | PersonErased) -> str:
    """The key store's one line on why the keys went: codes and the policy or the request,
    never a person."""
    if isinstance(erased, PersonErased):
        return f"{erased.basis.value}: {erased.reason.value} (request {erased.request_id})"
    return (
        f"{erased.basis.value}: {erased.reason.value} "
        f"({erased.retention_policy}, {erased.retention_years} years after closure)"
    )


@dataclass(frozen=True)
class SqlCaseRecords:
    """The service's PostgreSQL read model (`read_model`), in schema `schema`."""

    schema: str

    async def caseloads(self, conn: Conn) -> Mapping[str, int]:
        return await read_model.caseloads(conn, self.schema)

    async def save(self, conn: Conn, state: CaseState) -> None:
        await read_model.save(conn, self.schema, state)


class CaseStore(StreamStore[ConnT], ReadStore[ConnT], Protocol[ConnT]):
    """An event store that commands run on and staff reads are recorded in."""


class CaseHandlers(Generic[ConnT]):
    """Case commands and staff reads against an event store and the read model it feeds."""

    def __init__(
        self,
        store: CaseStore[ConnT],
        records: CaseRecords[ConnT],
        rules: CaseRules,
        clock: Clock,
        shredder: CaseShredder[ConnT] | None = None,
    ) -> None:
        self.store = store
        self.records = records
        self.clock = clock
        self.decider = case_decider(rules)
        self.shredder = shredder

    async def load(self, conn: ConnT, case_id: UUID) -> Loaded[CaseState]:
        """The case's stream, read and folded."""
        return await commands.load_stream(self.store, self.decider, stream_id(case_id), conn=conn)

    async def load_many(
        self, conn: ConnT, case_ids: Iterable[UUID]
    ) -> dict[UUID, Loaded[CaseState]]:
        """Several cases in one read."""
        ids = {stream_id(case_id): case_id for case_id in case_ids}
        loaded = await commands.load_streams(self.store, self.decider, ids, conn=conn)
        return {ids[stream]: case for stream, case in loaded.items()}

    async def run(
        self,
        conn: ConnT,
        case_id: UUID,
        command: Command,
        *,
        correlation_id: UUID | None = None,
        causation_id: UUID | None = None,
        now: datetime | None = None,
        loaded: Loaded[CaseState] | None = None,
    ) -> Outcome:
        """Decide and append in the caller's transaction, then write the read model.

        `loaded` is the case as the caller already read it in this transaction.
        """
        moment = now or self.clock.now()
        if isinstance(command, _NEEDS_CASELOADS):
            command = replace(command, caseloads=await self.records.caseloads(conn))
        result = await commands.run_command(
            self.store,
            self.decider,
            stream_id(case_id),
            command,
            subject=str(case_id),
            actor=command.actor,
            now=moment,
            correlation_id=correlation_id or uuid.uuid4(),
            causation_id=causation_id,
            conn=conn,
            loaded=loaded,
        )
        if result.appended:
            await self._shred(conn, case_id, result.appended, result.after)
            await self.records.save(conn, result.after)
        return Outcome(result.appended, result.after, result.loaded)

    async def _shred(
        self, conn: ConnT, case_id: UUID, appended: list[Envelope], after: CaseState
    ) -> None:
        """A `CaseErased` just appended destroys the case's keys in this transaction; a
        `PersonErased`, that person's key on the case."""
        names = {e.event_name for e in appended}
        erased = after.erasure
        people = [
            after.erased_people[person_id]
            for person_id in _erased_person_ids(appended)
            if person_id in after.erased_people
        ]
        if not people and (erased is None or "CaseErased" not in names):
            return
        if self.shredder is None:
            raise ErasureUnavailable("erasing needs the key store: none is configured here")
        for person in people:
            await self.shredder.destroy_person(
                conn, case_id, person.person_id, reason=erasure_reason(person)
            )
        if erased is not None and "CaseErased" in names:
            await self.shredder.destroy_case(conn, case_id, reason=erasure_reason(erased))

    async def staff_command(self, case_id: UUID, command: Command) -> Outcome:
        """A command from a member of staff, in its own transaction, behind the access rules.

        A deadlock (PostgreSQL chose this transaction to give way, e.g. to a consumer
        batch moving case managers' caseloads in another order) runs it again afresh, and
        so does a stale transaction (the scheduler or a consumer appended to the case
        after this transaction began: only a new transaction may append after it).
        """
        return await in_fresh_transaction(lambda: self._staff_command(case_id, command))

    async def _staff_command(self, case_id: UUID, command: Command) -> Outcome:
        async with self.store.transaction() as conn:
            loaded = await self.load(conn, case_id)
            state = loaded.state
            # An erased case is seen by nobody, but a command on it is answered with why
            # it is refused (409 `case_erased`), not as if the case never existed.
            refused = state.exists and not state.erased and not may_see(state, command.actor)
            if refused:
                if read_is_recorded(state, command.actor):
                    attempt = RecordRead(command.actor, RestrictedView.SUMMARY, granted=False)
                    await self.run(conn, case_id, attempt, loaded=loaded)
            else:
                outcome = await self.run(conn, case_id, command, loaded=loaded)
        if refused:
            raise CaseNotFound()
        return outcome

    async def read_case(self, case_id: UUID, actor: Actor, view: RestrictedView) -> CaseRead:
        """The case for a member of staff; every staff read is recorded before it is
        answered: a restricted case's on the case (refused ones too), any other on the
        case's reads stream (`hearth.eventstore.reads`). A read that cannot be recorded
        raises, and nothing of the case is returned."""
        read = await in_fresh_transaction(lambda: self._read_case(case_id, actor, view))
        record = staff_read(read.state, actor, view, self.clock.now())
        if record is not None:
            await record_read(self.store, record, case_id=case_id, actor=actor, now=record.read_at)
        return read

    async def _read_case(self, case_id: UUID, actor: Actor, view: RestrictedView) -> CaseRead:
        async with self.store.transaction() as conn:
            # Reads of one case queue on its stream: a restricted case's read is appended
            # to it, and reads at once would otherwise race to append (answered 409). The
            # lock comes first, so the case is read (and folded) once, after the holder.
            await self.store.lock_stream(stream_id(case_id), conn=conn)
            loaded = await self.load(conn, case_id)
            if not loaded.state.exists:
                raise CaseNotFound()
            allowed = may_see(loaded.state, actor)
            if read_is_recorded(loaded.state, actor):
                read = RecordRead(actor, view, granted=allowed)
                loaded = (await self.run(conn, case_id, read, loaded=loaded)).stream
        if not allowed:
            raise CaseNotFound()
        return CaseRead(loaded.state, loaded.history)

    async def record_reads(
        self, conn: ConnT, case_ids: Iterable[UUID], actor: Actor, view: RestrictedView
    ) -> None:
        """Granted reads of several cases, recorded in the caller's transaction. Their
        streams are locked first, in one order (so two lists queue, never deadlock), and
        then read: concurrent reads of a case wait for each other rather than conflict."""
        wanted = sorted(set(case_ids), key=str)
        for case_id in wanted:
            await self.store.lock_stream(stream_id(case_id), conn=conn)
        cases = await self.load_many(conn, wanted)
        for case_id, loaded in cases.items():
            read = RecordRead(actor, view, granted=True)
            await self.run(conn, case_id, read, loaded=loaded)


def _erased_person_ids(appended: list[Envelope]) -> list[UUID]:
    return [UUID(str(e.payload["person_id"])) for e in appended if e.event_name == "PersonErased"]


def case_handlers(runtime: Runtime) -> CaseHandlers[Conn]:
    """The handlers on the service's own PostgreSQL store and read model."""
    store = runtime.event_store
    config = cases_config(runtime)
    shredder = SqlCaseShredder(runtime.key_store)
    return CaseHandlers(store, SqlCaseRecords(store.schema), config.rules, runtime.clock, shredder)


async def run_command(
    runtime: Runtime,
    conn: Conn,
    case_id: UUID,
    command: Command,
    *,
    correlation_id: UUID | None = None,
    causation_id: UUID | None = None,
    now: datetime | None = None,
    loaded: Loaded[CaseState] | None = None,
) -> Outcome:
    """Decide and append in the caller's transaction, then write the read model."""
    return await case_handlers(runtime).run(
        conn,
        case_id,
        command,
        correlation_id=correlation_id,
        causation_id=causation_id,
        now=now,
        loaded=loaded,
    )


async def staff_command(runtime: Runtime, case_id: UUID, command: Command) -> Outcome:
    """A command from a member of staff, in its own transaction, behind the access rules."""
    return await case_handlers(runtime).staff_command(case_id, command)


async def read_case(
    runtime: Runtime, case_id: UUID, actor: Actor, view: RestrictedView
) -> CaseRead:
    """The case for a member of staff; reads of restricted cases are recorded first."""
    return await case_handlers(runtime).read_case(case_id, actor, view)


async def visible_cases(
    runtime: Runtime, actor: Actor, case_ids: Iterable[UUID]
) -> frozenset[UUID]:
    """Which of these cases (another case's links, say) the actor may see."""
    wanted = set(case_ids)
    if not wanted:
        return frozenset()
    store = runtime.event_store
    async with store.transaction() as conn:
        return await read_model.visible_case_ids(conn, store.schema, actor, wanted)


async def caseloads(runtime: Runtime) -> dict[str, int]:
    """Open cases per case manager, as the read model keeps them."""
    store = runtime.event_store
    async with store.transaction() as conn:
        return await read_model.caseloads(conn, store.schema)


async def list_cases(
    runtime: Runtime, actor: Actor, case_filter: read_model.CaseFilter
) -> list[dict[str, Any]]:
    """The cases the actor may see; each restricted one listed is a recorded read."""
    handlers = case_handlers(runtime)
    store = runtime.event_store

    async def listed() -> list[dict[str, Any]]:
        async with store.transaction() as conn:
            rows = await read_model.list_cases(conn, store.schema, actor, case_filter)
            restricted = [row["case_id"] for row in rows if row["restricted"]]
            await handlers.record_reads(conn, restricted, actor, RestrictedView.SUMMARY)
        return rows

    return await in_fresh_transaction(listed)


class CaseBatch:
    """Cases loaded together for one consumer batch, kept current as its events are handled.

    `prefetch` reads every case a batch's events concern in one query; `run` decides each
    command on the kept case, so a batch reads each case once however many of its events
    concern it. What is kept belongs to the transaction that loaded it: it is used only on
    the same connection, and forgotten as soon as a command fails (the transaction is then
    rolled back, or the batch redone event by event). A case another writer changed in
    the meantime is safe too: the append finds the stream moved on, and the command is
    decided again on a fresh read.
    """

    def __init__(self) -> None:
        self._conn: object | None = None
        self._cases: dict[UUID, Loaded[CaseState]] = {}

    def forget(self) -> None:
        self._conn, self._cases = None, {}

    async def prefetch(
        self, handlers: CaseHandlers[ConnT], conn: ConnT, case_ids: Iterable[UUID]
    ) -> None:
        """Load these cases in one query, for the commands this transaction will run."""
        self.forget()
        cases = await handlers.load_many(conn, case_ids)
        self._conn, self._cases = conn, cases

    async def run(
        self,
        handlers: CaseHandlers[ConnT],
        conn: ConnT,
        case_id: UUID,
        command: Command,
        *,
        correlation_id: UUID | None = None,
        causation_id: UUID | None = None,
    ) -> Outcome:
        """`CaseHandlers.run`, on the case as kept for this transaction when there is one."""
        kept = conn is self._conn
        loaded = self._cases.pop(case_id, None) if kept else None
        try:
            outcome = await handlers.run(
                conn,
                case_id,
                command,
                correlation_id=correlation_id,
                causation_id=causation_id,
                loaded=loaded,
            )
        except BaseException:
            self.forget()
            raise
        if kept:
            self._cases[case_id] = outcome.stream
        return outcome
