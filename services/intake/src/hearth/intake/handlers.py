"""Commands at the edge: load the facts, let the domain decide, store, in one transaction.

A report's idempotency key, its events, its match keys and the answer kept for retries
commit (or roll back) together. The decisions are `hearth.intake.domain`'s.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Final
from uuid import UUID

import structlog

from hearth.contracts.envelope import Actor
from hearth.contracts.events.intake import CaseWithheldFromSubmitter, LinkBasis
from hearth.eventstore import idempotency as keys
from hearth.eventstore.db import Conn
from hearth.eventstore.idempotency import Idempotency
from hearth.eventstore.personal_data import SubjectErased
from hearth.eventstore.runtime import Runtime
from hearth.eventstore.store import EventStore, NewEvent
from hearth.intake import read_model
from hearth.intake.domain.asb import AsbReport
from hearth.intake.domain.commands import RaiseAsbEnquiry, SubmitReport, person_ids_needed
from hearth.intake.domain.decider import ReportOutcome, receive_report
from hearth.intake.domain.decider import raise_asb_enquiry as decide_asb_enquiry
from hearth.intake.domain.disclosure import NamedCaseWithheld, ReportAnswer
from hearth.intake.domain.erasure import erased_meanwhile
from hearth.intake.domain.linking import report_index_entries
from hearth.intake.domain.matching import all_digests, people_keys
from hearth.intake.domain.state import IntakeState
from hearth.intake.domain.submission import ReportSubmission
from hearth.intake.settings import intake_context

log = structlog.get_logger(__name__)

ACCEPTED: Final = 202


ERASURE_RETRIES: Final = 3
"""How many times a report is decided again after meeting a case erased meanwhile."""


class _CaseErasedMeanwhile(Exception):
    """A report was to be stored under a case whose keys cases has destroyed (erased)
    before intake's consumer heard of it. Ids only."""

    def __init__(self, case_id: UUID) -> None:
        super().__init__(f"case {case_id} was erased")
        self.case_id = case_id


def report_stream(report_id: UUID) -> str:
    return f"report-{report_id}"


def enquiry_stream(enquiry_id: UUID) -> str:
    return f"enquiry-{enquiry_id}"


def withheld_stream(request_id: UUID, case_id: UUID) -> str:
    """A restricted case kept from a report's submitter (or from staff naming it)."""
    return f"withheld-{request_id}-{case_id}"


def report_response(answer: ReportAnswer) -> dict[str, Any]:
    """The 202 body for a report: ids and the link, never anything that was reported.

    What the submitter may be told is `domain.disclosure`'s decision: without a case,
    the report's id and a reference to quote.
    """
    if answer.case_id is None or answer.basis is None:
        return {"report_id": str(answer.report_id), "reference": answer.reference}
    previous = answer.previous_case_id
    return {
        "report_id": str(answer.report_id),
        "case_id": str(answer.case_id),
        "link": {
            "basis": answer.basis.value,
            "repeat_reasons": [r.value for r in answer.repeat_reasons],
            "previous_case_id": str(previous) if previous else None,
        },
    }


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
    command = SubmitReport(
        actor=actor,
        submission=submission,
        people=tuple(
            people_keys(
                context.match_key,
                survivor=submission.survivor,
                alleged_perpetrators=submission.alleged_perpetrators,
                tenancy_reference=submission.tenancy_reference,
            )
        ),
        report_id=uuid.uuid4(),
        new_case_id=uuid.uuid4(),
        fresh_person_ids=tuple(uuid.uuid4() for _ in range(person_ids_needed(submission))),
        stand_in_case_id=uuid.uuid4(),
    )
    for attempt in range(ERASURE_RETRIES + 1):
        try:
            return await _submit_once(runtime, command, correlation_id, idempotency)
        except _CaseErasedMeanwhile as erased:
            # Cases erased a case the report was to join before intake heard of it: forget
            # the case now (the CaseErased consumer does the rest) and decide again, so the
            # report opens a new case as for a person never seen.
            log.info("report met a case erased meanwhile", case_id=str(erased.case_id))
            if attempt == ERASURE_RETRIES:
                raise RuntimeError("a report kept meeting erased cases") from None
            async with store.transaction() as conn:
                await read_model.forget_case(
                    conn, schema, erased_meanwhile(erased.case_id, runtime.clock.now())
                )
    raise AssertionError("unreachable")  # pragma: no cover


async def _submit_once(
    runtime: Runtime,
    command: SubmitReport,
    correlation_id: UUID,
    idempotency: Idempotency | None,
) -> dict[str, Any]:
    store = runtime.event_store
    schema = runtime.schema
    context = intake_context(runtime)
    actor = command.actor
    submission = command.submission
    refused: NamedCaseWithheld | None = None
    async with store.transaction() as conn:
        now = runtime.clock.now()
        if idempotency is not None:
            earlier = await keys.earlier_answer(
                conn,
                schema,
                idempotency,
                status_code=ACCEPTED,
                now=now,
                keep_for=runtime.settings.idempotency_keep_for,
            )
            if earlier is not None:
                return earlier
        state = await _load_state(store, conn, schema, command)
        try:
            outcome = receive_report(command, state, now, context.policy)
        except NamedCaseWithheld as exc:
            # Answered as an unknown case id is, once the attempt is recorded (committed).
            await _record_withheld(store, conn, command, exc.record, correlation_id, now)
            refused = exc
        else:
            await _store_report(store, conn, schema, command, outcome, correlation_id, now)
            response = report_response(outcome.answer)
            if idempotency is not None:
                await keys.save_response(
                    conn,
                    schema,
                    idempotency,
                    response,
                    now=now,
                    keep_for=runtime.settings.idempotency_keep_for,
                )
    if refused is not None:
        raise refused
    linked = outcome.linked
    log.info(
        "report received",
        report_id=str(command.report_id),
        case_id=str(linked.case_id),
        basis=linked.basis.value,
        repeat_reasons=[r.value for r in linked.repeat_reasons],
        channel=submission.channel.value,
        actor_role=actor.role.value,
        correlation_id=str(correlation_id),
    )
    return response


async def _store_report(
    store: EventStore,
    conn: Conn,
    schema: str,
    command: SubmitReport,
    outcome: ReportOutcome,
    correlation_id: UUID,
    now: datetime,
) -> None:
    """The report's events, its match keys and the facts decided about its case."""
    actor = command.actor
    received, linked = outcome.received, outcome.linked
    received_id = uuid.uuid4()
    try:
        await store.append(
            report_stream(command.report_id),
            [
                NewEvent(received, actor, now, correlation_id, event_id=received_id),
                NewEvent(linked, actor, now, correlation_id, causation_id=received_id),
            ],
            expected_version=0,
            subject=str(linked.case_id),
            conn=conn,
        )
    except SubjectErased:
        raise _CaseErasedMeanwhile(linked.case_id) from None
    await read_model.add_index_entries(
        conn,
        schema,
        report_index_entries(command.people, received),
        source="intake",
        now=now,
    )
    if received.enquiry_id is not None:
        # Followed up: the enquiry now goes with this case, never erased on its own.
        await read_model.note_enquiry_followed_up(conn, schema, received.enquiry_id, now)
    if linked.basis is LinkBasis.NEW_CASE:
        await read_model.record_assigned_case(
            conn, schema, case_id=linked.case_id, report_id=command.report_id, at=now
        )
    if outcome.restriction is not None:
        # Known from this report on, before cases publishes anything (a report by an
        # unnamed member of staff a moment later must not learn the case).
        await read_model.mark_restriction(conn, schema, outcome.restriction)
    for withheld in outcome.withheld:
        await _record_withheld(
            store, conn, command, withheld, correlation_id, now, causation_id=received_id
        )


async def _record_withheld(
    store: EventStore,
    conn: Conn,
    command: SubmitReport,
    withheld: CaseWithheldFromSubmitter,
    correlation_id: UUID,
    now: datetime,
    causation_id: UUID | None = None,
) -> None:
    """A restricted case kept from the submitter: its own stream, keyed by that case (so
    cases records a refused read in order with the case's events), and the stand-in id
    they were given for it, given again next time."""
    try:
        await store.append(
            withheld_stream(command.report_id, withheld.case_id),
            [NewEvent(withheld, command.actor, now, correlation_id, causation_id=causation_id)],
            expected_version=0,
            subject=str(withheld.case_id),
            conn=conn,
        )
    except SubjectErased:
        raise _CaseErasedMeanwhile(withheld.case_id) from None
    if withheld.answered_case_id is not None:
        await read_model.record_stand_in(
            conn,
            store.schema,
            staff_id=command.actor.id,
            case_id=withheld.case_id,
            stand_in=withheld.answered_case_id,
            at=now,
        )


async def _load_state(
    store: EventStore, conn: Conn, schema: str, command: SubmitReport
) -> IntakeState:
    """The facts the report's decision reads, locked so that no other report changes them.

    Reports about the same people wait for each other here: two at once cannot both
    open a case.
    """
    named_enquiry = command.submission.enquiry_id
    known_enquiries: frozenset[UUID] = frozenset()
    erased_enquiries: frozenset[UUID] = frozenset()
    if named_enquiry is not None:
        # Locked: the retention sweep does not erase the enquiry while this report may
        # follow it up, and a report after its erasure sees it erased.
        retention = await read_model.enquiry_retention(conn, schema, named_enquiry)
        if retention.erased_at is not None:
            erased_enquiries = frozenset({named_enquiry})
        elif retention.raised_at is not None or await store.stream_version(
            enquiry_stream(named_enquiry), conn=conn
        ):
            known_enquiries = frozenset({named_enquiry})
    digests = all_digests(command.people)
    await read_model.lock_digests(conn, schema, digests)
    entries = await read_model.find_index_entries(conn, schema, digests)
    wanted = {e.case_id for e in entries}
    named = command.submission.case_id
    actor_id = command.actor.id
    stand_ins = await read_model.stand_ins(conn, schema, actor_id, wanted, named)
    if named is not None:
        wanted.add(named)
        # A stand-in id the submitter was given names the case it stands for.
        wanted.update(case for (_, case), given in stand_ins.items() if given == named)
    # What the index holds of those cases' survivors: is the report's survivor theirs?
    survivors = await read_model.survivor_entries(conn, schema, wanted)
    statuses = await read_model.case_statuses(conn, schema, wanted)
    # The case a repeat would follow is among `wanted`: every case the link can tell of.
    restrictions = await read_model.restriction_facts(conn, schema, wanted)
    return IntakeState(
        entries=tuple(dict.fromkeys([*entries, *survivors])),
        statuses=statuses,
        known_enquiries=known_enquiries,
        erased_enquiries=erased_enquiries,
        restrictions=restrictions,
        stand_ins=stand_ins,
    )


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
    command = RaiseAsbEnquiry(actor=actor, report=report, enquiry_id=uuid.uuid4())
    now = runtime.clock.now()
    # Nothing to load: the decision reads the policy only, so a report that raises no
    # enquiry is answered without touching the database.
    enquiry = decide_asb_enquiry(command, now, context.policy)
    if enquiry is None:
        log.info("ASB report is no DA signal", asb_category=report.category)
        return {
            "enquiry_raised": False,
            "enquiry_id": None,
            "detail": "this ASB category is not a domestic abuse signal under the intake "
            "policy: no DA enquiry was raised",
        }
    response = {"enquiry_raised": True, "enquiry_id": str(enquiry.enquiry_id), "detail": None}
    async with runtime.event_store.transaction() as conn:
        if idempotency is not None:
            earlier = await keys.earlier_answer(
                conn,
                runtime.schema,
                idempotency,
                status_code=ACCEPTED,
                now=now,
                keep_for=runtime.settings.idempotency_keep_for,
            )
            if earlier is not None:
                return earlier
        await runtime.event_store.append(
            enquiry_stream(enquiry.enquiry_id),
            [NewEvent(enquiry, actor, now, correlation_id)],
            expected_version=0,
            subject=str(enquiry.enquiry_id),
            conn=conn,
        )
        await read_model.record_enquiry(conn, runtime.schema, enquiry.enquiry_id, enquiry.raised_at)
        if idempotency is not None:
            await keys.save_response(
                conn,
                runtime.schema,
                idempotency,
                response,
                now=now,
                keep_for=runtime.settings.idempotency_keep_for,
            )
    log.info(
        "DA enquiry raised from an ASB report",
        enquiry_id=str(enquiry.enquiry_id),
        asb_category=report.category,
        correlation_id=str(correlation_id),
    )
    return response
