"""Intake's read model in SQL: the match index and what is known of cases.

Every function takes the connection of the caller's transaction, so a report's events,
its idempotency key and its match keys commit (or roll back) together. The tables hold
facts; the decisions made from them are `hearth.intake.domain`'s. (Idempotency keys
are `hearth.eventstore.idempotency`'s.)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from uuid import UUID

import asyncpg

from hearth.contracts.events.intake import EnquiryErased, IdentityDetail, ReportReceived
from hearth.eventstore.db import Conn, advisory_key
from hearth.intake.domain.disclosure import RestrictionFacts, RestrictionMark
from hearth.intake.domain.erasure import CaseForgotten, PersonForgotten
from hearth.intake.domain.linking import CaseStatus, IndexEntry
from hearth.intake.domain.matching import PersonRole
from hearth.intake.domain.retention import EnquiryRetention

# --- the match index -------------------------------------------------------------------


async def lock_digests(conn: Conn, schema: str, digests: Iterable[str]) -> None:
    """Serialise reports about the same people, so two at once cannot both open a case.

    Locks are taken in a fixed order (no deadlocks), in one round trip, and released at
    commit. The sorted subquery feeds the aggregate in order, so the locks are taken in it.
    """
    keys = sorted({advisory_key("intake-match", schema, d) for d in digests})
    if keys:
        await conn.execute(
            """SELECT count(pg_advisory_xact_lock(k))
               FROM (SELECT k FROM unnest($1::bigint[]) AS k ORDER BY k) AS ordered""",
            keys,
        )


async def find_index_entries(conn: Conn, schema: str, digests: Iterable[str]) -> list[IndexEntry]:
    wanted = sorted(set(digests))
    if not wanted:
        return []
    rows = await conn.fetch(
        f"""SELECT digest, role, case_id, person_id, detail FROM {schema}.match_keys
            WHERE digest = ANY($1::text[]) AND detail IS NULL AND NOT EXISTS (
                SELECT 1 FROM {schema}.case_lifecycle l
                WHERE l.case_id = match_keys.case_id AND l.erased_at IS NOT NULL)""",
        wanted,
    )
    return [_entry(r) for r in rows]


async def survivor_entries(conn: Conn, schema: str, case_ids: Iterable[UUID]) -> list[IndexEntry]:
    """Everything the index holds of these cases' survivors (keys and details), to tell
    whether a report's survivor is theirs."""
    wanted = sorted(set(case_ids), key=str)
    if not wanted:
        return []
    rows = await conn.fetch(
        f"""SELECT digest, role, case_id, person_id, detail FROM {schema}.match_keys
            WHERE case_id = ANY($1::uuid[]) AND role = 'survivor' AND NOT EXISTS (
                SELECT 1 FROM {schema}.case_lifecycle l
                WHERE l.case_id = match_keys.case_id AND l.erased_at IS NOT NULL)""",
        wanted,
    )
    return [_entry(r) for r in rows]


def _entry(row: asyncpg.Record) -> IndexEntry:
    return IndexEntry(
        digest=row["digest"],
        role=PersonRole(row["role"]),
        case_id=row["case_id"],
        person_id=row["person_id"],
        detail=IdentityDetail(row["detail"]) if row["detail"] else None,
    )


async def add_index_entries(
    conn: Conn, schema: str, entries: Iterable[IndexEntry], *, source: str, now: datetime
) -> None:
    rows = [
        (
            e.digest,
            e.role.value,
            e.case_id,
            e.person_id,
            source,
            now,
            e.detail.value if e.detail else None,
        )
        for e in entries
    ]
    if not rows:
        return
    await conn.executemany(
        f"""INSERT INTO {schema}.match_keys
                (digest, role, case_id, person_id, source, recorded_at, detail)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT (digest, role, case_id) DO NOTHING""",
        rows,
    )


# --- what is known of cases ------------------------------------------------------------


async def record_assigned_case(
    conn: Conn, schema: str, *, case_id: UUID, report_id: UUID, at: datetime
) -> None:
    await conn.execute(
        f"""INSERT INTO {schema}.assigned_cases (case_id, report_id, assigned_at)
            VALUES ($1, $2, $3) ON CONFLICT (case_id) DO NOTHING""",
        case_id,
        report_id,
        at,
    )


async def case_statuses(
    conn: Conn, schema: str, case_ids: Iterable[UUID]
) -> dict[UUID, CaseStatus]:
    """What intake knows of each case: assigned by intake, or heard of from events.

    An erased case is unknown: never joined, named or repeated."""
    wanted = sorted(set(case_ids), key=str)
    if not wanted:
        return {}
    rows = await conn.fetch(
        f"""SELECT wanted.case_id, a.assigned_at, l.opened_at, l.closed_at, l.reopened_at,
                   l.last_marac_at
            FROM unnest($1::uuid[]) AS wanted(case_id)
            LEFT JOIN {schema}.assigned_cases a ON a.case_id = wanted.case_id
            LEFT JOIN {schema}.case_lifecycle l ON l.case_id = wanted.case_id
            WHERE (a.case_id IS NOT NULL OR l.case_id IS NOT NULL) AND l.erased_at IS NULL""",
        wanted,
    )
    return {
        r["case_id"]: CaseStatus(
            case_id=r["case_id"],
            assigned_at=r["assigned_at"] or r["opened_at"],
            closed_at=r["closed_at"],
            reopened_at=r["reopened_at"],
            last_marac_at=r["last_marac_at"],
        )
        for r in rows
    }


async def note_case_moment(
    conn: Conn, schema: str, case_id: UUID, column: str, at: datetime
) -> None:
    """Keep the latest time of one kind of lifecycle event (order of arrival does not matter)."""
    if column not in {"opened_at", "closed_at", "reopened_at", "last_marac_at"}:
        raise ValueError(f"unknown lifecycle column {column}")
    await conn.execute(
        f"""INSERT INTO {schema}.case_lifecycle (case_id, {column}) VALUES ($1, $2)
            ON CONFLICT (case_id) DO UPDATE SET {column} = greatest(
                {schema}.case_lifecycle.{column}, EXCLUDED.{column})""",
        case_id,
        at,
    )


async def note_restriction(
    conn: Conn,
    schema: str,
    case_id: UUID,
    permitted_staff_ids: Sequence[str] | None,
    at: datetime,
) -> None:
    """Cases restricted the case to these staff at `at` (None: it lifted the restriction)."""
    await conn.execute(
        f"""INSERT INTO {schema}.case_lifecycle (case_id, restricted_to, restriction_said_at)
            VALUES ($1, $2, $3)
            ON CONFLICT (case_id) DO UPDATE SET restricted_to = EXCLUDED.restricted_to,
                restriction_said_at = EXCLUDED.restriction_said_at""",
        case_id,
        list(permitted_staff_ids) if permitted_staff_ids is not None else None,
        at,
    )


# --- restrictions intake decided itself -------------------------------------------------


async def mark_restriction(conn: Conn, schema: str, mark: RestrictionMark) -> None:
    """A report named staff involved in the case: add it to the case's mark."""
    await conn.execute(
        f"""INSERT INTO {schema}.restriction_marks
                (case_id, marked_at, involved_staff_ids, unidentified)
            VALUES ($1, $2, $3, $4)
            ON CONFLICT (case_id) DO UPDATE SET
                marked_at = greatest({schema}.restriction_marks.marked_at, EXCLUDED.marked_at),
                involved_staff_ids = ARRAY(SELECT DISTINCT unnest(
                    {schema}.restriction_marks.involved_staff_ids || EXCLUDED.involved_staff_ids)
                    ORDER BY 1),
                unidentified = {schema}.restriction_marks.unidentified OR EXCLUDED.unidentified""",
        mark.case_id,
        mark.marked_at,
        sorted(mark.involved),
        mark.unidentified,
    )


async def restriction_facts(
    conn: Conn, schema: str, case_ids: Iterable[UUID]
) -> dict[UUID, RestrictionFacts]:
    """What cases last said of each case's restriction, and intake's own mark."""
    wanted = sorted(set(case_ids), key=str)
    if not wanted:
        return {}
    rows = await conn.fetch(
        f"""SELECT wanted.case_id, l.restricted_to, l.restriction_said_at,
                   m.marked_at, m.involved_staff_ids, m.unidentified
            FROM unnest($1::uuid[]) AS wanted(case_id)
            LEFT JOIN {schema}.case_lifecycle l ON l.case_id = wanted.case_id
            LEFT JOIN {schema}.restriction_marks m ON m.case_id = wanted.case_id
            WHERE l.restricted_to IS NOT NULL OR l.restriction_said_at IS NOT NULL
                OR m.case_id IS NOT NULL""",
        wanted,
    )
    return {
        r["case_id"]: RestrictionFacts(
            case_id=r["case_id"],
            restricted_to=frozenset(r["restricted_to"]) if r["restricted_to"] is not None else None,
            said_at=r["restriction_said_at"],
            mark=RestrictionMark(
                r["case_id"],
                r["marked_at"],
                frozenset(r["involved_staff_ids"]),
                r["unidentified"],
            )
            if r["marked_at"] is not None
            else None,
        )
        for r in rows
    }


# --- erasure ----------------------------------------------------------------------------


async def is_erased(conn: Conn, schema: str, case_id: UUID) -> bool:
    erased: bool = await conn.fetchval(
        f"""SELECT EXISTS (SELECT 1 FROM {schema}.case_lifecycle
                           WHERE case_id = $1 AND erased_at IS NOT NULL)""",
        case_id,
    )
    return erased


async def erased_at(conn: Conn, schema: str, case_id: UUID) -> datetime | None:
    """When cases erased the case, if it did."""
    at: datetime | None = await conn.fetchval(
        f"SELECT erased_at FROM {schema}.case_lifecycle WHERE case_id = $1", case_id
    )
    return at


async def reports_on_case(conn: Conn, schema: str, case_id: UUID) -> tuple[list[UUID], list[UUID]]:
    """The reports intake put on the case, and the enquiries they came from (ids only: the
    events' ids are not personal, so they are readable after the keys are gone)."""
    rows = await conn.fetch(
        f"""SELECT payload->>'report_id' AS report_id, payload->>'enquiry_id' AS enquiry_id
            FROM {schema}.events WHERE subject = $1 AND type = $2""",
        str(case_id),
        ReportReceived.event_type(),
    )
    reports = [UUID(r["report_id"]) for r in rows if r["report_id"]]
    enquiries = [UUID(r["enquiry_id"]) for r in rows if r["enquiry_id"]]
    return reports, enquiries


async def forget_case(conn: Conn, schema: str, forgotten: CaseForgotten) -> None:
    """Remove what identifies the erased case's people (`domain.erasure`), keep that it
    was erased. Idempotent: a rebuild replaying the erasure changes nothing more."""
    case_id = forgotten.case_id
    await conn.execute(
        f"""INSERT INTO {schema}.case_lifecycle (case_id, erased_at) VALUES ($1, $2)
            ON CONFLICT (case_id) DO UPDATE SET erased_at = least(
                coalesce({schema}.case_lifecycle.erased_at, EXCLUDED.erased_at),
                EXCLUDED.erased_at)""",
        case_id,
        forgotten.erased_at,
    )
    await conn.execute(f"DELETE FROM {schema}.match_keys WHERE case_id = $1", case_id)
    await conn.execute(f"DELETE FROM {schema}.restriction_marks WHERE case_id = $1", case_id)
    await conn.execute(f"DELETE FROM {schema}.stand_in_cases WHERE case_id = $1", case_id)
    if forgotten.report_ids:
        await conn.execute(
            f"""DELETE FROM {schema}.idempotency_keys
                WHERE response->>'report_id' = ANY($1::text[])""",
            sorted(str(r) for r in forgotten.report_ids),
        )


async def forget_person(conn: Conn, schema: str, forgotten: PersonForgotten) -> None:
    """Remove the erased person's match index entries on their case (keys and details,
    whichever source wrote them), and keep that they were erased. Idempotent."""
    await conn.execute(
        f"""INSERT INTO {schema}.erased_people (case_id, person_id, erased_at)
            VALUES ($1, $2, $3) ON CONFLICT (case_id, person_id) DO NOTHING""",
        forgotten.case_id,
        forgotten.person_id,
        forgotten.erased_at,
    )
    await conn.execute(
        f"DELETE FROM {schema}.match_keys WHERE case_id = $1 AND person_id = $2",
        forgotten.case_id,
        forgotten.person_id,
    )


async def erased_people(conn: Conn, schema: str, case_id: UUID) -> frozenset[UUID]:
    """The people erased on the case (`PersonErased`)."""
    rows = await conn.fetch(
        f"SELECT person_id FROM {schema}.erased_people WHERE case_id = $1", case_id
    )
    return frozenset(r["person_id"] for r in rows)


async def forget_case_events(conn: Conn, schema: str) -> None:
    """Empty what the consumer wrote, before it replays the topics from the start."""
    await conn.execute(f"DELETE FROM {schema}.case_lifecycle")
    await conn.execute(f"DELETE FROM {schema}.erased_people")
    await conn.execute(f"DELETE FROM {schema}.match_keys WHERE source = 'cases'")


# --- stand-in case ids given for restricted cases ----------------------------------------


async def record_stand_in(
    conn: Conn, schema: str, *, staff_id: str, case_id: UUID, stand_in: UUID, at: datetime
) -> None:
    """`staff_id` was given `stand_in` in place of the restricted case `case_id`."""
    await conn.execute(
        f"""INSERT INTO {schema}.stand_in_cases (staff_id, case_id, stand_in_case_id, given_at)
            VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING""",
        staff_id,
        case_id,
        stand_in,
        at,
    )


async def stand_ins(
    conn: Conn, schema: str, staff_id: str, case_ids: Iterable[UUID], named: UUID | None
) -> dict[tuple[str, UUID], UUID]:
    """The stand-in ids `staff_id` was given for these cases, and the case `named` stands
    in for if it is one of theirs: (staff id, case) → stand-in."""
    rows = await conn.fetch(
        f"""SELECT case_id, stand_in_case_id FROM {schema}.stand_in_cases
            WHERE staff_id = $1 AND (case_id = ANY($2::uuid[]) OR stand_in_case_id = $3)""",
        staff_id,
        sorted(set(case_ids), key=str),
        named,
    )
    return {(staff_id, r["case_id"]): r["stand_in_case_id"] for r in rows}


# --- enquiries (retention, issue 12) ------------------------------------------------------


async def record_enquiry(conn: Conn, schema: str, enquiry_id: UUID, raised_at: datetime) -> None:
    """An enquiry raised: the retention sweep's index (ids and times only)."""
    await conn.execute(
        f"""INSERT INTO {schema}.enquiries (enquiry_id, raised_at) VALUES ($1, $2)
            ON CONFLICT (enquiry_id) DO NOTHING""",
        enquiry_id,
        raised_at,
    )


async def enquiry_retention(conn: Conn, schema: str, enquiry_id: UUID) -> EnquiryRetention:
    """What retention reads of the enquiry, its row locked until the transaction ends (a
    report following it up and its erasure wait for each other). Unknown: no raised_at."""
    row = await conn.fetchrow(
        f"""SELECT raised_at, followed_up_at, erased_at FROM {schema}.enquiries
            WHERE enquiry_id = $1 FOR UPDATE""",
        enquiry_id,
    )
    if row is None:
        return EnquiryRetention()
    return EnquiryRetention(
        enquiry_id=enquiry_id,
        raised_at=row["raised_at"],
        followed_up_at=row["followed_up_at"],
        erased_at=row["erased_at"],
    )


async def note_enquiry_followed_up(conn: Conn, schema: str, enquiry_id: UUID, at: datetime) -> None:
    """A report followed the enquiry up (the first such report's time is kept)."""
    await conn.execute(
        f"""UPDATE {schema}.enquiries SET followed_up_at = $2
            WHERE enquiry_id = $1 AND followed_up_at IS NULL""",
        enquiry_id,
        at,
    )


async def unfollowed_enquiries_before(
    conn: Conn, schema: str, cutoff: datetime, limit: int
) -> list[UUID]:
    """Enquiries raised before `cutoff`, followed up by no report and not erased, oldest
    first, at most `limit` (the retention sweep's work list, read through its partial
    index, never a scan of every enquiry)."""
    rows = await conn.fetch(
        f"""SELECT enquiry_id FROM {schema}.enquiries
            WHERE followed_up_at IS NULL AND erased_at IS NULL AND raised_at < $1
            ORDER BY raised_at, enquiry_id LIMIT $2""",
        cutoff,
        limit,
    )
    return [r["enquiry_id"] for r in rows]


async def forget_enquiry(conn: Conn, schema: str, erased: EnquiryErased) -> None:
    """The enquiry was erased: keep that it was, and when; delete the idempotency answers
    of the request that raised it (a keyed hash of what the ASB report said)."""
    await conn.execute(
        f"""UPDATE {schema}.enquiries SET erased_at = coalesce(erased_at, $2)
            WHERE enquiry_id = $1""",
        erased.enquiry_id,
        erased.erased_at,
    )
    await conn.execute(
        f"DELETE FROM {schema}.idempotency_keys WHERE response->>'enquiry_id' = $1",
        str(erased.enquiry_id),
    )
