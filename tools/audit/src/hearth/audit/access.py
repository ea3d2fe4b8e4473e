"""Who read a case: one row per recorded read, from the case's history (pure).

Every staff read of a case's data is an event keyed by the case id:

- a read of a restricted case, granted or refused, on the case's own stream in each
  service: `RestrictedCaseRead` (cases), `RestrictedRiskRecordRead` (risk),
  `RestrictedReferralRecordRead` (referrals);
- any other read by a member of staff, on the case's reads stream in each service
  (`reads-<service>-<case id>`): `CaseRecordRead`, `RiskRecordRead`, `ReferralRecordRead`;
- intake's `CaseWithheldFromSubmitter`: a member of staff not named on a restricted case
  answered as if it did not exist (a refused read).

A read is recorded once: a restricted case's read only as the `Restricted*Read`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from hearth.audit.as_of import STAFF_READS
from hearth.audit.timeline import Entry, reads
from hearth.contracts.envelope import format_time

NOTE: Final = (
    "Hearth records every read of a case by a member of staff in cases (the case), risk "
    "(its risk record, an assessment) and referrals (its referrals, a MARAC document): "
    "while the case is restricted as a restricted read, granted or refused; otherwise "
    "as a read. Refused answers to submitters come from intake. Not recorded: lists "
    "(the case list and MARAC actions show no personal data; a restricted case listed is "
    "a recorded read) and reporting's case timeline (times, services, event names and "
    "roles only, never a restricted case)."
)


def access_row(entry: Entry) -> dict[str, Any]:
    """One recorded read as the assessor sees it: when, where, who (and in which role),
    what they opened, granted or refused. Only codes, times and staff ids."""
    e = entry.envelope
    p = e.payload
    read_at: Any
    staff_id: Any
    view: Any
    if e.event_name == "CaseWithheldFromSubmitter":
        read_at, staff_id, view, granted = p.get("withheld_at"), e.actor.id, "intake_answer", False
    else:
        read_at, staff_id, view = p.get("read_at"), p.get("staff_id"), p.get("view")
        granted = e.event_name in STAFF_READS or bool(p.get("access_granted"))
    return {
        "read_at": read_at,
        "recorded_at": format_time(e.recorded_at),
        "service": entry.service,
        "event": e.event_name,
        "staff_id": staff_id,
        "role": e.actor.role.value,
        "view": view,
        "access_granted": granted,
        "restricted": e.event_name not in STAFF_READS,
    }


def access_rows(entries: Iterable[Entry]) -> list[dict[str, Any]]:
    """The case's recorded reads in timeline order, one row each."""
    return [access_row(entry) for entry in reads(entries)]
