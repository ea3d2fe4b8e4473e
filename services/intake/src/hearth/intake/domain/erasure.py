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

When cases erases one person on a case (`PersonErased`), their key on the case is gone
(their values on intake's reports about the case with it), and intake forgets
(`forget_erased_person`):

- that person's match index entries on the case, the survivor's name and date-of-birth
  details included (every such row names the person): a later report naming them no
  longer finds the case through them, while the others on the case still match;
- their keys on the enquiries the case's reports came from.

Kept: that the person was erased on the case (ids and time), so a late update naming
them indexes nothing again; the household's tenancy key (it names nobody: it is the
case's, erased with the case); and the idempotency answers of the case's reports (a keyed
hash of a whole report, about everyone on it, forgotten with the case).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from hearth.contracts.events.cases import CaseErased, PersonErased

__all__ = [
    "CaseForgotten",
    "PersonForgotten",
    "erased_meanwhile",
    "forget_erased_case",
    "forget_erased_person",
]


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


@dataclass(frozen=True)
class PersonForgotten:
    """The change one person's erasure on a case makes to intake's read model."""

    case_id: UUID
    person_id: UUID
    erased_at: datetime
    enquiry_ids: frozenset[UUID]
    """The enquiries the case's reports came from: the person's keys on them go."""
    key_reason: str
    """The key store's one line on why: codes and ids, never a person."""


def forget_erased_person(event: PersonErased, *, enquiry_ids: Iterable[UUID]) -> PersonForgotten:
    """What intake forgets of the person `event` erased, given the enquiries behind the
    reports it holds on their case."""
    return PersonForgotten(
        case_id=event.case_id,
        person_id=event.person_id,
        erased_at=event.erased_at,
        enquiry_ids=frozenset(enquiry_ids),
        key_reason=(
            f"person erased on case {event.case_id}: {event.basis.value}: {event.reason.value}"
        ),
    )
