"""Operator commands of the cases service beside those every service has.

- `python -m hearth.cases rebuild-read-model` replays the event store into the case
  summary and deadlines tables (run it with the service stopped, or accept that commands
  wait for it: it locks both tables while it works).
- `python -m hearth.cases erase-expired` erases every case closed longer ago than the
  policy's retention period, as the service's retention sweep does (`scheduler.py`).
- `python -m hearth.cases subject-access <case_id> <person_id>` prints, as JSON, what the
  service holds about that person on that case and nothing of anyone else's
  (`hearth.cases.domain.subject_access` decides what goes in; this only loads and prints).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from hearth.cases.domain.state import stream_id
from hearth.cases.domain.subject_access import subject_access
from hearth.cases.read_model import rebuild
from hearth.cases.scheduler import erase_expired
from hearth.cases.settings import CasesConfig, cases_config
from hearth.eventstore.decider import recorded
from hearth.eventstore.runtime import OperatorCommand, Runtime, ServiceSpec
from hearth.eventstore.settings import ServiceSettings
from hearth.eventstore.subject_access_command import subject_access_command
from hearth.eventstore.tasks import erase_until_done


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


async def _erase_expired(runtime: Runtime[CasesConfig], args: Mapping[str, str]) -> int:
    config = cases_config(runtime)
    batch = config.settings.retention_batch_size
    done = await erase_until_done(lambda limit: erase_expired(runtime, limit=limit), batch)
    erased, refused, failed = done.erased, done.refused, done.failed
    policy = config.rules.policy
    print(
        f"erased {erased} cases closed more than {policy.retention.years_after_closure} years "
        f"ago (policy {policy.id}); {refused} refused by their events, {failed} failed"
    )
    return 0 if failed == 0 else 1


ERASE_EXPIRED = OperatorCommand(
    name="erase-expired",
    help="erase every case closed longer ago than the policy's retention period "
    "(destroys their keys, records CaseErased, clears their read model)",
    run=_erase_expired,
)


async def _subject_access_answer(
    runtime: Runtime[CasesConfig], case_id: uuid.UUID, person_id: uuid.UUID
) -> dict[str, Any]:
    history = await runtime.event_store.read_stream(stream_id(case_id))
    return subject_access([recorded(e) for e in history], person_id)


SUBJECT_ACCESS = subject_access_command("cases", _subject_access_answer)
