"""The MARAC action scheduler: records each action past its due date overdue, exactly once.

Every `scheduler_poll_seconds` it looks for waiting rows in `marac_actions` (not
completed, not yet recorded overdue) whose due date is before today in the landlord's
zone (the due date is the last day to do it). Each is taken under a transaction-scoped
advisory lock that other instances skip, and in ONE transaction the `RecordActionOverdue`
command appends `MaracActionOverdue` (the decider refuses a second one for the same
action, so exactly-once holds by the stream's state as well as by the row) and the read
model marks the row. A restart at any moment leaves either both or neither. Time comes
only from the runtime's clock; one action's trouble is logged and does not hold up others.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import structlog

from hearth.eventstore.db import advisory_key
from hearth.eventstore.logs import describe_error
from hearth.eventstore.metrics import SLA_BREACHES
from hearth.eventstore.runtime import Runtime
from hearth.eventstore.tasks import sweep_until_stopped
from hearth.referrals import read_model
from hearth.referrals.domain.commands import RecordActionOverdue
from hearth.referrals.domain.criteria import local_date
from hearth.referrals.handlers import SCHEDULER, referral_handlers
from hearth.referrals.settings import referrals_config

log = structlog.get_logger(__name__)


async def marac_action_scheduler(runtime: Runtime, stop: asyncio.Event) -> None:
    """Run until `stop` is set; a failed sweep is logged and tried again next poll."""
    settings = referrals_config(runtime).settings
    await sweep_until_stopped(
        lambda limit: sweep(runtime, limit=limit),
        stop,
        what="MARAC action",
        batch_size=settings.scheduler_batch_size,
        poll_seconds=settings.scheduler_poll_seconds,
    )


async def sweep(runtime: Runtime, *, limit: int = 100) -> int:
    """Record overdue the MARAC actions past their due date (up to `limit`)."""
    now = runtime.clock.now()
    today = local_date(now, referrals_config(runtime).policy)
    store = runtime.event_store
    async with store.pool.acquire() as conn:
        due = await read_model.due_actions(conn, store.schema, today, limit)
    settled = 0
    for row in due:
        try:
            await _record_overdue(runtime, row, now)
            settled += 1
        except Exception as exc:
            log.error(
                "could not record a MARAC action overdue",
                case_id=str(row["case_id"]),
                error=describe_error(exc),
            )
    return settled


async def _record_overdue(runtime: Runtime, row: Any, now: datetime) -> None:
    store = runtime.event_store
    today = local_date(now, referrals_config(runtime).policy)
    handlers = referral_handlers(runtime)
    appended = False
    async with store.transaction() as conn:
        # An advisory lock, not a row lock: a staff command on the same case appends and
        # then rewrites that row. A second instance skips what the first holds.
        taken = await conn.fetchval(
            "SELECT pg_try_advisory_xact_lock($1)",
            advisory_key("hearth-marac-overdue", store.schema, str(row["action_id"])),
        )
        waiting = taken and await conn.fetchval(
            f"""SELECT true FROM {store.schema}.marac_actions
                WHERE action_id = $1 AND {read_model.WAITING} AND due_on < $2""",
            row["action_id"],
            today,
        )
        if not waiting:
            return  # another instance has it, or it was completed meanwhile
        command = RecordActionOverdue(
            actor=SCHEDULER, referral_id=row["referral_id"], action_id=row["action_id"]
        )
        outcome = await handlers.run(conn, row["case_id"], command, now=now)
        appended = bool(outcome.appended)
        if not appended:
            # Nothing to record by the stream's own state: bring the rows in line with it.
            await read_model.save(conn, store.schema, outcome.state, outcome.known)
    if appended:
        SLA_BREACHES.labels("referrals", "marac_action").inc()
        log.info("MARAC action overdue", case_id=str(row["case_id"]))
