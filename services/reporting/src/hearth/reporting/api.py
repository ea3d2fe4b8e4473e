"""The reporting HTTP API: figures for the executive team, the committee and MARAC, and
the lists of cases and of deadlines due.

Every request carries a signed bearer token (401 without). Figures and the case list
need the manager, auditor or admin role (403 otherwise). `external=true` suppresses
small counts for sharing outside the organisation (`domain/suppression.py`). The lists
leave out restricted cases the caller is not named on, and cases they are on as
survivor or alleged perpetrator; the figures count every case.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from hearth.contracts.envelope import Actor, Role
from hearth.eventstore.api_docs import answers
from hearth.eventstore.auth import require_actor
from hearth.eventstore.paging import PageLimit, PageOffset
from hearth.eventstore.runtime import Runtime
from hearth.reporting import api_models as m
from hearth.reporting import handlers
from hearth.reporting.domain.figures import ReportKind
from hearth.reporting.domain.periods import PERIOD_PATTERN
from hearth.reporting.domain.suppression import present
from hearth.reporting.report_page import CSP, figures_page
from hearth.reporting.views import case_row, figures_csv

router = APIRouter(tags=["reporting"])

MAX_SAMPLE = 100
MAX_SEED = 2**31 - 1

Reader = Annotated[Actor, Depends(require_actor(Role.MANAGER, Role.AUDITOR, Role.ADMIN))]
PeriodText = Annotated[
    str,
    Query(
        pattern=PERIOD_PATTERN,
        max_length=7,
        description="A month (2026-07), a quarter (2026-Q3) or a year (2026).",
    ),
]


def _runtime(request: Request) -> Runtime:
    runtime = request.app.state.runtime
    assert isinstance(runtime, Runtime)
    return runtime


@router.get(
    "/figures/{report}",
    response_model=m.FiguresAnswer,
    responses={
        200: {
            "description": "The report's figures, as JSON, CSV (`format=csv`) or a printable "
            "page with bar charts (`format=html`)",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "text/html": {"schema": {"type": "string"}},
            },
        },
        **answers(),
    },
)
async def get_figures(
    request: Request,
    report: ReportKind,
    period: PeriodText,
    actor: Reader,
    external: bool = False,
    format: m.FiguresFormat = m.FiguresFormat.JSON,
) -> Any:
    """A report for a period: `executive` (monthly: new, open and closed cases, overdue
    deadlines), `committee` (quarterly: those, timescales, risk, MARAC, referrals,
    consent, closures, reporting delay, channels, ASB enquiries, children, equality), or
    `marac` (the SafeLives indicators). `external=true` suppresses counts below the
    policy's threshold, and cells that would let a reader work one out. `format`: JSON,
    CSV, or `html`, a printable page with bar charts (nothing loaded from elsewhere)."""
    runtime = _runtime(request)
    made = await handlers.figures(runtime, report, period)
    smallest = runtime.context.policy.suppression.smallest_shown if external else None
    shown = present(made, smallest)
    if format is m.FiguresFormat.CSV:
        name = f"hearth-{report.value}-{made.period.label}.csv"
        return Response(
            figures_csv(shown),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    if format is m.FiguresFormat.HTML:
        return HTMLResponse(
            figures_page(shown),
            headers={"Content-Security-Policy": CSP, "X-Frame-Options": "DENY"},
        )
    return shown


@router.get("/cases", response_model=m.CaseList, responses=answers())
async def list_cases(
    request: Request, actor: Reader, limit: PageLimit = 50, offset: PageOffset = 0
) -> dict[str, Any]:
    """Every case the caller may see, newest first, with its facts (no personal data)."""
    rows, total = await handlers.case_page(_runtime(request), actor, limit, offset)
    return {"cases": [case_row(r) for r in rows], "total": total, "limit": limit, "offset": offset}


@router.get("/cases/{case_id}/timeline", response_model=m.CaseTimeline, responses=answers(404))
async def case_timeline(
    request: Request,
    case_id: UUID,
    actor: Reader,
    limit: PageLimit = 50,
    offset: PageOffset = 0,
) -> dict[str, Any]:
    """A case's timeline, oldest first: when, which service, which event, the actor's
    role. 404 for a case the caller may not see here (restricted cases are read in cases,
    where every read is recorded)."""
    events, total = await handlers.case_timeline(_runtime(request), actor, case_id, limit, offset)
    return {
        "case_id": case_id,
        "events": events,
        "total": total,
        "limit": limit,
        "offset": offset,
    }


@router.get("/deadlines", response_model=m.DeadlineList, responses=answers())
async def list_deadlines(
    request: Request,
    actor: Reader,
    overdue: bool = False,
    limit: PageLimit = 50,
    offset: PageOffset = 0,
) -> dict[str, Any]:
    """The deadlines due now, soonest first (`overdue=true`: only those found overdue), on
    the cases the caller may see."""
    rows, total = await handlers.deadline_page(_runtime(request), actor, overdue, limit, offset)
    return {"deadlines": rows, "total": total, "limit": limit, "offset": offset}


@router.get("/daha/sample", response_model=m.DahaSample, responses=answers())
async def daha_sample(
    request: Request,
    actor: Reader,
    period: PeriodText,
    size: Annotated[int, Query(ge=1, le=MAX_SAMPLE, description="Cases to draw.")] = 10,
    seed: Annotated[int, Query(ge=0, le=MAX_SEED, description="The draw's seed.")] = 0,
) -> dict[str, Any]:
    """An assessor's sample of the cases closed in the period, drawn reproducibly (the same
    seed gives the same cases), each with its evidence: first contact, DASH, safe contact,
    wishes before action about the perpetrator, referrals, manager oversight, closure and
    feedback. Restricted cases are not sampled."""
    return await handlers.daha_sample(_runtime(request), actor, period, size, seed)
