"""A case's deadlines: first contact, DASH, reassessment, emergency repairs and reviews."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum


class DeadlineKind(StrEnum):
    """What is due."""

    CONTACT = "contact"
    DASH = "dash"
    EMERGENCY_REPAIR = "emergency_repair"
    REVIEW = "review"
    REASSESSMENT = "reassessment"
    """The next risk assessment, when the last one's instrument sets an interval."""


class DeadlineStatus(StrEnum):
    """Where a deadline stands, as a caseworker sees it (and the case list stores it)."""

    DUE = "due"
    OVERDUE = "overdue"
    """Unmet past its due time: recorded so by the scheduler, or not yet noticed."""
    MET = "met"
    MET_LATE = "met_late"
    CANCELLED = "cancelled"
    """The case closed before it was met."""


DeadlineKey = tuple[DeadlineKind, str]
"""(kind, ref): ref is the episode for contact and DASH (a reopening starts a new one) or
the report id for those a new report on an open case started, the repair id for a
repair, the review's sequence number for a review, and the assessment it follows for a
reassessment."""


@dataclass(frozen=True, slots=True)
class Deadline:
    """One deadline and what became of it."""

    kind: DeadlineKind
    ref: str
    starts_at: datetime
    due_at: datetime
    met_at: datetime | None = None
    overdue_at: datetime | None = None
    """When the scheduler recorded it overdue (at most once)."""
    cancelled_at: datetime | None = None
    """The case closed before it was met: no longer due."""

    @property
    def key(self) -> DeadlineKey:
        return (self.kind, self.ref)

    @property
    def is_open(self) -> bool:
        """Still waiting to be met (overdue or not)."""
        return self.met_at is None and self.cancelled_at is None

    @property
    def late(self) -> bool:
        return self.met_at is not None and self.met_at > self.due_at

    def met(self, at: datetime) -> Deadline:
        return replace(self, met_at=at)

    def overdue(self, at: datetime) -> Deadline:
        return replace(self, overdue_at=at)

    def cancelled(self, at: datetime) -> Deadline:
        return replace(self, cancelled_at=at)

    def is_overdue(self, now: datetime) -> bool:
        """Unmet and past due (recorded, or the scheduler has not got to it yet)."""
        return deadline_status(self, now) is DeadlineStatus.OVERDUE

    def status(self, now: datetime) -> DeadlineStatus:
        return deadline_status(self, now)


def deadline_status(deadline: Deadline, now: datetime) -> DeadlineStatus:
    """The one rule for a deadline's status at `now`: met (late or not) whatever else
    happened, else cancelled, else overdue once recorded so or past due, else due."""
    if deadline.met_at is not None:
        return DeadlineStatus.MET_LATE if deadline.late else DeadlineStatus.MET
    if deadline.cancelled_at is not None:
        return DeadlineStatus.CANCELLED
    if deadline.overdue_at is not None or deadline.due_at <= now:
        return DeadlineStatus.OVERDUE
    return DeadlineStatus.DUE
