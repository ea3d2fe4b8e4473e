"""The live parts of the running web app, kept on `app.state.web`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import asyncpg
import httpx
from starlette.requests import HTTPConnection

from hearth.web.forms.sent import SentForms
from hearth.web.identity import IdentityProvider, LocalAccounts
from hearth.web.oidc import OidcProvider
from hearth.web.sessions import SessionStore
from hearth.web.settings import WebSettings


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class WebState:
    settings: WebSettings
    now: Callable[[], datetime] = field(default=_utc_now)
    pool: asyncpg.Pool | None = None
    accounts: LocalAccounts | None = None
    identity: IdentityProvider | None = None
    sessions: SessionStore | None = None
    sent_forms: SentForms | None = None
    """Forms sent to the APIs (a double submit is one command)."""
    http: httpx.AsyncClient | None = None
    oidc: OidcProvider | None = None
    """The landlord's OpenID Connect provider, when `identity_provider` is `oidc`."""

    @property
    def base_urls(self) -> dict[str, str]:
        from hearth.web.client import SERVICES

        return {s: self.settings.service_url(s) for s in SERVICES}

    def session_store(self) -> SessionStore:
        if self.sessions is None:
            raise RuntimeError("the web app has not started")
        return self.sessions

    def sent_forms_store(self) -> SentForms:
        if self.sent_forms is None:
            raise RuntimeError("the web app has not started")
        return self.sent_forms

    def identity_provider(self) -> IdentityProvider:
        if self.identity is None:
            raise RuntimeError("the web app has not started")
        return self.identity

    def http_client(self) -> httpx.AsyncClient:
        if self.http is None:
            raise RuntimeError("the web app has not started")
        return self.http


def web_state(connection: HTTPConnection) -> WebState:
    state: WebState = connection.app.state.web
    return state
