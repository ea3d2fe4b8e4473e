"""The web app's settings: `HEARTH_WEB_*` variables (a few shared ones also accepted).

The web app holds no events: it keeps staff accounts and sessions in PostgreSQL (schema
`web`) and calls the services' HTTP APIs, so its settings are those APIs' addresses,
its database, and how long a sign-in lasts.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import AliasChoices, AnyHttpUrl, Field, SecretStr, model_validator
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

    identity_provider: Literal["local", "oidc"] = "local"
    """Who says who is signing in: `local` (passwords checked against the accounts in the
    `web` schema) or `oidc` (the landlord's OpenID Connect provider; README.md)."""
    oidc_issuer: AnyHttpUrl | None = None
    """The provider's issuer; its metadata is read from `/.well-known/openid-configuration`."""
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    """Sent with `client_secret_basic` at the token endpoint (none: a public client,
    PKCE alone)."""
    oidc_scopes: str = "openid profile"
    oidc_staff_id_claim: str = "preferred_username"
    """The ID token's claim holding the staff id the services know (the cases roster's)."""
    oidc_role_claim: str = "roles"
    """The claim holding the person's app roles or groups (a string or a list)."""
    oidc_role_map: dict[str, str] = Field(default_factory=dict)
    """The provider's role or group names → Hearth roles (JSON), e.g.
    `{"Hearth.CaseManager": "case_manager", "Hearth.DALead": "manager"}`."""
    oidc_provider_name: str = Field(default="your organisation's account", max_length=80)
    """Shown on the sign-in button: "Sign in with <name>"."""

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

    @model_validator(mode="after")
    def _oidc_complete(self) -> WebSettings:
        if self.identity_provider != "oidc":
            return self
        missing = [
            name
            for name, value in (
                ("HEARTH_WEB_OIDC_ISSUER", self.oidc_issuer),
                ("HEARTH_WEB_OIDC_CLIENT_ID", self.oidc_client_id),
                ("HEARTH_WEB_PUBLIC_ORIGIN", self.public_origin),
                ("HEARTH_WEB_OIDC_ROLE_MAP", self.oidc_role_map),
            )
            if not value
        ]
        if missing:
            raise ValueError("OpenID Connect needs " + ", ".join(missing))
        web_roles = {"intake", "case_manager", "manager", "auditor", "admin"}
        unknown = sorted(set(self.oidc_role_map.values()) - web_roles)
        if unknown:
            raise ValueError(f"HEARTH_WEB_OIDC_ROLE_MAP names roles Hearth has not: {unknown}")
        assert self.oidc_issuer is not None
        if self.oidc_issuer.scheme != "https" and self.oidc_issuer.host not in (
            "127.0.0.1",
            "localhost",
        ):
            raise ValueError("HEARTH_WEB_OIDC_ISSUER must be https")
        return self

    @property
    def oidc_redirect_uri(self) -> str:
        return f"{str(self.public_origin).rstrip('/')}/sign-in/oidc/callback"

    @property
    def oidc_cookie(self) -> str:
        return "__Host-hearth_oidc" if self.cookie_secure else "hearth_oidc"

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
