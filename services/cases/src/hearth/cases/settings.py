"""The cases service's settings (`HEARTH_CASES_*`), and loading its policy and roster files
into the typed context the runtime keeps (the only I/O of configuration lives here).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from hearth.cases.domain.policy import Policy
from hearth.cases.domain.rules import CaseRules
from hearth.cases.domain.staff import Roster
from hearth.eventstore.runtime import Runtime

PACKAGE_DIR = Path(__file__).parent
DEFAULT_POLICY_FILE = PACKAGE_DIR / "policy.toml"
DEFAULT_ROSTER_FILE = PACKAGE_DIR / "roster.toml"


class CasesSettings(BaseSettings):
    """Where the policy and roster live, and how often the deadline scheduler looks."""

    model_config = SettingsConfigDict(env_prefix="HEARTH_CASES_", extra="ignore")

    policy_file: Path | None = None
    """The landlord's timescale policy (TOML); the packaged `policy.toml` when unset."""
    roster_file: Path | None = None
    """The DA team (TOML); the packaged `roster.toml` when unset."""
    scheduler_poll_seconds: float = Field(default=5.0, gt=0)
    scheduler_batch_size: int = Field(default=100, ge=1, le=10_000)
    retention_poll_seconds: float = Field(default=86_400.0, gt=0)
    """How often the retention sweep looks for cases to erase (daily by default; a sweep
    that erases a whole batch goes straight on to the next)."""
    retention_batch_size: int = Field(default=50, ge=1, le=10_000)


class ConfigurationError(Exception):
    """A policy or roster file that cannot be used; the message names the file and fields."""

    message_is_safe = True


@dataclass(frozen=True)
class CasesConfig:
    """Everything the cases service loads at start-up."""

    settings: CasesSettings
    rules: CaseRules
    """The key store, for erasure (made when first needed)."""


def load_policy(path: Path) -> Policy:
    return Policy.model_validate(_read(path), strict=False)


def load_roster(path: Path) -> Roster:
    return Roster.model_validate(_read(path))


def load_config(settings: CasesSettings | None = None) -> CasesConfig:
    s = settings or CasesSettings()
    policy_file = s.policy_file or DEFAULT_POLICY_FILE
    roster_file = s.roster_file or DEFAULT_ROSTER_FILE
    try:
        rules = CaseRules.of(load_policy(policy_file), load_roster(roster_file))
    except ValidationError as exc:
        fields = ", ".join(".".join(str(p) for p in e["loc"]) or "(file)" for e in exc.errors())
        raise ConfigurationError(f"invalid policy or roster ({fields})") from None
    return CasesConfig(settings=s, rules=rules)


def cases_config(runtime: Runtime[CasesConfig]) -> CasesConfig:
    """The runtime's configuration, loaded once (by `load_config`) when the runtime opened."""
    return runtime.context


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigurationError(f"cannot read {path}: {type(exc).__name__}") from None
