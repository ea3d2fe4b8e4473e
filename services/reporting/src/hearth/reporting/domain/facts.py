"""The facts figures are computed from, as the read model holds them (one class a table).

A table whose rows are exactly what an event records is read back as that change's own
class (`changes.ReportFacts` is a `Report`, and so on)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from hearth.reporting.domain import changes as c
from hearth.reporting.domain.changes import SurvivorCategories

Report = c.ReportFacts
RiskLevelAt = c.RiskLevelSet
Assessment = c.AssessmentFacts
Referral = c.ReferralFacts
Incident = c.IncidentFacts
PerpetratorAction = c.PerpetratorActionFacts
Wishes = c.WishesRecorded
SafeContactRecord = c.SafeContactRecorded
Review = c.ReviewFacts


@dataclass(frozen=True)
class Case:
    case_id: UUID
    opened_at: datetime
    reported_at: datetime | None = None
    channel: str | None = None
    reporter_kind: str | None = None
    repeat: bool = False
    case_manager_id: str | None = None
    restricted: bool = False
    children_in_household: int = 0
    children_affected: int = 0
    survivor: SurvivorCategories = field(default_factory=SurvivorCategories)
    perpetrator_age_bands: tuple[str | None, ...] = ()
    """Each alleged perpetrator's age band, None where not recorded."""


@dataclass(frozen=True)
class Closure:
    case_id: UUID
    closed_at: datetime
    reason: str
    reopened_at: datetime | None = None
    approved_by: str | None = None
    feels_safer: bool | None = None
    rating: str | None = None


@dataclass(frozen=True)
class Deadline:
    case_id: UUID
    kind: str
    ref: str
    started_at: datetime
    due_at: datetime
    met_at: datetime | None = None
    outcome: str | None = None
    overdue_at: datetime | None = None
    cancelled_at: datetime | None = None


@dataclass(frozen=True)
class MaracReferral:
    referral_id: UUID
    case_id: UUID
    referred_at: datetime
    by_housing: bool
    repeat: bool
    criteria: tuple[str, ...] = ()
    listed_at: datetime | None = None
    meeting_date: date | None = None
    heard_on: date | None = None


@dataclass(frozen=True)
class MaracAction:
    action_id: UUID
    referral_id: UUID
    case_id: UUID
    due_on: date
    landlord_action: bool
    completed_at: datetime | None = None
    overdue_at: datetime | None = None


@dataclass(frozen=True)
class Consent:
    consent_id: UUID
    case_id: UUID
    recorded_at: datetime
    given: bool
    scope: tuple[str, ...] = ()
    withdrawn_at: datetime | None = None


@dataclass(frozen=True)
class Enquiry:
    enquiry_id: UUID
    raised_at: datetime | None = None
    trigger: str | None = None
    case_id: UUID | None = None
    became_case_at: datetime | None = None


@dataclass(frozen=True)
class SecurityWork:
    request_id: UUID
    case_id: UUID
    requested_at: datetime | None = None
    sanctuary_scheme: bool | None = None
    installed_at: datetime | None = None


@dataclass(frozen=True)
class Facts:
    """Everything reporting knows, for one computation of figures."""

    cases: tuple[Case, ...] = ()
    reports: tuple[Report, ...] = ()
    closures: tuple[Closure, ...] = ()
    deadlines: tuple[Deadline, ...] = ()
    risk_levels: tuple[RiskLevelAt, ...] = ()
    assessments: tuple[Assessment, ...] = ()
    marac_referrals: tuple[MaracReferral, ...] = ()
    marac_actions: tuple[MaracAction, ...] = ()
    referrals: tuple[Referral, ...] = ()
    consents: tuple[Consent, ...] = ()
    enquiries: tuple[Enquiry, ...] = ()
    incidents: tuple[Incident, ...] = ()
    security: tuple[SecurityWork, ...] = ()
    perpetrator_actions: tuple[PerpetratorAction, ...] = ()
    wishes: tuple[Wishes, ...] = ()
    safe_contact: tuple[SafeContactRecord, ...] = ()
    reviews: tuple[Review, ...] = ()
