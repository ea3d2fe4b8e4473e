"""Operator commands of the risk service beside those every service has.

`python -m hearth.risk rebuild-read-model` replays the event store into the risk
summary (it locks the table while it works). What risk knows of cases is rebuilt from
cases' events with `python -m hearth.risk rebuild cases`.

`python -m hearth.risk subject-access <case_id> <person_id>` prints, as JSON, what risk
holds about that person on that case and nothing of anyone else's
(`hearth.risk.domain.subject_access` decides what goes in; this only loads and prints).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from hearth.eventstore.decider import recorded
from hearth.eventstore.runtime import OperatorCommand, Runtime
from hearth.eventstore.subject_access_command import subject_access_command
from hearth.risk import read_model
from hearth.risk.domain.state import stream_id
from hearth.risk.domain.subject_access import subject_access
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


async def _subject_access_answer(
    runtime: Runtime[RiskConfig], case_id: UUID, person_id: UUID
) -> dict[str, Any]:
    async with runtime.event_store.transaction() as conn:
        known = await read_model.case_access(conn, runtime.schema, case_id)
        erased_at = await read_model.erased_at(conn, runtime.schema, case_id)
    access = known[0] if known is not None else None
    erased = access is not None and access.erased
    history = [] if erased else await runtime.event_store.read_stream(stream_id(case_id))
    return subject_access(access, [recorded(e) for e in history], person_id, erased_at=erased_at)


SUBJECT_ACCESS = subject_access_command("risk", _subject_access_answer)
