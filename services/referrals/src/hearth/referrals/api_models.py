"""Request bodies of the referrals API: their shape, checked at the door (422 naming
each field). Rules across fields (a safeguarding referral records its reason and who
approved it, a survivor not told of a MARAC referral has a reason) are the domain's,
in each command's `check`, and answer 422 the same way."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from pydantic import ConfigDict, Field

from hearth.contracts.events.base import TextChecked
from hearth.contracts.events.case_values import WishesOverrideReason
from hearth.contracts.events.common import (
    Distinct,
    ExternalReference,
    Label,
    NonEmptyDistinct,
    Notes,
    ReferralType,
    ShortText,
    StaffId,
)
from hearth.contracts.events.referrals import (
    ConsentMethod,
    DeclineReason,
    IncidentSource,
    ReferralOutcome,
    SharedInformation,
    SharingBasis,
    SpecialistFocus,
)


class Body(TextChecked):
    """Strict about unknown fields, so a misspelt field is a 422, not silently dropped."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class MaracReferralBody(Body):
    """A MARAC referral: the rest (people, children, safe contact, the latest DASH, the
    criteria met) is filled from what is known of the case."""

    marac_area: Label
    survivor_informed: bool
    survivor_not_informed_reason: ShortText | None = None
    """Why telling the survivor was not safe; required when they were not told."""
    survivor_consented: bool | None = None
    professional_judgement_reason: ShortText | None = None
    """Refer on professional judgement even when no other criterion is met."""
    risk_summary: Notes | None = None


class ListingBody(Body):
    meeting_date: date


class ActionBody(Body):
    description: ShortText
    owner_agency: Label
    landlord_action: bool
    owner_staff_id: StaffId | None = None
    due_on: date


class HearingBody(Body):
    heard_on: date
    actions: Annotated[tuple[ActionBody, ...], Field(max_length=50)] = ()


class CompletionBody(Body):
    notes: Notes | None = None


class OverrideBody(Body):
    reason: WishesOverrideReason
    explanation: ShortText


class ReferralBody(Body):
    """A referral to an agency other than MARAC."""

    referral_type: ReferralType
    agency_name: Label
    sharing_basis: SharingBasis
    information_shared: NonEmptyDistinct[SharedInformation]
    about_person_id: UUID | None = None
    specialist_focus: Distinct[SpecialistFocus] = ()
    safeguarding_reason: ShortText | None = None
    approved_by: StaffId | None = None
    """Who approved sharing for safeguarding without consent."""
    override: OverrideBody | None = None
    """A manager's override of the survivor's wishes, for a referral against the perpetrator."""


class AcceptanceBody(Body):
    agency_reference: ExternalReference | None = None


class DeclineBody(Body):
    reason: DeclineReason
    notes: ShortText | None = None


class ClosureBody(Body):
    outcome: ReferralOutcome
    notes: ShortText | None = None


class ConsentBody(Body):
    given: bool
    scope: NonEmptyDistinct[ReferralType]
    method: ConsentMethod
    recipients: Annotated[tuple[Label, ...], Field(max_length=20)] = ()
    """The agencies the decision covers; empty: any agency of those kinds."""
    expires_on: date | None = None
    notes: ShortText | None = None


class WithdrawalBody(Body):
    scope: Distinct[ReferralType] = ()
    """The referrals no longer consented to; empty: all of the consent."""
    notes: ShortText | None = None


class IncidentBody(Body):
    occurred_on: date
    source: IncidentSource
    notes: ShortText | None = None
