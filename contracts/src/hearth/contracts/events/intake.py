"""Events published by intake on `hearth.intake.events`: every way a concern arrives.

Intake's streams are reports and enquiries. Intake decides, when a report arrives,
which case it belongs to (a new case, or the open case about the same people), so a
report's events carry that case id as the envelope subject and the Kafka key, and stay
in order with the case's own events. `ReportLinkedToCase`, appended with the report,
says why it joined that case. An enquiry precedes any case: its subject and key are
the enquiry id.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, Field, model_validator

from hearth.contracts.events.base import ContractModel, DomainEvent
from hearth.contracts.events.common import (
    AbuseType,
    Account,
    AllegedPerpetrator,
    Channel,
    Child,
    Code,
    Distinct,
    EmailAddress,
    ExternalReference,
    Gender,
    Label,
    PersonName,
    PhoneNumber,
    ReporterKind,
    SafeContact,
    StaffId,
    Survivor,
    TenancyReference,
    ThirdPartyRelationship,
)


class IntakeEvent(DomainEvent):
    """Base of the events intake publishes."""

    service = "intake"
    abstract = True


class Reporter(ContractModel):
    """Who made a report; an anonymous reporter leaves no name or contact details."""

    kind: ReporterKind
    relationship: ThirdPartyRelationship | None = None
    """Required for a third party: how they know the survivor."""
    name: PersonName | None = None
    phone: PhoneNumber | None = None
    email: EmailAddress | None = None
    staff_id: StaffId | None = None
    """Required for staff: who took or made the report."""
    organisation: Label | None = None
    """A professional's or partner agency's organisation."""

    @model_validator(mode="after")
    def _fits_kind(self) -> Reporter:
        if self.kind is ReporterKind.ANONYMOUS and (self.name or self.phone or self.email):
            raise ValueError("an anonymous reporter has no name or contact details")
        if self.kind is ReporterKind.THIRD_PARTY and self.relationship is None:
            raise ValueError("relationship is required for a third-party reporter")
        if self.kind is ReporterKind.STAFF and self.staff_id is None:
            raise ValueError("staff_id is required when a member of staff reports")
        if self.kind is not ReporterKind.THIRD_PARTY and self.relationship is not None:
            raise ValueError("relationship applies only to a third-party reporter")
        return self


class ReportReceived(IntakeEvent):
    """A concern about domestic abuse arrived; a disclosure alone is enough for help."""

    report_id: UUID
    case_id: UUID
    """The case this report belongs to; `ReportLinkedToCase` says why."""
    received_at: AwareDatetime
    """When the report arrived: working-day deadlines count from here."""
    channel: Channel
    reporter: Reporter
    survivor: Survivor
    alleged_perpetrators: Annotated[tuple[AllegedPerpetrator, ...], Field(max_length=10)] = ()
    children: Annotated[tuple[Child, ...], Field(max_length=20)] = ()
    tenancy_reference: TenancyReference | None = None
    abuse_types: Distinct[AbuseType] = ()
    """What the report describes; may be empty until someone speaks to the survivor."""
    immediate_danger: bool
    advised_to_call_999: bool
    """The reporter was told to call 999 (always, when someone is in immediate danger)."""
    consent_to_contact: bool | None = None
    """The survivor agrees to be contacted; unknown when someone else reported."""
    safe_contact: SafeContact | None = None
    """Safe-contact arrangements, when the report already gives them."""
    account: Account | None = None
    enquiry_id: UUID | None = None
    """The enquiry this report came out of, if any."""
    partner_reference: ExternalReference | None = None
    """A partner agency's own reference, for a report made through the partner API."""
    preferred_case_manager_gender: Gender | None = None
    """The survivor asked for a case manager of this gender; the request is honoured."""
    home_damaged_safety_at_risk: bool = False
    """The home is damaged and the occupants' safety is at risk (a forced lock, a broken
    door or window): an emergency repair is due within the policy's hours of this report."""


class LinkBasis(StrEnum):
    """Why a report belongs to the case it joined."""

    NEW_CASE = "new_case"
    SAME_SURVIVOR = "same_survivor"
    SAME_ALLEGED_PERPETRATOR = "same_alleged_perpetrator"
    SAME_HOUSEHOLD = "same_household"
    NAMED_BY_STAFF = "named_by_staff"
    """A member of staff recorded the report against a case they know about."""


class RepeatReason(StrEnum):
    """Why a report counts as a repeat (on a new case or on the open case it joined)."""

    CASE_CLOSED_WITHIN_12_MONTHS = "case_closed_within_12_months"
    MARAC_WITHIN_12_MONTHS = "marac_within_12_months"


class RelatedCaseBasis(StrEnum):
    """Why another case is linked to a report's case. A linked case is never joined: a case
    belongs to one survivor."""

    SAME_ALLEGED_PERPETRATOR = "same_alleged_perpetrator"
    """The other case names the same alleged perpetrator."""
    SAME_HOUSEHOLD = "same_household"
    """The other case is about the same household (tenancy)."""
    POSSIBLY_SAME_SURVIVOR = "possibly_same_survivor"
    """The other case's survivor shares an identifier with this report's survivor (a household
    phone number, say) under conflicting details: a candidate for staff to confirm, never
    merged."""


class IdentityDetail(StrEnum):
    """A detail of a person that two records of them can disagree on."""

    NAME = "name"
    DATE_OF_BIRTH = "date_of_birth"


class SharedPerpetrator(ContractModel):
    """An alleged perpetrator this report's survivor and another case's survivor both named."""

    person_id: UUID
    """Their person id on the report's case."""
    related_person_id: UUID | None = None
    """Their person id on the other case, where intake knows it."""


class RelatedCase(ContractModel):
    """Another case the report's case is linked to, and why."""

    case_id: UUID
    basis: RelatedCaseBasis
    shared_perpetrators: Annotated[tuple[SharedPerpetrator, ...], Field(max_length=10)] = ()
    """Set when the report names its survivor and that case's survivor is someone else: the
    alleged perpetrators reported by more than one survivor."""
    conflicting_details: Distinct[IdentityDetail] = ()
    """For a possible same survivor: which of their details disagree."""

    @property
    def needs_confirming(self) -> bool:
        """A possible same survivor is for staff to confirm."""
        return self.basis is RelatedCaseBasis.POSSIBLY_SAME_SURVIVOR

    @model_validator(mode="after")
    def _details_fit_basis(self) -> RelatedCase:
        if self.needs_confirming != bool(self.conflicting_details):
            raise ValueError(
                "conflicting_details are given for a possible same survivor, and only then"
            )
        if self.shared_perpetrators and self.basis is not RelatedCaseBasis.SAME_ALLEGED_PERPETRATOR:
            raise ValueError("shared_perpetrators belong to a same_alleged_perpetrator link")
        return self


MAX_RELATED_CASES = 100
"""At most this many other cases are linked by one report (the most relevant first)."""


class ReportLinkedToCase(IntakeEvent):
    """A report joined a case: a new one, or the open case of the same survivor."""

    report_id: UUID
    case_id: UUID
    linked_at: AwareDatetime
    basis: LinkBasis
    repeat_reasons: Distinct[RepeatReason] = ()
    """Set when the same survivor had a case closed, or a MARAC referral, in the last 12
    months: on a new case, or on the open case the report joined."""
    previous_case_id: UUID | None = None
    """The earlier case that makes this one a repeat (none when it is the joined case itself)."""
    related_cases: Annotated[tuple[RelatedCase, ...], Field(max_length=MAX_RELATED_CASES)] = ()
    """Other cases linked to this one: another survivor's case sharing an alleged perpetrator
    or the household, or a possible same survivor for staff to confirm."""

    @model_validator(mode="after")
    def _related_are_other_cases(self) -> ReportLinkedToCase:
        ids = [r.case_id for r in self.related_cases]
        if self.case_id in ids or len(set(ids)) != len(ids):
            raise ValueError("related_cases name other cases, each once")
        return self


class EnquiryTrigger(StrEnum):
    """What prompted staff to look for domestic abuse."""

    ASB_REPORT = "asb_report"
    """An anti-social behaviour report such as shouting and arguing."""
    REPAIRS_VISIT = "repairs_visit"
    """Damage or signs seen by repairs staff."""
    TENANCY_CONCERN = "tenancy_concern"
    """Rent arrears, a sudden request to move, or similar."""
    STAFF_CONCERN = "staff_concern"
    PARTNER_INFORMATION = "partner_information"


class EnquiryRaised(IntakeEvent):
    """A signal of possible abuse, to be explored before (or without) a report."""

    enquiry_id: UUID
    raised_at: AwareDatetime
    trigger: EnquiryTrigger
    asb_category: Code | None = None
    """The ASB system's category of the report (e.g. `shouting_and_arguing`), for an ASB trigger."""
    asb_case_reference: ExternalReference | None = None
    """The ASB case, which the DA procedure now handles first."""
    tenancy_reference: TenancyReference | None = None
    indicators: Account | None = None
    """What was seen or heard, in the words of whoever raised it."""


class EnquiryErased(IntakeEvent):
    """An enquiry no report followed up was erased at the end of intake's retention
    period: its keys destroyed, so every personal value on its events (and every copy of
    them) is unreadable, and intake's tables hold nothing about it but ids and times.

    The record of when and under which policy; it holds no personal data itself. Subject
    and key: the enquiry id."""

    enquiry_id: UUID
    erased_at: AwareDatetime
    raised_at: AwareDatetime
    """When the enquiry was raised: the retention period counts from here."""
    retention_policy: Code
    """The intake policy in force (its name) when the enquiry was erased."""
    retention_years: int = Field(ge=1, le=100)
    """How long that policy kept an enquiry no report followed up, in years."""


class CaseWithheldFromSubmitter(IntakeEvent):
    """A member of staff not named on a restricted case submitted a report about its
    people, or naming it, and was answered as if it did not exist (as for a person with no
    case, or an unknown case id). The envelope's actor is who asked; cases records it as
    a refused read of the case. Subject and key: the restricted case."""

    case_id: UUID
    """The restricted case the submitter was not told of."""
    withheld_at: AwareDatetime
    report_id: UUID | None = None
    """The report about the case's people (on the case all the same); None when a report
    naming the case was refused as naming an unknown case."""
    answered_case_id: UUID | None = None
    """The case id the submitter was given instead (the same one each time they ask about
    this case), when the answer named a case at all."""
