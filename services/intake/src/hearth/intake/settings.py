"""Intake's own settings (env prefix `HEARTH_INTAKE_`) and the policy they point to."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import structlog
from limits import parse_many
from pydantic import AnyHttpUrl, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from hearth.eventstore.runtime import Runtime
from hearth.intake.domain.policy import IntakePolicy, PolicyError, policy_problems
from hearth.intake.rate_limit import WebFormLimiter

log = structlog.get_logger(__name__)

DEFAULT_POLICY_FILE: Final = Path(__file__).parent / "policy.toml"
DEVELOPMENT_MATCH_KEY: Final = "hearth-local-development-match-key-change-me-in-production"


class IntakeSettings(BaseSettings):
    """Override with `HEARTH_INTAKE_<NAME>` variables."""

    model_config = SettingsConfigDict(env_prefix="HEARTH_INTAKE_", extra="ignore")

    match_key: SecretStr = Field(default=SecretStr(DEVELOPMENT_MATCH_KEY), min_length=16)
    """The HMAC secret for the match index. Changing it orphans the index: keep it stable."""
    policy_file: Path = DEFAULT_POLICY_FILE
    """The landlord's intake policy (repeat window, ASB categories that signal DA)."""
    quick_exit_url: AnyHttpUrl = AnyHttpUrl("https://www.bbc.co.uk/weather")
    """Where "leave this site quickly" goes: a neutral site that looks ordinary in history."""
    web_form_actor_id: str = Field(default="web-form", pattern=r"^[A-Za-z0-9._:@-]+$")
    """The actor id on events from the public web form (role `public`)."""
    web_form_limit_per_client: str = "10/minute;30/hour"
    """Posts of the web form one client may make (`limits` notation, `;` between limits)."""
    web_form_limit_overall: str = "120/minute;2000/hour"
    """Posts of the web form all clients together may make, per instance."""
    web_form_limit_storage: str = "async+memory://"
    """Where the rate limit's windows are kept (`limits` storage URI): memory counts per
    instance; a shared store (e.g. `async+redis://host:6379`) counts across instances."""
    web_form_trusted_proxy_hops: int = Field(default=0, ge=0, le=5)
    """Proxies in front of intake that each append the address they saw to
    X-Forwarded-For. 0 (the default): the header is ignored and the client is the
    connecting address; set it only when every request passes those proxies."""
    retention_poll_seconds: float = Field(default=86_400.0, gt=0)
    """How often the retention sweep looks for enquiries to erase (daily by default; a
    sweep that erases a whole batch goes straight on to the next)."""
    retention_batch_size: int = Field(default=50, ge=1, le=10_000)
    """Enquiries one retention sweep erases at most before looking again."""

    @field_validator("web_form_limit_storage")
    @classmethod
    def _an_async_storage(cls, value: str) -> str:
        if not value.startswith("async+"):
            raise ValueError("the web form runs on asyncio: use an async+ storage URI")
        return value

    @field_validator("web_form_limit_per_client", "web_form_limit_overall")
    @classmethod
    def _a_limit(cls, value: str) -> str:
        if not parse_many(value):
            raise ValueError("give at least one limit, e.g. 10/minute")
        return value


@dataclass(frozen=True)
class IntakeContext:
    """Settings and policy: the service's context, loaded once when the runtime opens."""

    settings: IntakeSettings
    policy: IntakePolicy
    web_form_limiter: WebFormLimiter = field(init=False)

    def __post_init__(self) -> None:
        s = self.settings
        limiter = WebFormLimiter(
            s.web_form_limit_per_client, s.web_form_limit_overall, s.web_form_limit_storage
        )
        object.__setattr__(self, "web_form_limiter", limiter)

    @property
    def match_key(self) -> bytes:
        return self.settings.match_key.get_secret_value().encode()


def load_policy(path: Path) -> IntakePolicy:
    """The policy in a TOML file; PolicyError names the file and each refused setting."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise PolicyError(f"cannot read the intake policy {path}: {type(exc).__name__}") from None
    try:
        return IntakePolicy.model_validate(data)
    except ValidationError as exc:
        raise PolicyError(f"invalid intake policy {path}: {policy_problems(exc)}") from None


def load_context(settings: IntakeSettings | None = None) -> IntakeContext:
    settings = settings or IntakeSettings()
    policy = load_policy(settings.policy_file)
    if settings.match_key.get_secret_value() == DEVELOPMENT_MATCH_KEY:
        log.warning("HEARTH_INTAKE_MATCH_KEY is not set: using the development match key")
    log.info("intake policy loaded", policy=policy.name)
    return IntakeContext(settings=settings, policy=policy)


def intake_context(runtime: Runtime[IntakeContext]) -> IntakeContext:
    """The runtime's settings and policy (loaded by `load_context` when it opened)."""
    return runtime.context
