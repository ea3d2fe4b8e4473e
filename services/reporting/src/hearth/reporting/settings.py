"""The reporting service's settings (`HEARTH_REPORTING_*`) and loading its policy into
the typed context the runtime keeps (the only I/O of configuration lives here)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from hearth.eventstore.runtime import Runtime
from hearth.reporting.domain.policy import Policy

DEFAULT_POLICY_FILE = Path(__file__).parent / "policy.toml"


class ReportingSettings(BaseSettings):
    """Where the reporting policy lives."""

    model_config = SettingsConfigDict(env_prefix="HEARTH_REPORTING_", extra="ignore")

    policy_file: Path | None = None
    """The landlord's reporting policy (TOML); the packaged `policy.toml` when unset."""


class ConfigurationError(Exception):
    """A policy file that cannot be used; the message names the file and fields."""

    message_is_safe = True


@dataclass(frozen=True)
class ReportingConfig:
    """Everything the reporting service loads at start-up."""

    settings: ReportingSettings
    policy: Policy


def load_policy(path: Path = DEFAULT_POLICY_FILE) -> Policy:
    try:
        with path.open("rb") as file:
            data: dict[str, Any] = tomllib.load(file)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigurationError(f"cannot read {path}: {type(exc).__name__}") from None
    try:
        return Policy.model_validate(data, strict=False)
    except ValidationError as exc:
        problems = ", ".join(".".join(str(p) for p in e["loc"]) or "(file)" for e in exc.errors())
        raise ConfigurationError(f"invalid policy {path.name} ({problems})") from None


def load_config(settings: ReportingSettings | None = None) -> ReportingConfig:
    s = settings or ReportingSettings()
    return ReportingConfig(settings=s, policy=load_policy(s.policy_file or DEFAULT_POLICY_FILE))


def reporting_config(runtime: Runtime[ReportingConfig]) -> ReportingConfig:
    """The runtime's configuration, loaded once (by `load_config`) when the runtime opened."""
    return runtime.context
