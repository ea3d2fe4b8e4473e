"""What the submitter of a report may be told about the case it joined.

Partners' systems and residents on the web form are told their report's id and a
reference to quote, nothing about other reports or cases: whether a person already has
a case, and why a report joined it, is not theirs to know. Staff are told the case.

A case is restricted when its survivor or alleged perpetrator works for the landlord;
only the staff named on the restriction may know it exists. A report that joins such a
case (or repeats one) is stored on it all the same, but anyone else who submitted it
is told the report's id only: naming the case, or saying there is one, would tell them
a colleague's case exists.

Intake knows a case is restricted from the report that makes it so, not only once
cases publishes `CaseRestricted`: a report naming a member of staff as the survivor or
an alleged perpetrator marks its case (`RestrictionMark`, stored with the report, in its
transaction). Until cases says who is named, nobody is (the case is hidden from every
submitter); the staff a report names as involved are never named; and while one of them
has no staff id (they could be anyone), nobody is named until cases has said so since.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from hearth.contracts.envelope import Actor
from hearth.contracts.events.intake import (
    LinkBasis,
    RepeatReason,
    ReportLinkedToCase,
    ReportReceived,
)
from hearth.intake.domain.submission import STAFF_ROLES

__all__ = [
    "ReportAnswer",
    "RestrictionFacts",
    "RestrictionMark",
    "answer_for",
    "case_withheld",
    "cases_behind",
    "restriction_mark",
    "told_of_cases",
]


@dataclass(frozen=True, slots=True)
class RestrictionMark:
    """Intake's own record that reports named staff as the survivor or an alleged
    perpetrator on a case (the latest such report's time; everyone they named)."""

    case_id: UUID
    marked_at: datetime
    involved: frozenset[str] = frozenset()
    """Staff ids of the staff named as involved: never named on their own case."""
    unidentified: bool = False
    """Someone was named as staff without a staff id."""

    def merged(self, other: RestrictionMark) -> RestrictionMark:
        return RestrictionMark(
            self.case_id,
            max(self.marked_at, other.marked_at),
            self.involved | other.involved,
            self.unidentified or other.unidentified,
        )


def restriction_mark(received: ReportReceived) -> RestrictionMark | None:
    """The mark a report leaves on its case: when it names a member of staff involved."""
    people = [received.survivor, *received.alleged_perpetrators]
    staff = [p for p in people if p.is_staff_member or p.staff_id]
    if not staff:
        return None
    return RestrictionMark(
        received.case_id,
        received.received_at,
        frozenset(p.staff_id for p in staff if p.staff_id),
        any(not p.staff_id for p in staff),
    )


@dataclass(frozen=True, slots=True)
class RestrictionFacts:
    """What intake knows of a case's restriction: what cases last said, and its own mark."""

    case_id: UUID
    restricted_to: frozenset[str] | None = None
    """The staff cases last named on it; None when cases never restricted it, or lifted it."""
    said_at: datetime | None = None
    """When cases last restricted it or lifted the restriction."""
    mark: RestrictionMark | None = None

    def named(self) -> frozenset[str] | None:
        """The staff who may know of the case; None when it is not restricted."""
        mark = self.mark
        # Cases has not spoken since the last report naming staff.
        pending = mark is not None and (self.said_at is None or mark.marked_at > self.said_at)
        if self.restricted_to is None:
            return frozenset() if pending else None
        if pending and mark is not None and mark.unidentified:
            return frozenset()
        return self.restricted_to - (mark.involved if mark is not None else frozenset())


@dataclass(frozen=True, slots=True)
class ReportAnswer:
    """What the submitter is told: the report's id, and the case when they may know it.

    Without a case (`case_id` None) the answer is the report's id and a reference to
    quote (the report id, as the web form shows it).
    """

    report_id: UUID
    case_id: UUID | None = None
    basis: LinkBasis | None = None
    repeat_reasons: tuple[RepeatReason, ...] = ()
    previous_case_id: UUID | None = None
    case_withheld: bool = False

    @property
    def reference(self) -> str:
        return str(self.report_id)


def told_of_cases(actor: Actor) -> bool:
    """Staff are told which case a report joined; partners and residents never are."""
    return actor.role in STAFF_ROLES


def answer_for(
    actor: Actor, linked: ReportLinkedToCase, restrictions: Mapping[UUID, RestrictionFacts]
) -> ReportAnswer:
    """The answer to the report's submitter."""
    if not told_of_cases(actor):
        return ReportAnswer(linked.report_id)
    if case_withheld(linked, restrictions, actor.id):
        return ReportAnswer(linked.report_id, case_withheld=True)
    return ReportAnswer(
        linked.report_id,
        case_id=linked.case_id,
        basis=linked.basis,
        repeat_reasons=linked.repeat_reasons,
        previous_case_id=linked.previous_case_id,
    )


def cases_behind(linked: ReportLinkedToCase) -> list[UUID]:
    """The existing cases a link tells of: the case joined, and the one a repeat follows."""
    cases = [] if linked.basis is LinkBasis.NEW_CASE else [linked.case_id]
    return cases + ([linked.previous_case_id] if linked.previous_case_id else [])


def case_withheld(
    linked: ReportLinkedToCase, restrictions: Mapping[UUID, RestrictionFacts], staff_id: str
) -> bool:
    """True when the link tells of a case restricted to staff other than `staff_id`."""
    return any(hidden_from(restrictions.get(c), staff_id) for c in cases_behind(linked))


def hidden_from(facts: RestrictionFacts | None, staff_id: str) -> bool:
    """True when the case is restricted and `staff_id` is not named on it."""
    # A case intake knows nothing of restricting is not restricted.
    named = facts.named() if facts is not None else None
    return named is not None and staff_id not in named
