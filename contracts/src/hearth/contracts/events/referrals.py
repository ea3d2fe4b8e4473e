"""Events published by referrals on `hearth.referrals.events`: MARAC, other agencies, consent.

Below the MARAC threshold a referral needs the survivor's recorded consent unless a
safeguarding duty applies; every referral records what was shared and on what basis.
MARAC referrals have their own events (consent preferred, not required; the alleged
perpetrator is never told). Any referral then moves through accepted or declined to
closed with the shared events below.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, Field, model_validator

from hearth.contracts.events.base import ContractModel, DomainEvent
from hearth.contracts.events.case_values import RestrictedView, WishesOverride
from hearth.contracts.events.common import (
    Distinct,
    ExternalReference,
    Label,
    MaracCriterion,
    NonEmptyDistinct,
    Notes,
    ReferralType,
    ShortText,
    StaffId,
)

Recipients = Annotated[tuple[Label, ...], Field(max_length=20)]


class ReferralsEvent(DomainEvent):
    """Base of the events the referrals service publishes."""

    service = "referrals"
    abstract = True

    case_id: UUID


# --- what is shared --------------------------------------------------------------------


class SharingBasis(StrEnum):
    """The lawful basis for sharing information with another agency."""

    CONSENT = "consent"
    SAFEGUARDING_CHILD = "safeguarding_child"
    SAFEGUARDING_ADULT = "safeguarding_adult"
    INFORMATION_SHARING_AGREEMENT = "information_sharing_agreement"
    LEGAL_DUTY = "legal_duty"


class SharedInformation(StrEnum):
    """A kind of information sent with a referral: every share is recorded."""

    CONTACT_DETAILS = "contact_details"
    SAFE_CONTACT_ARRANGEMENTS = "safe_contact_arrangements"
    RISK_ASSESSMENT = "risk_assessment"
    ACCOUNT_OF_ABUSE = "account_of_abuse"
    CHILDREN_DETAILS = "children_details"
    PERPETRATOR_DETAILS = "perpetrator_details"
    CASE_HISTORY = "case_history"


# --- MARAC -----------------------------------------------------------------------------


class MaracReferralDue(ReferralsEvent):
    """The case meets the MARAC criteria: a referral is due, shown to the caseworker.

    Decided by the service on every completed DASH and every new report or incident,
    never sent by itself: the caseworker makes the referral (`MaracReferred`). Recorded
    once per new set of criteria while no MARAC referral is open."""

    criteria: NonEmptyDistinct[MaracCriterion]
    decided_at: AwareDatetime
    assessment_id: UUID | None = None
    """The assessment behind visible high risk or professional judgement, if any."""
    incidents_in_last_12_months: int | None = Field(default=None, ge=0)
    """Incidents known from any source in the policy's escalation window."""
    previous_marac_referral_id: UUID | None = None
    """For a repeat: the last MARAC referral about the same people."""


class MaracReferred(ReferralsEvent):
    """The case was referred to MARAC, filled from the case and its latest assessment."""

    referral_id: UUID
    referred_at: AwareDatetime
    marac_area: Label
    criteria: NonEmptyDistinct[MaracCriterion]
    assessment_id: UUID | None = None
    """The assessment the referral was filled from."""
    incidents_in_last_12_months: int | None = Field(default=None, ge=0)
    """For potential escalation: incidents known from any source, not only the police."""
    previous_marac_referral_id: UUID | None = None
    """For a repeat: the last MARAC referral about the same people."""
    survivor_consented: bool | None = None
    """Preferred, not required; absent when not sought."""
    survivor_informed: bool
    survivor_not_informed_reason: ShortText | None = None
    """Why telling the survivor was not safe."""
    information_shared: NonEmptyDistinct[SharedInformation]
    """Shared under the MARAC information-sharing protocol; consent is not required."""
    risk_summary: Notes | None = None

    @model_validator(mode="after")
    def _informed_or_why_not(self) -> MaracReferred:
        if not self.survivor_informed and self.survivor_not_informed_reason is None:
            raise ValueError("survivor_not_informed_reason is required when not informed")
        return self


class MaracListed(ReferralsEvent):
    """A MARAC referral was listed for a meeting."""

    referral_id: UUID
    listed_at: AwareDatetime
    meeting_date: date


class MaracAction(ContractModel):
    """An action agreed at MARAC, with its owner and due date."""

    action_id: UUID
    description: ShortText
    owner_agency: Label
    landlord_action: bool
    """The landlord owns it, so Hearth tracks it to completion."""
    owner_staff_id: StaffId | None = None
    due_on: date


class MaracHeard(ReferralsEvent):
    """The case was heard at MARAC; the case stays open and the landlord owns its actions."""

    referral_id: UUID
    heard_on: date
    actions: Annotated[tuple[MaracAction, ...], Field(max_length=50)] = ()


class MaracActionOverdue(ReferralsEvent):
    """A MARAC action passed its due date without being completed (recorded once)."""

    referral_id: UUID
    action_id: UUID
    due_on: date
    detected_at: AwareDatetime


class MaracActionCompleted(ReferralsEvent):
    """A MARAC action was completed; incomplete ones go back to the next meeting."""

    referral_id: UUID
    action_id: UUID
    completed_at: AwareDatetime
    notes: Notes | None = None


# --- other referrals -------------------------------------------------------------------


class SpecialistFocus(StrEnum):
    """Who a specialist service is for."""

    LGBTQ_PLUS = "lgbtq_plus"
    OLDER_PEOPLE = "older_people"
    ADOLESCENTS = "adolescents"
    DISABILITY = "disability"
    MALE_SURVIVORS = "male_survivors"
    BY_AND_FOR = "by_and_for"
    """Run by and for a minoritised community."""


class ReferralMade(ReferralsEvent):
    """A referral to an agency other than MARAC (MARAC has `MaracReferred`)."""

    referral_id: UUID
    referral_type: ReferralType
    made_at: AwareDatetime
    agency_name: Label
    about_person_id: UUID | None = None
    """Who the referral is about when not the survivor (a perpetrator to MAPPA, a child)."""
    specialist_focus: Distinct[SpecialistFocus] = ()
    sharing_basis: SharingBasis
    consent_id: UUID | None = None
    """The recorded consent, required when sharing on consent."""
    safeguarding_reason: ShortText | None = None
    """Why a safeguarding duty applies, required when sharing on that basis."""
    information_shared: NonEmptyDistinct[SharedInformation]
    approved_by: StaffId | None = None
    """Who approved sharing without consent (required by referrals for safeguarding)."""
    wishes_override: WishesOverride | None = None
    """A referral against the perpetrator the survivor has not agreed to: the manager's
    override, as for `PerpetratorActionTaken`."""
    survivor_agreed: bool | None = None
    """For a referral against the perpetrator: it is among the survivor's wanted actions."""

    @model_validator(mode="after")
    def _basis_is_recorded(self) -> ReferralMade:
        if self.referral_type is ReferralType.MARAC:
            raise ValueError("a MARAC referral is MaracReferred, not ReferralMade")
        if self.sharing_basis is SharingBasis.CONSENT and self.consent_id is None:
            raise ValueError("consent_id is required when sharing on consent")
        safeguarding = {SharingBasis.SAFEGUARDING_CHILD, SharingBasis.SAFEGUARDING_ADULT}
        if self.sharing_basis in safeguarding and self.safeguarding_reason is None:
            raise ValueError("safeguarding_reason is required when sharing for safeguarding")
        if self.specialist_focus and self.referral_type is not ReferralType.SPECIALIST_SERVICE:
            raise ValueError("specialist_focus applies only to a specialist service referral")
        return self


class ReferralAccepted(ReferralsEvent):
    """The agency accepted the referral."""

    referral_id: UUID
    referral_type: ReferralType
    accepted_at: AwareDatetime
    agency_reference: ExternalReference | None = None


class DeclineReason(StrEnum):
    """Why an agency declined a referral."""

    THRESHOLD_NOT_MET = "threshold_not_met"
    NOT_ELIGIBLE = "not_eligible"
    OUT_OF_AREA = "out_of_area"
    NO_CAPACITY = "no_capacity"
    SURVIVOR_DECLINED = "survivor_declined"
    INSUFFICIENT_INFORMATION = "insufficient_information"
    ALREADY_OPEN_TO_SERVICE = "already_open_to_service"
    OTHER = "other"


class ReferralDeclined(ReferralsEvent):
    """The agency declined the referral, with its reason."""

    referral_id: UUID
    referral_type: ReferralType
    declined_at: AwareDatetime
    reason: DeclineReason
    notes: ShortText | None = None


class ReferralOutcome(StrEnum):
    """How a referral ended; reported to the regulator as outcomes of partnership work."""

    SUPPORT_COMPLETED = "support_completed"
    SURVIVOR_DISENGAGED = "survivor_disengaged"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    TRANSFERRED = "transferred"
    NO_FURTHER_ACTION = "no_further_action"
    DECLINED = "declined"
    OTHER = "other"


class ReferralClosed(ReferralsEvent):
    """The referral is finished, with its outcome."""

    referral_id: UUID
    referral_type: ReferralType
    closed_at: AwareDatetime
    outcome: ReferralOutcome
    notes: ShortText | None = None


# --- consent ---------------------------------------------------------------------------


class ConsentMethod(StrEnum):
    """How the survivor gave or refused consent."""

    VERBAL = "verbal"
    WRITTEN = "written"
    ELECTRONIC = "electronic"


class ConsentRecorded(ReferralsEvent):
    """The survivor's decision on consent to referrals and sharing; a refusal is recorded too."""

    consent_id: UUID
    person_id: UUID
    recorded_at: AwareDatetime
    given: bool
    scope: NonEmptyDistinct[ReferralType]
    """The referrals the decision covers."""
    method: ConsentMethod
    notes: ShortText | None = None
    recipients: Recipients = ()
    """The agencies the decision covers (by name); empty: any recipient of those kinds."""
    expires_on: date | None = None
    """The last day the consent holds; none: until withdrawn."""


class ConsentWithdrawn(ReferralsEvent):
    """The survivor withdrew consent given earlier, for all of it or some referrals."""

    consent_id: UUID
    withdrawn_at: AwareDatetime
    scope: Distinct[ReferralType] = ()
    """The referrals no longer consented to; empty means all of the consent."""
    notes: ShortText | None = None


# --- incidents and reads ---------------------------------------------------------------


class IncidentSource(StrEnum):
    """Who told the landlord of an incident."""

    POLICE = "police"
    HOUSING = "housing"
    OTHER_AGENCY = "other_agency"
    SURVIVOR = "survivor"
    THIRD_PARTY = "third_party"
    OTHER = "other"


class IncidentRecorded(ReferralsEvent):
    """An incident between the survivor and the alleged perpetrator known from any source
    (not only the police), so it counts towards potential escalation and repeat."""

    incident_id: UUID
    occurred_on: date
    recorded_at: AwareDatetime
    source: IncidentSource
    notes: ShortText | None = None


class RestrictedReferralRecordRead(ReferralsEvent):
    """Someone opened the referrals of a restricted case, or tried to: every read is
    recorded (as cases records `RestrictedCaseRead`)."""

    read_at: AwareDatetime
    staff_id: StaffId
    view: RestrictedView
    access_granted: bool
    """False when the reader was not one of the named staff and was refused."""


class ReferralRecordRead(ReferralsEvent):
    """A member of staff opened the referrals of a case that is not restricted (a
    restricted case's reads are `RestrictedReferralRecordRead`, and only those). Kept on
    the case's reads stream (`reads-referrals-<case id>`), never on the referrals' own
    stream; keyed on the topic by the case id. Who read it is the envelope's actor too."""

    read_at: AwareDatetime
    staff_id: StaffId
    view: RestrictedView
    """`summary`: the case's referrals; `documents`: a MARAC referral's document."""
