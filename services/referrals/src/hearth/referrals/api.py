"""The referrals HTTP API: a case's referrals, MARAC from due to completion, other
agencies, consent, incidents, the printable MARAC referral, and managers' action list.

Every request carries a signed bearer token (401 without, 403 for a role not allowed).
Reads: case managers, managers, auditors, admins. Commands: case managers and managers.
Answers: 201/200 with ids and versions; 422 naming bad fields; 409 with a code when a
rule refuses (`consent_required`, `consent_expired`, `consent_withdrawn`,
`no_marac_criteria`, ...) and nothing is written; 404 for an unknown case, or a
restricted one the caller is not named on (the attempt is recorded).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from hearth.contracts.envelope import Actor, Role
from hearth.contracts.events.case_values import RestrictedView
from hearth.eventstore.api_docs import answers
from hearth.eventstore.auth import require_actor
from hearth.eventstore.errors import NotFound
from hearth.eventstore.paging import PageLimit, PageOffset
from hearth.eventstore.runtime import Runtime
from hearth.referrals import api_models as m
from hearth.referrals.document import render
from hearth.referrals.domain import commands as c
from hearth.referrals.domain.criteria import local_date
from hearth.referrals.handlers import Outcome, ReferralHandlers, referral_handlers
from hearth.referrals.settings import referrals_config
from hearth.referrals.views import action_view, command_answer, referrals_view

router = APIRouter(tags=["referrals"])

COMMAND_ANSWERS = answers(404, 409)
"""Every command: an unknown (or unseen restricted) case, or a rule that refuses it."""

Reader = Annotated[
    Actor, Depends(require_actor(Role.CASE_MANAGER, Role.MANAGER, Role.AUDITOR, Role.ADMIN))
]
Worker = Annotated[Actor, Depends(require_actor(Role.CASE_MANAGER, Role.MANAGER))]
Overseer = Annotated[Actor, Depends(require_actor(Role.MANAGER, Role.AUDITOR, Role.ADMIN))]


def _runtime(request: Request) -> Runtime:
    runtime = request.app.state.runtime
    assert isinstance(runtime, Runtime)
    return runtime


def _handlers(request: Request) -> ReferralHandlers:
    return referral_handlers(_runtime(request))


async def _run(request: Request, case_id: UUID, command: c.Command) -> Outcome:
    try:
        return await _handlers(request).staff_command(case_id, command)
    except ValidationError as exc:
        # Input the request model let through but an event refused: a 422 all the same.
        raise RequestValidationError(exc.errors()) from None


# --- reads -----------------------------------------------------------------------------


@router.get("/cases/{case_id}/referrals", responses=answers(404))
async def get_referrals(request: Request, case_id: UUID, actor: Reader) -> dict[str, Any]:
    """The case's MARAC referral due, its MARAC referrals with their meetings and actions
    (overdue ones flagged, open ones listed for the next meeting), its other referrals
    (open ones show a withdrawn consent), its consents and the incidents recorded here."""
    runtime = _runtime(request)
    read = await _handlers(request).read(case_id, actor, RestrictedView.SUMMARY)
    policy = referrals_config(runtime).policy
    return referrals_view(case_id, read.state, runtime.clock.now(), policy)


@router.get(
    "/cases/{case_id}/marac-referrals/{referral_id}/document",
    response_class=Response,
    responses={
        **answers(404),
        200: {
            "description": "The referral document, HTML fit to print",
            "content": {"text/html": {"schema": {"type": "string"}}},
        },
    },
)
async def marac_referral_document(
    request: Request, case_id: UUID, referral_id: UUID, actor: Reader
) -> HTMLResponse:
    """The MARAC referral as the printable document the MARAC coordinator receives."""
    read = await _handlers(request).read(case_id, actor, RestrictedView.DOCUMENTS)
    marac = read.state.marac.get(referral_id)
    if marac is None:
        raise NotFound("no such MARAC referral on this case", code="referral_not_found")
    return HTMLResponse(
        render(marac.referred, read.known),
        headers={"Cache-Control": "no-store", "X-Robots-Tag": "noindex"},
    )


@router.get("/marac/actions")
async def list_marac_actions(
    request: Request,
    actor: Overseer,
    overdue: bool | None = None,
    limit: PageLimit = 50,
    offset: PageOffset = 0,
    completed: bool | None = None,
) -> dict[str, Any]:
    """MARAC actions across cases, earliest due first; `overdue=true`: open actions past
    their due date (recorded overdue); `completed=false`: actions still outstanding.
    Each restricted case listed is a recorded read."""
    rows = await _handlers(request).list_actions(
        actor, overdue=overdue, completed=completed, limit=limit, offset=offset
    )
    return {
        "actions": [
            {
                "case_id": str(r["case_id"]),
                "referral_id": str(r["referral_id"]),
                "action_id": str(r["action_id"]),
                "owner_agency": r["owner_agency"],
                "owner_staff_id": r["owner_staff_id"],
                "landlord_action": r["landlord_action"],
                "due_on": r["due_on"].isoformat(),
                "completed_at": r["completed_at"].isoformat() if r["completed_at"] else None,
                "overdue": r["completed_at"] is None and r["overdue_recorded_at"] is not None,
            }
            for r in rows
        ],
        "limit": limit,
        "offset": offset,
    }


# --- MARAC -----------------------------------------------------------------------------


@router.post("/cases/{case_id}/marac-referrals", status_code=201, responses=COMMAND_ANSWERS)
async def refer_to_marac(
    request: Request, case_id: UUID, body: m.MaracReferralBody, actor: Worker
) -> dict[str, Any]:
    """Refer the case to MARAC, filled from what is known (people, children, safe contact,
    the latest DASH, the criteria met). 409 `no_marac_criteria` when no criterion is met
    and no professional judgement with its reason is given."""
    referral_id = uuid.uuid4()
    command = c.ReferToMarac(
        actor=actor,
        referral_id=referral_id,
        marac_area=body.marac_area,
        survivor_informed=body.survivor_informed,
        survivor_not_informed_reason=body.survivor_not_informed_reason,
        survivor_consented=body.survivor_consented,
        professional_judgement_reason=body.professional_judgement_reason,
        risk_summary=body.risk_summary,
    )
    outcome = await _run(request, case_id, command)
    referred = outcome.state.marac[referral_id].referred
    return command_answer(
        case_id,
        outcome,
        referral_id=str(referral_id),
        criteria=[one.value for one in referred.criteria],
        document=f"/cases/{case_id}/marac-referrals/{referral_id}/document",
    )


@router.post("/cases/{case_id}/marac-referrals/{referral_id}/listing", responses=COMMAND_ANSWERS)
async def list_for_meeting(
    request: Request, case_id: UUID, referral_id: UUID, body: m.ListingBody, actor: Worker
) -> dict[str, Any]:
    """Listed for a meeting; a heard referral with open actions is listed again for the
    next meeting, which takes its open actions."""
    command = c.ListForMeeting(actor=actor, referral_id=referral_id, meeting_date=body.meeting_date)
    outcome = await _run(request, case_id, command)
    return command_answer(case_id, outcome, referral_id=str(referral_id))


@router.post("/cases/{case_id}/marac-referrals/{referral_id}/hearing", responses=COMMAND_ANSWERS)
async def record_hearing(
    request: Request, case_id: UUID, referral_id: UUID, body: m.HearingBody, actor: Worker
) -> dict[str, Any]:
    """Heard at MARAC, with the actions agreed (each with its owner and due date)."""
    actions = tuple(
        c.AgreedAction(
            action_id=uuid.uuid4(),
            description=a.description,
            owner_agency=a.owner_agency,
            landlord_action=a.landlord_action,
            owner_staff_id=a.owner_staff_id,
            due_on=a.due_on,
        )
        for a in body.actions
    )
    command = c.RecordHearing(
        actor=actor, referral_id=referral_id, heard_on=body.heard_on, actions=actions
    )
    outcome = await _run(request, case_id, command)
    return command_answer(
        case_id,
        outcome,
        referral_id=str(referral_id),
        action_ids=[str(a.action_id) for a in actions],
    )


@router.post(
    "/cases/{case_id}/marac-referrals/{referral_id}/actions/{action_id}/completion",
    responses=COMMAND_ANSWERS,
)
async def complete_action(
    request: Request,
    case_id: UUID,
    referral_id: UUID,
    action_id: UUID,
    body: m.CompletionBody,
    actor: Worker,
) -> dict[str, Any]:
    command = c.CompleteAction(
        actor=actor, referral_id=referral_id, action_id=action_id, notes=body.notes
    )
    outcome = await _run(request, case_id, command)
    runtime = _runtime(request)
    today = local_date(runtime.clock.now(), referrals_config(runtime).policy)
    action = outcome.state.marac[referral_id].actions[action_id]
    return command_answer(case_id, outcome, action=action_view(action, today))


# --- other referrals -------------------------------------------------------------------


@router.post("/cases/{case_id}/referrals", status_code=201, responses=COMMAND_ANSWERS)
async def make_referral(
    request: Request, case_id: UUID, body: m.ReferralBody, actor: Worker
) -> dict[str, Any]:
    """A referral to another agency. Below the MARAC threshold it needs the survivor's
    recorded consent for that kind and recipient (409 `consent_required`,
    `consent_refused`, `consent_expired`, `consent_withdrawn`; nothing written); a
    safeguarding referral records its lawful reason and who approved it instead."""
    referral_id = uuid.uuid4()
    override = (
        c.Override(reason=body.override.reason, explanation=body.override.explanation)
        if body.override
        else None
    )
    command = c.MakeReferral(
        actor=actor,
        referral_id=referral_id,
        referral_type=body.referral_type,
        agency_name=body.agency_name,
        sharing_basis=body.sharing_basis,
        information_shared=body.information_shared,
        about_person_id=body.about_person_id,
        specialist_focus=body.specialist_focus,
        safeguarding_reason=body.safeguarding_reason,
        approved_by=body.approved_by,
        override=override,
    )
    outcome = await _run(request, case_id, command)
    made = outcome.state.referrals[referral_id].made
    return command_answer(
        case_id,
        outcome,
        referral_id=str(referral_id),
        consent_id=str(made.consent_id) if made.consent_id else None,
    )


@router.post("/cases/{case_id}/referrals/{referral_id}/acceptance", responses=COMMAND_ANSWERS)
async def accept_referral(
    request: Request, case_id: UUID, referral_id: UUID, body: m.AcceptanceBody, actor: Worker
) -> dict[str, Any]:
    command = c.AcceptReferral(
        actor=actor, referral_id=referral_id, agency_reference=body.agency_reference
    )
    return command_answer(case_id, await _run(request, case_id, command))


@router.post("/cases/{case_id}/referrals/{referral_id}/decline", responses=COMMAND_ANSWERS)
async def decline_referral(
    request: Request, case_id: UUID, referral_id: UUID, body: m.DeclineBody, actor: Worker
) -> dict[str, Any]:
    command = c.DeclineReferral(
        actor=actor, referral_id=referral_id, reason=body.reason, notes=body.notes
    )
    return command_answer(case_id, await _run(request, case_id, command))


@router.post("/cases/{case_id}/referrals/{referral_id}/closure", responses=COMMAND_ANSWERS)
async def close_referral(
    request: Request, case_id: UUID, referral_id: UUID, body: m.ClosureBody, actor: Worker
) -> dict[str, Any]:
    command = c.CloseReferral(
        actor=actor, referral_id=referral_id, outcome=body.outcome, notes=body.notes
    )
    return command_answer(case_id, await _run(request, case_id, command))


# --- consent and incidents -------------------------------------------------------------


@router.post("/cases/{case_id}/consents", status_code=201, responses=COMMAND_ANSWERS)
async def record_consent(
    request: Request, case_id: UUID, body: m.ConsentBody, actor: Worker
) -> dict[str, Any]:
    """The survivor's decision on consent to kinds of referral (and, optionally, to named
    agencies only, until an expiry date); a refusal is recorded too."""
    consent_id = uuid.uuid4()
    command = c.RecordConsent(
        actor=actor,
        consent_id=consent_id,
        given=body.given,
        scope=body.scope,
        method=body.method,
        recipients=body.recipients,
        expires_on=body.expires_on,
        notes=body.notes,
    )
    outcome = await _run(request, case_id, command)
    return command_answer(case_id, outcome, consent_id=str(consent_id))


@router.post("/cases/{case_id}/consents/{consent_id}/withdrawal", responses=COMMAND_ANSWERS)
async def withdraw_consent(
    request: Request, case_id: UUID, consent_id: UUID, body: m.WithdrawalBody, actor: Worker
) -> dict[str, Any]:
    command = c.WithdrawConsent(
        actor=actor, consent_id=consent_id, scope=body.scope, notes=body.notes
    )
    return command_answer(case_id, await _run(request, case_id, command))


@router.post("/cases/{case_id}/incidents", status_code=201, responses=COMMAND_ANSWERS)
async def record_incident(
    request: Request, case_id: UUID, body: m.IncidentBody, actor: Worker
) -> dict[str, Any]:
    """An incident known from any source (police, another agency, the survivor): it
    counts towards potential escalation and repeat; the MARAC criteria are decided again."""
    incident_id = uuid.uuid4()
    command = c.RecordIncident(
        actor=actor,
        incident_id=incident_id,
        occurred_on=body.occurred_on,
        source=body.source,
        notes=body.notes,
    )
    outcome = await _run(request, case_id, command)
    due = outcome.state.due
    return command_answer(
        case_id,
        outcome,
        incident_id=str(incident_id),
        marac_referral_due=[one.value for one in due.criteria] if due else None,
    )
