"""The landlord's risk policy: which instrument is the default and how assessments are
recorded. Every figure comes from the policy file (`hearth/risk/policy.toml`); nothing
here has a default, so a figure can never silently come from code."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from hearth.contracts.events.common import Code
from hearth.eventstore.calendar import WorkingDayRules

__all__ = ["Policy", "Recording", "WorkingDayRules"]


class _PolicyModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Recording(_PolicyModel):
    """How assessments, declines and other agencies' assessments are recorded."""

    max_days_back: int = Field(ge=0, le=31)
    """How many days after an assessment (or a decline) it may still be recorded, with
    when it happened (never in the future, never before the case opened)."""


class Policy(_PolicyModel):
    """One landlord's risk policy, named so that replays can say which rules applied."""

    id: Code
    default_instrument: Code
    """The instrument an assessment uses when none is named (an instrument's `id`)."""
    working_days: WorkingDayRules
    """The landlord's calendar: reassessment falls due at the same local time of day."""
    recording: Recording
