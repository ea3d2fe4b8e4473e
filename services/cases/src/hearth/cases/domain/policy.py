"""The landlord's timescale policy: how long each deadline is and how working days count.

Every figure comes from the policy file (see `hearth/cases/policy.toml`); nothing here
has a default, so a figure can never silently come from code. (A switch added later
defaults to the policy's own promise, so that an older copy of the file keeps it.)
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from hearth.contracts.events.common import Code
from hearth.eventstore.calendar import OutOfHours, WorkingDayRules

__all__ = [
    "ContactRecording",
    "OutOfHours",
    "Policy",
    "Retention",
    "Timescales",
    "WorkingDayRules",
]


class _PolicyModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Timescales(_PolicyModel):
    """How long each deadline is."""

    first_contact_working_days: int = Field(ge=1, le=30)
    dash_working_days: int = Field(ge=1, le=30)
    emergency_repair_hours: int = Field(ge=1, le=24 * 14)
    review_interval_days: int = Field(ge=0, le=366)
    """Calendar days between manager reviews while the case is open; 0: no periodic review."""


class ContactRecording(_PolicyModel):
    """How contacts and attempts are recorded: each carries when it happened."""

    max_days_back: int = Field(ge=0, le=31)
    """How many days after it happened a contact or attempt may still be recorded, with
    the time it happened (never in the future, never before the report)."""


class Retention(_PolicyModel):
    """How long a closed case's personal data is kept before it is erased."""

    years_after_closure: int = Field(ge=1, le=100)
    """Whole years after the case closed (the day itself included: a case closed on
    1 March 2025 under 6 years is erased from just after 1 March 2031)."""


class Policy(_PolicyModel):
    """One landlord's policy, named so that replays can say which rules applied."""

    id: Code
    working_days: WorkingDayRules
    timescales: Timescales
    contact_recording: ContactRecording
    retention: Retention
    reopening_restarts_deadlines: bool
    """A reopened case gets new first-contact and DASH deadlines from the reopening."""
    new_report_restarts_deadlines: bool = True
    """A new report joining an open case starts new first-contact and DASH deadlines from
    when it was reported (the policy promises contact within a working day of the abuse
    being reported, and a DASH on all reports); one still open already covers it."""
