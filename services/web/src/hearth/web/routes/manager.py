"""The manager's day and the dashboard: `/team`, `/team/closures/{case_id}`, `/dashboard`.

Everything comes from the services' HTTP APIs as the signed-in member of staff, so each
list holds only the cases they may see (a restricted case they are not named on is in
none of them) and a closure decision is recorded as theirs.

- `/team` (managers, auditors, admins): caseloads by case manager, overdue deadlines
  across the team, closures awaiting approval, unmet gender preferences, restricted cases
  they are named on, MARAC actions outstanding. The cases API has no filter for a
  waiting closure request and no caseload count, and records every listing of a
  restricted case as a read; so all of it but the closed restricted cases comes from one
  walk over the open cases, page by page, within a bound the page states when reached.
- `/team/closures/{case_id}` (managers): the closure request and the approve/decline
  form; the POST sends cases' `closure-decision`. It carries an idempotency key made
  when the form was shown, which the cases API does not honour yet; a decision sent
  twice is still decided once, because the case's own rules refuse the second (the case
  is closed, or no request waits), and the page then shows the case as it now stands.
- `/dashboard` (managers, auditors, admins): a period chooser (a GET form), the risk
  mix, the monthly trend and timescale performance from the reporting service.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated, Any, Final
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from hearth.contracts.envelope import Role
from hearth.web.client import ApiClient, ApiRefusal
from hearth.web.deps import FormData, SignedIn, checked_form, require_role
from hearth.web.manager.closure import (
    FEEDBACK_RATINGS,
    closure_decision_body,
    closure_view,
    text,
)
from hearth.web.manager.dashboard import (
    current_quarter,
    dashboard,
    is_period,
    period_choices,
    period_words,
    trend_months,
)
from hearth.web.manager.paging import FetchPage, read_all
from hearth.web.manager.team import DISPLAY_ZONE, Listing, team_day, when
from hearth.web.pages import redirect_with_flash, render
from hearth.web.state import web_state
from hearth.web.views import short_ref

router = APIRouter()

IDEMPOTENCY_FIELD: Final = "idempotency_key"
MAX_KEY_LENGTH: Final = 200
CONFLICT: Final = 409
MAX_PERIOD_LENGTH: Final = 40
"""Longer than any period's name (2026-Q3): past it, no page at that address."""

Overseer = Annotated[SignedIn, Depends(require_role(Role.MANAGER, Role.AUDITOR, Role.ADMIN))]
Manager = Annotated[SignedIn, Depends(require_role(Role.MANAGER))]


def page_reader(client: ApiClient, service: str, path: str, key: str, **filters: Any) -> FetchPage:
    """Reads one page of a service's list: its rows under `key`. A list that records
    reads of restricted cases can meet another writer on one of them (409): read again
    once, as the other writer has then finished."""

    async def fetch(limit: int, offset: int) -> list[dict[str, Any]]:
        params = {**filters, "limit": limit, "offset": offset}
        try:
            answer = await client.get(service, path, params)
        except ApiRefusal as refusal:
            if refusal.status != CONFLICT:
                raise
            answer = await client.get(service, path, params)
        rows: list[dict[str, Any]] = answer.get(key, [])
        return rows

    return fetch


async def _cases(client: ApiClient, **filters: Any) -> Listing:
    return await read_all(page_reader(client, "cases", "/cases", "cases", **filters))


async def _case_lists(client: ApiClient) -> tuple[Listing, Listing]:
    """The open cases, then the closed restricted ones: one after the other, so that no
    two listings record a read of the same restricted case at once."""
    open_cases = await _cases(client, status="open")
    closed_restricted = await _cases(client, status="closed", restricted=True)
    return open_cases, closed_restricted


# --- the team's day --------------------------------------------------------------------


@router.get("/team", include_in_schema=False)
async def team(request: Request, user: Overseer) -> HTMLResponse:
    client = user.client
    (open_cases, closed_restricted), marac = await asyncio.gather(
        _case_lists(client),
        read_all(page_reader(client, "referrals", "/marac/actions", "actions")),
    )
    day = team_day(open_cases=open_cases, closed_restricted=closed_restricted, marac=marac)
    return render(
        request,
        "manager/team.html",
        title="Team",
        day=day,
        now=web_state(request).now(),
        when=when,
        ref=short_ref,
        may_decide=user.role is Role.MANAGER,
    )


# --- closure decisions -----------------------------------------------------------------


async def _closure_page(
    request: Request,
    user: SignedIn,
    case_id: UUID,
    *,
    status_code: int = 200,
    form: FormData | None = None,
    refusal: ApiRefusal | None = None,
) -> HTMLResponse:
    case = await user.client.get("cases", f"/cases/{case_id}")
    return render(
        request,
        "manager/closure.html",
        title="Closure decision",
        status_code=status_code,
        when=when,
        ref=short_ref,
        form=form or {},
        refusal=refusal,
        ratings=FEEDBACK_RATINGS,
        # A fresh key each time the form is shown: a refused decision is not replayed.
        idempotency_key=str(uuid.uuid4()),
        **closure_view(case),
    )


@router.get("/team/closures/{case_id}", include_in_schema=False)
async def closure_form(request: Request, case_id: UUID, user: Manager) -> HTMLResponse:
    return await _closure_page(request, user, case_id)


@router.post("/team/closures/{case_id}", include_in_schema=False)
async def decide_closure(
    request: Request,
    case_id: UUID,
    user: Manager,
    form: Annotated[FormData, Depends(checked_form)],
) -> Response:
    body = closure_decision_body(form)
    key = text(form, IDEMPOTENCY_FIELD)
    try:
        answer = await user.client.post(
            "cases",
            f"/cases/{case_id}/closure-decision",
            body,
            idempotency_key=key if key and len(key) <= MAX_KEY_LENGTH else None,
        )
    except ApiRefusal as refusal:
        # A rule's refusal is shown on the form; an unknown case or a failure is a page.
        if refusal.status not in (403, 409, 422):
            raise
        return await _closure_page(
            request,
            user,
            case_id,
            status_code=refusal.status,
            form=form,
            refusal=refusal,
        )
    closed = (answer or {}).get("status") == "closed"
    message = "Closure approved: the case is closed." if closed else "Closure declined."
    return redirect_with_flash(request, f"/cases/{case_id}", message)


# --- the dashboard ---------------------------------------------------------------------


async def _figures(client: ApiClient, report: str, period: str) -> dict[str, Any]:
    answer: dict[str, Any] = await client.get(
        "reporting", f"/figures/{report}", {"period": period, "format": "json"}
    )
    return answer


@router.get("/dashboard", include_in_schema=False)
async def dashboard_page(
    request: Request,
    user: Overseer,
    period: Annotated[str | None, Query(max_length=MAX_PERIOD_LENGTH)] = None,
) -> HTMLResponse:
    today = web_state(request).now().astimezone(DISPLAY_ZONE).date()
    chosen = (period or "").strip() or current_quarter(today)
    context: dict[str, Any] = {
        "choices": period_choices(today),
        "chosen": chosen,
        "when": when,
        "board": None,
        "error": None,
    }
    if not is_period(chosen):
        context["error"] = (
            "Choose a period from the list: a month, a quarter or a year "
            "(for example 2026-07, 2026-Q3 or 2026)."
        )
        return render(
            request, "manager/dashboard.html", title="Dashboard", status_code=422, **context
        )
    months = trend_months(chosen, today)
    try:
        committee, *executives = await asyncio.gather(
            _figures(user.client, "committee", chosen),
            *(_figures(user.client, "executive", month) for month in months),
        )
    except ApiRefusal as refusal:
        if refusal.status != 422:
            raise
        context["error"] = refusal.fields.get("period") or refusal.message
        return render(
            request, "manager/dashboard.html", title="Dashboard", status_code=422, **context
        )
    context["board"] = dashboard(committee, list(zip(months, executives, strict=True)))
    context["period_words"] = period_words(chosen)
    return render(request, "manager/dashboard.html", title="Dashboard", **context)
