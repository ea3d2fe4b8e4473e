"""How the reporting service is put together: the runtime runs what this spec names."""

from __future__ import annotations

from pathlib import Path

from hearth.eventstore.runtime import ServiceSpec, no_context

SPEC = ServiceSpec(
    name="reporting",
    context=no_context,
    migrations=Path(__file__).parent / "migrations",
)
