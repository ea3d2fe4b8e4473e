"""The service's background tasks: the deadline scheduler and the retention sweep.

The retention sweep (`retention_scheduler`, `erase_expired`) erases cases closed longer
ago than the policy's retention period: see `erase_expired`.

The deadline scheduler records each missed deadline overdue, exactly once.

Every `scheduler_poll_seconds` it looks for due rows in the `deadlines` table (unmet,
not cancelled, not yet recorded overdue). Each is taken under a transaction-scoped
advisory lock that other instances skip, so several instances never take the same
deadline at once, and in ONE transaction the `RecordOverdue`
command appends the Overdue event (the decider refuses a second Overdue for the same
deadline, so exactly-once holds by state as well as by row) and the read model marks
the row. A restart at any moment leaves either both or neither. Time comes only from
the runtime's clock. One deadline's trouble is logged and does not hold up the others.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from uuid import UUID

import asyncpg
import structlog

from hearth.cases import read_model
from hearth.cases.domain import erasure
from hearth.cases.domain.commands import EraseExpired, RecordOverdue
from hearth.cases.domain.deadlines import DeadlineKind
from hearth.cases.handlers import SCHEDULER, case_handlers, run_command
from hearth.cases.settings import cases_config
from hearth.contracts.envelope import Actor, Role
from hearth.eventstore.db import advisory_key
from hearth.eventstore.errors import DomainError
from hearth.eventstore.logs import describe_error
from hearth.eventstore.metrics import SLA_BREACHES
from hearth.eventstore.runtime import Runtime
from hearth.eventstore.tasks import Erasures, sweep_until_stopped

log = structlog.get_logger(__name__)

_WAITING = "met_at IS NULL AND cancelled_at IS NULL AND overdue_recorded_at IS NULL"


async def deadline_scheduler(runtime: Runtime, stop: asyncio.Event) -> None:
    """Run until `stop` is set; a failed sweep is logged and tried again next poll."""
    settings = cases_config(runtime).settings
    await sweep_until_stopped(
        lambda limit: sweep(runtime, limit=limit),
        stop,
        what="deadline",
        batch_size=settings.scheduler_batch_size,
        poll_seconds=settings.scheduler_poll_seconds,
    )


async def sweep(runtime: Runtime, *, limit: int = 100) -> int:
    """Record due deadlines overdue (up to `limit`). Returns how many were settled."""
    now = runtime.clock.now()
    schema = runtime.event_store.schema
    due = await runtime.event_store.pool.fetch(
        f"""SELECT case_id, kind, ref_id FROM {schema}.deadlines
            WHERE {_WAITING} AND due_at <= $1 ORDER BY due_at LIMIT $2""",
        now,
        limit,
    )
    settled = 0
    for row in due:
        try:
            await _record_overdue(runtime, row, now)
            settled += 1
        except Exception as exc:
            log.error(
                "could not record a deadline overdue",
                case_id=str(row["case_id"]),
                kind=row["kind"],
                error=describe_error(exc),
            )
    return settled


async def _record_overdue(runtime: Runtime, row: asyncpg.Record, now: datetime) -> None:
    store = runtime.event_store
    kind = DeadlineKind(row["kind"])
    async with store.transaction() as conn:
        # An advisory lock, not a lock on the deadline row: a staff command on the same
        # case appends and then rewrites that row, so holding the row while appending
        # could deadlock with it. A second instance skips what the first holds.
        taken = await conn.fetchval(
            "SELECT pg_try_advisory_xact_lock($1)",
            advisory_key(
                "hearth-overdue", store.schema, str(row["case_id"]), kind.value, row["ref_id"]
            ),
        )
        locked = taken and await conn.fetchval(
            f"""SELECT true FROM {store.schema}.deadlines
                WHERE case_id = $1 AND kind = $2 AND ref_id = $3 AND {_WAITING}
                  AND due_at <= $4""",
            row["case_id"],
            kind.value,
            row["ref_id"],
            now,
        )
        if not locked:
            return  # another instance has it, or it was met meanwhile
        command = RecordOverdue(SCHEDULER, kind, row["ref_id"])
        outcome = await run_command(runtime, conn, row["case_id"], command, now=now)
        if not outcome.appended:
            # Nothing to record by the case's own state (met, cancelled, already
            # overdue): bring the row in line with it, or drop it if the case is unknown.
            if outcome.state.exists:
                await read_model.save(conn, store.schema, outcome.state)
            else:
                await conn.execute(
                    f"DELETE FROM {store.schema}.deadlines WHERE case_id = $1", row["case_id"]
                )
    if outcome.appended:
        SLA_BREACHES.labels("cases", kind.value).inc()
        log.info("deadline overdue", case_id=str(row["case_id"]), kind=kind.value)


# --- retention ---------------------------------------------------------------------------

RETENTION = Actor(id="hearth.cases.retention", role=Role.SYSTEM)
"""Hearth applying the retention policy (the sweep and the `erase-expired` command)."""


async def retention_scheduler(runtime: Runtime, stop: asyncio.Event) -> None:
    """Erase cases whose retention period has ended, every `retention_poll_seconds`,
    until `stop` is set; a failed sweep is logged and tried again next poll."""
    settings = cases_config(runtime).settings

    async def erased(limit: int) -> int:
        return (await erase_expired(runtime, limit=limit)).erased

    await sweep_until_stopped(
        erased,
        stop,
        what="retention",
        batch_size=settings.retention_batch_size,
        poll_seconds=settings.retention_poll_seconds,
    )


async def erase_expired(runtime: Runtime, *, limit: int = 50) -> Erasures:
    """Erase up to `limit` of the cases closed longer ago than the policy's retention period.

    The work list is read from the summary's closure dates (an index of closed cases not
    yet erased); each case is then decided on its own events (`EraseExpired`), under an
    advisory lock other instances skip, in one transaction with its keys' destruction and
    its read model. A case refused (reopened, say, since the summary was written) has its
    summary row brought in line with its events, so it is not listed again. One case's
    trouble is logged (ids and codes only) and does not hold up the others."""
    now = runtime.clock.now()
    store = runtime.event_store
    retention = cases_config(runtime).rules.policy.retention
    async with store.pool.acquire() as conn:
        due = await read_model.closed_before(
            conn, store.schema, erasure.closed_before(now, retention), limit
        )
    erased = refused = failed = 0
    for case_id in due:
        try:
            done = await _erase(runtime, case_id, now)
        except Exception as exc:
            failed += 1
            log.error(
                "could not erase a case at the end of retention",
                case_id=str(case_id),
                error=describe_error(exc),
            )
            continue
        erased += done is True
        refused += done is False
    if erased:
        log.info("cases erased at the end of retention", erased=erased)
    return Erasures(erased, refused, failed)


async def _erase(runtime: Runtime, case_id: UUID, now: datetime) -> bool | None:
    """True: erased. False: refused by its events. None: another instance has it."""
    store = runtime.event_store
    handlers = case_handlers(runtime)
    async with store.transaction() as conn:
        taken = await conn.fetchval(
            "SELECT pg_try_advisory_xact_lock($1)",
            advisory_key("hearth-erasure", store.schema, str(case_id)),
        )
        if not taken:
            return None
        loaded = await handlers.load(conn, case_id)
        try:
            # A savepoint: a refusal leaves the transaction usable to fix the summary.
            async with conn.transaction():
                await handlers.run(conn, case_id, EraseExpired(RETENTION), now=now, loaded=loaded)
        except DomainError as exc:
            log.info(
                "retention sweep: case not erased",
                case_id=str(case_id),
                code=getattr(exc, "code", type(exc).__name__),
            )
            await read_model.save(conn, store.schema, loaded.state)
            return False
    log.info("case erased at the end of retention", case_id=str(case_id))
    return True
