"""Reporting's tables: the facts the projection decided, written in the consumer's
transaction, and read back for figures and the case list.

Every write is keyed (a case, a deadline, a referral, an event id) and sets only the
part its event owns, so the facts do not depend on the order the four topics arrive in,
and a replay from offset 0 (`forget` then the consumer) writes them again exactly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import fields
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from hearth.contracts.events.case_values import Restriction
from hearth.contracts.events.common import PersonDetails
from hearth.eventstore.case_access import CaseAccess
from hearth.eventstore.db import Conn, check_schema_name
from hearth.reporting.domain import changes as c
from hearth.reporting.domain import facts as f

TABLES = (
    "case_facts",
    "reports",
    "closures",
    "deadlines",
    "timeline",
    "risk_levels",
    "assessments",
    "marac_referrals",
    "marac_actions",
    "referrals",
    "consents",
    "enquiries",
    "incidents",
    "security_requests",
    "perpetrator_actions",
    "wishes",
    "safe_contact_records",
    "reviews",
)
"""Every read model table: emptied together before a rebuild."""


async def forget(conn: Conn, schema: str) -> None:
    """Empty every read model table (before the consumer replays from offset 0)."""
    s = check_schema_name(schema)
    await conn.execute(f"TRUNCATE {', '.join(f'{s}.{t}' for t in TABLES)}")


# --- writing ---------------------------------------------------------------------------


async def apply(conn: Conn, schema: str, changes: Iterable[c.Change]) -> None:
    """Write what one event changed."""
    s = check_schema_name(schema)
    for change in changes:
        await _write(conn, s, change)


async def _write(conn: Conn, s: str, change: c.Change) -> None:
    match change:
        case c.CaseFacts():
            await _case_facts(conn, s, change)
        case c.TimelineEntry():
            await conn.execute(
                f"""INSERT INTO {s}.timeline (event_id, case_id, at, service, event_type,
                        actor_role) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING""",
                change.event_id,
                change.case_id,
                change.at,
                change.service,
                change.event_type,
                change.actor_role,
            )
        case c.ReportFacts():
            await conn.execute(
                f"""INSERT INTO {s}.reports (report_id, case_id, reported_at, channel,
                        reporter_kind) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING""",
                change.report_id,
                change.case_id,
                change.reported_at,
                change.channel,
                change.reporter_kind,
            )
        case c.DeadlineStarted():
            await conn.execute(
                f"""INSERT INTO {s}.deadlines (case_id, kind, ref, started_at, due_at)
                    VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING""",
                change.case_id,
                change.kind.value,
                change.ref,
                change.started_at,
                change.due_at,
            )
        case c.DeadlineMet():
            await conn.execute(
                f"""UPDATE {s}.deadlines SET met_at = $4, outcome = $5
                    WHERE case_id = $1 AND kind = $2 AND ref = $3 AND met_at IS NULL""",
                change.case_id,
                change.kind.value,
                change.ref,
                change.met_at,
                change.outcome,
            )
        case c.DeadlineOverdue():
            await conn.execute(
                f"""UPDATE {s}.deadlines SET overdue_at = $4
                    WHERE case_id = $1 AND kind = $2 AND ref = $3 AND overdue_at IS NULL""",
                change.case_id,
                change.kind.value,
                change.ref,
                change.detected_at,
            )
        case c.DeadlinesCancelled():
            await conn.execute(
                f"""UPDATE {s}.deadlines SET cancelled_at = $2
                    WHERE case_id = $1 AND met_at IS NULL AND cancelled_at IS NULL""",
                change.case_id,
                change.at,
            )
        case c.CaseClosedFacts():
            await conn.execute(
                f"""INSERT INTO {s}.closures (case_id, closed_at, reason, approved_by,
                        feels_safer, rating) VALUES ($1, $2, $3, $4, $5, $6)
                    ON CONFLICT DO NOTHING""",
                change.case_id,
                change.closed_at,
                change.reason,
                change.approved_by,
                change.feels_safer,
                change.rating,
            )
            await conn.execute(
                f"""INSERT INTO {s}.case_facts (case_id, open, closed_at, closure_reason)
                    VALUES ($1, false, $2, $3)
                    ON CONFLICT (case_id) DO UPDATE SET open = false,
                        closed_at = EXCLUDED.closed_at, closure_reason = EXCLUDED.closure_reason""",
                change.case_id,
                change.closed_at,
                change.reason,
            )
        case c.CaseReopenedFacts():
            await conn.execute(
                f"""UPDATE {s}.closures SET reopened_at = $2
                    WHERE case_id = $1 AND reopened_at IS NULL AND closed_at <= $2""",
                change.case_id,
                change.reopened_at,
            )
            await conn.execute(
                f"""UPDATE {s}.case_facts SET open = true, closed_at = NULL,
                        closure_reason = NULL WHERE case_id = $1""",
                change.case_id,
            )
        case c.RiskLevelSet():
            await conn.execute(
                f"""INSERT INTO {s}.risk_levels (case_id, at, level) VALUES ($1, $2, $3)
                    ON CONFLICT (case_id, at) DO UPDATE SET level = EXCLUDED.level""",
                change.case_id,
                change.at,
                change.level,
            )
        case c.AssessmentFacts():
            await conn.execute(
                f"""INSERT INTO {s}.assessments (key, case_id, at, kind, level)
                    VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING""",
                change.key,
                change.case_id,
                change.at,
                change.kind,
                change.level,
            )
        case _:
            await _write_referrals(conn, s, change)


async def _write_referrals(conn: Conn, s: str, change: c.Change) -> None:
    match change:
        case c.MaracReferralFacts():
            await conn.execute(
                f"""INSERT INTO {s}.marac_referrals (referral_id, case_id, referred_at,
                        by_housing, repeat, criteria) VALUES ($1, $2, $3, $4, $5, $6)
                    ON CONFLICT DO NOTHING""",
                change.referral_id,
                change.case_id,
                change.referred_at,
                change.by_housing,
                change.repeat,
                list(change.criteria),
            )
        case c.MaracListedFacts():
            await conn.execute(
                f"""UPDATE {s}.marac_referrals SET listed_at = $2, meeting_date = $3
                    WHERE referral_id = $1""",
                change.referral_id,
                change.listed_at,
                change.meeting_date,
            )
        case c.MaracHeardFacts():
            await conn.execute(
                f"UPDATE {s}.marac_referrals SET heard_on = $2 WHERE referral_id = $1",
                change.referral_id,
                change.heard_on,
            )
        case c.MaracActionFacts():
            await conn.execute(
                f"""INSERT INTO {s}.marac_actions (action_id, referral_id, case_id, due_on,
                        landlord_action) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING""",
                change.action_id,
                change.referral_id,
                change.case_id,
                change.due_on,
                change.landlord_action,
            )
        case c.MaracActionDone():
            await conn.execute(
                f"UPDATE {s}.marac_actions SET completed_at = $2 WHERE action_id = $1",
                change.action_id,
                change.completed_at,
            )
        case c.MaracActionLate():
            await conn.execute(
                f"""UPDATE {s}.marac_actions SET overdue_at = $2
                    WHERE action_id = $1 AND overdue_at IS NULL""",
                change.action_id,
                change.detected_at,
            )
        case c.ReferralFacts():
            await conn.execute(
                f"""INSERT INTO {s}.referrals (referral_id, case_id, referral_type, made_at,
                        accepted_at, declined_at, decline_reason, closed_at, outcome)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                    ON CONFLICT (referral_id) DO UPDATE SET
                        made_at = COALESCE(EXCLUDED.made_at, {s}.referrals.made_at),
                        accepted_at = COALESCE(EXCLUDED.accepted_at, {s}.referrals.accepted_at),
                        declined_at = COALESCE(EXCLUDED.declined_at, {s}.referrals.declined_at),
                        decline_reason = COALESCE(EXCLUDED.decline_reason,
                            {s}.referrals.decline_reason),
                        closed_at = COALESCE(EXCLUDED.closed_at, {s}.referrals.closed_at),
                        outcome = COALESCE(EXCLUDED.outcome, {s}.referrals.outcome)""",
                change.referral_id,
                change.case_id,
                change.referral_type,
                change.made_at,
                change.accepted_at,
                change.declined_at,
                change.decline_reason,
                change.closed_at,
                change.outcome,
            )
        case c.ConsentFacts():
            await conn.execute(
                f"""INSERT INTO {s}.consents (consent_id, case_id, recorded_at, given, scope)
                    VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING""",
                change.consent_id,
                change.case_id,
                change.recorded_at,
                change.given,
                list(change.scope),
            )
        case c.ConsentWithdrawnFacts():
            await conn.execute(
                f"""UPDATE {s}.consents SET withdrawn_at = $2
                    WHERE consent_id = $1 AND withdrawn_at IS NULL""",
                change.consent_id,
                change.withdrawn_at,
            )
        case c.EnquiryFacts():
            await conn.execute(
                f"""INSERT INTO {s}.enquiries (enquiry_id, raised_at, trigger) VALUES ($1, $2, $3)
                    ON CONFLICT (enquiry_id) DO UPDATE SET raised_at = EXCLUDED.raised_at,
                        trigger = EXCLUDED.trigger""",
                change.enquiry_id,
                change.raised_at,
                change.trigger,
            )
        case c.EnquiryBecameCase():
            # The first report out of an enquiry says when it became a case.
            await conn.execute(
                f"""INSERT INTO {s}.enquiries (enquiry_id, case_id, became_case_at)
                    VALUES ($1, $2, $3)
                    ON CONFLICT (enquiry_id) DO UPDATE SET
                        case_id = COALESCE({s}.enquiries.case_id, EXCLUDED.case_id),
                        became_case_at = LEAST({s}.enquiries.became_case_at,
                            EXCLUDED.became_case_at)""",
                change.enquiry_id,
                change.case_id,
                change.at,
            )
        case c.IncidentFacts():
            await conn.execute(
                f"""INSERT INTO {s}.incidents (incident_id, case_id, occurred_on, recorded_at,
                        source) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING""",
                change.incident_id,
                change.case_id,
                change.occurred_on,
                change.recorded_at,
                change.source,
            )
        case _:
            await _write_casework(conn, s, change)


async def _write_casework(conn: Conn, s: str, change: c.Change) -> None:
    match change:
        case c.SecurityRequested():
            await conn.execute(
                f"""INSERT INTO {s}.security_requests (request_id, case_id, requested_at,
                        sanctuary_scheme) VALUES ($1, $2, $3, $4)
                    ON CONFLICT (request_id) DO UPDATE SET requested_at = EXCLUDED.requested_at,
                        sanctuary_scheme = EXCLUDED.sanctuary_scheme""",
                change.request_id,
                change.case_id,
                change.requested_at,
                change.sanctuary_scheme,
            )
        case c.SecurityInstalled():
            # The first installation says when the work was done.
            await conn.execute(
                f"""INSERT INTO {s}.security_requests (request_id, case_id, installed_at)
                    VALUES ($1, $2, $3)
                    ON CONFLICT (request_id) DO UPDATE SET installed_at =
                        LEAST({s}.security_requests.installed_at, EXCLUDED.installed_at)""",
                change.request_id,
                change.case_id,
                change.installed_at,
            )
        case c.PerpetratorActionFacts():
            await conn.execute(
                f"""INSERT INTO {s}.perpetrator_actions (action_id, case_id, taken_at, kind,
                        wishes_recorded, survivor_agreed, override_reason)
                    VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING""",
                change.action_id,
                change.case_id,
                change.taken_at,
                change.kind,
                change.wishes_recorded,
                change.survivor_agreed,
                change.override_reason,
            )
        case c.WishesRecorded():
            await conn.execute(
                f"""INSERT INTO {s}.wishes (wishes_id, case_id, recorded_at) VALUES ($1, $2, $3)
                    ON CONFLICT DO NOTHING""",
                change.wishes_id,
                change.case_id,
                change.recorded_at,
            )
        case c.SafeContactRecorded():
            await conn.execute(
                f"""INSERT INTO {s}.safe_contact_records (event_id, case_id, recorded_at,
                        survivors_own) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING""",
                change.event_id,
                change.case_id,
                change.recorded_at,
                change.survivors_own,
            )
        case c.ReviewFacts():
            await conn.execute(
                f"""INSERT INTO {s}.reviews (review_id, case_id, reviewed_at, outcome)
                    VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING""",
                change.review_id,
                change.case_id,
                change.reviewed_at,
                change.outcome,
            )
        case _:
            raise TypeError(f"reporting cannot write {type(change).__name__}")


_SURVIVOR_COLUMNS = {x.name: f"survivor_{x.name}" for x in fields(c.SurvivorCategories)}


async def _case_facts(conn: Conn, s: str, facts: c.CaseFacts) -> None:
    values: dict[str, Any] = {
        name: getattr(facts, name)
        for name in (
            "opened_at",
            "reported_at",
            "channel",
            "reporter_kind",
            "immediate_danger",
            "case_manager_id",
            "risk_level",
            "erased_at",
        )
        if getattr(facts, name) is not None
    }
    if facts.repeat:
        values["repeat"] = True  # once a repeat, always: a later event never unsays it
    if facts.survivor is not None:
        # The survivor's answers as now recorded replace the earlier ones.
        for name, column in _SURVIVOR_COLUMNS.items():
            values[column] = getattr(facts.survivor, name)
    if facts.children is not None:
        values["children_in_household"] = facts.children.in_household
        values["children_affected"] = facts.children.affected
    if facts.perpetrator_age_bands is not None:
        # The case's alleged perpetrators as now recorded replace the earlier list.
        values["perpetrator_age_bands"] = list(facts.perpetrator_age_bands)
    if not values:
        return
    columns = list(values)
    placeholders = ", ".join(f"${i}" for i in range(2, len(columns) + 2))
    updates = ", ".join(f"{col} = EXCLUDED.{col}" for col in columns)
    await conn.execute(
        f"""INSERT INTO {s}.case_facts (case_id, {", ".join(columns)}) VALUES ($1, {placeholders})
            ON CONFLICT (case_id) DO UPDATE SET {updates}""",
        facts.case_id,
        *values.values(),
    )


# --- who may see a case ----------------------------------------------------------------


async def case_access(conn: Conn, schema: str, case_id: UUID) -> CaseAccess:
    """What reporting knows of who may see the case (locked while it is moved)."""
    s = check_schema_name(schema)
    row = await conn.fetchrow(
        f"""SELECT opened_at, open, restriction, people, erased_at FROM {s}.case_facts
            WHERE case_id = $1 FOR UPDATE""",
        case_id,
    )
    if row is None or row["opened_at"] is None:
        return CaseAccess()
    restriction = row["restriction"]
    return CaseAccess(
        case_id=case_id,
        opened=True,
        open=row["open"],
        restriction=Restriction.model_validate(restriction) if restriction else None,
        people=tuple(PersonDetails.model_validate(p) for p in row["people"]),
        erased=row["erased_at"] is not None,
    )


async def save_access(conn: Conn, schema: str, access: CaseAccess) -> None:
    """Store who may see the case: ids and staff ids of its people, never their details."""
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
        f"""INSERT INTO {s}.case_facts (case_id, restriction, people, visible_to_everyone,
                visible_to, hidden_from) VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (case_id) DO UPDATE SET restriction = EXCLUDED.restriction,
                people = EXCLUDED.people, visible_to_everyone = EXCLUDED.visible_to_everyone,
                visible_to = EXCLUDED.visible_to, hidden_from = EXCLUDED.hidden_from""",
        access.case_id,
        access.restriction.model_dump(mode="json") if access.restriction else None,
        people,
        seen_by.everyone,
        sorted(seen_by.staff_ids),
        sorted(seen_by.never),
    )


# --- reading ---------------------------------------------------------------------------


def _case(r: Any) -> f.Case:
    """A case's facts from its `case_facts` row."""
    return f.Case(
        case_id=r["case_id"],
        opened_at=r["opened_at"],
        reported_at=r["reported_at"],
        channel=r["channel"],
        reporter_kind=r["reporter_kind"],
        repeat=r["repeat"],
        case_manager_id=r["case_manager_id"],
        restricted=r["restriction"] is not None,
        children_in_household=r["children_in_household"] or 0,
        children_affected=r["children_affected"] or 0,
        survivor=c.SurvivorCategories(
            **{name: r[column] for name, column in _SURVIVOR_COLUMNS.items()}
        ),
        perpetrator_age_bands=tuple(r["perpetrator_age_bands"] or ()),
    )


async def load_facts(conn: Conn, schema: str, case_ids: Sequence[UUID] | None = None) -> f.Facts:
    """Every fact, for the figures (a report reads them all; no hot path does); with
    `case_ids`, only those cases' facts (a DAHA sample's files), each table by its
    `case_id` index."""
    s = check_schema_name(schema)
    only = "" if case_ids is None else " AND case_id = ANY($1::uuid[])"
    args: tuple[Any, ...] = () if case_ids is None else (list(case_ids),)

    async def rows(kind: type[Any], table: str) -> tuple[Any, ...]:
        return await _rows(conn, kind, f"SELECT * FROM {s}.{table} WHERE true{only}", *args)

    cases = [
        _case(r)
        for r in await conn.fetch(
            f"SELECT * FROM {s}.case_facts WHERE opened_at IS NOT NULL{only} ORDER BY case_id",
            *args,
        )
    ]
    return f.Facts(
        cases=tuple(cases),
        reports=await rows(f.Report, "reports"),
        closures=await rows(f.Closure, "closures"),
        deadlines=await rows(f.Deadline, "deadlines"),
        risk_levels=await rows(f.RiskLevelAt, "risk_levels"),
        assessments=await rows(f.Assessment, "assessments"),
        marac_referrals=await rows(f.MaracReferral, "marac_referrals"),
        marac_actions=await rows(f.MaracAction, "marac_actions"),
        referrals=await rows(f.Referral, "referrals"),
        consents=await rows(f.Consent, "consents"),
        enquiries=await rows(f.Enquiry, "enquiries"),
        incidents=await rows(f.Incident, "incidents"),
        security=await rows(f.SecurityWork, "security_requests"),
        perpetrator_actions=await rows(f.PerpetratorAction, "perpetrator_actions"),
        wishes=await rows(f.Wishes, "wishes"),
        safe_contact=await rows(f.SafeContactRecord, "safe_contact_records"),
        reviews=await rows(f.Review, "reviews"),
    )


async def load_period_facts(conn: Conn, schema: str, start: datetime, until: datetime) -> f.Facts:
    """The facts the figures for a period read, and no others: exactly what
    `figures.report` counts for the period [`start`, `until`) (`until`: the period's end,
    or now if sooner), so the figures are those `load_facts` would give. Each table is
    read by the times its figures look at (indexes of migrations 0004 and 0005); the
    tables only a DAHA file reads are not read at all.

    Cases: those opened before `until` that could count in the period, found through an
    index: every case open now or closed (for the last time) on or after `start` (or
    `until`, if sooner: as a period stood before it began, only "open at the end"
    counts), and the cases of the period's closures and MARAC referrals. A case closed
    before `start` and never reopened was closed throughout the period, so it counts in
    no figure of it (not supported, not open at the end, not new): old closed cases, most
    of the history, are not read, nor their closures and risk levels. Every deadline
    still running at `until` (overdue at the end) and the MARAC referrals whose landlord
    actions are still outstanding are read whatever their age."""
    s = check_schema_name(schema)
    # The local day a MARAC was heard on is compared in the policy's timezone: a day
    # either side in SQL, the exact test in `figures`.
    first_day = start.date() - timedelta(days=1)
    last_day = until.date() + timedelta(days=1)

    async def rows(kind: type[Any], query: str, *args: Any) -> tuple[Any, ...]:
        return await _rows(conn, kind, query, *args)

    within = "{column} >= $1 AND {column} < $2"
    window = (start, until)
    since = min(start, until)  # as a period stood before it began: open at `until`
    # Open now or last closed since `since` (the expression index), then the few cases
    # of the period's closures and MARAC referrals that are not among those.
    last_closed = "coalesce(closed_at, 'infinity'::timestamptz)"
    cases = [
        _case(r)
        for r in await conn.fetch(
            f"""SELECT * FROM {s}.case_facts WHERE {last_closed} >= $3 AND opened_at < $2
                UNION ALL
                SELECT * FROM {s}.case_facts WHERE {last_closed} < $3 AND opened_at < $2
                    AND case_id IN (
                        SELECT case_id FROM {s}.closures
                            WHERE {within.format(column="closed_at")}
                        UNION SELECT case_id FROM {s}.marac_referrals
                            WHERE {within.format(column="referred_at")})
                ORDER BY case_id""",
            *window,
            since,
        )
    ]
    # A closure standing at `until` is its case's last (not reopened: its `closed_at` is
    # the case's, so on or after `since` for every case read) or one reopened since.
    standing = "(closed_at < $2 OR closed_at <= $1)"
    return f.Facts(
        cases=tuple(cases),
        reports=await rows(
            f.Report,
            f"SELECT * FROM {s}.reports WHERE {within.format(column='reported_at')}",
            *window,
        ),
        closures=await rows(
            f.Closure,
            f"""SELECT * FROM {s}.closures WHERE {within.format(column="closed_at")}
                UNION SELECT * FROM {s}.closures
                    WHERE reopened_at IS NULL AND closed_at >= $3 AND {standing}
                UNION SELECT * FROM {s}.closures WHERE reopened_at >= $2 AND {standing}""",
            *window,
            since,
        ),
        deadlines=await rows(
            f.Deadline,
            f"""SELECT * FROM {s}.deadlines
                WHERE {within.format(column="started_at")}
                    OR {within.format(column="overdue_at")}
                    OR (due_at < $2 AND (met_at IS NULL OR met_at >= $2)
                        AND (cancelled_at IS NULL OR cancelled_at >= $2))""",
            *window,
        ),
        risk_levels=await rows(
            f.RiskLevelAt,
            f"""SELECT r.* FROM unnest($2::uuid[]) AS k(case_id)
                CROSS JOIN LATERAL (
                    SELECT * FROM {s}.risk_levels WHERE case_id = k.case_id AND at < $1
                    ORDER BY at DESC LIMIT 1) AS r
                ORDER BY r.case_id""",
            until,
            [case.case_id for case in cases],
        ),
        assessments=await rows(
            f.Assessment,
            f"SELECT * FROM {s}.assessments WHERE {within.format(column='at')}",
            *window,
        ),
        marac_referrals=await rows(
            f.MaracReferral,
            f"""SELECT * FROM {s}.marac_referrals WHERE referral_id IN (
                    SELECT referral_id FROM {s}.marac_referrals
                        WHERE {within.format(column="referred_at")}
                    UNION SELECT referral_id FROM {s}.marac_referrals
                        WHERE heard_on >= $3 AND heard_on <= $4
                    UNION SELECT referral_id FROM {s}.marac_actions
                        WHERE landlord_action AND (completed_at IS NULL OR completed_at >= $2))""",
            *window,
            first_day,
            last_day,
        ),
        marac_actions=await rows(
            f.MaracAction,
            f"""SELECT * FROM {s}.marac_actions
                WHERE landlord_action AND (completed_at IS NULL OR completed_at >= $1)""",
            until,
        ),
        referrals=await rows(
            f.Referral,
            f"""SELECT * FROM {s}.referrals
                WHERE {within.format(column="made_at")} OR {within.format(column="declined_at")}""",
            *window,
        ),
        consents=await rows(
            f.Consent,
            f"""SELECT * FROM {s}.consents WHERE {within.format(column="recorded_at")}
                OR {within.format(column="withdrawn_at")}""",
            *window,
        ),
        enquiries=await rows(
            f.Enquiry,
            f"SELECT * FROM {s}.enquiries WHERE {within.format(column='raised_at')}",
            *window,
        ),
        incidents=await rows(
            f.Incident,
            f"SELECT * FROM {s}.incidents WHERE {within.format(column='recorded_at')}",
            *window,
        ),
        security=await rows(
            f.SecurityWork,
            f"SELECT * FROM {s}.security_requests WHERE {within.format(column='installed_at')}",
            *window,
        ),
    )


async def daha_sample(
    conn: Conn,
    schema: str,
    staff_id: str,
    closed_from: datetime,
    closed_before: datetime,
    now: datetime,
    size: int,
    seed: int,
) -> tuple[list[UUID], int]:
    """A sample of `size` of the cases closed in [`closed_from`, `closed_before`) and by
    `now` that this member of staff may see and that are not restricted, drawn in SQL in
    the order of `daha.draw_key(seed, case_id)` (md5 of "<seed>:<case id>", then the id);
    and how many such cases there are. Only the sampled ids are read (closures by
    `closed_at`)."""
    s = check_schema_name(schema)
    rows = await conn.fetch(
        f"""WITH closed AS (
                SELECT DISTINCT cl.case_id FROM {s}.closures cl
                JOIN {s}.case_facts c ON c.case_id = cl.case_id
                WHERE cl.closed_at >= $2 AND cl.closed_at < $3 AND cl.closed_at <= $4
                    AND {_visible("c", restricted_too=False)})
            SELECT case_id, count(*) OVER () AS total FROM closed
            ORDER BY md5($5::text || ':' || case_id::text), case_id LIMIT $6""",
        staff_id,
        closed_from,
        closed_before,
        now,
        str(seed),
        size,
    )
    return [r["case_id"] for r in rows], int(rows[0]["total"]) if rows else 0


async def _rows(conn: Conn, kind: type[Any], query: str, *args: Any) -> tuple[Any, ...]:
    names = [x.name for x in fields(kind)]
    rows = await conn.fetch(query, *args)
    out = [kind(**{n: _plain(r[n]) for n in names}) for r in rows]
    return tuple(sorted(out, key=repr))


def _plain(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _visible(alias: str = "", *, restricted_too: bool = True) -> str:
    """The SQL condition on `case_facts` (as `alias`) for a case the member of staff `$1`
    may see here: opened, not erased, not hidden from them (their own case) and, for a
    restricted case, named on it; with `restricted_too=False`, never a restricted case.
    (Who may see what is decided by `hearth.eventstore.case_access`; the columns hold it.)"""
    a = f"{alias}." if alias else ""
    shown = f"{a}opened_at IS NOT NULL AND {a}erased_at IS NULL AND NOT ($1 = ANY({a}hidden_from))"
    if restricted_too:
        return f"{shown} AND ({a}visible_to_everyone OR $1 = ANY({a}visible_to))"
    return f"{shown} AND {a}visible_to_everyone AND {a}restriction IS NULL"


async def case_list(
    conn: Conn, schema: str, staff_id: str, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """A page of the cases this member of staff may see, newest first, with the total
    they may see; restricted cases they are not named on are left out (not counted)."""
    s = check_schema_name(schema)
    visible = _visible()
    rows = await conn.fetch(
        f"""SELECT c.case_id, c.opened_at, c.open, c.closed_at, c.closure_reason, c.channel,
                c.reporter_kind, c.case_manager_id, c.risk_level, c.restriction IS NOT NULL
                    AS restricted, c.repeat,
                (SELECT count(*) FROM {s}.deadlines d WHERE d.case_id = c.case_id
                    AND d.met_at IS NULL AND d.cancelled_at IS NULL) AS deadlines_running,
                (SELECT count(*) FROM {s}.deadlines d WHERE d.case_id = c.case_id
                    AND d.met_at IS NULL AND d.cancelled_at IS NULL AND d.overdue_at IS NOT NULL)
                    AS deadlines_overdue
            FROM {s}.case_facts c WHERE {visible}
            ORDER BY c.opened_at DESC, c.case_id LIMIT $2 OFFSET $3""",
        staff_id,
        limit,
        offset,
    )
    total = await conn.fetchval(f"SELECT count(*) FROM {s}.case_facts WHERE {visible}", staff_id)
    return [dict(r) for r in rows], int(total)


async def case_timeline(
    conn: Conn, schema: str, staff_id: str, case_id: UUID, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int] | None:
    """A page of a case's timeline (time, service, event, actor's role), oldest first, and
    how many entries it has; None when this member of staff may not see the case here:
    unknown, erased, hidden from them, or restricted (a restricted case's history is read
    in cases, where every read is recorded)."""
    s = check_schema_name(schema)
    visible = await conn.fetchval(
        f"""SELECT true FROM {s}.case_facts
            WHERE case_id = $2 AND {_visible(restricted_too=False)}""",
        staff_id,
        case_id,
    )
    if not visible:
        return None
    rows = await conn.fetch(
        f"""SELECT at, service, event_type, actor_role FROM {s}.timeline WHERE case_id = $1
            ORDER BY at, event_id LIMIT $2 OFFSET $3""",
        case_id,
        limit,
        offset,
    )
    total = await conn.fetchval(f"SELECT count(*) FROM {s}.timeline WHERE case_id = $1", case_id)
    return [dict(r) for r in rows], int(total)


async def deadline_list(
    conn: Conn, schema: str, staff_id: str, overdue_only: bool, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """A page of the deadlines still running (or only those found overdue) on cases this
    member of staff may see, the soonest due first, with how many there are."""
    s = check_schema_name(schema)
    where = f"d.met_at IS NULL AND d.cancelled_at IS NULL AND {_visible('c')}" + (
        " AND d.overdue_at IS NOT NULL" if overdue_only else ""
    )
    source = f"{s}.deadlines d JOIN {s}.case_facts c ON c.case_id = d.case_id"
    rows = await conn.fetch(
        f"""SELECT d.case_id, d.kind, d.started_at, d.due_at, d.overdue_at,
                c.case_manager_id
            FROM {source} WHERE {where}
            ORDER BY d.due_at, d.case_id, d.kind LIMIT $2 OFFSET $3""",
        staff_id,
        limit,
        offset,
    )
    total = await conn.fetchval(f"SELECT count(*) FROM {source} WHERE {where}", staff_id)
    return [dict(r) for r in rows], int(total)


async def snapshot(conn: Conn, schema: str) -> dict[str, list[dict[str, Any]]]:
    """Every table's rows in a stable order (to compare a rebuild with what it replaced)."""
    s = check_schema_name(schema)
    out: dict[str, list[dict[str, Any]]] = {}
    for table in TABLES:
        rows = await conn.fetch(f"SELECT * FROM {s}.{table}")
        out[table] = sorted((dict(r) for r in rows), key=repr)
    return out
