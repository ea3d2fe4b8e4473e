"""How the reporting service is put together: the runtime runs what this spec names."""

from __future__ import annotations

from pathlib import Path

from hearth.eventstore.runtime import ServiceSpec
from hearth.reporting.api import router
from hearth.reporting.consumers import EVENTS
from hearth.reporting.settings import load_config

SPEC = ServiceSpec(
    name="reporting",
    context=load_config,
    migrations=Path(__file__).parent / "migrations",
    consumers=[EVENTS],
    routers=[router],
)
