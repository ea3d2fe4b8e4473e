"""How the referrals service is put together: the runtime runs what this spec names."""

from __future__ import annotations

from pathlib import Path

from hearth.contracts.topics import CASES_EVENTS, RISK_EVENTS
from hearth.eventstore.runtime import ConsumerSpec, ServiceSpec
from hearth.referrals.api import router
from hearth.referrals.consumers import cases_batches, cases_events, risk_batches, risk_events
from hearth.referrals.operations import REBUILD_READ_MODEL, SUBJECT_ACCESS
from hearth.referrals.scheduler import marac_action_scheduler
from hearth.referrals.settings import load_config

SPEC = ServiceSpec(
    name="referrals",
    context=load_config,
    migrations=Path(__file__).parent / "migrations",
    consumers=[
        ConsumerSpec(
            name="cases", topics=[CASES_EVENTS], handler=cases_events, prepare=cases_batches
        ),
        ConsumerSpec(name="risk", topics=[RISK_EVENTS], handler=risk_events, prepare=risk_batches),
    ],
    routers=[router],
    background=[marac_action_scheduler],
    commands=[REBUILD_READ_MODEL, SUBJECT_ACCESS],
)
