"""How the intake service is put together: the runtime runs what this spec names."""

from __future__ import annotations

from pathlib import Path

from hearth.contracts.topics import CASES_EVENTS, REFERRALS_EVENTS
from hearth.eventstore.runtime import ConsumerSpec, ServiceSpec
from hearth.intake import api, web
from hearth.intake.consumers import (
    CASE_STATUS_CONSUMER,
    case_status_handler,
    case_status_reset,
)
from hearth.intake.operations import ERASE_EXPIRED_ENQUIRIES, SUBJECT_ACCESS
from hearth.intake.scheduler import retention_scheduler
from hearth.intake.settings import IntakeContext, IntakeSettings, load_context


def build_spec(settings: IntakeSettings | None = None) -> ServiceSpec[IntakeContext]:
    """The intake service; `settings` default to the `HEARTH_INTAKE_*` environment."""
    return ServiceSpec(
        name="intake",
        context=lambda: load_context(settings),
        migrations=Path(__file__).parent / "migrations",
        consumers=[
            ConsumerSpec(
                name=CASE_STATUS_CONSUMER,
                topics=[CASES_EVENTS, REFERRALS_EVENTS],
                handler=case_status_handler,
                reset=case_status_reset,
            )
        ],
        routers=[api.router, web.router],
        background=[retention_scheduler],
        commands=[ERASE_EXPIRED_ENQUIRIES, SUBJECT_ACCESS],
    )


SPEC = build_spec()
