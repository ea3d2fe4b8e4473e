"""The case summary and deadlines tables: written with each append, rebuilt from events.

`save` writes one case's rows from its state, in the caller's transaction, so the read
model never disagrees with the events it came from. `rebuild` replays the event store
into empty tables; the result equals what the appends wrote.

The rows hold what the domain decided, not the inputs to recompute it in SQL: each
deadline's status (`deadline_status`, as of the case's last event; a deadline that passes
unnoticed turns overdue when the scheduler records it, which saves the case again) and
who may see the case (`visibility`: everyone or the staff named, never those involved).

An erased case (`CaseErased`) keeps its row with dates, statuses and categories, its
`erased_at`, and its visibility as nobody's (no staff id of anyone involved); a rebuild
writes the same. `closed_before` is the retention sweep's work list.

`caseloads` holds the open cases per case manager, kept by `save` from the difference
between a case's stored `caseload_of` and its new one, in the same transaction: choosing
a case manager reads one row per member of staff, however many cases there are.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from hearth.cases.domain.access import visibility
from hearth.cases.domain.deadlines import DeadlineStatus, deadline_status
from hearth.cases.domain.state import CaseState, fold_envelopes
from hearth.contracts.envelope import Actor, Role
from hearth.eventstore.db import Conn, check_schema_name
from hearth.eventstore.store import EventStore

_SUMMARY_COLUMNS = (
    "case_id",
    "version",
    "status",
    "episode",
    "reported_at",
    "opened_at",
    "closed_at",
    "channel",
    "immediate_danger",
    "repeat",
    "closure_requested",
    "case_manager_id",
    "preferred_gender",
    "preference_met",
    "preference_unmet",
    "restricted",
    "visible_to_everyone",
    "visible_to",
    "hidden_from",
    "overdue",
    "caseload_of",
    "timescale_policy",
    "updated_at",
    "identify_survivor",
    "erased_at",
    "closure_requested_by",
    "closure_requested_at",
    "closure_request_reason",
    "closure_request_has_notes",
)
_SUMMARY_UPDATES = ", ".join(f"{c} = EXCLUDED.{c}" for c in _SUMMARY_COLUMNS[1:])


async def save(conn: Conn, schema: str, state: CaseState) -> None:
    """Write the case's summary row and its deadlines from its state, and move the case
    between case managers' caseloads if it changed hands, closed or reopened."""
    if not state.exists or state.case_id is None or state.opened is None:
        return
    s = check_schema_name(schema)
    # Locked, so the caseloads always equal the summary rows, whatever else runs at once.
    counted_in = await conn.fetchval(
        f"SELECT caseload_of FROM {s}.case_summary WHERE case_id = $1 FOR UPDATE",
        state.case_id,
    )
    seen_by = visibility(state)
    # As of the last event, so that a rebuild writes exactly what the appends wrote.
    as_of = state.last_recorded_at or state.opened.opened_at
    statuses = {key: deadline_status(d, as_of) for key, d in state.deadlines.items()}
    await conn.execute(
        f"""INSERT INTO {s}.case_summary ({", ".join(_SUMMARY_COLUMNS)})
            VALUES ({", ".join(f"${i}" for i in range(1, len(_SUMMARY_COLUMNS) + 1))})
            ON CONFLICT (case_id) DO UPDATE SET {_SUMMARY_UPDATES}""",
        state.case_id,
        state.version,
        state.status.value,
        state.episode,
        state.opened.reported_at,
        state.opened.opened_at,
        state.closure.closed_at if state.closure else None,
        state.opened.channel.value,
        state.opened.immediate_danger or any(r.immediate_danger for r in state.further_reports),
        state.repeat is not None,
        state.pending_closure is not None,
        state.case_manager.staff_id if state.case_manager else None,
        state.preferred_gender.value if state.preferred_gender else None,
        state.preference_met,
        state.preference_unmet,
        state.restricted,
        seen_by.everyone,
        sorted(seen_by.staff_ids),
        sorted(seen_by.never),
        DeadlineStatus.OVERDUE in statuses.values(),
        state.caseload_of,
        state.opened.timescale_policy,
        state.last_recorded_at,
        state.identify_survivor is not None and state.identify_survivor.is_open,
        state.erasure.erased_at if state.erasure else None,
        *_closure_request_columns(state),
    )
    rows = [
        (
            state.case_id,
            d.kind.value,
            d.ref,
            d.starts_at,
            d.due_at,
            d.met_at,
            d.cancelled_at,
            d.overdue_at,
            statuses[key].value,
        )
        for key, d in state.deadlines.items()
    ]
    await conn.executemany(
        f"""INSERT INTO {s}.deadlines (case_id, kind, ref_id, starts_at, due_at, met_at,
                cancelled_at, overdue_recorded_at, status)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            ON CONFLICT (case_id, kind, ref_id) DO UPDATE SET starts_at = EXCLUDED.starts_at,
                due_at = EXCLUDED.due_at, met_at = EXCLUDED.met_at,
                cancelled_at = EXCLUDED.cancelled_at,
                overdue_recorded_at = EXCLUDED.overdue_recorded_at,
                status = EXCLUDED.status""",
        rows,
    )
    # A row the state no longer knows would be polled for ever: the state is the truth.
    await conn.execute(
        f"""DELETE FROM {s}.deadlines WHERE case_id = $1
            AND NOT (kind || '/' || ref_id = ANY($2::text[]))""",
        state.case_id,
        [f"{d.kind.value}/{d.ref}" for d in state.deadlines.values()],
    )
    if counted_in != state.caseload_of:
        await _count_moved(conn, s, counted_in, state.caseload_of)


async def _count_moved(conn: Conn, s: str, before: str | None, after: str | None) -> None:
    """One case leaves `before`'s caseload and joins `after`'s.

    Row-level increments in the caller's transaction: concurrent commands wait for each
    other's rows rather than overwrite a count. Rows are taken in staff id order, so two
    commands moving cases between the same two people in opposite directions cannot
    deadlock."""
    changes = sorted((staff_id, n) for staff_id, n in ((before, -1), (after, 1)) if staff_id)
    await conn.executemany(
        # The row proposed for inserting must pass the table's check (no negative count)
        # even when it only updates: a case leaving someone proposes 0, then subtracts.
        f"""INSERT INTO {s}.caseloads (case_manager_id, open_cases) VALUES ($1, GREATEST($2, 0))
            ON CONFLICT (case_manager_id)
            DO UPDATE SET open_cases = {s}.caseloads.open_cases + $2""",
        changes,
    )


async def closed_before(conn: Conn, schema: str, before: datetime, limit: int) -> list[UUID]:
    """Closed cases not yet erased that closed before `before`, oldest closure first, at
    most `limit` (the retention sweep's work list, read through its partial index)."""
    rows = await conn.fetch(
        f"""SELECT case_id FROM {check_schema_name(schema)}.case_summary
            WHERE status = 'closed' AND erased_at IS NULL AND closed_at < $1
            ORDER BY closed_at, case_id LIMIT $2""",
        before,
        limit,
    )
    return [r["case_id"] for r in rows]


async def caseloads(conn: Conn, schema: str) -> dict[str, int]:
    """Open cases per case manager (those with none are left out)."""
    rows = await conn.fetch(
        f"""SELECT case_manager_id, open_cases FROM {check_schema_name(schema)}.caseloads
            WHERE open_cases > 0"""
    )
    return {r["case_manager_id"]: r["open_cases"] for r in rows}


@dataclass(frozen=True, slots=True)
class CaseFilter:
    """Which cases a list shows; visibility for the actor is always applied on top."""

    status: str | None = None
    case_manager_id: str | None = None
    """Managers, auditors and admins only: a case manager always sees their own cases."""
    overdue: bool | None = None
    restricted: bool | None = None
    identify_survivor: bool | None = None
    """Cases whose survivor the DA lead has still to identify (no contact is due yet)."""
    limit: int = 50
    offset: int = 0
    preference_unmet: bool | None = None
    """Cases whose survivor's preferred case manager gender is not met (the stored fact)."""
    closure_requested: bool | None = None
    """Cases with a closure request awaiting a manager's decision."""


def _closure_request_columns(state: CaseState) -> tuple[Any, ...]:
    """Who asked to close the case, when, why (the reason's code) and whether with notes;
    all empty when no request is waiting. Never the notes themselves."""
    pending = state.pending_closure
    if pending is None:
        return None, None, None, False
    request = pending.request
    return (
        pending.requested_by.id,
        request.requested_at,
        request.reason.value,
        request.notes is not None,
    )


async def list_cases(
    conn: Conn, schema: str, actor: Actor, case_filter: CaseFilter
) -> list[dict[str, Any]]:
    """Summary rows with their deadlines, only of cases the actor may see: a case
    manager's own cases, everyone's for the other roles (filters apply on top).
    Statuses and overdue are the stored ones, as decided (see the module's docstring)."""
    s = check_schema_name(schema)
    args: list[Any] = [actor.id]
    # The stored visibility facts, matched as `Visibility.admits` does.
    clauses = [
        "NOT ($1 = ANY(c.hidden_from))",
        "(c.visible_to_everyone OR $1 = ANY(c.visible_to))",
    ]

    def where(sql: str, value: Any) -> None:
        args.append(value)
        clauses.append(sql.replace("?", f"${len(args)}"))

    if actor.role is Role.CASE_MANAGER:
        where("c.case_manager_id = ?", actor.id)
    elif case_filter.case_manager_id is not None:
        where("c.case_manager_id = ?", case_filter.case_manager_id)
    if case_filter.status is not None:
        where("c.status = ?", case_filter.status)
    if case_filter.restricted is not None:
        where("c.restricted = ?", case_filter.restricted)
    if case_filter.overdue is not None:
        where("c.overdue = ?", case_filter.overdue)
    if case_filter.identify_survivor is not None:
        where("c.identify_survivor = ?", case_filter.identify_survivor)
    if case_filter.preference_unmet is not None:
        where("c.preference_unmet = ?", case_filter.preference_unmet)
    if case_filter.closure_requested is not None:
        where("c.closure_requested = ?", case_filter.closure_requested)
    args += [case_filter.limit, case_filter.offset]
    rows = await conn.fetch(
        f"""SELECT c.case_id, c.version, c.status, c.episode, c.reported_at, c.opened_at,
                c.closed_at, c.channel, c.immediate_danger, c.repeat, c.closure_requested,
                c.case_manager_id, c.preferred_gender, c.preference_met, c.preference_unmet,
                c.restricted, c.timescale_policy, c.updated_at, c.overdue, c.identify_survivor,
                c.closure_requested_by, c.closure_requested_at, c.closure_request_reason,
                c.closure_request_has_notes,
                COALESCE((SELECT json_agg(json_build_object(
                    'kind', d.kind, 'ref', d.ref_id, 'due_at', d.due_at, 'met_at', d.met_at,
                    'cancelled_at', d.cancelled_at,
                    'overdue_recorded_at', d.overdue_recorded_at,
                    'status', d.status) ORDER BY d.due_at, d.kind, d.ref_id)
                FROM {s}.deadlines d WHERE d.case_id = c.case_id), '[]') AS deadlines
            FROM {s}.case_summary c
            WHERE {" AND ".join(clauses)}
            ORDER BY c.opened_at DESC, c.case_id
            LIMIT ${len(args) - 1} OFFSET ${len(args)}""",
        *args,
    )
    return [dict(r) for r in rows]


async def visible_case_ids(
    conn: Conn, schema: str, actor: Actor, case_ids: Iterable[UUID]
) -> frozenset[UUID]:
    """Which of these cases the actor may see (the stored visibility, as `list_cases`
    matches it); a case not in the read model is not seen."""
    wanted = sorted(set(case_ids), key=str)
    if not wanted:
        return frozenset()
    rows = await conn.fetch(
        f"""SELECT c.case_id FROM {check_schema_name(schema)}.case_summary c
            WHERE c.case_id = ANY($2::uuid[])
              AND NOT ($1 = ANY(c.hidden_from))
              AND (c.visible_to_everyone OR $1 = ANY(c.visible_to))""",
        actor.id,
        wanted,
    )
    return frozenset(r["case_id"] for r in rows)


async def summary_rows(conn: Conn, schema: str) -> list[dict[str, Any]]:
    """Every summary and deadline row, then every caseload (of one case or more), in a
    stable order (for comparing rebuilds)."""
    s = check_schema_name(schema)
    summaries = await conn.fetch(f"SELECT * FROM {s}.case_summary ORDER BY case_id")
    deadlines = await conn.fetch(f"SELECT * FROM {s}.deadlines ORDER BY case_id, kind, ref_id")
    counts = await conn.fetch(
        f"SELECT * FROM {s}.caseloads WHERE open_cases > 0 ORDER BY case_manager_id"
    )
    return [dict(r) for r in (*summaries, *deadlines, *counts)]


async def rebuild(store: EventStore, batch: int = 500) -> int:
    """Empty the read model and replay every case stream into it, in one transaction.

    Holds an exclusive lock on its tables meanwhile, so commands and the scheduler wait
    rather than write into a half-built model. The caseloads are counted again as the
    cases are saved. Returns the number of cases rebuilt.
    """
    s = store.schema
    rebuilt = 0
    async with store.transaction() as conn:
        await conn.execute(
            f"LOCK TABLE {s}.case_summary, {s}.deadlines, {s}.caseloads IN EXCLUSIVE MODE"
        )
        await conn.execute(f"DELETE FROM {s}.deadlines")
        await conn.execute(f"DELETE FROM {s}.case_summary")
        await conn.execute(f"DELETE FROM {s}.caseloads")
        after = ""
        while True:
            streams = await conn.fetch(
                f"""SELECT DISTINCT stream_id FROM {s}.events
                    WHERE stream_id > $1 AND stream_id LIKE 'case-%'
                    ORDER BY stream_id LIMIT $2""",
                after,
                batch,
            )
            if not streams:
                return rebuilt
            for row in streams:
                history = await store.read_stream(row["stream_id"], conn=conn)
                await save(conn, s, fold_envelopes(history))
                rebuilt += 1
            after = streams[-1]["stream_id"]
