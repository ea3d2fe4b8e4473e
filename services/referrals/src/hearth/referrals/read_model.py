"""The referrals service's tables: what it knows of each case, and its MARAC referrals
and actions, written with each append (or each consumed event) in the same transaction.

`known_cases` holds the projection of cases' and risk's events (`domain.known`) with who
may see the case, as stored facts (`Visibility`), so lists can filter without knowing why.
`marac_referrals` answers "the last MARAC referral of that earlier case" by key;
`marac_actions` is the overdue scheduler's work list (indexed by due date) and the
managers' list of actions. `rebuild` replays the event store into the MARAC tables.

An erased case (cases' `CaseErased`) keeps its `known_cases` row stripped of everything
personal (`domain.known.stripped`), visible to nobody, and its MARAC rows (ids, agencies,
dates, statuses) marked `case_erased`, so they count but are no longer waited on.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any
from uuid import UUID

from hearth.contracts.envelope import Actor, Role
from hearth.contracts.events.base import RECORDED
from hearth.eventstore.db import Conn, advisory_key, check_schema_name
from hearth.eventstore.store import EventStore
from hearth.referrals.domain.criteria import EarlierReferral
from hearth.referrals.domain.known import KnownCase
from hearth.referrals.domain.state import ReferralsState, fold_envelopes

WAITING = "completed_at IS NULL AND overdue_recorded_at IS NULL AND NOT case_erased"
"""An action the overdue scheduler waits on (an erased case's actions are left alone)."""


async def load_known(
    conn: Conn, schema: str, case_id: UUID, *, for_update: bool = False
) -> KnownCase:
    """What is known of the case (nothing yet: an empty `KnownCase`).

    `for_update`: held until the transaction ends, so two consumers learning about the
    same case (cases' and risk's, at once) take turns, even before its row exists."""
    s = check_schema_name(schema)
    if for_update:
        key = advisory_key("hearth-referrals-known", s, str(case_id))
        await conn.execute("SELECT pg_advisory_xact_lock($1)", key)
    facts = await conn.fetchval(f"SELECT facts FROM {s}.known_cases WHERE case_id = $1", case_id)
    if facts is None:
        return KnownCase()
    return KnownCase.model_validate(facts, context=RECORDED)


async def load_known_many(
    conn: Conn, schema: str, case_ids: Iterable[UUID]
) -> dict[UUID, KnownCase]:
    """What is known of several cases, in one query, each held until the transaction ends
    as `load_known(for_update=True)` holds one (a case not known yet: an empty one).

    The locks are taken in one order (by key), so two batches that share cases take
    turns instead of waiting on each other."""
    s = check_schema_name(schema)
    ids = sorted(set(case_ids))
    keys = sorted({advisory_key("hearth-referrals-known", s, str(case_id)) for case_id in ids})
    # unnest yields the keys in the array's (sorted) order, one lock after another.
    await conn.execute("SELECT count(pg_advisory_xact_lock(k)) FROM unnest($1::bigint[]) k", keys)
    rows = await conn.fetch(
        f"SELECT case_id, facts FROM {s}.known_cases WHERE case_id = ANY($1::uuid[])", ids
    )
    known = {
        row["case_id"]: KnownCase.model_validate(row["facts"], context=RECORDED) for row in rows
    }
    return {case_id: known.get(case_id, KnownCase()) for case_id in ids}


async def save_known(
    conn: Conn, schema: str, case_id: UUID, known: KnownCase, now: datetime
) -> None:
    s = check_schema_name(schema)
    seen_by = known.access.visibility
    await conn.execute(
        f"""INSERT INTO {s}.known_cases (case_id, facts, visible_to_everyone, visible_to,
                hidden_from, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (case_id) DO UPDATE SET facts = EXCLUDED.facts,
                visible_to_everyone = EXCLUDED.visible_to_everyone,
                visible_to = EXCLUDED.visible_to, hidden_from = EXCLUDED.hidden_from,
                updated_at = EXCLUDED.updated_at""",
        case_id,
        known.model_dump(mode="json"),
        seen_by.everyone,
        sorted(seen_by.staff_ids),
        sorted(seen_by.never),
        now,
    )
    # Who may see the case's MARAC actions, and whether it was erased, follow the case.
    await conn.execute(
        f"""UPDATE {s}.marac_actions SET visible_to_everyone = $2, visible_to = $3,
                hidden_from = $4, case_erased = $5 WHERE case_id = $1""",
        case_id,
        seen_by.everyone,
        sorted(seen_by.staff_ids),
        sorted(seen_by.never),
        known.erased,
    )


async def earlier_referral(conn: Conn, schema: str, case_id: UUID) -> EarlierReferral | None:
    """The last MARAC referral of a case (the one a repeat case repeats)."""
    s = check_schema_name(schema)
    row = await conn.fetchrow(
        f"""SELECT referral_id, referred_at FROM {s}.marac_referrals WHERE case_id = $1
            ORDER BY referred_at DESC LIMIT 1""",
        case_id,
    )
    return EarlierReferral(row["referral_id"], row["referred_at"]) if row else None


async def save(conn: Conn, schema: str, state: ReferralsState, known: KnownCase) -> None:
    """Write the case's MARAC referrals and actions from its state."""
    if state.case_id is None:
        return
    s = check_schema_name(schema)
    await conn.executemany(
        f"""INSERT INTO {s}.marac_referrals (case_id, referral_id, referred_at, status)
            VALUES ($1, $2, $3, $4)
            ON CONFLICT (referral_id) DO UPDATE SET status = EXCLUDED.status""",
        [
            (state.case_id, m.referral_id, m.referred.referred_at, m.status.value)
            for m in state.marac.values()
        ],
    )
    seen_by = known.access.visibility
    await conn.executemany(
        f"""INSERT INTO {s}.marac_actions (case_id, referral_id, action_id, owner_agency,
                owner_staff_id, landlord_action, due_on, completed_at, overdue_recorded_at,
                visible_to_everyone, visible_to, hidden_from, case_erased)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
            ON CONFLICT (action_id) DO UPDATE SET completed_at = EXCLUDED.completed_at,
                overdue_recorded_at = EXCLUDED.overdue_recorded_at,
                visible_to_everyone = EXCLUDED.visible_to_everyone,
                visible_to = EXCLUDED.visible_to, hidden_from = EXCLUDED.hidden_from,
                case_erased = EXCLUDED.case_erased""",
        [
            (
                state.case_id,
                a.referral_id,
                a.action.action_id,
                a.action.owner_agency,
                a.action.owner_staff_id,
                a.action.landlord_action,
                a.action.due_on,
                a.completed_at,
                a.overdue_at,
                seen_by.everyone,
                sorted(seen_by.staff_ids),
                sorted(seen_by.never),
                known.erased,
            )
            for m in state.marac.values()
            for a in m.actions.values()
        ],
    )


async def due_actions(conn: Conn, schema: str, today: date, limit: int) -> list[Any]:
    """Actions past their due date, not completed and not yet recorded overdue."""
    s = check_schema_name(schema)
    return list(
        await conn.fetch(
            f"""SELECT case_id, referral_id, action_id FROM {s}.marac_actions
                WHERE {WAITING} AND due_on < $1 ORDER BY due_on LIMIT $2""",
            today,
            limit,
        )
    )


def _visible_to(actor: Actor, first: int) -> tuple[str, list[Any]]:
    """A SQL condition (and its arguments) for the rows this actor may see."""
    if actor.role is Role.SYSTEM:
        return "true", []
    return (
        f"(NOT ${first} = ANY(hidden_from))"
        f" AND (visible_to_everyone OR ${first} = ANY(visible_to))",
        [actor.id],
    )


async def list_actions(
    conn: Conn,
    schema: str,
    actor: Actor,
    *,
    overdue: bool | None,
    limit: int,
    offset: int,
    completed: bool | None = None,
) -> list[dict[str, Any]]:
    """MARAC actions the actor may see, earliest due first; `overdue` filters open
    actions recorded overdue (true) or not (false); `completed` those done (true) or
    still outstanding (false)."""
    s = check_schema_name(schema)
    where, args = _visible_to(actor, 1)
    if overdue is True:
        where += " AND completed_at IS NULL AND overdue_recorded_at IS NOT NULL"
    elif overdue is False:
        where += " AND overdue_recorded_at IS NULL"
    if completed is True:
        where += " AND completed_at IS NOT NULL"
    elif completed is False:
        where += " AND completed_at IS NULL"
    rows = await conn.fetch(
        f"""SELECT case_id, referral_id, action_id, owner_agency, owner_staff_id,
                landlord_action, due_on, completed_at, overdue_recorded_at,
                NOT visible_to_everyone AS restricted
            FROM {s}.marac_actions WHERE {where}
            ORDER BY due_on, action_id LIMIT ${len(args) + 1} OFFSET ${len(args) + 2}""",
        *args,
        limit,
        offset,
    )
    return [dict(r) for r in rows]


async def rebuild(store: EventStore) -> int:
    """Replay the referral streams into the MARAC tables (what is known of each case is
    kept: it comes from other services' topics). Returns the streams rebuilt."""
    s = store.schema
    rebuilt = 0
    async with store.transaction() as conn:
        await conn.execute(f"LOCK TABLE {s}.marac_referrals, {s}.marac_actions IN EXCLUSIVE MODE")
        await conn.execute(f"DELETE FROM {s}.marac_actions")
        await conn.execute(f"DELETE FROM {s}.marac_referrals")
        streams = await conn.fetch(
            f"SELECT DISTINCT stream_id FROM {s}.events WHERE stream_id LIKE 'referrals-%'"
        )
        for row in streams:
            history = await store.read_stream(row["stream_id"], conn=conn)
            state = fold_envelopes(history)
            if state.case_id is None:
                continue
            known = await load_known(conn, s, state.case_id)
            await save(conn, s, state, known)
            rebuilt += 1
    return rebuilt
