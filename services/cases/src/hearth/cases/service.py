"""How the cases service is put together: the runtime runs what this spec names."""

from __future__ import annotations

from pathlib import Path

from hearth.cases.api import router
from hearth.cases.consumers import intake_batches, intake_events, risk_batches, risk_events
from hearth.cases.operations import ERASE_EXPIRED, REBUILD_READ_MODEL, SUBJECT_ACCESS
from hearth.cases.scheduler import deadline_scheduler, retention_scheduler
from hearth.cases.settings import load_config
from hearth.contracts.topics import INTAKE_EVENTS, RISK_EVENTS
from hearth.eventstore.runtime import ConsumerSpec, ServiceSpec

SPEC = ServiceSpec(
    name="cases",
    context=load_config,
    migrations=Path(__file__).parent / "migrations",
    consumers=[
        ConsumerSpec(
            name="intake", topics=[INTAKE_EVENTS], handler=intake_events, prepare=intake_batches
        ),
        ConsumerSpec(name="risk", topics=[RISK_EVENTS], handler=risk_events, prepare=risk_batches),
    ],
    routers=[router],
    background=[deadline_scheduler, retention_scheduler],
    commands=[REBUILD_READ_MODEL, ERASE_EXPIRED, SUBJECT_ACCESS],
)
