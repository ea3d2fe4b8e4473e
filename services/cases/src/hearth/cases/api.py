"""The caseworkers' HTTP API: the case list, one case, and a POST for every command.

Every request carries a signed bearer token (401 without, 403 for a role not allowed).
Reads: case managers, managers, auditors, admins. Commands: case managers and managers;
closure decisions, reviews, restrictions and erasure approvals: managers only.
Answers: 201/200 with ids and versions; 422 naming bad fields; 409 with a code when a
rule refuses; 404 for an unknown case, or a restricted one the caller is not named on.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from hearth.cases import api_models as m
from hearth.cases import handlers
from hearth.cases.domain import commands as c
from hearth.cases.read_model import CaseFilter
from hearth.cases.views import case_view, command_answer, summary_view
from hearth.contracts.envelope import Actor, Role
from hearth.contracts.events.case_values import RestrictedView
from hearth.contracts.events.common import STAFF_ID_PATTERN, SafeContact
from hearth.eventstore.api_docs import answers
from hearth.eventstore.auth import require_actor
from hearth.eventstore.paging import PageLimit, PageOffset
from hearth.eventstore.runtime import Runtime

router = APIRouter(prefix="/cases", tags=["cases"])

COMMAND_ANSWERS = answers(404, 409)
"""Every command: an unknown (or unseen restricted) case, or a rule that refuses it."""

Reader = Annotated[
    Actor, Depends(require_actor(Role.CASE_MANAGER, Role.MANAGER, Role.AUDITOR, Role.ADMIN))
]
Worker = Annotated[Actor, Depends(require_actor(Role.CASE_MANAGER, Role.MANAGER))]
Manager = Annotated[Actor, Depends(require_actor(Role.MANAGER))]


def _runtime(request: Request) -> Runtime:
    runtime = request.app.state.runtime
    assert isinstance(runtime, Runtime)
    return runtime


async def _run(request: Request, case_id: UUID, command: c.Command) -> handlers.Outcome:
    try:
        return await handlers.staff_command(_runtime(request), case_id, command)
    except ValidationError as exc:
        # Input the request model let through but an event refused: a 422 all the same.
        raise RequestValidationError(exc.errors()) from None


# --- reads ---------------------------------------------------------------------------


@router.get("")
async def list_cases(
    request: Request,
    actor: Reader,
    status: Literal["open", "closed"] | None = None,
    case_manager_id: Annotated[str | None, Query(pattern=STAFF_ID_PATTERN, max_length=200)] = None,
    overdue: bool | None = None,
    restricted: bool | None = None,
    identify_survivor: bool | None = None,
    limit: PageLimit = 50,
    offset: PageOffset = 0,
    preference_unmet: bool | None = None,
    closure_requested: bool | None = None,
) -> dict[str, Any]:
    """My cases (a case manager's own), or all cases for managers, auditors and admins.

    `preference_unmet=true`: cases whose survivor asked for a case manager of a gender
    nobody free had, for a manager to reassign when someone is. `identify_survivor=true`:
    cases whose survivor nobody can yet identify or reach (the DA lead's task).
    `closure_requested=true`: closure requests awaiting a manager's decision."""
    case_filter = CaseFilter(
        status,
        case_manager_id,
        overdue,
        restricted,
        identify_survivor=identify_survivor,
        limit=limit,
        offset=offset,
        preference_unmet=preference_unmet,
        closure_requested=closure_requested,
    )
    rows = await handlers.list_cases(_runtime(request), actor, case_filter)
    return {"cases": [summary_view(r) for r in rows], "limit": limit, "offset": offset}


Overseer = Annotated[Actor, Depends(require_actor(Role.MANAGER, Role.AUDITOR, Role.ADMIN))]


@router.get("/caseloads")
async def caseloads(request: Request, actor: Overseer) -> dict[str, Any]:
    """Open cases per case manager (restricted cases counted, none named), for a manager
    balancing the team's work; the kept counts, not a count over every case."""
    loads = await handlers.caseloads(_runtime(request))
    return {
        "caseloads": [
            {"case_manager_id": staff_id, "open_cases": count}
            for staff_id, count in sorted(loads.items(), key=lambda item: (-item[1], item[0]))
        ]
    }


@router.get("/{case_id}", responses=answers(404))
async def get_case(request: Request, case_id: UUID, actor: Reader) -> dict[str, Any]:
    runtime = _runtime(request)
    read = await handlers.read_case(runtime, case_id, actor, RestrictedView.TIMELINE)
    # Linked cases are shown only to those who may see them.
    visible = await handlers.visible_cases(runtime, actor, read.state.links)
    return case_view(read, runtime.clock.now(), visible)


# --- case manager and contact ----------------------------------------------------------


@router.post("/{case_id}/case-manager", responses=COMMAND_ANSWERS)
async def change_case_manager(
    request: Request, case_id: UUID, body: m.CaseManagerChange, actor: Worker
) -> dict[str, Any]:
    command = c.ChangeCaseManager(
        actor,
        body.staff_id,
        body.preferred_gender,
        withdraw_preference=body.withdraw_preference,
    )
    outcome = await _run(request, case_id, command)
    manager = outcome.state.case_manager
    return command_answer(
        case_id,
        outcome,
        case_manager_id=manager.staff_id if manager else None,
        preference_met=outcome.state.preference_met,
        preference_unmet=outcome.state.preference_unmet,
    )


@router.post("/{case_id}/contact-attempts", status_code=201, responses=COMMAND_ANSWERS)
async def record_contact_attempt(
    request: Request, case_id: UUID, body: m.ContactAttemptBody, actor: Worker
) -> dict[str, Any]:
    attempt_id = uuid.uuid4()
    command = c.RecordContactAttempt(
        actor,
        attempt_id,
        body.method,
        body.outcome,
        number_withheld=body.number_withheld,
        interpreter=body.interpreter,
        notes=body.notes,
        phone_number=body.phone_number,
        spoke_to=body.spoke_to,
        happened_at=body.happened_at,
        place=body.place,
        message_left=body.message_left,
        safe_to_talk_checked=body.safe_to_talk_checked,
    )
    outcome = await _run(request, case_id, command)
    return command_answer(case_id, outcome, attempt_id=str(attempt_id))


@router.post("/{case_id}/contacts", status_code=201, responses=COMMAND_ANSWERS)
async def record_contact(
    request: Request, case_id: UUID, body: m.ContactBody, actor: Worker
) -> dict[str, Any]:
    contact_id = uuid.uuid4()
    command = c.RecordContact(
        actor,
        contact_id,
        body.method,
        number_withheld=body.number_withheld,
        interpreter=body.interpreter,
        notes=body.notes,
        phone_number=body.phone_number,
        happened_at=body.happened_at,
        place=body.place,
        safe_to_talk_checked=body.safe_to_talk_checked,
        safe_contact=body.safe_contact,
        survivor_replied=body.survivor_replied,
    )
    outcome = await _run(request, case_id, command)
    contacted = outcome.state.contacts[-1]
    return command_answer(
        case_id,
        outcome,
        contact_id=str(contact_id),
        first_contact=contacted.first_contact,
        late=contacted.late,
    )


@router.post("/{case_id}/safe-contact", responses=COMMAND_ANSWERS)
async def update_safe_contact(
    request: Request, case_id: UUID, body: SafeContact, actor: Worker
) -> dict[str, Any]:
    """The survivor's arrangements as the survivor gave or confirmed them to the caseworker,
    recorded as their own: this also confirms arrangements a report gave."""
    outcome = await _run(request, case_id, c.UpdateSafeContact(actor, body))
    return command_answer(case_id, outcome)


@router.post("/{case_id}/people", responses=COMMAND_ANSWERS)
async def update_people(
    request: Request, case_id: UUID, body: m.PeopleBody, actor: Worker
) -> dict[str, Any]:
    """Correct or add the people on the case; each part given replaces what was there."""
    command = c.UpdatePeople(
        actor, uuid.uuid4(), body.survivor, body.alleged_perpetrators, body.children
    )
    outcome = await _run(request, case_id, command)
    state = outcome.state
    return command_answer(
        case_id,
        outcome,
        survivor_person_id=str(state.survivor.person_id) if state.survivor else None,
        alleged_perpetrator_person_ids=[str(p.person_id) for p in state.perpetrators],
        child_person_ids=[str(p.person_id) for p in state.children],
    )


# --- repairs and security --------------------------------------------------------------


@router.post("/{case_id}/repairs", status_code=201, responses=COMMAND_ANSWERS)
async def raise_repair(
    request: Request, case_id: UUID, body: m.RepairBody, actor: Worker
) -> dict[str, Any]:
    repair_id = uuid.uuid4()
    command = c.RaiseEmergencyRepair(
        actor, repair_id, body.kind, body.description, body.works_order_reference
    )
    outcome = await _run(request, case_id, command)
    # The repair a report's damaged home is waiting for keeps that report's id and clock.
    raised_id = next(
        UUID(e.payload["repair_id"])
        for e in outcome.appended
        if e.event_name == "EmergencyRepairRaised"
    )
    raised = outcome.state.repairs[raised_id].raised
    return command_answer(
        case_id,
        outcome,
        repair_id=str(raised.repair_id),
        due_at=raised.due_at.isoformat(),
        report_id=str(raised.report_id) if raised.report_id else None,
    )


@router.post("/{case_id}/repairs/{repair_id}/completion", responses=COMMAND_ANSWERS)
async def complete_repair(
    request: Request, case_id: UUID, repair_id: UUID, body: m.CompletionBody, actor: Worker
) -> dict[str, Any]:
    command = c.CompleteEmergencyRepair(actor, repair_id, body.notes)
    outcome = await _run(request, case_id, command)
    completed = outcome.state.repairs[repair_id].completed
    assert completed is not None
    return command_answer(case_id, outcome, repair_id=str(repair_id), late=completed.late)


@router.post("/{case_id}/security-measures", status_code=201, responses=COMMAND_ANSWERS)
async def request_security_measures(
    request: Request, case_id: UUID, body: m.SecurityRequestBody, actor: Worker
) -> dict[str, Any]:
    request_id = uuid.uuid4()
    command = c.RequestSecurityMeasures(
        actor,
        request_id,
        body.measures,
        body.sanctuary_scheme,
        body.works_order_reference,
        body.notes,
    )
    outcome = await _run(request, case_id, command)
    return command_answer(case_id, outcome, request_id=str(request_id))


@router.post("/{case_id}/security-measures/{request_id}/installation", responses=COMMAND_ANSWERS)
async def record_security_installed(
    request: Request, case_id: UUID, request_id: UUID, body: m.InstallationBody, actor: Worker
) -> dict[str, Any]:
    command = c.RecordSecurityInstalled(actor, request_id, body.measures, body.notes)
    outcome = await _run(request, case_id, command)
    return command_answer(case_id, outcome, request_id=str(request_id))


# --- flags, wishes and the perpetrator -------------------------------------------------


@router.post("/{case_id}/flags", status_code=201, responses=COMMAND_ANSWERS)
async def raise_flag(
    request: Request, case_id: UUID, body: m.FlagBody, actor: Worker
) -> dict[str, Any]:
    flag_id = uuid.uuid4()
    command = c.RaiseFlag(actor, flag_id, body.person_id, body.kind, body.reason)
    outcome = await _run(request, case_id, command)
    return command_answer(case_id, outcome, flag_id=str(flag_id))


@router.post("/{case_id}/flags/{flag_id}/removal", responses=COMMAND_ANSWERS)
async def remove_flag(
    request: Request, case_id: UUID, flag_id: UUID, body: m.ReasonBody, actor: Worker
) -> dict[str, Any]:
    outcome = await _run(request, case_id, c.RemoveFlag(actor, flag_id, body.reason))
    return command_answer(case_id, outcome, flag_id=str(flag_id))


@router.post("/{case_id}/wishes", status_code=201, responses=COMMAND_ANSWERS)
async def record_wishes(
    request: Request, case_id: UUID, body: m.WishesBody, actor: Worker
) -> dict[str, Any]:
    wishes_id = uuid.uuid4()
    command = c.RecordWishes(
        actor,
        wishes_id,
        body.wanted_actions,
        body.unwanted_actions,
        body.wants_to_stay_in_home,
        body.in_own_words,
    )
    outcome = await _run(request, case_id, command)
    return command_answer(case_id, outcome, wishes_id=str(wishes_id))


@router.post("/{case_id}/perpetrator-actions", status_code=201, responses=COMMAND_ANSWERS)
async def take_perpetrator_action(
    request: Request, case_id: UUID, body: m.PerpetratorActionBody, actor: Worker
) -> dict[str, Any]:
    action_id = uuid.uuid4()
    override = (
        c.Override(body.override.reason, body.override.explanation) if body.override else None
    )
    command = c.TakePerpetratorAction(
        actor,
        action_id,
        body.perpetrator_person_id,
        body.kind,
        body.referral_type,
        body.details,
        override,
    )
    outcome = await _run(request, case_id, command)
    return command_answer(case_id, outcome, action_id=str(action_id))


# --- review, closure, reopening, restriction -------------------------------------------


@router.post("/{case_id}/reviews", status_code=201, responses=COMMAND_ANSWERS)
async def review_case(
    request: Request, case_id: UUID, body: m.ReviewBody, actor: Manager
) -> dict[str, Any]:
    review_id = uuid.uuid4()
    command = c.ReviewCase(actor, review_id, body.outcome, body.next_review_due_at, body.notes)
    outcome = await _run(request, case_id, command)
    reviewed = outcome.state.reviews[-1]
    next_due = reviewed.next_review_due_at
    return command_answer(
        case_id,
        outcome,
        review_id=str(review_id),
        next_review_due_at=next_due.isoformat() if next_due else None,
    )


@router.post("/{case_id}/closure-request", status_code=201, responses=COMMAND_ANSWERS)
async def request_closure(
    request: Request, case_id: UUID, body: m.ClosureRequestBody, actor: Worker
) -> dict[str, Any]:
    outcome = await _run(request, case_id, c.RequestClosure(actor, body.reason, body.notes))
    return command_answer(case_id, outcome)


@router.post("/{case_id}/closure-decision", responses=COMMAND_ANSWERS)
async def decide_closure(
    request: Request, case_id: UUID, body: m.ClosureDecisionBody, actor: Manager
) -> dict[str, Any]:
    command = c.DecideClosure(
        actor, body.decision == "approve", body.reason, body.survivor_feedback
    )
    outcome = await _run(request, case_id, command)
    return command_answer(case_id, outcome, status=outcome.state.status.value)


@router.post("/{case_id}/reopening", responses=COMMAND_ANSWERS)
async def reopen_case(
    request: Request, case_id: UUID, body: m.ReopeningBody, actor: Worker
) -> dict[str, Any]:
    outcome = await _run(request, case_id, c.ReopenCase(actor, body.reason, body.notes))
    return command_answer(case_id, outcome, status=outcome.state.status.value)


@router.post("/{case_id}/restriction", responses=COMMAND_ANSWERS)
async def restrict_case(
    request: Request, case_id: UUID, body: m.RestrictionBody, actor: Manager
) -> dict[str, Any]:
    command = c.RestrictCase(actor, body.reason, body.permitted_staff_ids)
    outcome = await _run(request, case_id, command)
    restriction = outcome.state.restriction
    named = list(restriction.permitted_staff_ids) if restriction else []
    return command_answer(case_id, outcome, permitted_staff_ids=named)


@router.post("/{case_id}/restriction/lifting", responses=COMMAND_ANSWERS)
async def lift_restriction(
    request: Request, case_id: UUID, body: m.ReasonBody, actor: Manager
) -> dict[str, Any]:
    outcome = await _run(request, case_id, c.LiftRestriction(actor, body.reason))
    return command_answer(case_id, outcome)


# --- erasure at a person's request -------------------------------------------------------


@router.post("/{case_id}/erasure-requests", status_code=201, responses=COMMAND_ANSWERS)
async def request_erasure(
    request: Request, case_id: UUID, body: m.ErasureRequestBody, actor: Worker
) -> dict[str, Any]:
    """Ask for a closed case's personal data to be erased at a person's request (the
    right to erasure), with the ground they rely on; with `person_id`, only that person's
    data on the case. A manager other than the one asking approves it. 409 `case_open`
    (only a closed case is erased, one person's data included), `erasure_already_requested`
    (one waits already), `case_erased`, `person_erased` (that person's data is gone
    already); 422 `reason_not_for_request` (the end of retention is applied by Hearth
    itself), `person_not_on_case` (naming `person_id`)."""
    request_id = uuid.uuid4()
    command = c.RequestErasure(
        actor, request_id, body.reason, body.data_protection_reference, body.person_id
    )
    outcome = await _run(request, case_id, command)
    return command_answer(case_id, outcome, request_id=str(request_id))


@router.post("/{case_id}/erasure-requests/{request_id}/approval", responses=COMMAND_ANSWERS)
async def approve_erasure(
    request: Request, case_id: UUID, request_id: UUID, actor: Manager
) -> dict[str, Any]:
    """A manager approves the waiting erasure request: the case's keys are destroyed,
    `CaseErased` is recorded and its read model cleared, in one transaction; for a request
    naming a person, that person's key only, recorded as `PersonErased` (answered with
    their `person_id`). 403 `approver_is_requester` (someone else must approve) or
    `manager_only`; 409 `no_erasure_request` (none waiting with this id), `case_open`,
    `case_erased`."""
    outcome = await _run(request, case_id, c.ApproveErasure(actor, request_id))
    person = next(
        (p for p in outcome.state.erased_people.values() if p.request_id == request_id), None
    )
    if person is not None:
        return command_answer(
            case_id,
            outcome,
            erased_at=person.erased_at.isoformat(),
            person_id=str(person.person_id),
        )
    erased = outcome.state.erasure
    return command_answer(
        case_id, outcome, erased_at=erased.erased_at.isoformat() if erased else None
    )


@router.post("/{case_id}/erasure-requests/{request_id}/decline", responses=COMMAND_ANSWERS)
async def decline_erasure(
    request: Request, case_id: UUID, request_id: UUID, body: m.ErasureDeclineBody, actor: Manager
) -> dict[str, Any]:
    """A manager declines the waiting erasure request, saying why; the case is kept and a
    new request may be made. 409 `no_erasure_request`, `case_erased`."""
    outcome = await _run(request, case_id, c.DeclineErasure(actor, request_id, body.reason))
    return command_answer(case_id, outcome)
