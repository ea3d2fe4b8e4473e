"""What the submitter of a report may be told about the case it joined.

A case is restricted when its survivor or alleged perpetrator works for the landlord;
only the staff named on the restriction may know it exists. A report that joins such a
case (or repeats one) is stored on it all the same, but anyone else who submitted it
is told the report's id only: naming the case, or saying there is one, would tell them
a colleague's case exists.
"""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

from hearth.contracts.events.intake import LinkBasis, ReportLinkedToCase
from hearth.intake.domain.linking import CaseStatus

__all__ = ["case_withheld", "cases_behind"]


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
