"""How the intake service is put together: the runtime runs what this spec names."""

from __future__ import annotations

from pathlib import Path

from hearth.contracts.topics import CASES_EVENTS, REFERRALS_EVENTS
from hearth.eventstore.consumer import Handler
from hearth.eventstore.runtime import ConsumerSpec, Runtime, ServiceSpec
from hearth.intake import api, web
from hearth.intake.consumers import (
    CASE_STATUS_CONSUMER,
    case_status_handler,
    case_status_reset,
)
from hearth.intake.settings import CONTEXT_KEY, IntakeSettings, load_context


def build_spec(settings: IntakeSettings | None = None) -> ServiceSpec:
    """The intake service; `settings` default to the `HEARTH_INTAKE_*` environment."""

    def ensure_context(runtime: Runtime) -> None:
        # Operator commands (rebuild, replay-dlq) open the runtime without starting it,
        # and their consumers need the match key and policy too.
        if CONTEXT_KEY not in runtime.extras:
            runtime.extras[CONTEXT_KEY] = load_context(settings)

    async def load_intake_context(runtime: Runtime) -> None:
        ensure_context(runtime)

    def case_status(runtime: Runtime) -> Handler:
        ensure_context(runtime)
        return case_status_handler(runtime)

    return ServiceSpec(
        name="intake",
        migrations=Path(__file__).parent / "migrations",
        consumers=[
            ConsumerSpec(
                name=CASE_STATUS_CONSUMER,
                topics=[CASES_EVENTS, REFERRALS_EVENTS],
                handler=case_status,
                reset=case_status_reset,
            )
        ],
        routers=[api.router, web.router],
        on_start=[load_intake_context],
    )


SPEC = build_spec()
