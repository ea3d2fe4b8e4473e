"""My cases and the case page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from hearth.contracts.envelope import Role
from hearth.web.deps import SignedIn, require_role
from hearth.web.pages import render

router = APIRouter()

CaseWorker = Annotated[
    SignedIn, Depends(require_role(Role.CASE_MANAGER, Role.MANAGER, Role.AUDITOR, Role.ADMIN))
]


@router.get("/cases", include_in_schema=False)
async def my_cases(request: Request, user: CaseWorker) -> HTMLResponse:
    answer: dict[str, Any] = await user.client.get("cases", "/cases", {"status": "open"})
    return render(request, "cases/list.html", title="My cases", cases=answer.get("cases", []))
