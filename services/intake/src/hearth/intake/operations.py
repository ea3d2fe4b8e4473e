"""Operator commands of the intake service beside those every service has.

`python -m hearth.intake subject-access <case_id> <person_id>` prints, as JSON, what
intake holds about that person on that case (the reports put on it; a reporter is found
by their report's id) and nothing of anyone else's (`hearth.intake.domain.subject_access`
decides what goes in; this only loads and prints).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from hearth.eventstore.decider import Recorded, recorded
from hearth.eventstore.runtime import Runtime
from hearth.eventstore.subject_access_command import subject_access_command
from hearth.intake import read_model
from hearth.intake.domain.subject_access import subject_access
from hearth.intake.handlers import report_stream
from hearth.intake.settings import IntakeContext


async def _subject_access_answer(
    runtime: Runtime[IntakeContext], case_id: UUID, person_id: UUID
) -> dict[str, Any]:
    async with runtime.event_store.transaction() as conn:
        erased_at = await read_model.erased_at(conn, runtime.schema, case_id)
        reports, _ = await read_model.reports_on_case(conn, runtime.schema, case_id)
    history: list[Recorded] = []
    if erased_at is None:
        for report_id in reports:
            stored = await runtime.event_store.read_stream(report_stream(report_id))
            history.extend(recorded(e) for e in stored)
    return subject_access(case_id, history, person_id, erased_at=erased_at)


SUBJECT_ACCESS = subject_access_command("intake", _subject_access_answer)
