"""The manager's day and the dashboard: `/team`, `/dashboard`.

Everything comes from the services' HTTP APIs as the signed-in member of staff, so each
list holds only the cases they may see (a restricted case they are not named on is in
none of them).

- `/team` (managers, auditors, admins): caseloads by case manager (the cases service's
  kept counts, `GET /cases/caseloads`, with the overdue and closure counts of each),
  overdue deadlines across the team (`overdue=true`), closures awaiting approval
  (`closure_requested=true`, each with who asked, when and why, on its row), unmet
  gender preferences (`preference_unmet=true`), restricted cases they are named on
  (`restricted=true`) and MARAC actions outstanding (referrals' `completed=false`). The
  lists are read at once, each bounded (`LIST_BOUND` rows; the page says which a bound
  cut short). A closure is decided on the case's own form,
  `/cases/{case_id}/closure-decision` (the form catalogue's).
- `/dashboard` (managers, auditors, admins): a period chooser (a GET form), the risk
  mix, the monthly trend and timescale performance from the reporting service. The
  reporting service has no monthly series: the trend is one executive report a month,
  asked for at once but never more than `REPORT_CALLS_AT_ONCE` at a time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Annotated, Any, Final, TypeVar

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from hearth.contracts.envelope import Role
from hearth.eventstore.paging import MAX_PAGE_SIZE
from hearth.web.client import ApiClient, ApiRefusal
from hearth.web.deps import SignedIn, require_role
from hearth.web.manager.dashboard import (
    current_quarter,
    dashboard,
    is_period,
    period_choices,
    period_words,
    trend_months,
)
from hearth.web.manager.paging import FetchPage, read_all
from hearth.web.manager.team import (
    DISPLAY_ZONE,
    ClosureRequest,
    Listing,
    closure_request,
    listed_closure_request,
    team_day,
    when,
)
from hearth.web.pages import render
from hearth.web.state import web_state
from hearth.web.views import short_ref

router = APIRouter()

MAX_PERIOD_LENGTH: Final = 40
"""Longer than any period's name (2026-Q3): past it, no page at that address."""
LIST_BOUND: Final = MAX_PAGE_SIZE
"""Rows the team page reads of each list (one full page): past it the page says the
list is incomplete."""
CASE_READS_AT_ONCE: Final = 8
"""Closure requests read from their cases at the same time, at most."""
REPORT_CALLS_AT_ONCE: Final = 4
"""Reporting calls the dashboard makes at the same time, at most."""

Overseer = Annotated[SignedIn, Depends(require_role(Role.MANAGER, Role.AUDITOR, Role.ADMIN))]

T = TypeVar("T")


async def bounded_gather(calls: list[Callable[[], Awaitable[T]]], at_once: int) -> list[T]:
    """Every call's answer in order, run concurrently but never more than `at_once` at a
    time; the first failure is raised."""
    gate = asyncio.Semaphore(at_once)

    async def one(call: Callable[[], Awaitable[T]]) -> T:
        async with gate:
            return await call()

    return list(await asyncio.gather(*(one(call) for call in calls)))


def page_reader(client: ApiClient, service: str, path: str, key: str, **filters: Any) -> FetchPage:
    """Reads one page of a service's list: its rows under `key`."""

    async def fetch(limit: int, offset: int) -> list[dict[str, Any]]:
        answer = await client.get(service, path, {**filters, "limit": limit, "offset": offset})
        rows: list[dict[str, Any]] = answer.get(key, [])
        return rows

    return fetch


async def _cases(client: ApiClient, **filters: Any) -> Listing:
    return await read_all(
        page_reader(client, "cases", "/cases", "cases", **filters), max_rows=LIST_BOUND
    )


async def _marac_actions(client: ApiClient) -> Listing:
    """The MARAC actions still outstanding (`completed=false`)."""
    return await read_all(
        page_reader(client, "referrals", "/marac/actions", "actions", completed=False),
        max_rows=LIST_BOUND,
    )


async def _caseload_counts(client: ApiClient) -> list[dict[str, Any]]:
    answer = await client.get("cases", "/cases/caseloads")
    rows: list[dict[str, Any]] = answer.get("caseloads", [])
    return rows


async def _closure_requests(
    client: ApiClient, closures: Listing
) -> dict[str, ClosureRequest | None]:
    """Who asked, when and why, for each closure waiting: from its row of the list. Only a
    request the list has not taken in yet (made before the list carried requests, until
    the cases service's next rebuild) is read from its case, and a case that cannot be
    read now (closed or restricted since the list) shows without it."""

    async def read(case_id: str) -> ClosureRequest | None:
        try:
            return closure_request(await client.get("cases", f"/cases/{case_id}"))
        except ApiRefusal as refusal:
            if refusal.status not in (403, 404):
                raise
            return None

    found = {str(row["case_id"]): listed_closure_request(row) for row in closures.rows}
    unlisted = [case_id for case_id, request in found.items() if request is None]
    read_now = await bounded_gather(
        [partial(read, case_id) for case_id in unlisted], CASE_READS_AT_ONCE
    )
    return found | dict(zip(unlisted, read_now, strict=True))


async def _closures(client: ApiClient) -> tuple[Listing, dict[str, ClosureRequest | None]]:
    closures = await _cases(client, status="open", closure_requested=True)
    return closures, await _closure_requests(client, closures)


# --- the team's day --------------------------------------------------------------------


@router.get("/team", include_in_schema=False)
async def team(request: Request, user: Overseer) -> HTMLResponse:
    client = user.client
    counts, overdue, (closures, requests), unmet, restricted, marac = await asyncio.gather(
        _caseload_counts(client),
        _cases(client, status="open", overdue=True),
        _closures(client),
        _cases(client, status="open", preference_unmet=True),
        _cases(client, restricted=True),
        _marac_actions(client),
    )
    day = team_day(
        caseload_counts=counts,
        overdue=overdue,
        closures=closures,
        closure_requests=requests,
        unmet=unmet,
        restricted=restricted,
        marac=marac,
    )
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
    reports: list[Callable[[], Awaitable[dict[str, Any]]]] = [
        lambda: _figures(user.client, "committee", chosen),
        *(partial(_figures, user.client, "executive", month) for month in months),
    ]
    try:
        committee, *executives = await bounded_gather(reports, REPORT_CALLS_AT_ONCE)
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
