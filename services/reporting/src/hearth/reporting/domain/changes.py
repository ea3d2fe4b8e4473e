"""What one event changes in reporting's facts: plain values, no SQL.

`hearth.reporting.domain.projection.changes` turns an event into a list of these; the
read model writes each one. Every change is keyed so that applying it twice, or before
an event of another topic it relates to, ends in the same facts (topics are ordered per
case only within themselves). Nothing here is personal: ids, times, codes, counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import TypeAlias
from uuid import UUID


class DeadlineKind(StrEnum):
    """The deadlines the committee's timescale figures are about."""

    FIRST_CONTACT = "first_contact"
    DASH = "dash"
    EMERGENCY_REPAIR = "emergency_repair"


@dataclass(frozen=True)
class CaseFacts:
    """Set these facts of a case (None in a field: leave it as it is)."""

    case_id: UUID
    opened_at: datetime | None = None
    reported_at: datetime | None = None
    channel: str | None = None
    reporter_kind: str | None = None
    immediate_danger: bool | None = None
    repeat: bool | None = None
    case_manager_id: str | None = None
    risk_level: str | None = None
    survivor: SurvivorCategories | None = None
    children: ChildrenCount | None = None
    perpetrator_age_bands: tuple[str | None, ...] | None = None
    """Each alleged perpetrator's age band (None where not recorded); replaces the list."""
    erased_at: datetime | None = None


@dataclass(frozen=True)
class SurvivorCategories:
    """The survivor's equality-monitoring answers where recorded (plain, never personal)."""

    sex: str | None = None
    age_band: str | None = None
    disability: str | None = None
    gender_reassignment: str | None = None
    lgbtq_plus: str | None = None
    sexual_orientation: str | None = None
    ethnicity: str | None = None
    religion: str | None = None


@dataclass(frozen=True)
class ChildrenCount:
    """Children in the household, and how many are affected by the abuse."""

    in_household: int
    affected: int


@dataclass(frozen=True)
class ReportFacts:
    """A report that opened a case or joined it."""

    report_id: UUID
    case_id: UUID
    reported_at: datetime
    channel: str
    reporter_kind: str


@dataclass(frozen=True)
class DeadlineStarted:
    """A deadline's clock started (`ref`: the repair id, or the due time for the others)."""

    case_id: UUID
    kind: DeadlineKind
    ref: str
    started_at: datetime
    due_at: datetime


@dataclass(frozen=True)
class DeadlineMet:
    """A deadline was met, on time or late (`outcome`: how, for a DASH)."""

    case_id: UUID
    kind: DeadlineKind
    ref: str
    met_at: datetime
    outcome: str | None = None


@dataclass(frozen=True)
class DeadlineOverdue:
    case_id: UUID
    kind: DeadlineKind
    ref: str
    detected_at: datetime


@dataclass(frozen=True)
class DeadlinesCancelled:
    """The case closed: its deadlines still running stop (never overdue after this)."""

    case_id: UUID
    at: datetime


@dataclass(frozen=True)
class CaseClosedFacts:
    case_id: UUID
    closed_at: datetime
    reason: str
    approved_by: str | None = None
    """The manager who approved the closure (a staff id)."""
    feels_safer: bool | None = None
    """The survivor's feedback at closure, where given (its comments are personal: kept
    out)."""
    rating: str | None = None


@dataclass(frozen=True)
class CaseReopenedFacts:
    case_id: UUID
    reopened_at: datetime


@dataclass(frozen=True)
class TimelineEntry:
    """One line of a case's timeline: when, which service, what, in which role."""

    event_id: UUID
    case_id: UUID
    at: datetime
    service: str
    event_type: str
    actor_role: str


@dataclass(frozen=True)
class RiskLevelSet:
    case_id: UUID
    at: datetime
    level: str


@dataclass(frozen=True)
class AssessmentFacts:
    """A DASH completed here or elsewhere, or declined (`level` None when declined)."""

    key: UUID
    case_id: UUID
    at: datetime
    kind: str
    level: str | None


@dataclass(frozen=True)
class MaracReferralFacts:
    """A MARAC referral: by this landlord (housing) or, as far as it knows, another agency."""

    referral_id: UUID
    case_id: UUID
    referred_at: datetime
    by_housing: bool
    repeat: bool
    criteria: tuple[str, ...] = ()


@dataclass(frozen=True)
class MaracListedFacts:
    referral_id: UUID
    listed_at: datetime
    meeting_date: date


@dataclass(frozen=True)
class MaracHeardFacts:
    referral_id: UUID
    heard_on: date


@dataclass(frozen=True)
class MaracActionFacts:
    action_id: UUID
    referral_id: UUID
    case_id: UUID
    due_on: date
    landlord_action: bool


@dataclass(frozen=True)
class MaracActionDone:
    action_id: UUID
    completed_at: datetime


@dataclass(frozen=True)
class MaracActionLate:
    action_id: UUID
    detected_at: datetime


@dataclass(frozen=True)
class ReferralFacts:
    """A referral's progress; each event sets its own part (None: leave as it is)."""

    referral_id: UUID
    case_id: UUID
    referral_type: str
    made_at: datetime | None = None
    accepted_at: datetime | None = None
    declined_at: datetime | None = None
    decline_reason: str | None = None
    closed_at: datetime | None = None
    outcome: str | None = None


@dataclass(frozen=True)
class ConsentFacts:
    consent_id: UUID
    case_id: UUID
    recorded_at: datetime
    given: bool
    scope: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class ConsentWithdrawnFacts:
    consent_id: UUID
    case_id: UUID
    withdrawn_at: datetime


@dataclass(frozen=True)
class EnquiryFacts:
    enquiry_id: UUID
    raised_at: datetime
    trigger: str


@dataclass(frozen=True)
class EnquiryBecameCase:
    """A report came out of the enquiry: it became (or joined) a DA case."""

    enquiry_id: UUID
    case_id: UUID
    at: datetime


@dataclass(frozen=True)
class SecurityRequested:
    """Security work requested so the survivor can stay at home (sanctuary scheme or not)."""

    request_id: UUID
    case_id: UUID
    requested_at: datetime
    sanctuary_scheme: bool


@dataclass(frozen=True)
class SecurityInstalled:
    request_id: UUID
    case_id: UUID
    installed_at: datetime


@dataclass(frozen=True)
class PerpetratorActionFacts:
    """An action about an alleged perpetrator, and whether the survivor's wishes led it."""

    action_id: UUID
    case_id: UUID
    taken_at: datetime
    kind: str
    wishes_recorded: bool
    """The survivor's wishes were recorded before it (`survivor_wishes_id`)."""
    survivor_agreed: bool | None = None
    override_reason: str | None = None


@dataclass(frozen=True)
class WishesRecorded:
    wishes_id: UUID
    case_id: UUID
    recorded_at: datetime


@dataclass(frozen=True)
class SafeContactRecorded:
    """The survivor's safe-contact arrangements were recorded (their own, or not yet
    confirmed as theirs)."""

    event_id: UUID
    case_id: UUID
    recorded_at: datetime
    survivors_own: bool | None = None


@dataclass(frozen=True)
class ReviewFacts:
    """A manager's review of the case (supervision)."""

    review_id: UUID
    case_id: UUID
    reviewed_at: datetime
    outcome: str


@dataclass(frozen=True)
class IncidentFacts:
    incident_id: UUID
    case_id: UUID
    occurred_on: date
    recorded_at: datetime
    source: str


Change: TypeAlias = (
    CaseFacts
    | ReportFacts
    | DeadlineStarted
    | DeadlineMet
    | DeadlineOverdue
    | DeadlinesCancelled
    | CaseClosedFacts
    | CaseReopenedFacts
    | TimelineEntry
    | RiskLevelSet
    | AssessmentFacts
    | MaracReferralFacts
    | MaracListedFacts
    | MaracHeardFacts
    | MaracActionFacts
    | MaracActionDone
    | MaracActionLate
    | ReferralFacts
    | ConsentFacts
    | ConsentWithdrawnFacts
    | EnquiryFacts
    | EnquiryBecameCase
    | IncidentFacts
    | SecurityRequested
    | SecurityInstalled
    | PerpetratorActionFacts
    | WishesRecorded
    | SafeContactRecorded
    | ReviewFacts
)
