"""What a decision needs besides the case: the policy, its working calendar and the roster."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from hearth.cases.domain.policy import Policy
from hearth.cases.domain.staff import Roster
from hearth.eventstore.calendar import WorkingCalendar, calendar_hours_after


@dataclass(frozen=True)
class CaseRules:
    """The landlord's rules as decisions apply them: every deadline is computed here."""

    policy: Policy
    roster: Roster
    calendar: WorkingCalendar

    @classmethod
    def of(cls, policy: Policy, roster: Roster) -> CaseRules:
        return cls(policy, roster, WorkingCalendar(policy.working_days))

    @property
    def zone(self) -> ZoneInfo:
        return self.calendar.zone

    def contact_due(self, reported_at: datetime) -> datetime:
        return self.calendar.working_days_after(
            reported_at, self.policy.timescales.first_contact_working_days
        )

    def dash_due(self, reported_at: datetime) -> datetime:
        return self.calendar.working_days_after(
            reported_at, self.policy.timescales.dash_working_days
        )

    def repair_due(self, raised_at: datetime) -> datetime:
        return calendar_hours_after(raised_at, self.policy.timescales.emergency_repair_hours)

    def review_due(self, since: datetime) -> datetime | None:
        """The next manager review, or None when the policy sets no periodic review."""
        days = self.policy.timescales.review_interval_days
        return self.calendar.calendar_days_after(since, days) if days else None
