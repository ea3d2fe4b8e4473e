"""The risk service's tables: what it knows of each case from cases' events, and each
case's risk summary. Both hold decided facts, written in the transaction of what they
come from, and are rebuildable.

- `case_access`: a `CaseAccess` per case, folded from cases' events by the `cases`
  consumer (`follow`), stored as facts: open or not, the restriction, the ids of the
  people on the case (no names), and who may see it as `Visibility` decided it. An
  erased case (`CaseErased`) keeps only its id, dates and `erased`: no restriction, no
  people, visible to nobody.
- `risk_summary`: the current level and counts, saved with each append to a risk record.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from hearth.contracts.events.case_values import Restriction
from hearth.contracts.events.common import PersonDetails
from hearth.eventstore.case_access import CaseAccess
from hearth.eventstore.db import Conn, check_schema_name
from hearth.eventstore.decider import recorded
from hearth.eventstore.store import EventStore
from hearth.risk.domain.state import RiskState, fold


async def case_access(
    conn: Conn, schema: str, case_id: UUID, *, for_update: bool = False
) -> tuple[CaseAccess, datetime] | None:
    """What risk knows of the case and when it opened; None when it has not seen it open."""
    s = check_schema_name(schema)
    row = await conn.fetchrow(
        f"""SELECT case_id, opened_at, open, restriction, people, erased FROM {s}.case_access
            WHERE case_id = $1{" FOR UPDATE" if for_update else ""}""",
        case_id,
    )
    if row is None:
        return None
    restriction = row["restriction"]
    access = CaseAccess(
        case_id=row["case_id"],
        opened=True,
        open=row["open"],
        restriction=Restriction.model_validate(restriction) if restriction else None,
        people=tuple(PersonDetails.model_validate(p) for p in row["people"]),
        erased=row["erased"],
    )
    return access, row["opened_at"]


async def save_access(conn: Conn, schema: str, access: CaseAccess, opened_at: datetime) -> None:
    """Store what risk knows of a case (only ids of its people, never their details)."""
    assert access.case_id is not None
    s = check_schema_name(schema)
    seen_by = access.visibility
    people = [
        {"person_id": str(p.person_id), "staff_id": p.staff_id}
        if p.staff_id
        else {"person_id": str(p.person_id)}
        for p in access.people
    ]
    await conn.execute(
        f"""INSERT INTO {s}.case_access (case_id, opened_at, open, restriction, people,
                visible_to_everyone, visible_to, hidden_from, erased)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            ON CONFLICT (case_id) DO UPDATE SET opened_at = EXCLUDED.opened_at,
                open = EXCLUDED.open, restriction = EXCLUDED.restriction,
                people = EXCLUDED.people, visible_to_everyone = EXCLUDED.visible_to_everyone,
                visible_to = EXCLUDED.visible_to, hidden_from = EXCLUDED.hidden_from,
                erased = EXCLUDED.erased""",
        access.case_id,
        opened_at,
        access.open,
        access.restriction.model_dump(mode="json") if access.restriction else None,
        people,
        seen_by.everyone,
        sorted(seen_by.staff_ids),
        sorted(seen_by.never),
        access.erased,
    )


async def note_erased(conn: Conn, schema: str, case_id: UUID, erased_at: datetime) -> None:
    """Keep when cases erased the case (its row holds nothing personal by then)."""
    s = check_schema_name(schema)
    await conn.execute(
        f"UPDATE {s}.case_access SET erased_at = $2 WHERE case_id = $1", case_id, erased_at
    )


async def erased_at(conn: Conn, schema: str, case_id: UUID) -> datetime | None:
    """When cases erased the case, if it did (and risk heard)."""
    s = check_schema_name(schema)
    at: datetime | None = await conn.fetchval(
        f"SELECT erased_at FROM {s}.case_access WHERE case_id = $1", case_id
    )
    return at


async def forget_access(conn: Conn, schema: str) -> None:
    """Empty `case_access` before the `cases` consumer replays cases' events into it."""
    await conn.execute(f"DELETE FROM {check_schema_name(schema)}.case_access")


async def save_summary(conn: Conn, schema: str, state: RiskState, at: datetime) -> None:
    """Write the case's risk summary from its risk record."""
    if state.case_id is None:
        return
    s = check_schema_name(schema)
    latest = max(state.assessments, key=lambda a: a.event.completed_at, default=None)
    await conn.execute(
        f"""INSERT INTO {s}.risk_summary (case_id, version, risk_level, level_as_of,
                assessments, last_completed_at, reassessment_due_at, declines,
                assessed_elsewhere, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            ON CONFLICT (case_id) DO UPDATE SET version = EXCLUDED.version,
                risk_level = EXCLUDED.risk_level, level_as_of = EXCLUDED.level_as_of,
                assessments = EXCLUDED.assessments,
                last_completed_at = EXCLUDED.last_completed_at,
                reassessment_due_at = EXCLUDED.reassessment_due_at,
                declines = EXCLUDED.declines, assessed_elsewhere = EXCLUDED.assessed_elsewhere,
                updated_at = EXCLUDED.updated_at""",
        state.case_id,
        state.version,
        state.level.value if state.level else None,
        state.level_as_of,
        len(state.assessments),
        latest.event.completed_at if latest else None,
        latest.event.reassessment_due_at if latest else None,
        len(state.declines),
        len(state.elsewhere),
        at,
    )


async def summary_rows(conn: Conn, schema: str) -> list[dict[str, Any]]:
    """Every risk summary row in a stable order (for comparing rebuilds)."""
    rows = await conn.fetch(
        f"SELECT * FROM {check_schema_name(schema)}.risk_summary ORDER BY case_id"
    )
    return [dict(r) for r in rows]


async def rebuild(store: EventStore, batch: int = 500) -> int:
    """Empty `risk_summary` and replay every risk record into it, in one transaction."""
    s = store.schema
    rebuilt = 0
    async with store.transaction() as conn:
        await conn.execute(f"LOCK TABLE {s}.risk_summary IN EXCLUSIVE MODE")
        await conn.execute(f"DELETE FROM {s}.risk_summary")
        after = ""
        while True:
            streams = await conn.fetch(
                f"""SELECT DISTINCT stream_id FROM {s}.events
                    WHERE stream_id > $1 AND stream_id LIKE 'risk-case-%'
                    ORDER BY stream_id LIMIT $2""",
                after,
                batch,
            )
            if not streams:
                return rebuilt
            for row in streams:
                history = await store.read_stream(row["stream_id"], conn=conn)
                if history:
                    state = fold(map(recorded, history))
                    await save_summary(conn, s, state, history[-1].recorded_at)
                    rebuilt += 1
            after = streams[-1]["stream_id"]
