"""What a decision needs besides the case: the policy, the instruments and the calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hearth.eventstore.calendar import WorkingCalendar
from hearth.risk.domain.instruments import Catalogue, Instrument
from hearth.risk.domain.policy import Policy


@dataclass(frozen=True)
class RiskRules:
    """The landlord's rules as decisions apply them."""

    policy: Policy
    catalogue: Catalogue
    calendar: WorkingCalendar

    @classmethod
    def of(cls, policy: Policy, catalogue: Catalogue) -> RiskRules:
        return cls(policy, catalogue, WorkingCalendar(policy.working_days))

    def reassessment_due(self, instrument: Instrument, completed_at: datetime) -> datetime | None:
        """When the next assessment is due after one completed at `completed_at`."""
        days = instrument.reassessment_interval_days
        return self.calendar.calendar_days_after(completed_at, days) if days else None
