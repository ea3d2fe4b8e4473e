"""The confidential web form: a resident reports without an account, with or without JavaScript.

Server-rendered HTML. Nothing is loaded from anywhere else, nothing personal goes in a
URL or a log, and no page is kept in a cache. A hidden token generated with each blank
form makes a double submit one report. Posts are rate limited per client and overall
(`rate_limit.py`): a refused post is not stored, and the page says so. After a report
the browser is redirected to a confirmation page showing the reference (the report id)
and what happens next.
"""

from __future__ import annotations

import math
import uuid
from pathlib import Path
from typing import Any, Final
from uuid import UUID

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape

from hearth.contracts.envelope import Actor, Role
from hearth.eventstore.idempotency import Idempotency, IdempotencyKeyReused, request_hash
from hearth.eventstore.logs import describe_error
from hearth.eventstore.runtime import Runtime
from hearth.intake import forms
from hearth.intake.handlers import report_stream, submit_report
from hearth.intake.rate_limit import client_address
from hearth.intake.settings import intake_context

log = structlog.get_logger(__name__)

router = APIRouter(include_in_schema=False)

WEB_FORM_SCOPE: Final = "web-form"
ASSETS_DIR: Final = Path(__file__).parent / "assets"
ASSETS: Final = {
    "report.css": "text/css; charset=utf-8",
    "quick-exit.js": "text/javascript; charset=utf-8",
}

SECURITY_HEADERS: Final = {
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}

templates = Environment(
    loader=PackageLoader("hearth.intake", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _page(runtime: Runtime, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    settings = intake_context(runtime).settings
    html = templates.get_template(name).render(
        quick_exit_url=str(settings.quick_exit_url), forms=forms, **context
    )
    return HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def _blank_form(token: str) -> forms.ParsedForm:
    return forms.ParsedForm(values={"idempotency_token": [token]})


@router.get("/report", response_class=HTMLResponse)
async def report_form(request: Request) -> HTMLResponse:
    return _page(_runtime(request), "report_form.html", form=_blank_form(uuid.uuid4().hex))


@router.post("/report", response_class=HTMLResponse)
async def submit_report_form(request: Request) -> Response:
    runtime = _runtime(request)
    received = await request.form()
    values = {
        key: [v for v in received.getlist(key) if isinstance(v, str)]
        for key in set(received.keys())
    }
    token = _token(values)
    context = intake_context(runtime)
    refusal = await context.web_form_limiter.refuse(
        client_address(request, context.settings.web_form_trusted_proxy_hops)
    )
    if refusal is not None:
        # Not stored, and said so plainly: the resident keeps what they typed.
        kept = forms.ParsedForm(values={**values, "idempotency_token": [token]})
        response = _page(
            runtime,
            "report_form.html",
            status_code=429,
            form=kept,
            rate_limited=True,
            retry_minutes=math.ceil(refusal.retry_after_seconds / 60),
        )
        response.headers["Retry-After"] = str(refusal.retry_after_seconds)
        return response
    parsed = forms.parse_report_form(values, today=runtime.clock.now().date())
    parsed.values["idempotency_token"] = [token]
    if parsed.submission is None:
        log.info("web form returned with errors", fields=[e.field for e in parsed.errors])
        return _page(runtime, "report_form.html", status_code=422, form=parsed)
    actor = Actor(id=context.settings.web_form_actor_id, role=Role.PUBLIC)
    body_hash = request_hash(context.match_key, parsed.submission.model_dump(mode="json"))
    try:
        try:
            answer = await submit_report(
                runtime,
                parsed.submission,
                actor=actor,
                correlation_id=uuid.uuid4(),
                idempotency=Idempotency(WEB_FORM_SCOPE, token, body_hash),
            )
        except IdempotencyKeyReused:
            # The same blank form sent again with different answers: a second report,
            # not one to refuse (someone may be adding what they forgot).
            answer = await submit_report(
                runtime,
                parsed.submission,
                actor=actor,
                correlation_id=uuid.uuid4(),
                idempotency=Idempotency(WEB_FORM_SCOPE, uuid.uuid4().hex, body_hash),
            )
    except Exception as exc:
        # Whatever failed, the resident keeps what they typed and is told how to get help.
        log.error("web form report could not be stored", error=describe_error(exc))
        return _page(runtime, "report_form.html", status_code=503, form=parsed, not_sent=True)
    return RedirectResponse(
        f"/report/received/{answer['report_id']}", status_code=303, headers=SECURITY_HEADERS
    )


def _token(values: dict[str, list[str]]) -> str:
    """The form's idempotency token; a new one if the form came without a usable one."""
    raw = (values.get("idempotency_token") or [""])[0]
    try:
        return uuid.UUID(hex=raw).hex
    except ValueError:
        return uuid.uuid4().hex


@router.get("/report/received/{reference}", response_class=HTMLResponse)
async def report_received(request: Request, reference: str) -> HTMLResponse:
    runtime = _runtime(request)
    try:
        report_id = UUID(reference)
    except ValueError:
        return _page(runtime, "not_found.html", status_code=404)
    if await runtime.event_store.stream_version(report_stream(report_id)) == 0:
        return _page(runtime, "not_found.html", status_code=404)
    return _page(runtime, "report_received.html", reference=str(report_id))


@router.get("/report/assets/{name}")
async def asset(name: str) -> Response:
    media_type = ASSETS.get(name)
    if media_type is None:
        return Response(status_code=404, headers=SECURITY_HEADERS)
    # Not cached either: a stylesheet from this site in the cache is a trace of the visit.
    content = (ASSETS_DIR / name).read_bytes()
    return Response(content, media_type=media_type, headers=SECURITY_HEADERS)
