"""My cases (`/cases`) and the case page (`/cases/{case_id}`).

A case manager's list holds their own cases, managers', auditors' and admins' every
case; overdue cases come first, then those with the soonest deadline. The case page
gathers the case (cases), its risk history (risk) and its referrals and MARAC actions
(referrals); safe-contact arrangements come first, before any link to a contact form.
A case the API will not show (unknown, or restricted to others) is "not found" alike.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Final, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from hearth.contracts.envelope import Role
from hearth.web import views
from hearth.web.case_links import case_links
from hearth.web.client import ApiClient, ApiRefusal
from hearth.web.deps import SignedIn, require_role
from hearth.web.pages import render

router = APIRouter()

READERS: Final = (Role.CASE_MANAGER, Role.MANAGER, Role.AUDITOR, Role.ADMIN)
PAGE_SIZE: Final = 200
TIMELINE_READERS: Final = frozenset({Role.MANAGER, Role.AUDITOR, Role.ADMIN})

CaseReader = Annotated[SignedIn, Depends(require_role(*READERS))]


async def _all_pages(client: ApiClient, params: dict[str, Any], most: int) -> list[Any]:
    rows: list[Any] = []
    while len(rows) < most:
        answer = await client.get(
            "cases", "/cases", {**params, "limit": PAGE_SIZE, "offset": len(rows)}
        )
        page = answer.get("cases", [])
        rows += page
        if len(page) < PAGE_SIZE:
            break
    return rows[:most]


@router.get("/cases", include_in_schema=False)
async def my_cases(
    request: Request,
    user: CaseReader,
    status: Annotated[Literal["open", "closed"], Query()] = "open",
    overdue: Annotated[bool, Query()] = False,
) -> HTMLResponse:
    """Overdue first: the overdue ones are asked for on their own, so none is left out
    on a later page however long the list."""
    params: dict[str, Any] = {"status": status}
    most = 1000
    late = await _all_pages(user.client, {**params, "overdue": True}, most)
    rest = [] if overdue else await _all_pages(user.client, {**params, "overdue": False}, most)
    cases = views.sort_cases(late) + views.sort_cases(rest)
    title = "My cases" if user.role is Role.CASE_MANAGER else "Cases"
    return render(
        request,
        "cases/list.html",
        title=title,
        cases=cases,
        overdue_count=len(late),
        status=status,
        overdue_only=overdue,
        truncated=len(late) >= most or len(rest) >= most,
        views=views,
    )


async def _optional(client: ApiClient, service: str, path: str) -> tuple[Any, str | None]:
    """A section from another service: its answer, or why the page goes without it."""
    try:
        return await client.get(service, path), None
    except ApiRefusal as refusal:
        if refusal.status == 404:
            return None, f"The {service} service has no record of this case yet."
        return None, f"The {service} service could not be asked just now: {refusal.message}"


@router.get("/cases/{case_id}", include_in_schema=False)
async def case_page(request: Request, case_id: UUID, user: CaseReader) -> HTMLResponse:
    client = user.client
    # The case first: a case the reader may not see stops here (not found), before
    # the other services are asked anything about it.
    case = await client.get("cases", f"/cases/{case_id}")
    (risk, risk_gap), (referrals, referrals_gap), elsewhere = await asyncio.gather(
        _optional(client, "risk", f"/cases/{case_id}/risk"),
        _optional(client, "referrals", f"/cases/{case_id}/referrals"),
        _other_services_timeline(user, case_id),
    )
    # Only the forms that apply to the case as it is, and this role may use.
    links = case_links(case, referrals, user.role)
    return render(
        request,
        "cases/case.html",
        title="Case",
        case=case,
        risk=risk,
        risk_gap=risk_gap,
        referrals=referrals,
        referrals_gap=referrals_gap,
        links=links,
        views=views,
        timeline=views.merged_timeline(case.get("timeline", []), elsewhere),
    )


async def _other_services_timeline(user: SignedIn, case_id: UUID) -> list[dict[str, Any]]:
    """What intake, risk and referrals recorded about the case, from reporting, for the
    roles reporting answers (managers, auditors, admins): when, which event, the role
    (reporting keeps no staff ids). Case managers see those steps in the sections above."""
    if user.role not in TIMELINE_READERS:
        return []
    events: list[dict[str, Any]] = []
    try:
        while True:
            answer = await user.client.get(
                "reporting",
                f"/cases/{case_id}/timeline",
                {"limit": PAGE_SIZE, "offset": len(events)},
            )
            page = answer.get("events", [])
            events += page
            if len(page) < PAGE_SIZE or len(events) >= answer.get("total", 0):
                break
    except ApiRefusal:
        return []  # not there yet (reporting lags a little), or not for this role
    return [e for e in events if e.get("service") != "cases"]
