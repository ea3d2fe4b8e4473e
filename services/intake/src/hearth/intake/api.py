"""The JSON API for staff intake and partner agencies' systems.

`POST /reports` takes a report and says at once which case it joined. `POST /asb-reports`
takes an anti-social behaviour report and raises a DA enquiry when its category is a
signal of domestic abuse. Both honour an `Idempotency-Key` header.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated, Any, Final
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Request, Response
from fastapi.exceptions import RequestValidationError

from hearth.contracts.envelope import Actor, Role
from hearth.eventstore.api_docs import answers
from hearth.eventstore.auth import require_actor
from hearth.eventstore.errors import DomainError, NotFound
from hearth.eventstore.idempotency import (
    Idempotency,
    IdempotencyKeyReused,
    caller_scope,
    request_hash,
)
from hearth.eventstore.runtime import Runtime
from hearth.intake.api_models import AsbOutcome, ReportAccepted, ReportReference
from hearth.intake.domain import submission as domain_submission
from hearth.intake.domain.asb import AsbReport
from hearth.intake.domain.decider import UnknownEnquiry
from hearth.intake.domain.linking import CaseNotOpen
from hearth.intake.domain.submission import ReportSubmission
from hearth.intake.handlers import raise_asb_enquiry, submit_report
from hearth.intake.settings import intake_context

router = APIRouter(tags=["intake"])

STAFF_ROLES: Final = tuple(sorted(domain_submission.STAFF_ROLES))

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        pattern=r"^[\x21-\x7e]+$",
        description="Retrying with the same key returns the first answer, never a second report.",
    ),
]
CorrelationId = Annotated[UUID | None, Header(alias="X-Correlation-ID")]


def invalid_request(problems: Sequence[tuple[str, str, str]]) -> RequestValidationError:
    """A 422 naming each bad field, in the same shape as the framework's own (no values)."""
    return RequestValidationError(
        [
            {"loc": tuple(field.split(".")), "msg": problem, "type": kind}
            for field, problem, kind in problems
        ]
    )


def _correlation(value: UUID | None) -> UUID:
    return value or uuid.uuid4()


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


@router.post(
    "/reports",
    status_code=202,
    response_model=ReportAccepted | ReportReference,
    responses=answers(409),
    summary="Submit a report of domestic abuse (staff intake or a partner agency)",
)
async def post_report(
    request: Request,
    response: Response,
    submission: ReportSubmission,
    actor: Annotated[Actor, Depends(require_actor(*STAFF_ROLES, Role.PARTNER))],
    idempotency_key: IdempotencyKey = None,
    correlation_id: CorrelationId = None,
) -> Any:
    problems = domain_submission.caller_problems(submission, actor)
    if problems:
        raise invalid_request(problems)
    runtime = _runtime(request)
    idempotency = None
    if idempotency_key is not None:
        idempotency = Idempotency(
            scope=caller_scope("reports", actor),
            key=idempotency_key,
            request_hash=request_hash(
                intake_context(runtime).match_key, submission.model_dump(mode="json")
            ),
        )
    try:
        body = await submit_report(
            runtime,
            submission,
            actor=actor,
            correlation_id=_correlation(correlation_id),
            idempotency=idempotency,
        )
    except DomainError as exc:
        raise _as_field_problem(exc) from None
    response.headers["Cache-Control"] = "no-store"
    return body


def _as_field_problem(exc: DomainError) -> Exception:
    """Refusals about one field of the request answer 422 naming it; others stay as they are."""
    if isinstance(exc, IdempotencyKeyReused):
        field = "header.Idempotency-Key"
    elif isinstance(exc, UnknownEnquiry):
        field = "body.enquiry_id"
    elif isinstance(exc, CaseNotOpen | NotFound):
        field = "body.case_id"
    else:
        return exc
    return invalid_request([(field, str(exc), exc.code)])


@router.post(
    "/asb-reports",
    status_code=202,
    response_model=AsbOutcome,
    responses=answers(409),
    summary="Pass on an anti-social behaviour report: DA-signal categories raise an enquiry",
)
async def post_asb_report(
    request: Request,
    response: Response,
    report: AsbReport,
    actor: Annotated[Actor, Depends(require_actor(*STAFF_ROLES))],
    idempotency_key: IdempotencyKey = None,
    correlation_id: CorrelationId = None,
) -> Any:
    runtime = _runtime(request)
    idempotency = None
    if idempotency_key is not None:
        idempotency = Idempotency(
            scope=caller_scope("asb-reports", actor),
            key=idempotency_key,
            request_hash=request_hash(
                intake_context(runtime).match_key, report.model_dump(mode="json")
            ),
        )
    try:
        body = await raise_asb_enquiry(
            runtime,
            report,
            actor=actor,
            correlation_id=_correlation(correlation_id),
            idempotency=idempotency,
        )
    except DomainError as exc:
        raise _as_field_problem(exc) from None
    response.headers["Cache-Control"] = "no-store"
    return body
