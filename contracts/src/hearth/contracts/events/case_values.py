"""The vocabulary of the cases events: enums and small frozen models they are built from."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Final
from uuid import UUID

from pydantic import AwareDatetime, Field

from hearth.contracts.events.base import ContractModel
from hearth.contracts.events.common import Gender, Notes, ShortText, StaffId

StaffList = Annotated[tuple[StaffId, ...], Field(min_length=1, max_length=20)]


class CaseManager(ContractModel):
    """The Community Safety Officer who owns a case."""

    staff_id: StaffId
    gender: Gender | None = None


class RestrictionReason(StrEnum):
    """Why only named people may see a case."""

    SURVIVOR_IS_STAFF = "survivor_is_staff"
    ALLEGED_PERPETRATOR_IS_STAFF = "alleged_perpetrator_is_staff"
    OTHER_SENSITIVITY = "other_sensitivity"


class Restriction(ContractModel):
    """Who may see a restricted case, and why it is restricted."""

    reason: RestrictionReason
    permitted_staff_ids: StaffList


class RestrictedView(StrEnum):
    """What part of a restricted case someone opened."""

    SUMMARY = "summary"
    TIMELINE = "timeline"
    PEOPLE = "people"
    DOCUMENTS = "documents"
    EXPORT = "export"
    INTAKE_ANSWER = "intake_answer"
    """Intake's answer to a report about the case's people, or naming it: refused, the
    submitter was answered as if the case did not exist."""


class ContactAttemptOutcome(StrEnum):
    """How an attempt that did not reach the survivor ended; reaching them is SurvivorContacted."""

    NO_ANSWER = "no_answer"
    NOT_SAFE_TO_TALK = "not_safe_to_talk"
    """The survivor answered but could not talk safely."""
    SOMEONE_ELSE_ANSWERED = "someone_else_answered"
    WRONG_OR_UNAVAILABLE_NUMBER = "wrong_or_unavailable_number"
    MESSAGE_LEFT = "message_left"
    """A text, email, letter or (where allowed) voicemail asking the survivor to get in touch.
    Whether a message was left is also its own field, `message_left`, whatever the outcome."""
    NO_ACCESS = "no_access"
    """A visit found nobody in, or it was not safe to knock."""
    DECLINED_CONTACT = "declined_contact"


SPOKE_TO_OUTCOMES: Final = frozenset(
    {ContactAttemptOutcome.SOMEONE_ELSE_ANSWERED, ContactAttemptOutcome.MESSAGE_LEFT}
)
"""The attempt outcomes where the caseworker may have spoken to, or left a message with,
someone other than the survivor."""


class MeetingPlace(StrEnum):
    """Where an in-person contact happened."""

    OFFICE = "office"
    PLACE_SURVIVOR_CHOSE = "place_survivor_chose"
    """Somewhere other than the office and the survivor's home, chosen by the survivor."""
    SURVIVOR_HOME = "survivor_home"
    """A meeting at the survivor's home is a visit: checked as one (safe to visit, safe
    times)."""


class UnconfirmedSafeContact(StrEnum):
    """Why recorded safe-contact arrangements are not the survivor's own until confirmed."""

    GIVEN_BY_THIRD_PARTY = "given_by_third_party"
    """Someone other than the survivor gave them, on a report."""
    MATCHES_ALLEGED_PERPETRATOR = "matches_alleged_perpetrator"
    """A report gave a safe number, email or address that is an alleged perpetrator's."""


class InterpreterUse(StrEnum):
    """Who interpreted during a contact; a survivor who needs one gets an independent one."""

    INDEPENDENT = "independent"
    FAMILY_OR_FRIEND = "family_or_friend"
    """Never acceptable when the survivor needs an interpreter."""
    NOT_USED = "not_used"


class DashOutcome(StrEnum):
    """What met the DASH deadline: each is a success, declining included."""

    COMPLETED = "completed"
    DECLINED = "declined"
    """The survivor declined the DASH: recorded, and not a failure."""
    COMPLETED_ELSEWHERE = "completed_elsewhere"
    """Another agency already completed one."""


class EmergencyRepairDue(ContractModel):
    """A report said the home is damaged and the occupants' safety is at risk: an
    emergency repair is due, counted in elapsed hours from the report (not from when a
    repair is raised). The first repair raised on the case continues this clock."""

    repair_id: UUID
    """The id the repair will have when raised (and on `EmergencyRepairOverdue` before)."""
    due_at: AwareDatetime


class RepairKind(StrEnum):
    """What an emergency repair secures."""

    LOCKS = "locks"
    DOORS = "doors"
    WINDOWS = "windows"
    OTHER = "other"


class SecurityMeasure(StrEnum):
    """Security work (target hardening) so the survivor can stay safely at home."""

    LOCK_CHANGE = "lock_change"
    DOOR_REINFORCEMENT = "door_reinforcement"
    DOOR_VIEWER_OR_CHAIN = "door_viewer_or_chain"
    WINDOW_LOCKS = "window_locks"
    SECURITY_LIGHTING = "security_lighting"
    VIDEO_DOORBELL_OR_CCTV = "video_doorbell_or_cctv"
    FIRE_SAFE_LETTERBOX = "fire_safe_letterbox"
    PERSONAL_ALARM = "personal_alarm"
    SANCTUARY_ROOM = "sanctuary_room"
    OTHER = "other"


class FlagKind(StrEnum):
    """A flag on a person's housing record that alerts staff to a DA case."""

    POTENTIALLY_VULNERABLE = "potentially_vulnerable"
    """On the survivor (and any affected child)."""
    POTENTIAL_RISK = "potential_risk"
    """On the alleged perpetrator."""


class WishesOverrideReason(StrEnum):
    """Why action against the perpetrator went ahead without or against the survivor's wishes."""

    SAFEGUARDING_CHILD = "safeguarding_child"
    SAFEGUARDING_ADULT = "safeguarding_adult"
    RISK_TO_OTHERS = "risk_to_others"
    """Neighbours, staff or the wider community are at risk."""
    LEGAL_DUTY = "legal_duty"
    SURVIVOR_NOT_CONTACTABLE = "survivor_not_contactable"


class WishesOverride(ContractModel):
    """A manager's decision to act without, or against, the survivor's recorded wishes."""

    reason: WishesOverrideReason
    explanation: ShortText
    approved_by: StaffId


class ReviewOutcome(StrEnum):
    """What a manager's review decided."""

    CONTINUE = "continue"
    ACTION_REQUIRED = "action_required"
    CLOSURE_AGREED = "closure_agreed"


class ClosureReason(StrEnum):
    """Why a case closed; counted in the committee's reports."""

    SURVIVOR_SAFE_SUPPORT_IN_PLACE = "survivor_safe_support_in_place"
    SURVIVOR_MOVED = "survivor_moved"
    SURVIVOR_WITHDREW = "survivor_withdrew"
    NO_FURTHER_CONTACT_POSSIBLE = "no_further_contact_possible"
    REFERRED_ON = "referred_on"
    NOT_DOMESTIC_ABUSE = "not_domestic_abuse"
    """Enquiries found no domestic abuse."""
    OTHER = "other"


class FeedbackRating(StrEnum):
    """How the survivor rated the help they had."""

    VERY_SATISFIED = "very_satisfied"
    SATISFIED = "satisfied"
    NEITHER = "neither"
    DISSATISFIED = "dissatisfied"
    VERY_DISSATISFIED = "very_dissatisfied"


class SurvivorFeedback(ContractModel):
    """What the survivor said about the service at closure."""

    feels_safer: bool | None = None
    rating: FeedbackRating | None = None
    comments: Notes | None = None


class ReopenReason(StrEnum):
    """Why a closed case was reopened."""

    NEW_INCIDENT = "new_incident"
    SURVIVOR_REQUEST = "survivor_request"
    CLOSED_IN_ERROR = "closed_in_error"
    REVIEW_FINDING = "review_finding"


class ErasureBasis(StrEnum):
    """Why a case's personal data was erased: the retention period ran out, or a person
    asked (the right to erasure), approved by a manager."""

    RETENTION_EXPIRED = "retention_expired"
    SUBJECT_REQUEST = "subject_request"


class ErasureReason(StrEnum):
    """The ground for an erasure, as a code (UK GDPR Article 17(1) for a person's request):
    never free text, so the record of an erasure holds no personal data."""

    RETENTION_PERIOD_ENDED = "retention_period_ended"
    NO_LONGER_NECESSARY = "no_longer_necessary"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    OBJECTION_UPHELD = "objection_upheld"
    UNLAWFULLY_PROCESSED = "unlawfully_processed"
    LEGAL_OBLIGATION = "legal_obligation"
