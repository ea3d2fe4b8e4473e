"""The cases service's own settings (environment prefix `HEARTH_CASES_`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class CasesSettings(BaseSettings):
    """Where the policy and roster live, and how often the deadline scheduler looks."""

    model_config = SettingsConfigDict(env_prefix="HEARTH_CASES_", extra="ignore")

    policy_file: Path | None = None
    """The landlord's timescale policy (TOML); the packaged `policy.toml` when unset."""
    roster_file: Path | None = None
    """The DA team (TOML); the packaged `roster.toml` when unset."""
    scheduler_poll_seconds: float = Field(default=5.0, gt=0)
    scheduler_batch_size: int = Field(default=100, ge=1, le=10_000)
