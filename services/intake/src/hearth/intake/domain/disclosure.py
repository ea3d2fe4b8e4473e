"""What the submitter of a report may be told about the case it joined.

Partners' systems and residents on the web form are told their report's id and a
reference to quote, nothing about other reports or cases: whether a person already has
a case, and why a report joined it, is not theirs to know. Staff are told the case.

A case is restricted when its survivor or alleged perpetrator works for the landlord;
only the staff named on the restriction may know it exists. A report that joins such a
case (or repeats one) is stored on it all the same, but anyone else who submitted it
is told the report's id only: naming the case, or saying there is one, would tell them
a colleague's case exists.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from uuid import UUID

from hearth.contracts.envelope import Actor
from hearth.contracts.events.intake import LinkBasis, RepeatReason, ReportLinkedToCase
from hearth.intake.domain.linking import CaseStatus
from hearth.intake.domain.submission import STAFF_ROLES

__all__ = ["ReportAnswer", "answer_for", "case_withheld", "cases_behind", "told_of_cases"]


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
    actor: Actor, linked: ReportLinkedToCase, statuses: Mapping[UUID, CaseStatus]
) -> ReportAnswer:
    """The answer to the report's submitter."""
    if not told_of_cases(actor):
        return ReportAnswer(linked.report_id)
    if case_withheld(linked, statuses, actor.id):
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
    linked: ReportLinkedToCase, statuses: Mapping[UUID, CaseStatus], staff_id: str
) -> bool:
    """True when the link tells of a case restricted to staff other than `staff_id`."""
    return any(_hidden(statuses.get(c), staff_id) for c in cases_behind(linked))


def _hidden(status: CaseStatus | None, staff_id: str) -> bool:
    # A case intake has heard nothing of restricting is not restricted.
    if status is None or status.restricted_to is None:
        return False
    return staff_id not in status.restricted_to
