"""How the risk service is put together: the runtime runs what this spec names."""

from __future__ import annotations

from pathlib import Path

from hearth.contracts.topics import CASES_EVENTS
from hearth.eventstore.runtime import ConsumerSpec, ServiceSpec
from hearth.risk.api import router
from hearth.risk.consumers import case_events, forget_cases
from hearth.risk.operations import REBUILD_READ_MODEL, SUBJECT_ACCESS
from hearth.risk.settings import load_config

SPEC = ServiceSpec(
    name="risk",
    context=load_config,
    migrations=Path(__file__).parent / "migrations",
    consumers=[
        ConsumerSpec(name="cases", topics=[CASES_EVENTS], handler=case_events, reset=forget_cases),
    ],
    routers=[router],
    commands=[REBUILD_READ_MODEL, SUBJECT_ACCESS],
)
