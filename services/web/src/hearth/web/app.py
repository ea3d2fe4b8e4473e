"""The web app: FastAPI with pages, sign-in, security headers and `/healthz`, `/readyz`.

It runs on an app of its own rather than `hearth.eventstore.runtime`: it has no events,
no outbox and no consumers, so it needs neither Kafka nor the key store, only its
accounts and sessions in PostgreSQL and the services' HTTP APIs.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Final
from urllib.parse import urlencode

import httpx
import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from hearth.eventstore.auth import uses_development_secret
from hearth.eventstore.db import create_pool, migrate
from hearth.eventstore.logs import describe_error
from hearth.web.client import ApiRefusal
from hearth.web.deps import NotSignedIn, PageRefused
from hearth.web.forms.sent import SentForms
from hearth.web.identity import LocalAccounts
from hearth.web.middleware import SecurityHeaders
from hearth.web.oidc import OidcProvider
from hearth.web.pages import delete_cookie, error_page
from hearth.web.routes import auth, case_forms, cases, manager
from hearth.web.sessions import Ended, SessionStore
from hearth.web.settings import WebSettings
from hearth.web.state import WebState, web_state

log = structlog.get_logger(__name__)

MIGRATIONS: Final = Path(__file__).parent / "migrations"
ASSETS: Final = Path(__file__).parent / "assets"


async def open_state(state: WebState) -> None:
    """Connect to PostgreSQL, migrate the `web` schema, build the stores and the client."""
    s = state.settings
    state.pool = await create_pool(s.database_url, min_size=1, max_size=s.db_pool_max)
    await migrate(state.pool, s.db_schema, [MIGRATIONS], eventstore_tables=False)
    state.accounts = LocalAccounts(
        state.pool, s.db_schema, max_failures=s.sign_in_attempts, lockout=s.lockout
    )
    state.identity = state.accounts
    state.sessions = SessionStore(
        state.pool, s.db_schema, idle_timeout=s.idle_timeout, lifetime=s.session_lifetime
    )
    state.sent_forms = SentForms(state.pool, s.db_schema)


async def close_state(state: WebState) -> None:
    if state.http is not None:
        await state.http.aclose()
        state.http = None
    if state.pool is not None:
        await state.pool.close()
        state.pool = None


def create_app(
    settings: WebSettings | None = None,
    *,
    now: Callable[[], datetime] | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """The web app. `transport` (tests) replaces the network for outgoing HTTP."""
    state = WebState(settings or WebSettings())
    if now is not None:
        state.now = now

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await open_state(state)
        state.http = httpx.AsyncClient(
            timeout=state.settings.api_timeout_seconds, follow_redirects=False, transport=transport
        )
        if state.settings.identity_provider == "oidc":
            assert state.pool is not None
            state.oidc = OidcProvider(
                state.settings, state.http, state.pool, state.settings.db_schema
            )
        if uses_development_secret():
            log.warning("HEARTH_JWT_SECRET is not set: tokens are signed with the development key")
        if not state.settings.cookie_secure:
            log.warning("HEARTH_WEB_COOKIE_SECURE=false: the session cookie is not Secure")
        log.info("service started", schema=state.settings.db_schema)
        try:
            yield
        finally:
            await close_state(state)

    app = FastAPI(
        title="Hearth staff web app",
        lifespan=lifespan,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    app.state.web = state
    app.add_middleware(SecurityHeaders, https=state.settings.cookie_secure)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": "web"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        try:
            assert state.pool is not None
            await asyncio.wait_for(state.pool.fetchval("SELECT 1"), timeout=2)
            checks = {"database": "ok"}
        except Exception as exc:
            checks = {"database": f"failing: {describe_error(exc)}"}
        ready = all(v == "ok" for v in checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "checks": checks},
            status_code=200 if ready else 503,
        )

    app.mount("/assets", StaticFiles(directory=ASSETS), name="assets")
    install_page_handlers(app)
    app.include_router(auth.router)
    app.include_router(cases.router)
    app.include_router(case_forms.router)
    app.include_router(manager.router)
    return app


def install_page_handlers(app: FastAPI) -> None:
    """Refusals as pages: not signed in → /sign-in; the rest → a plain error page."""

    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, exc: NotSignedIn) -> Response:
        query: dict[str, str] = {}
        if exc.ended in (Ended.IDLE, Ended.EXPIRED):
            query["ended"] = exc.ended.value
        if exc.next_path and exc.next_path not in ("/", "/sign-in"):
            query["next"] = exc.next_path
        url = "/sign-in" + ("?" + urlencode(query) if query else "")
        response = RedirectResponse(url, status_code=303)
        settings = web_state(request).settings
        if settings.session_cookie in request.cookies:
            delete_cookie(response, settings, settings.session_cookie)
        return response

    @app.exception_handler(PageRefused)
    async def refused(request: Request, exc: PageRefused) -> Response:
        return error_page(request, exc.status, exc.message)

    @app.exception_handler(ApiRefusal)
    async def api_refused(request: Request, exc: ApiRefusal) -> Response:
        # A page that could not load what it shows. 404 and 403 alike read "not found":
        # a restricted case must not be revealed to exist.
        if exc.status in (403, 404):
            return error_page(request, 404, "There is nothing here, or it is not yours to see.")
        if exc.status == 401:
            return error_page(request, 403, exc.message)
        return error_page(request, exc.status if exc.status >= 400 else 502, exc.message)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        # A malformed id in a URL, say: nothing by that address.
        return error_page(request, 404, "There is nothing here, or it is not yours to see.")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return error_page(request, 404, "There is no page at this address.")
        if exc.status_code == 405:
            return error_page(request, 405, "This page cannot be used that way.")
        return error_page(request, exc.status_code, "The request could not be handled.")
