"""Operator commands of the cases service beside those every service has.

`python -m hearth.cases rebuild-read-model` replays the event store into the case
summary and deadlines tables (run it with the service stopped, or accept that commands
wait for it: it locks both tables while it works).
"""

from __future__ import annotations

from collections.abc import Mapping

from hearth.cases.read_model import rebuild
from hearth.cases.settings import CasesConfig
from hearth.eventstore.runtime import OperatorCommand, Runtime, ServiceSpec
from hearth.eventstore.settings import ServiceSettings


async def rebuild_read_model(spec: ServiceSpec[CasesConfig], settings: ServiceSettings) -> int:
    """Replay the event store into the case summary and deadlines. Returns cases rebuilt."""
    runtime = Runtime(spec=spec, settings=settings)
    await runtime.open()
    try:
        return await rebuild(runtime.event_store)
    finally:
        await runtime.stop()


async def _rebuild_read_model(runtime: Runtime[CasesConfig], args: Mapping[str, str]) -> int:
    rebuilt = await rebuild(runtime.event_store)
    print(f"case summary and deadlines rebuilt from the event store: {rebuilt} cases")
    return 0


REBUILD_READ_MODEL = OperatorCommand(
    name="rebuild-read-model",
    help="replay the event store into the case summary and deadlines "
    "(locks both tables while it works; best run with the service stopped)",
    run=_rebuild_read_model,
)
