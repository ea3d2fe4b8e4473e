"""Operator commands of the cases service beside those every service has."""

from __future__ import annotations

from hearth.eventstore.runtime import Runtime, ServiceSpec
from hearth.eventstore.settings import ServiceSettings

from .read_model import rebuild


async def rebuild_read_model(spec: ServiceSpec, settings: ServiceSettings) -> int:
    """Replay the event store into the case summary and deadlines. Returns cases rebuilt."""
    runtime = Runtime(spec=spec, settings=settings)
    await runtime.open()
    try:
        return await rebuild(runtime.event_store)
    finally:
        await runtime.stop()
