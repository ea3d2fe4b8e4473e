"""How the risk service is put together: the runtime runs what this spec names."""

from __future__ import annotations

from pathlib import Path

from hearth.eventstore.runtime import ServiceSpec, no_context

SPEC = ServiceSpec(
    name="risk",
    context=no_context,
    migrations=Path(__file__).parent / "migrations",
)
