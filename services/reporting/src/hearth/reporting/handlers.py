"""Reading reporting's facts for an answer: one consistent snapshot per request.

Reporting decides nothing and appends nothing; its facts come from the consumer. A
report reads every table in one read-only, repeatable-read transaction, so its figures
agree with one another even while events arrive.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from hearth.contracts.envelope import Actor
from hearth.eventstore.errors import NotFound
from hearth.eventstore.runtime import Runtime
from hearth.reporting import read_model
from hearth.reporting.domain import daha
from hearth.reporting.domain.figures import Report, ReportKind, report
from hearth.reporting.domain.periods import parse_period
from hearth.reporting.settings import ReportingConfig


async def figures(runtime: Runtime[ReportingConfig], kind: ReportKind, period: str) -> Report:
    """The report for the period named, as it stands now."""
    policy = runtime.context.policy
    chosen = parse_period(period, policy.working_days.timezone)
    now = runtime.clock.now()
    pool = runtime.event_store.pool
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        # Only what the period's figures read (`load_period_facts`), not every fact.
        until = min(chosen.end, now)
        facts = await read_model.load_period_facts(conn, runtime.schema, chosen.start, until)
    return report(kind, facts, chosen, now, policy)


async def case_page(
    runtime: Runtime[ReportingConfig], actor: Actor, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """The cases the actor may see, newest first."""
    async with runtime.event_store.transaction() as conn:
        return await read_model.case_list(conn, runtime.schema, actor.id, limit, offset)


async def case_timeline(
    runtime: Runtime[ReportingConfig], actor: Actor, case_id: UUID, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """A case's timeline, for a case the actor may see here; `NotFound` otherwise (the
    same answer for a case that does not exist and one they may not know of)."""
    async with runtime.event_store.transaction() as conn:
        found = await read_model.case_timeline(
            conn, runtime.schema, actor.id, case_id, limit, offset
        )
    if found is None:
        raise NotFound("no such case here", code="case_not_found")
    return found


async def deadline_page(
    runtime: Runtime[ReportingConfig], actor: Actor, overdue_only: bool, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """The deadlines running on cases the actor may see, soonest first."""
    async with runtime.event_store.transaction() as conn:
        return await read_model.deadline_list(
            conn, runtime.schema, actor.id, overdue_only, limit, offset
        )


async def daha_sample(
    runtime: Runtime[ReportingConfig], actor: Actor, period: str, size: int, seed: int
) -> dict[str, Any]:
    """A reproducible sample of the cases closed in the period, with each one's evidence.

    Restricted cases are left out: their files are read in cases, where every read is
    recorded, and an assessor's sample must not show them to anyone not named on them."""
    policy = runtime.context.policy
    chosen = parse_period(period, policy.working_days.timezone)
    now = runtime.clock.now()
    pool = runtime.event_store.pool
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        # Drawn in SQL (`daha.sample`'s order), then only the sampled cases' facts read.
        drawn, closed = await read_model.daha_sample(
            conn, runtime.schema, actor.id, chosen.start, chosen.end, now, size, seed
        )
        facts = await read_model.load_facts(conn, runtime.schema, case_ids=drawn)
    return {
        "period": chosen.label,
        "seed": seed,
        "size": size,
        "closed_cases": closed,
        "cases": [daha.evidence(case_id, facts, policy) for case_id in drawn],
    }
