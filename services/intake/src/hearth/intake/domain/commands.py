"""What can be asked of intake. Each command names who is asking; the edge gives the ids.

Ids are generated at the edge (randomness is I/O, like the clock), so a decision is a
function of its inputs and a test can name every id it expects.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from hearth.contracts.envelope import Actor
from hearth.intake.domain.asb import AsbReport
from hearth.intake.domain.matching import PersonKeys
from hearth.intake.domain.submission import ReportSubmission

__all__ = ["Command", "RaiseAsbEnquiry", "SubmitReport", "person_ids_needed"]


def person_ids_needed(submission: ReportSubmission) -> int:
    """How many fresh person ids a report may need: one for everyone it names."""
    return 1 + len(submission.alleged_perpetrators) + len(submission.children)


@dataclass(frozen=True, slots=True)
class SubmitReport:
    """A report from staff, a partner agency or the web form: decide its case and events."""

    actor: Actor
    submission: ReportSubmission
    people: tuple[PersonKeys, ...]
    """The match keys of the people the report is about (`matching.people_keys`)."""
    report_id: UUID
    new_case_id: UUID
    """The case the report opens, if it joins none."""
    fresh_person_ids: tuple[UUID, ...]
    """Ids for people the joined case does not know yet, taken in order."""
    stand_in_case_id: UUID
    """The case id to answer with should the report join a restricted case the submitter
    may not know of, and they were never given one for it (`disclosure`)."""

    def __post_init__(self) -> None:
        if len(self.fresh_person_ids) < person_ids_needed(self.submission):
            raise ValueError("a report needs a fresh person id for everyone it names")


@dataclass(frozen=True, slots=True)
class RaiseAsbEnquiry:
    """An ASB report from housing staff: a DA enquiry if its category signals abuse."""

    actor: Actor
    report: AsbReport
    enquiry_id: UUID
    """The enquiry's id, should the report raise one."""


Command = SubmitReport | RaiseAsbEnquiry
