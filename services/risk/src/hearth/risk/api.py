"""The risk HTTP API: the instruments, and each case's risk record.

Every request carries a signed bearer token (401 without, 403 for a role not allowed),
as in cases. Reads: case managers, managers, auditors, admins. Recording an assessment,
a decline or another agency's assessment: case managers and managers. Answers: 201/200
with ids and versions; 422 naming bad fields (a question missing, extra or wrongly
answered names the question); 409 with a code when a rule refuses (`case_closed`); 404
for a case risk does not know, or a restricted one the caller is not named on (the
attempt recorded).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from hearth.contracts.envelope import Actor, Role
from hearth.contracts.events.risk import RiskRecordView
from hearth.eventstore.api_docs import answers
from hearth.eventstore.auth import require_actor
from hearth.eventstore.errors import NotFound
from hearth.eventstore.runtime import Runtime
from hearth.risk import api_models as m
from hearth.risk import handlers
from hearth.risk.domain import commands as c
from hearth.risk.settings import risk_config
from hearth.risk.views import (
    assessment_summary,
    assessment_view,
    command_answer,
    instrument_summary,
    instrument_view,
    record_view,
)

router = APIRouter(tags=["risk"])

COMMAND_ANSWERS = answers(404, 409)
"""Every command: an unknown (or unseen restricted) case, or a rule that refuses it."""

Reader = Annotated[
    Actor, Depends(require_actor(Role.CASE_MANAGER, Role.MANAGER, Role.AUDITOR, Role.ADMIN))
]
Worker = Annotated[Actor, Depends(require_actor(Role.CASE_MANAGER, Role.MANAGER))]
InstrumentId = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[a-z0-9][a-z0-9._-]*$")]


class InstrumentNotFound(NotFound):
    code = "instrument_not_found"


class AssessmentNotFound(NotFound):
    code = "assessment_not_found"


def _runtime(request: Request) -> Runtime:
    runtime = request.app.state.runtime
    assert isinstance(runtime, Runtime)
    return runtime


async def _run(request: Request, command: c.Command) -> handlers.Outcome:
    try:
        return await handlers.staff_command(_runtime(request), command)
    except ValidationError as exc:
        # Input the request model let through but an event refused: a 422 all the same.
        raise RequestValidationError(exc.errors()) from None


# --- instruments ---------------------------------------------------------------------


@router.get("/instruments")
async def list_instruments(request: Request, actor: Reader) -> dict[str, Any]:
    """The risk checklists offered, the policy's default first."""
    catalogue = risk_config(_runtime(request)).rules.catalogue
    ordered = sorted(
        catalogue.instruments.values(), key=lambda i: (i.id != catalogue.default_id, i.id)
    )
    return {"instruments": [instrument_summary(i, catalogue) for i in ordered]}


@router.get("/instruments/{instrument_id}", responses=answers(404))
async def get_instrument(
    request: Request, instrument_id: InstrumentId, actor: Reader
) -> dict[str, Any]:
    """One checklist in full: its questions, answer options, bands and thresholds."""
    catalogue = risk_config(_runtime(request)).rules.catalogue
    instrument = catalogue.instruments.get(instrument_id)
    if instrument is None:
        raise InstrumentNotFound("no such instrument")
    return instrument_view(instrument, catalogue)


# --- a case's risk record ------------------------------------------------------------


@router.get("/cases/{case_id}/risk", responses=answers(404))
async def get_risk(request: Request, case_id: UUID, actor: Reader) -> dict[str, Any]:
    """The case's current risk level, every assessment (newest first, the latest setting
    the level), every decline and every other agency's assessment."""
    read = await handlers.read_record(_runtime(request), case_id, actor, RiskRecordView.RISK_RECORD)
    return record_view(case_id, read.state, read.access.open)


@router.get("/cases/{case_id}/assessments/{assessment_id}", responses=answers(404))
async def get_assessment(
    request: Request, case_id: UUID, assessment_id: UUID, actor: Reader
) -> dict[str, Any]:
    """One assessment with every answer."""
    runtime = _runtime(request)
    read = await handlers.read_record(runtime, case_id, actor, RiskRecordView.ASSESSMENT)
    kept = read.state.assessment(assessment_id)
    if kept is None:
        raise AssessmentNotFound("no such assessment on this case")
    return assessment_view(kept, risk_config(runtime).rules.catalogue)


@router.post("/cases/{case_id}/assessments", status_code=201, responses=COMMAND_ANSWERS)
async def record_assessment(
    request: Request, case_id: UUID, body: m.AssessmentBody, actor: Worker
) -> dict[str, Any]:
    """Record a completed checklist: scored, banded, and raised by professional judgement
    if given. It meets the case's DASH deadline (in cases), and sets the case's risk
    level when it is the latest assessment."""
    assessment_id = uuid.uuid4()
    judgement = body.professional_judgement
    command = c.RecordAssessment(
        actor,
        case_id,
        assessment_id=assessment_id,
        instrument_id=body.instrument_id,
        answers=tuple(
            c.GivenAnswer(a.question, a.answer, a.source, a.comment) for a in body.answers
        ),
        completed_at=body.completed_at,
        judgement=c.GivenJudgement(judgement.raised_to, judgement.reason) if judgement else None,
    )
    outcome = await _run(request, command)
    kept = outcome.state.assessment(assessment_id)
    assert kept is not None
    changed = any(e.event_name == "RiskLevelChanged" for e in outcome.appended)
    return {
        **command_answer(case_id, outcome.state.version, outcome.appended),
        **assessment_summary(kept),
        "risk_level_changed": changed,
        "case_risk_level": outcome.state.level.value if outcome.state.level else None,
    }


@router.post("/cases/{case_id}/dash-declined", status_code=201, responses=COMMAND_ANSWERS)
async def record_decline(
    request: Request, case_id: UUID, body: m.DeclineBody, actor: Worker
) -> dict[str, Any]:
    """The survivor declined the DASH (with why): recorded, not a failure to assess."""
    command = c.RecordDecline(
        actor, case_id, declined_at=body.declined_at, reason=body.reason, notes=body.notes
    )
    outcome = await _run(request, command)
    return command_answer(case_id, outcome.state.version, outcome.appended)


@router.post("/cases/{case_id}/dash-elsewhere", status_code=201, responses=COMMAND_ANSWERS)
async def record_elsewhere(
    request: Request, case_id: UUID, body: m.ElsewhereBody, actor: Worker
) -> dict[str, Any]:
    """Another agency already completed a risk assessment: the landlord need not repeat
    it. With a risk level it sets the case's level when it is the latest assessment,
    unless it would lower it (only the landlord's own assessment may)."""
    command = c.RecordElsewhere(
        actor,
        case_id,
        agency=body.agency,
        completed_on=body.completed_on,
        agency_name=body.agency_name,
        agency_reference=body.agency_reference,
        question_set_id=body.question_set_id,
        score=body.score,
        risk_level=body.risk_level,
        referred_to_marac=body.referred_to_marac,
    )
    outcome = await _run(request, command)
    return {
        **command_answer(case_id, outcome.state.version, outcome.appended),
        "case_risk_level": outcome.state.level.value if outcome.state.level else None,
    }
