"""The risk service's settings (`HEARTH_RISK_*`), and loading its policy and instruments
into the typed context the runtime keeps (the only I/O of configuration lives here).

Instruments are the TOML files in the package's `instruments/` directory; a directory
named by `HEARTH_RISK_INSTRUMENTS_DIR` adds more, and a file there with the `id` of a
shipped one replaces it (a landlord's own bands, a newer version).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from hearth.eventstore.runtime import Runtime
from hearth.risk.domain.instruments import Catalogue, Instrument
from hearth.risk.domain.policy import Policy
from hearth.risk.domain.rules import RiskRules

PACKAGE_DIR = Path(__file__).parent
DEFAULT_POLICY_FILE = PACKAGE_DIR / "policy.toml"
SHIPPED_INSTRUMENTS_DIR = PACKAGE_DIR / "instruments"


class RiskSettings(BaseSettings):
    """Where the policy and any further instruments live."""

    model_config = SettingsConfigDict(env_prefix="HEARTH_RISK_", extra="ignore")

    policy_file: Path | None = None
    """The landlord's risk policy (TOML); the packaged `policy.toml` when unset."""
    instruments_dir: Path | None = None
    """More instruments (`*.toml`), or replacements of shipped ones by `id`."""


class ConfigurationError(Exception):
    """A policy or instrument file that cannot be used; the message names the file and fields."""

    message_is_safe = True


@dataclass(frozen=True)
class RiskConfig:
    """Everything the risk service loads at start-up."""

    settings: RiskSettings
    rules: RiskRules


def load_policy(path: Path) -> Policy:
    return Policy.model_validate(_read(path), strict=False)


def load_instrument(path: Path) -> Instrument:
    try:
        return Instrument.model_validate(_read(path))
    except ValidationError as exc:
        raise ConfigurationError(f"invalid instrument {path.name} ({_fields(exc)})") from None


def load_catalogue(default_id: str, *directories: Path) -> Catalogue:
    """Every instrument in these directories, a later directory's replacing an earlier's."""
    instruments: dict[str, Instrument] = {}
    for directory in directories:
        if not directory.is_dir():
            raise ConfigurationError(f"no instruments directory {directory}")
        for path in sorted(directory.glob("*.toml")):
            instrument = load_instrument(path)
            instruments[instrument.id] = instrument
    if default_id not in instruments:
        raise ConfigurationError(f"the policy's default instrument {default_id} is not loaded")
    return Catalogue(instruments, default_id)


def load_config(settings: RiskSettings | None = None) -> RiskConfig:
    s = settings or RiskSettings()
    policy_file = s.policy_file or DEFAULT_POLICY_FILE
    try:
        policy = load_policy(policy_file)
    except ValidationError as exc:
        raise ConfigurationError(f"invalid policy {policy_file.name} ({_fields(exc)})") from None
    directories = [SHIPPED_INSTRUMENTS_DIR]
    if s.instruments_dir is not None:
        directories.append(s.instruments_dir)
    catalogue = load_catalogue(policy.default_instrument, *directories)
    return RiskConfig(settings=s, rules=RiskRules.of(policy, catalogue))


def risk_config(runtime: Runtime[RiskConfig]) -> RiskConfig:
    """The runtime's configuration, loaded once (by `load_config`) when the runtime opened."""
    return runtime.context


def _fields(exc: ValidationError) -> str:
    return ", ".join(".".join(str(p) for p in e["loc"]) or "(file)" for e in exc.errors())


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigurationError(f"cannot read {path}: {type(exc).__name__}") from None
