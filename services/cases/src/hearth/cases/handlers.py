"""Running commands on a case: load → decide → append and update the read model, in one
transaction. Staff reads and commands go through the access rules first: a refused
attempt on a restricted case is recorded, committed, and then answered as unknown.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from uuid import UUID

from hearth.contracts.envelope import Actor, Envelope, Role
from hearth.contracts.events.case_values import RestrictedView
from hearth.eventstore.commands import execute
from hearth.eventstore.db import Conn
from hearth.eventstore.runtime import Runtime

from . import read_model
from .configuration import cases_config
from .domain.access import may_see, read_is_recorded
from .domain.case import decide
from .domain.commands import (
    ChangeCaseManager,
    Command,
    ReceiveReport,
    RecordRead,
    UpdatePeople,
)
from .domain.guards import CaseNotFound
from .domain.state import CaseState
from .events import fold_envelopes, stream_id

CASES_SYSTEM = Actor(id="hearth.cases", role=Role.SYSTEM)
"""The service itself, reacting to other services' events."""
SCHEDULER = Actor(id="hearth.cases.deadline-scheduler", role=Role.SYSTEM)


@dataclass(frozen=True)
class Outcome:
    """What a command appended and the case's state afterwards."""

    appended: list[Envelope]
    state: CaseState


@dataclass(frozen=True)
class CaseRead:
    """A case as read by a member of staff: its state and its whole stored history."""

    state: CaseState
    history: list[Envelope]


async def run_command(
    runtime: Runtime,
    conn: Conn,
    case_id: UUID,
    command: Command,
    *,
    correlation_id: UUID | None = None,
    causation_id: UUID | None = None,
    now: datetime | None = None,
) -> Outcome:
    """Decide and append in the caller's transaction, then write the read model."""
    config = cases_config(runtime)
    store = runtime.event_store
    moment = now or runtime.clock.now()
    if isinstance(command, ReceiveReport | ChangeCaseManager | UpdatePeople):
        command = replace(command, caseloads=await read_model.caseloads(conn, store.schema))
    loaded: list[CaseState] = []

    def load(history: Sequence[Envelope]) -> CaseState:
        state = fold_envelopes(history)
        loaded.append(state)
        return state

    appended = await execute(
        store,
        stream_id(case_id),
        subject=str(case_id),
        load=load,
        decide=lambda state: decide(command, state, moment, config.rules),
        actor=command.actor,
        occurred_at=moment,
        correlation_id=correlation_id or uuid.uuid4(),
        causation_id=causation_id,
        conn=conn,
    )
    state = fold_envelopes(appended, loaded[-1])
    if appended:
        await read_model.save(conn, store.schema, state)
    return Outcome(appended, state)


async def staff_command(runtime: Runtime, case_id: UUID, command: Command) -> Outcome:
    """A command from a member of staff, in its own transaction, behind the access rules."""
    store = runtime.event_store
    async with store.transaction() as conn:
        state = fold_envelopes(await store.read_stream(stream_id(case_id), conn=conn))
        refused = state.exists and not may_see(state, command.actor)
        if refused:
            if read_is_recorded(state, command.actor):
                attempt = RecordRead(command.actor, RestrictedView.SUMMARY, granted=False)
                await run_command(runtime, conn, case_id, attempt)
        else:
            outcome = await run_command(runtime, conn, case_id, command)
    if refused:
        raise CaseNotFound()
    return outcome


async def read_case(
    runtime: Runtime, case_id: UUID, actor: Actor, view: RestrictedView
) -> CaseRead:
    """The case for a member of staff; reads of restricted cases are recorded first."""
    store = runtime.event_store
    async with store.transaction() as conn:
        history = await store.read_stream(stream_id(case_id), conn=conn)
        state = fold_envelopes(history)
        if not state.exists:
            raise CaseNotFound()
        allowed = may_see(state, actor)
        if read_is_recorded(state, actor):
            outcome = await run_command(
                runtime, conn, case_id, RecordRead(actor, view, granted=allowed)
            )
            history = history + outcome.appended
            state = outcome.state
    if not allowed:
        raise CaseNotFound()
    return CaseRead(state, history)


async def list_cases(
    runtime: Runtime, actor: Actor, case_filter: read_model.CaseFilter
) -> list[dict[str, Any]]:
    """The cases the actor may see; each restricted one listed is a recorded read."""
    store = runtime.event_store
    async with store.transaction() as conn:
        rows = await read_model.list_cases(
            conn, store.schema, actor, runtime.clock.now(), case_filter
        )
        for row in rows:
            if row["restricted"]:
                read = RecordRead(actor, RestrictedView.SUMMARY, granted=True)
                await run_command(runtime, conn, row["case_id"], read)
    return rows
