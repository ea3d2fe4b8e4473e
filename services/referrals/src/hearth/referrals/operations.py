"""Operator commands of the referrals service beside those every service has.

`python -m hearth.referrals rebuild-read-model` replays the referral streams into the
MARAC referral and action tables (what is known of each case comes from cases' and
risk's topics: `rebuild cases` / `rebuild risk` replay those).

`python -m hearth.referrals subject-access <case_id> <person_id>` prints, as JSON, what
referrals holds about that person on that case and nothing of anyone else's
(`hearth.referrals.domain.subject_access` decides what goes in; this only loads and prints).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from hearth.eventstore.decider import recorded
from hearth.eventstore.runtime import OperatorCommand, Runtime
from hearth.eventstore.subject_access_command import subject_access_command
from hearth.referrals import read_model
from hearth.referrals.domain.state import stream_id
from hearth.referrals.domain.subject_access import subject_access
from hearth.referrals.read_model import rebuild
from hearth.referrals.settings import ReferralsConfig


async def _rebuild_read_model(runtime: Runtime[ReferralsConfig], args: Mapping[str, str]) -> int:
    rebuilt = await rebuild(runtime.event_store)
    print(f"MARAC referrals and actions rebuilt from the event store: {rebuilt} cases")
    return 0


REBUILD_READ_MODEL = OperatorCommand(
    name="rebuild-read-model",
    help="replay the referral streams into the MARAC referral and action tables "
    "(locks both tables while it works; best run with the service stopped)",
    run=_rebuild_read_model,
)


async def _subject_access_answer(
    runtime: Runtime[ReferralsConfig], case_id: UUID, person_id: UUID
) -> dict[str, Any]:
    async with runtime.event_store.transaction() as conn:
        known = await read_model.load_known(conn, runtime.schema, case_id)
    history = [] if known.erased else await runtime.event_store.read_stream(stream_id(case_id))
    return subject_access(known, [recorded(e) for e in history], person_id)


SUBJECT_ACCESS = subject_access_command("referrals", _subject_access_answer)
