"""Operator commands of the intake service beside those every service has.

`python -m hearth.intake erase-expired-enquiries` erases every enquiry raised longer ago
than the policy's `[retention] enquiry_years_unfollowed` that no report followed up, as
the service's retention sweep does (`scheduler.py`).

`python -m hearth.intake subject-access <case_id> <person_id>` prints, as JSON, what
intake holds about that person on that case (the reports put on it; a reporter is found
by their report's id) and nothing of anyone else's (`hearth.intake.domain.subject_access`
decides what goes in; this only loads and prints).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from hearth.eventstore.decider import Recorded, recorded
from hearth.eventstore.runtime import OperatorCommand, Runtime
from hearth.eventstore.subject_access_command import subject_access_command
from hearth.eventstore.tasks import erase_until_done
from hearth.intake import read_model
from hearth.intake.domain.subject_access import subject_access
from hearth.intake.handlers import report_stream
from hearth.intake.scheduler import erase_expired_enquiries
from hearth.intake.settings import IntakeContext, intake_context


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


async def _erase_expired_enquiries(runtime: Runtime[IntakeContext], args: Mapping[str, str]) -> int:
    context = intake_context(runtime)
    batch = context.settings.retention_batch_size
    done = await erase_until_done(
        lambda limit: erase_expired_enquiries(runtime, limit=limit), batch
    )
    erased, refused, failed = done.erased, done.refused, done.failed
    policy = context.policy
    print(
        f"erased {erased} enquiries raised more than {policy.enquiry_years_unfollowed} years "
        f"ago that no report followed up (policy {policy.name}); {refused} refused, "
        f"{failed} failed"
    )
    return 0 if failed == 0 else 1


ERASE_EXPIRED_ENQUIRIES = OperatorCommand(
    name="erase-expired-enquiries",
    help="erase every enquiry no report followed up, raised longer ago than the policy's "
    "retention period (records EnquiryErased, destroys its keys, clears its rows)",
    run=_erase_expired_enquiries,
)
