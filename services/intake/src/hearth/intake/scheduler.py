"""The service's background task: the retention sweep of enquiries no report followed up.

`retention_scheduler` runs `erase_expired_enquiries` every `retention_poll_seconds`
(`HEARTH_INTAKE_RETENTION_POLL_SECONDS`); `python -m hearth.intake
erase-expired-enquiries` does the same at once (`operations.py`). The work list is read
from the `enquiries` index (raised before the policy's cutoff, neither followed up nor
erased, through its partial index); each enquiry is then decided on its own facts
(`domain.retention`), under an advisory lock other instances skip, in one transaction:
`EnquiryErased` on its stream, its keys destroyed, its rows forgotten.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime
from uuid import UUID

import structlog

from hearth.contracts.envelope import Actor, Role
from hearth.eventstore.db import advisory_key
from hearth.eventstore.errors import DomainError
from hearth.eventstore.logs import describe_error
from hearth.eventstore.runtime import Runtime
from hearth.eventstore.store import NewEvent
from hearth.eventstore.tasks import Erasures, sweep_until_stopped
from hearth.intake import read_model
from hearth.intake.domain.retention import (
    EraseUnfollowedEnquiry,
    decide,
    key_reason,
    unfollowed_cutoff,
)
from hearth.intake.handlers import enquiry_stream
from hearth.intake.settings import intake_context

log = structlog.get_logger(__name__)

RETENTION = Actor(id="hearth.intake.retention", role=Role.SYSTEM)
"""Hearth applying intake's retention policy (the sweep and `erase-expired-enquiries`)."""


async def retention_scheduler(runtime: Runtime, stop: asyncio.Event) -> None:
    """Erase enquiries whose retention period has ended, every `retention_poll_seconds`,
    until `stop` is set; a failed sweep is logged and tried again next poll."""
    settings = intake_context(runtime).settings

    async def erased(limit: int) -> int:
        return (await erase_expired_enquiries(runtime, limit=limit)).erased

    await sweep_until_stopped(
        erased,
        stop,
        what="enquiry retention",
        batch_size=settings.retention_batch_size,
        poll_seconds=settings.retention_poll_seconds,
    )


async def erase_expired_enquiries(runtime: Runtime, *, limit: int = 50) -> Erasures:
    """Erase up to `limit` of the enquiries raised longer ago than the policy's period that
    no report followed up. One enquiry's trouble is logged (ids and codes only) and does
    not hold up the others."""
    now = runtime.clock.now()
    store = runtime.event_store
    policy = intake_context(runtime).policy
    async with store.pool.acquire() as conn:
        due = await read_model.unfollowed_enquiries_before(
            conn, runtime.schema, unfollowed_cutoff(now, policy), limit
        )
    erased = refused = failed = 0
    for enquiry_id in due:
        try:
            done = await _erase(runtime, enquiry_id, now)
        except Exception as exc:
            failed += 1
            log.error(
                "could not erase an enquiry at the end of retention",
                enquiry_id=str(enquiry_id),
                error=describe_error(exc),
            )
            continue
        erased += done is True
        refused += done is False
    if erased:
        log.info("enquiries erased at the end of retention", erased=erased)
    return Erasures(erased, refused, failed)


async def _erase(runtime: Runtime, enquiry_id: UUID, now: datetime) -> bool | None:
    """True: erased. False: refused (followed up or erased meanwhile). None: another
    instance has it."""
    store = runtime.event_store
    schema = runtime.schema
    policy = intake_context(runtime).policy
    if runtime.key_store is None:
        raise RuntimeError("the runtime has no key store: enquiry keys cannot be destroyed")
    async with store.transaction() as conn:
        taken = await conn.fetchval(
            "SELECT pg_try_advisory_xact_lock($1)",
            advisory_key("hearth-enquiry-erasure", schema, str(enquiry_id)),
        )
        if not taken:
            return None
        facts = await read_model.enquiry_retention(conn, schema, enquiry_id)
        try:
            events = decide(EraseUnfollowedEnquiry(RETENTION, enquiry_id), facts, now, policy)
        except DomainError as exc:
            log.info(
                "retention sweep: enquiry not erased",
                enquiry_id=str(enquiry_id),
                code=getattr(exc, "code", type(exc).__name__),
            )
            return False
        if not events:
            return False
        [erased] = events
        stream = enquiry_stream(enquiry_id)
        version = await store.stream_version(stream, conn=conn)
        await store.append(
            stream,
            [NewEvent(erased, RETENTION, now, uuid.uuid4())],
            expected_version=version,
            subject=str(enquiry_id),
            conn=conn,
        )
        await runtime.key_store.destroy_case(enquiry_id, reason=key_reason(erased), conn=conn)
        await read_model.forget_enquiry(conn, schema, erased)
    log.info("enquiry erased at the end of retention", enquiry_id=str(enquiry_id))
    return True
