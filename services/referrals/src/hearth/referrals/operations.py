"""Operator commands of the referrals service beside those every service has.

`python -m hearth.referrals rebuild-read-model` replays the referral streams into the
MARAC referral and action tables (what is known of each case comes from cases' and
risk's topics: `rebuild cases` / `rebuild risk` replay those).
"""

from __future__ import annotations

from collections.abc import Mapping

from hearth.eventstore.runtime import OperatorCommand, Runtime
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
