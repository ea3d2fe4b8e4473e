"""Commands: one transaction each for the idempotency key, the match index and the append."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final
from uuid import UUID

import structlog

from hearth.contracts.envelope import Actor, canonical_json
from hearth.eventstore.db import Conn
from hearth.eventstore.errors import DomainError
from hearth.eventstore.runtime import Runtime
from hearth.eventstore.store import NewEvent
from hearth.intake import tables
from hearth.intake.domain.asb import AsbReport, enquiry_for_asb_report
from hearth.intake.domain.linking import (
    IndexEntry,
    LinkDecision,
    decide_link,
    reused_person_ids,
)
from hearth.intake.domain.matching import PersonKeys, PersonRole, all_digests, people_keys
from hearth.intake.domain.reports import PersonIds, assign_person_ids, build_report_events
from hearth.intake.domain.submission import ReportSubmission
from hearth.intake.settings import intake_context

log = structlog.get_logger(__name__)

ACCEPTED: Final = 202


class IdempotencyKeyReused(DomainError):
    """The idempotency key was used before with a different request."""

    code = "idempotency_key_reused"


class UnknownEnquiry(DomainError):
    """The report names an enquiry intake has not raised."""

    code = "unknown_enquiry"


@dataclass(frozen=True, slots=True)
class Idempotency:
    """A client's idempotency key, where it applies (scope) and what it was sent with."""

    scope: str
    key: str
    request_hash: str


def report_stream(report_id: UUID) -> str:
    return f"report-{report_id}"


def enquiry_stream(enquiry_id: UUID) -> str:
    return f"enquiry-{enquiry_id}"


def request_hash(secret: bytes, body: Any) -> str:
    """A keyed hash of a request: spots a changed body without keeping what it said."""
    return hmac.new(secret, b"request\x1f" + canonical_json(body), hashlib.sha256).hexdigest()


def report_response(
    report_id: UUID, decision: LinkDecision, *, withheld: bool = False
) -> dict[str, Any]:
    """The 202 body for a report: ids and the link, never anything that was reported.

    `withheld`: the report joined (or repeats) a restricted case the submitter is not
    named on. The answer then names the report only: saying which case, or that there
    is one, would tell them a colleague's case exists. The case's named staff see it.
    """
    if withheld:
        return {"report_id": str(report_id), "case_id": None, "link": None, "case_withheld": True}
    return {
        "report_id": str(report_id),
        "case_id": str(decision.case_id),
        "link": {
            "basis": decision.basis.value,
            "repeat_reasons": [r.value for r in decision.repeat_reasons],
            "previous_case_id": str(decision.previous_case_id)
            if decision.previous_case_id
            else None,
        },
    }


def _existing_cases(decision: LinkDecision) -> list[UUID]:
    cases = [] if decision.is_new_case else [decision.case_id]
    return cases + ([decision.previous_case_id] if decision.previous_case_id else [])


async def submit_report(
    runtime: Runtime,
    submission: ReportSubmission,
    *,
    actor: Actor,
    correlation_id: UUID,
    idempotency: Idempotency | None = None,
) -> dict[str, Any]:
    """Decide the report's case and append its events, all in one transaction.

    Returns the response body; a retry with the same idempotency key gets the first
    answer again. Raises DomainError when the request is refused (nothing is stored).
    """
    context = intake_context(runtime)
    store = runtime.event_store
    schema = runtime.schema
    async with store.transaction() as conn:
        now = runtime.clock.now()
        if idempotency is not None:
            earlier = await _earlier_answer(conn, schema, idempotency, now)
            if earlier is not None:
                return earlier
        if submission.enquiry_id is not None:
            stream = enquiry_stream(submission.enquiry_id)
            if await store.stream_version(stream, conn=conn) == 0:
                raise UnknownEnquiry("no enquiry with this id was raised by intake")
        people = people_keys(
            context.match_key,
            survivor=submission.survivor,
            alleged_perpetrators=submission.alleged_perpetrators,
            tenancy_reference=submission.tenancy_reference,
        )
        digests = all_digests(people)
        await tables.lock_digests(conn, schema, digests)
        entries = await tables.find_index_entries(conn, schema, digests)
        wanted = {e.case_id for e in entries}
        if submission.case_id is not None:
            wanted.add(submission.case_id)
        statuses = await tables.case_statuses(conn, schema, wanted)
        report_id = uuid.uuid4()
        decision = decide_link(
            people=people,
            entries=entries,
            statuses=statuses,
            now=now,
            repeat_window_months=context.policy.repeat_window_months,
            new_case_id=uuid.uuid4(),
            named_case_id=submission.case_id,
        )
        person_ids = assign_person_ids(
            submission, reused_person_ids(decision, people, entries), uuid.uuid4
        )
        received, linked = build_report_events(
            submission,
            report_id=report_id,
            received_at=now,
            decision=decision,
            person_ids=person_ids,
        )
        received_id = uuid.uuid4()
        await store.append(
            report_stream(report_id),
            [
                NewEvent(received, actor, now, correlation_id, event_id=received_id),
                NewEvent(linked, actor, now, correlation_id, causation_id=received_id),
            ],
            expected_version=0,
            subject=str(decision.case_id),
            conn=conn,
        )
        await tables.add_index_entries(
            conn,
            schema,
            _index_entries(people, decision.case_id, person_ids),
            source="intake",
            now=now,
        )
        if decision.is_new_case:
            await tables.record_assigned_case(
                conn, schema, case_id=decision.case_id, report_id=report_id, at=now
            )
        hidden = await tables.hidden_cases(
            conn, schema, _existing_cases(decision), staff_id=actor.id
        )
        response = report_response(report_id, decision, withheld=bool(hidden))
        if idempotency is not None:
            await tables.save_idempotent_response(
                conn, schema, scope=idempotency.scope, key=idempotency.key, response=response
            )
    log.info(
        "report received",
        report_id=str(report_id),
        case_id=str(decision.case_id),
        basis=decision.basis.value,
        repeat_reasons=[r.value for r in decision.repeat_reasons],
        channel=submission.channel.value,
        actor_role=actor.role.value,
        correlation_id=str(correlation_id),
    )
    return response


def _index_entries(
    people: list[PersonKeys], case_id: UUID, person_ids: PersonIds
) -> list[IndexEntry]:
    """The report's match keys, now pointing at the case it joined."""
    entries: list[IndexEntry] = []
    for keys in people:
        role = keys.ref.role
        if role is PersonRole.SURVIVOR:
            person_id = person_ids.survivor
        elif role is PersonRole.ALLEGED_PERPETRATOR:
            person_id = person_ids.alleged_perpetrators[keys.ref.index]
        else:
            person_id = None
        entries.extend(
            IndexEntry(digest=d, role=role, case_id=case_id, person_id=person_id)
            for d in sorted(keys.digests)
        )
    return entries


async def _earlier_answer(
    conn: Conn, schema: str, idempotency: Idempotency, now: datetime
) -> dict[str, Any] | None:
    stored = await tables.claim_idempotency_key(
        conn,
        schema,
        scope=idempotency.scope,
        key=idempotency.key,
        request_hash=idempotency.request_hash,
        status_code=ACCEPTED,
        now=now,
    )
    if stored is None:
        return None
    if not hmac.compare_digest(stored.request_hash, idempotency.request_hash):
        raise IdempotencyKeyReused(
            "this Idempotency-Key was already used with a different request; "
            "use a new key for a new request"
        )
    log.info("idempotent retry answered", idempotency_scope=idempotency.scope.split(":", 1)[0])
    return stored.response


async def raise_asb_enquiry(
    runtime: Runtime,
    report: AsbReport,
    *,
    actor: Actor,
    correlation_id: UUID,
    idempotency: Idempotency | None = None,
) -> dict[str, Any]:
    """Raise a DA enquiry for an ASB report in a signal category; otherwise append nothing."""
    context = intake_context(runtime)
    enquiry_id = uuid.uuid4()
    now = runtime.clock.now()
    enquiry = enquiry_for_asb_report(report, enquiry_id=enquiry_id, now=now, policy=context.policy)
    if enquiry is None:
        log.info("ASB report is no DA signal", asb_category=report.category)
        return {
            "enquiry_raised": False,
            "enquiry_id": None,
            "detail": "this ASB category is not a domestic abuse signal under the intake "
            "policy: no DA enquiry was raised",
        }
    response = {"enquiry_raised": True, "enquiry_id": str(enquiry_id), "detail": None}
    async with runtime.event_store.transaction() as conn:
        if idempotency is not None:
            earlier = await _earlier_answer(conn, runtime.schema, idempotency, now)
            if earlier is not None:
                return earlier
        await runtime.event_store.append(
            enquiry_stream(enquiry_id),
            [NewEvent(enquiry, actor, now, correlation_id)],
            expected_version=0,
            subject=str(enquiry_id),
            conn=conn,
        )
        if idempotency is not None:
            await tables.save_idempotent_response(
                conn,
                runtime.schema,
                scope=idempotency.scope,
                key=idempotency.key,
                response=response,
            )
    log.info(
        "DA enquiry raised from an ASB report",
        enquiry_id=str(enquiry_id),
        asb_category=report.category,
        correlation_id=str(correlation_id),
    )
    return response
