"""The referrals service's settings (`HEARTH_REFERRALS_*`), and loading its policy file
into the typed context the runtime keeps (the only I/O of configuration lives here).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from hearth.eventstore.runtime import Runtime
from hearth.referrals.domain.policy import Policy

PACKAGE_DIR = Path(__file__).parent
DEFAULT_POLICY_FILE = PACKAGE_DIR / "policy.toml"


class ReferralsSettings(BaseSettings):
    """Where the policy lives, and how often the MARAC action scheduler looks."""

    model_config = SettingsConfigDict(env_prefix="HEARTH_REFERRALS_", extra="ignore")

    policy_file: Path | None = None
    """The landlord's referral policy (TOML); the packaged `policy.toml` when unset."""
    scheduler_poll_seconds: float = Field(default=30.0, gt=0)
    scheduler_batch_size: int = Field(default=100, ge=1, le=10_000)


class ConfigurationError(Exception):
    """A policy file that cannot be used; the message names the file and fields."""

    message_is_safe = True


@dataclass(frozen=True)
class ReferralsConfig:
    """Everything the referrals service loads at start-up."""

    settings: ReferralsSettings
    policy: Policy


def load_policy(path: Path) -> Policy:
    try:
        with path.open("rb") as file:
            data: dict[str, Any] = tomllib.load(file)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigurationError(f"cannot read {path}: {type(exc).__name__}") from None
    try:
        policy = Policy.model_validate(data, strict=False)
    except ValidationError as exc:
        fields = ", ".join(".".join(str(p) for p in e["loc"]) or "(file)" for e in exc.errors())
        raise ConfigurationError(f"invalid policy {path} ({fields})") from None
    try:
        ZoneInfo(policy.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigurationError(f"invalid policy {path} (timezone)") from None
    return policy


def load_config(settings: ReferralsSettings | None = None) -> ReferralsConfig:
    s = settings or ReferralsSettings()
    return ReferralsConfig(settings=s, policy=load_policy(s.policy_file or DEFAULT_POLICY_FILE))


def referrals_config(runtime: Runtime[ReferralsConfig]) -> ReferralsConfig:
    """The runtime's configuration, loaded once (by `load_config`) when the runtime opened."""
    return runtime.context
