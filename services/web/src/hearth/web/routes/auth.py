"""Signing in and out.

The sign-in form carries a pre-session CSRF token (login CSRF: another site must not
sign a browser in as someone else), double-submitted in a cookie of its own. A wrong
staff id and a wrong password get the same answer, in the same time.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Final
from urllib.parse import urlencode

import httpx
import structlog
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from hearth.contracts.envelope import Role
from hearth.web.deps import (
    PageRefused,
    SignedIn,
    check_same_origin,
    read_form,
    signed_in,
    token_matches,
)
from hearth.web.identity import Identity
from hearth.web.oidc import LOGIN_TIME, OidcRefused
from hearth.web.pages import delete_cookie, render, set_cookie
from hearth.web.sessions import Ended
from hearth.web.state import web_state

log = structlog.get_logger(__name__)

router = APIRouter()

CASE_READERS: Final = frozenset({Role.CASE_MANAGER, Role.MANAGER, Role.AUDITOR, Role.ADMIN})

SIGN_IN_FORM_SECONDS: Final = 3600
ENDED_MESSAGES: Final = {
    Ended.IDLE.value: "You were signed out because the page was not used for a while. "
    "Sign in again to carry on.",
    Ended.EXPIRED.value: "Your sign-in lasted its full length and has ended. Sign in again.",
    "signed-out": "You have signed out. If this is a shared computer, close the browser too.",
}


def _local_path(value: str | None) -> str:
    """Where to go after signing in: a path on this site, nothing else."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value[:500]
    return "/"


def _sign_in_page(
    request: Request,
    *,
    status_code: int = 200,
    error: str | None = None,
    notice: str | None = None,
    next_path: str = "/",
    staff_id: str = "",
    end_session_url: str | None = None,
) -> HTMLResponse:
    settings = web_state(request).settings
    token = request.cookies.get(settings.sign_in_cookie)
    if not token or len(token) > 100:
        token = secrets.token_urlsafe(32)
    request.state.csrf = token
    response = render(
        request,
        "sign_in.html",
        title="Sign in",
        status_code=status_code,
        error=error,
        notice=notice,
        next_path=next_path,
        staff_id=staff_id,
        oidc=settings.identity_provider == "oidc",
        oidc_name=settings.oidc_provider_name,
        oidc_sign_in="/sign-in/oidc?" + urlencode({"next": next_path}),
        end_session_url=end_session_url,
    )
    set_cookie(response, settings, settings.sign_in_cookie, token, max_age=SIGN_IN_FORM_SECONDS)
    return response


@router.get("/sign-in", include_in_schema=False)
async def sign_in_form(
    request: Request, ended: str | None = None, next: str | None = None
) -> Response:
    web = web_state(request)
    found = await web.session_store().touch(
        request.cookies.get(web.settings.session_cookie), web.now()
    )
    if not isinstance(found, Ended):
        return RedirectResponse(_local_path(next), status_code=303)
    end_session = None
    if ended == "signed-out" and web.oidc is not None:
        end_session = await web.oidc.end_session_url()
    return _sign_in_page(
        request,
        notice=ENDED_MESSAGES.get(ended or ""),
        next_path=_local_path(next),
        end_session_url=end_session,
    )


@router.post("/sign-in", include_in_schema=False)
async def sign_in(request: Request) -> Response:
    web = web_state(request)
    settings = web.settings
    if web.oidc is not None:
        raise PageRefused(404, "Sign in with your organisation's account instead.")
    check_same_origin(request)
    fields, token = await read_form(request)
    if not token_matches(request.cookies.get(settings.sign_in_cookie), token):
        raise PageRefused(
            403,
            "The sign-in form had expired or did not come from Hearth. "
            "Go back to the sign-in page and try again.",
        )
    staff_id = fields.get("staff_id")
    password = fields.get("password")
    next_path = _local_path(str(fields.get("next") or ""))
    identity = None
    if isinstance(staff_id, str) and isinstance(password, str) and staff_id and password:
        identity = await web.identity_provider().authenticate(staff_id.strip(), password, web.now())
    if identity is None:
        return _sign_in_page(
            request,
            status_code=401,
            error="That staff id and password do not match an account that may sign in. "
            "Check both and try again; after several tries the account is locked for a while.",
            next_path=next_path,
            staff_id=staff_id if isinstance(staff_id, str) else "",
        )
    response = RedirectResponse(next_path, status_code=303)
    await _start_session(request, response, identity)
    delete_cookie(response, settings, settings.sign_in_cookie)
    return response


async def _start_session(request: Request, response: Response, identity: Identity) -> None:
    web = web_state(request)
    settings = web.settings
    # A session this browser already had ends: one sign-in, one session (no fixation).
    await web.session_store().end(request.cookies.get(settings.session_cookie))
    session_id, _ = await web.session_store().create(identity.staff_id, identity.role, web.now())
    # A browser session cookie: gone when the browser closes; the server ends it after
    # the idle timeout or the session's lifetime in any case.
    set_cookie(response, settings, settings.session_cookie, session_id)


@router.get("/sign-in/oidc", include_in_schema=False)
async def oidc_begin(request: Request, next: str | None = None) -> Response:
    web = web_state(request)
    if web.oidc is None:
        raise PageRefused(404, "There is no page at this address.")
    try:
        started = await web.oidc.begin(_local_path(next), web.now())
    except (httpx.HTTPError, OidcRefused, KeyError, ValueError) as exc:
        log.warning("oidc sign-in could not start", error=type(exc).__name__)
        raise PageRefused(502, "The sign-in provider could not be reached. Try again.") from None
    response = RedirectResponse(started.url, status_code=303)
    # Lax, not Strict: the provider sends the browser back with a cross-site navigation.
    set_cookie(
        response,
        web.settings,
        web.settings.oidc_cookie,
        started.state,
        max_age=int(LOGIN_TIME.total_seconds()),
        samesite="lax",
    )
    return response


@router.get("/sign-in/oidc/callback", include_in_schema=False)
async def oidc_callback(
    request: Request,
    code: Annotated[str | None, Query(max_length=4096)] = None,
    state: Annotated[str | None, Query(max_length=200)] = None,
    error: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    web = web_state(request)
    settings = web.settings
    if web.oidc is None:
        raise PageRefused(404, "There is no page at this address.")
    if error is not None or not code or not state:
        raise PageRefused(403, "The sign-in provider did not sign you in. Try again.")
    # The state must come back to the browser that started the sign-in (login CSRF).
    if not token_matches(request.cookies.get(settings.oidc_cookie), state):
        raise PageRefused(403, "That sign-in was not started here. Go to the sign-in page.")
    try:
        identity, next_path = await web.oidc.finish(code, state, web.now())
    except OidcRefused as refused:
        raise PageRefused(403, str(refused)) from None
    except (httpx.HTTPError, KeyError, ValueError) as exc:
        log.warning("oidc sign-in could not finish", error=type(exc).__name__)
        raise PageRefused(502, "The sign-in provider could not be reached. Try again.") from None
    # A page of our own leads on: the SameSite=Strict session cookie is then sent (the
    # provider's redirect here was a cross-site navigation, which would not send it).
    response = render(
        request, "signed_in.html", title="Signed in", next_path=_local_path(next_path)
    )
    await _start_session(request, response, identity)
    delete_cookie(response, settings, settings.oidc_cookie, samesite="lax")
    return response


@router.post("/sign-out", include_in_schema=False)
async def sign_out(request: Request, user: Annotated[SignedIn, Depends(signed_in)]) -> Response:
    web = web_state(request)
    settings = web.settings
    check_same_origin(request)
    _, token = await read_form(request)
    if not token_matches(user.csrf_token, token):
        raise PageRefused(403, "This form has expired. Nothing was done; reload and try again.")
    await web.session_store().end(request.cookies.get(settings.session_cookie))
    response = RedirectResponse("/sign-in?ended=signed-out", status_code=303)
    delete_cookie(response, settings, settings.session_cookie)
    return response


@router.get("/", include_in_schema=False)
async def home(request: Request, user: Annotated[SignedIn, Depends(signed_in)]) -> Response:
    if user.role in CASE_READERS:
        return RedirectResponse("/cases", status_code=303)
    return render(request, "home.html", title="Hearth")
