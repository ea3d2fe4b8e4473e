"""What intake forgets when cases erases a case (`CaseErased`, issue 12).

Cases destroys the case's keys, so every personal value of the case's events, intake's
reports among them (their subject is the case), is unreadable everywhere. What intake
holds outside its events must go too, or the erased person could still be recognised:

- the match index entries pointing at the case (keyed digests of her name and date of
  birth, phone, email, tenancy): a later report about her finds nothing and opens a new
  case, as for a person never seen;
- the staff ids its reports named as involved (`restriction_marks`) and the stand-in ids
  given for the case;
- the idempotency answers of the case's reports (a keyed hash of what was reported);
- the keys of the enquiries those reports came from: an enquiry's events are encrypted
  under the enquiry's id, not the case's, so intake destroys them itself.

Kept: that the case was erased and when (so it is unknown to every later report and a
late event about it adds nothing again), and the ids and times that hold nothing
personal (`assigned_cases`, the lifecycle moments).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from hearth.contracts.events.cases import CaseErased

__all__ = ["CaseForgotten", "erased_meanwhile", "forget_erased_case"]


@dataclass(frozen=True)
class CaseForgotten:
    """The change an erasure makes to intake's read model."""

    case_id: UUID
    erased_at: datetime
    report_ids: frozenset[UUID]
    """The case's reports: their idempotency answers go."""
    enquiry_ids: frozenset[UUID]
    """The enquiries those reports came from: their keys are destroyed."""
    key_reason: str | None
    """The key store's one line on why the enquiry keys went: codes, never a person."""


def forget_erased_case(
    event: CaseErased, *, report_ids: Iterable[UUID], enquiry_ids: Iterable[UUID]
) -> CaseForgotten:
    """What intake forgets of `event`'s case, given the reports it holds on that case."""
    return CaseForgotten(
        case_id=event.case_id,
        erased_at=event.erased_at,
        report_ids=frozenset(report_ids),
        enquiry_ids=frozenset(enquiry_ids),
        key_reason=(
            f"enquiry joined erased case {event.case_id}: {event.basis.value}: {event.reason.value}"
        ),
    )


def erased_meanwhile(case_id: UUID, noticed_at: datetime) -> CaseForgotten:
    """A report met the case's destroyed keys before `CaseErased` reached intake: the case
    leaves the index at once (the report is decided again without it); the consumer does
    the rest when the event arrives, and its time of erasure, the earlier, is kept."""
    return CaseForgotten(
        case_id=case_id,
        erased_at=noticed_at,
        report_ids=frozenset(),
        enquiry_ids=frozenset(),
        key_reason=None,
    )
