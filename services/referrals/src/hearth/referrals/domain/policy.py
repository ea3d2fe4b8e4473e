"""The landlord's referral policy: the MARAC criteria's figures and the calendar they use.

Every figure comes from the policy file (see `hearth/referrals/policy.toml`); nothing here
has a default, so a figure can never silently come from code. MARACs differ: some use a
visible-high-risk threshold of 17 yes answers, or 5 incidents for potential escalation.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from hearth.contracts.events.common import Code


class _PolicyModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class MaracCriteriaPolicy(_PolicyModel):
    """When a case meets the MARAC referral criteria."""

    visible_high_risk: dict[Code, int] = Field(max_length=50)
    """The score at or above which an assessment is visible high risk, per question set
    (`dash-ric-24`: 14 in most areas). A question set not named here uses the threshold
    the risk service published with the assessment, or its own `marac_criteria_met`."""
    escalation_incidents: int = Field(ge=1, le=100)
    """Incidents within the escalation window that make potential escalation."""
    escalation_window_months: int = Field(ge=1, le=60)
    repeat_window_months: int = Field(ge=1, le=60)
    """A new incident within this many months of the last MARAC referral is a repeat."""


class Policy(_PolicyModel):
    """One landlord's referral policy, named so replays can say which rules applied."""

    id: Code
    timezone: str = Field(max_length=100, pattern=r"^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$")
    """The landlord's local time zone: what "today" is for dates (an action's due date)."""
    marac: MaracCriteriaPolicy
