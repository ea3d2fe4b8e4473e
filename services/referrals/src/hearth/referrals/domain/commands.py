"""What actors ask of a case's referrals: frozen dataclasses, checked in themselves by
`check()` (422 naming the field), decided by `decider.decide`.

Every command carries `known`: what referrals knows of the case from cases and risk,
loaded by the handler beside the stream (a decision reads both, never the database).
A MARAC referral on a repeat case may also carry the earlier case's last referral.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from hearth.contracts.envelope import Actor
from hearth.contracts.events.case_values import RestrictedView, WishesOverrideReason
from hearth.contracts.events.common import MaracCriterion, ReferralType
from hearth.contracts.events.referrals import (
    ConsentMethod,
    DeclineReason,
    IncidentSource,
    ReferralOutcome,
    SharedInformation,
    SharingBasis,
    SpecialistFocus,
)
from hearth.eventstore.errors import InvalidCommand
from hearth.referrals.domain.criteria import EarlierReferral
from hearth.referrals.domain.known import KnownCase


@dataclass(frozen=True, kw_only=True)
class Command:
    actor: Actor
    known: KnownCase = field(default_factory=KnownCase)
    earlier_case_referral: EarlierReferral | None = None
    """The last MARAC referral of the case this one repeats (cases' `repeat_of_case_id`)."""

    def check(self) -> None:
        """Refuse a command inconsistent in itself (InvalidCommand, 422)."""


@dataclass(frozen=True, kw_only=True)
class Reassess(Command):
    """Decide the MARAC criteria again: a DASH was completed, or a report joined the case."""


@dataclass(frozen=True, kw_only=True)
class RecordIncident(Command):
    incident_id: UUID
    occurred_on: date
    source: IncidentSource
    notes: str | None = None


@dataclass(frozen=True, kw_only=True)
class ReferToMarac(Command):
    referral_id: UUID
    marac_area: str
    survivor_informed: bool
    survivor_not_informed_reason: str | None = None
    survivor_consented: bool | None = None
    professional_judgement_reason: str | None = None
    """A practitioner's judgement that the case must go to MARAC, with its reason."""
    risk_summary: str | None = None

    def check(self) -> None:
        if not self.survivor_informed and not self.survivor_not_informed_reason:
            raise InvalidCommand(
                "say why the survivor was not told of the referral",
                field="survivor_not_informed_reason",
            )
        if self.survivor_informed and self.survivor_not_informed_reason:
            raise InvalidCommand(
                "a reason for not telling the survivor only when they were not told",
                field="survivor_not_informed_reason",
            )


@dataclass(frozen=True, kw_only=True)
class ListForMeeting(Command):
    referral_id: UUID
    meeting_date: date


@dataclass(frozen=True, kw_only=True)
class AgreedAction:
    action_id: UUID
    description: str
    owner_agency: str
    landlord_action: bool
    due_on: date
    owner_staff_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class RecordHearing(Command):
    referral_id: UUID
    heard_on: date
    actions: tuple[AgreedAction, ...] = ()

    def check(self) -> None:
        for index, action in enumerate(self.actions):
            if action.due_on < self.heard_on:
                raise InvalidCommand(
                    "an action cannot be due before the meeting that agreed it",
                    field=f"actions.{index}.due_on",
                )
            if action.landlord_action and action.owner_staff_id is None:
                raise InvalidCommand(
                    "a landlord action needs the member of staff who owns it",
                    field=f"actions.{index}.owner_staff_id",
                )


@dataclass(frozen=True, kw_only=True)
class CompleteAction(Command):
    referral_id: UUID
    action_id: UUID
    notes: str | None = None


@dataclass(frozen=True, kw_only=True)
class RecordActionOverdue(Command):
    referral_id: UUID
    action_id: UUID


@dataclass(frozen=True, kw_only=True)
class Override:
    """A manager's decision to refer against the perpetrator without the survivor's agreement."""

    reason: WishesOverrideReason
    explanation: str


@dataclass(frozen=True, kw_only=True)
class MakeReferral(Command):
    referral_id: UUID
    referral_type: ReferralType
    agency_name: str
    sharing_basis: SharingBasis
    information_shared: tuple[SharedInformation, ...]
    about_person_id: UUID | None = None
    specialist_focus: tuple[SpecialistFocus, ...] = ()
    safeguarding_reason: str | None = None
    approved_by: str | None = None
    override: Override | None = None

    def check(self) -> None:
        if self.referral_type is ReferralType.MARAC:
            raise InvalidCommand(
                "a MARAC referral is made with POST /cases/{case_id}/marac-referrals",
                field="referral_type",
            )
        if self.specialist_focus and self.referral_type is not ReferralType.SPECIALIST_SERVICE:
            raise InvalidCommand(
                "specialist_focus applies only to a specialist service referral",
                field="specialist_focus",
            )
        if self.sharing_basis in SAFEGUARDING:
            if not self.safeguarding_reason:
                raise InvalidCommand(
                    "a safeguarding referral without consent records the lawful reason",
                    field="safeguarding_reason",
                )
            if not self.approved_by:
                raise InvalidCommand(
                    "a safeguarding referral without consent records who approved it",
                    field="approved_by",
                )


SAFEGUARDING = frozenset({SharingBasis.SAFEGUARDING_CHILD, SharingBasis.SAFEGUARDING_ADULT})


@dataclass(frozen=True, kw_only=True)
class AcceptReferral(Command):
    referral_id: UUID
    agency_reference: str | None = None


@dataclass(frozen=True, kw_only=True)
class DeclineReferral(Command):
    referral_id: UUID
    reason: DeclineReason
    notes: str | None = None


@dataclass(frozen=True, kw_only=True)
class CloseReferral(Command):
    referral_id: UUID
    outcome: ReferralOutcome
    notes: str | None = None


@dataclass(frozen=True, kw_only=True)
class RecordConsent(Command):
    consent_id: UUID
    given: bool
    scope: tuple[ReferralType, ...]
    method: ConsentMethod
    recipients: tuple[str, ...] = ()
    expires_on: date | None = None
    notes: str | None = None


@dataclass(frozen=True, kw_only=True)
class WithdrawConsent(Command):
    consent_id: UUID
    scope: tuple[ReferralType, ...] = ()
    notes: str | None = None


@dataclass(frozen=True, kw_only=True)
class RecordRead(Command):
    """A member of staff opened (or tried to open) the referrals of a restricted case."""

    view: RestrictedView
    granted: bool


CRITERIA_ORDER = tuple(MaracCriterion)
