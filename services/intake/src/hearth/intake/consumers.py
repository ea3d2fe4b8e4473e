"""What intake learns from the cases and referrals services: whether a case is still open.

A small read model in intake's schema: when each case was opened, closed, reopened and
last referred to MARAC, and who a restricted case is restricted to. People the
caseworker records later (`PeopleUpdated`) join the match index, so a later report
about them finds their case. An erased case (`CaseErased`) leaves the index and is
unknown to later reports; an erased person (`PersonErased`) leaves it too, and is never
indexed on that case again (`domain.erasure`).
"""

from __future__ import annotations

from typing import Final

import structlog

from hearth.contracts.envelope import Envelope
from hearth.contracts.events import parse_event
from hearth.contracts.events.cases import (
    CaseClosed,
    CaseErased,
    CaseOpened,
    CaseReopened,
    CaseRestricted,
    CaseRestrictionLifted,
    PeopleUpdated,
    PersonErased,
)
from hearth.contracts.events.common import PersonDetails
from hearth.contracts.events.referrals import MaracReferred
from hearth.eventstore.consumer import Handler, Reset
from hearth.eventstore.db import Conn
from hearth.eventstore.runtime import Runtime
from hearth.intake import read_model
from hearth.intake.domain.erasure import forget_erased_case, forget_erased_person
from hearth.intake.domain.linking import IndexEntry
from hearth.intake.domain.matching import PersonRole, details_of, keys_of
from hearth.intake.settings import intake_context

log = structlog.get_logger(__name__)

CASE_STATUS_CONSUMER: Final = "case-status"

_HANDLED: Final = frozenset(
    {
        CaseOpened.event_type(),
        CaseClosed.event_type(),
        CaseReopened.event_type(),
        PeopleUpdated.event_type(),
        MaracReferred.event_type(),
        CaseRestricted.event_type(),
        CaseRestrictionLifted.event_type(),
        CaseErased.event_type(),
        PersonErased.event_type(),
    }
)


def case_status_handler(runtime: Runtime) -> Handler:
    """Keep the case lifecycle read model (and the match index) up to date."""
    schema = runtime.schema

    async def handle(conn: Conn, envelope: Envelope) -> None:
        if envelope.type not in _HANDLED:
            return
        event = parse_event(envelope.type, envelope.payload)
        if isinstance(event, CaseOpened):
            await read_model.note_case_moment(
                conn, schema, event.case_id, "opened_at", event.opened_at
            )
        elif isinstance(event, CaseClosed):
            await read_model.note_case_moment(
                conn, schema, event.case_id, "closed_at", event.closed_at
            )
        elif isinstance(event, CaseReopened):
            await read_model.note_case_moment(
                conn, schema, event.case_id, "reopened_at", event.reopened_at
            )
        elif isinstance(event, MaracReferred):
            await read_model.note_case_moment(
                conn, schema, event.case_id, "last_marac_at", event.referred_at
            )
        elif isinstance(event, PeopleUpdated):
            await _index_people(runtime, conn, event)
        elif isinstance(event, CaseRestricted):
            await read_model.note_restriction(
                conn,
                schema,
                event.case_id,
                event.restriction.permitted_staff_ids,
                event.restricted_at,
            )
        elif isinstance(event, CaseRestrictionLifted):
            await read_model.note_restriction(conn, schema, event.case_id, None, event.lifted_at)
        elif isinstance(event, CaseErased):
            await _forget(runtime, conn, event)
        elif isinstance(event, PersonErased):
            await _forget_person(runtime, conn, event)

    return handle


async def _forget(runtime: Runtime, conn: Conn, event: CaseErased) -> None:
    """The case was erased: forget what identifies its people (`domain.erasure`), and
    destroy the keys of the enquiries its reports came from, in this transaction."""
    reports, enquiries = await read_model.reports_on_case(conn, runtime.schema, event.case_id)
    forgotten = forget_erased_case(event, report_ids=reports, enquiry_ids=enquiries)
    await read_model.forget_case(conn, runtime.schema, forgotten)
    if forgotten.enquiry_ids and forgotten.key_reason is not None:
        if runtime.key_store is None:
            raise RuntimeError("the runtime has no key store: enquiry keys cannot be destroyed")
        for enquiry_id in sorted(forgotten.enquiry_ids, key=str):
            await runtime.key_store.destroy_case(enquiry_id, reason=forgotten.key_reason, conn=conn)
    log.info(
        "erased case forgotten",
        case_id=str(event.case_id),
        reports=len(forgotten.report_ids),
        enquiries=len(forgotten.enquiry_ids),
    )


async def _forget_person(runtime: Runtime, conn: Conn, event: PersonErased) -> None:
    """One person on the case was erased: forget their match index entries on it, and
    destroy their keys on the enquiries the case's reports came from, in this transaction."""
    _, enquiries = await read_model.reports_on_case(conn, runtime.schema, event.case_id)
    forgotten = forget_erased_person(event, enquiry_ids=enquiries)
    await read_model.forget_person(conn, runtime.schema, forgotten)
    if forgotten.enquiry_ids:
        if runtime.key_store is None:
            raise RuntimeError("the runtime has no key store: enquiry keys cannot be destroyed")
        for enquiry_id in sorted(forgotten.enquiry_ids, key=str):
            await runtime.key_store.destroy_person(
                enquiry_id, forgotten.person_id, reason=forgotten.key_reason, conn=conn
            )
    log.info(
        "erased person forgotten",
        case_id=str(event.case_id),
        person_id=str(event.person_id),
        enquiries=len(forgotten.enquiry_ids),
    )


async def _index_people(runtime: Runtime, conn: Conn, event: PeopleUpdated) -> None:
    if await read_model.is_erased(conn, runtime.schema, event.case_id):
        return  # a late update of an erased case: nothing of it is indexed again
    secret = intake_context(runtime).match_key
    erased = await read_model.erased_people(conn, runtime.schema, event.case_id)
    entries: list[IndexEntry] = []
    people: list[tuple[PersonRole, PersonDetails]] = []
    if event.survivor is not None:
        people.append((PersonRole.SURVIVOR, event.survivor))
    people += [(PersonRole.ALLEGED_PERPETRATOR, p) for p in event.alleged_perpetrators or ()]
    # Nobody erased on the case is indexed on it again.
    people = [(role, person) for role, person in people if person.person_id not in erased]
    for role, person in people:
        entries.extend(
            IndexEntry(digest=d, role=role, case_id=event.case_id, person_id=person.person_id)
            for d in sorted(keys_of(secret, person))
        )
        if role is PersonRole.SURVIVOR:
            entries.extend(
                IndexEntry(
                    digest=d,
                    role=role,
                    case_id=event.case_id,
                    person_id=person.person_id,
                    detail=kind,
                )
                for kind, d in sorted(details_of(secret, person).items())
            )
    await read_model.add_index_entries(
        conn, runtime.schema, entries, source="cases", now=event.updated_at
    )


def case_status_reset(runtime: Runtime) -> Reset:
    """Empty what the consumer wrote, for a rebuild from offset 0."""

    async def reset(conn: Conn) -> None:
        await read_model.forget_case_events(conn, runtime.schema)

    return reset
