"""Operator commands of the risk service beside those every service has.

`python -m hearth.risk rebuild-read-model` replays the event store into the risk
summary (it locks the table while it works). What risk knows of cases is rebuilt from
cases' events with `python -m hearth.risk rebuild cases`.
"""

from __future__ import annotations

from collections.abc import Mapping

from hearth.eventstore.runtime import OperatorCommand, Runtime
from hearth.risk.read_model import rebuild
from hearth.risk.settings import RiskConfig


async def _rebuild_read_model(runtime: Runtime[RiskConfig], args: Mapping[str, str]) -> int:
    rebuilt = await rebuild(runtime.event_store)
    print(f"risk summary rebuilt from the event store: {rebuilt} cases")
    return 0


REBUILD_READ_MODEL = OperatorCommand(
    name="rebuild-read-model",
    help="replay the event store into the risk summary (locks it while it works)",
    run=_rebuild_read_model,
)
