"""The web app's settings: `HEARTH_WEB_*` variables (a few shared ones also accepted).

The web app holds no events: it keeps staff accounts and sessions in PostgreSQL (schema
`web`) and calls the services' HTTP APIs, so its settings are those APIs' addresses,
its database, and how long a sign-in lasts.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import AliasChoices, AnyHttpUrl, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

SERVICE_PORTS = {"intake": 8101, "cases": 8102, "risk": 8103, "referrals": 8104, "reporting": 8105}
"""deploy/local's ports (HEARTH_HTTP_PORT_BASE + 1 ..): the defaults for local work."""


class WebSettings(BaseSettings):
    """What the web app needs to run. Override with `HEARTH_WEB_<NAME>` variables."""

    model_config = SettingsConfigDict(env_prefix="HEARTH_WEB_", extra="ignore")

    intake_url: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:8101")
    cases_url: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:8102")
    risk_url: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:8103")
    referrals_url: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:8104")
    reporting_url: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:8105")
    api_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    token_minutes: int = Field(default=5, ge=1, le=60)
    """Lifetime of the bearer token minted for each request to the services."""

    database_url: str = Field(
        default="postgresql://hearth@127.0.0.1:15432/hearth",
        validation_alias=AliasChoices(
            "HEARTH_WEB_DATABASE_URL", "HEARTH_DATABASE_URL", "DATABASE_URL"
        ),
    )
    db_schema: str = Field(default="web", pattern=r"^[a-z_][a-z0-9_]{0,62}$")
    db_pool_max: int = Field(default=5, ge=1, le=100)

    idle_timeout_minutes: int = Field(default=15, ge=1, le=24 * 60)
    """A session unused this long is ended (server-side) and the next page asks to sign in."""
    session_hours: float = Field(default=8, gt=0, le=24)
    """A session ends this long after sign-in, however busy."""
    cookie_secure: bool = True
    """The session cookie is `__Host-hearth_session` (Secure, HttpOnly, SameSite=Strict,
    Path=/). False only for plain-HTTP development on another host than loopback: the
    cookie is then `hearth_session` without the Secure flag (browsers refuse a `__Host-`
    cookie that is not Secure)."""

    public_origin: AnyHttpUrl | None = None
    """The address staff use (`https://hearth.example.org`): a POST whose Origin names
    another site is refused. Unset: the Origin must match the request's Host header."""
    sign_in_attempts: int = Field(default=5, ge=1, le=100)
    """Wrong passwords in a row before an account is locked for `lockout_minutes`."""
    lockout_minutes: int = Field(default=15, ge=1, le=24 * 60)

    identity_provider: Literal["local"] = "local"
    """Who checks a password: `local` (accounts in the `web` schema). See README.md for
    plugging in the landlord's OpenID Connect provider."""

    http_host: str = Field(
        default="127.0.0.1",
        validation_alias=AliasChoices("HEARTH_WEB_HTTP_HOST", "HEARTH_HTTP_HOST"),
    )
    http_port: int = Field(
        default=8106,
        ge=0,
        le=65535,
        validation_alias=AliasChoices("HEARTH_WEB_HTTP_PORT", "HEARTH_HTTP_PORT"),
    )
    log_level: str = Field(
        default="INFO", validation_alias=AliasChoices("HEARTH_WEB_LOG_LEVEL", "HEARTH_LOG_LEVEL")
    )

    @property
    def idle_timeout(self) -> timedelta:
        return timedelta(minutes=self.idle_timeout_minutes)

    @property
    def session_lifetime(self) -> timedelta:
        return timedelta(hours=self.session_hours)

    @property
    def token_lifetime(self) -> timedelta:
        return timedelta(minutes=self.token_minutes)

    @property
    def lockout(self) -> timedelta:
        return timedelta(minutes=self.lockout_minutes)

    @property
    def flash_cookie(self) -> str:
        return "__Host-hearth_flash" if self.cookie_secure else "hearth_flash"

    @property
    def session_cookie(self) -> str:
        return "__Host-hearth_session" if self.cookie_secure else "hearth_session"

    @property
    def sign_in_cookie(self) -> str:
        """The pre-session CSRF cookie of the sign-in form (login CSRF)."""
        return "__Host-hearth_sign_in" if self.cookie_secure else "hearth_sign_in"

    def service_url(self, service: str) -> str:
        url: AnyHttpUrl = getattr(self, f"{service}_url")
        return str(url).rstrip("/")
