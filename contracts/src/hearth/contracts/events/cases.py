"""Events published by cases on `hearth.cases.events`: the life of a case.

Every event carries its `case_id`, which is also the envelope subject and the Kafka
key. Who did something is the envelope's actor, so it is not repeated here unless a
second person is involved (the manager approving a closure, say).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, Field, model_validator

from hearth.contracts.events.base import DomainEvent
from hearth.contracts.events.case_values import (
    SPOKE_TO_OUTCOMES,
    CaseManager,
    ClosureReason,
    ContactAttemptOutcome,
    DashOutcome,
    EmergencyRepairDue,
    ErasureBasis,
    ErasureReason,
    FlagKind,
    InterpreterUse,
    MeetingPlace,
    ReopenReason,
    RepairKind,
    RestrictedView,
    Restriction,
    ReviewOutcome,
    SecurityMeasure,
    SurvivorFeedback,
    UnconfirmedSafeContact,
    WishesOverride,
)
from hearth.contracts.events.common import (
    PHONE_METHODS,
    WRITTEN_METHODS,
    AbuseType,
    AllegedPerpetrator,
    Channel,
    Child,
    Code,
    ContactMethod,
    Distinct,
    ExternalReference,
    Gender,
    NonEmptyDistinct,
    Notes,
    PerpetratorActionKind,
    PersonName,
    PhoneNumber,
    ReferralType,
    ReporterKind,
    SafeContact,
    ShortText,
    StaffId,
    Survivor,
    TenancyReference,
)
from hearth.contracts.events.intake import IdentityDetail, RelatedCaseBasis, RepeatReason

Perpetrators = Annotated[tuple[AllegedPerpetrator, ...], Field(max_length=10)]
Children = Annotated[tuple[Child, ...], Field(max_length=20)]


class CasesEvent(DomainEvent):
    """Base of the events the cases service publishes."""

    service = "cases"
    abstract = True

    case_id: UUID


def _check_late(done_at: datetime, due_at: datetime | None, late: bool) -> None:
    if due_at is None:
        if late:
            raise ValueError("late needs the due_at it was late against")
    elif late != (done_at > due_at):
        raise ValueError("late must say whether it happened after due_at")


def check_contact_details(
    method: ContactMethod,
    phone_number: str | None,
    outcome: ContactAttemptOutcome | None = None,
    spoke_to: str | None = None,
) -> None:
    """Refuse details that cannot belong to the contact or attempt described: a phone number
    is only for calls and texts, and someone spoken to only for an attempt that someone else
    answered or where a message was left (`outcome` None is a contact: never anyone else)."""
    if phone_number is not None and method not in PHONE_METHODS:
        raise ValueError("phone_number is only for calls and texts")
    if spoke_to is not None and outcome not in SPOKE_TO_OUTCOMES:
        raise ValueError("spoke_to is only for someone_else_answered or message_left")


def check_place(method: ContactMethod, place: MeetingPlace | None) -> None:
    """Refuse a meeting place on anything but an in-person contact or attempt (a visit is
    at the survivor's home by definition)."""
    if place is not None and method != ContactMethod.IN_PERSON:
        raise ValueError("place is only for in_person contacts")


def check_message_left(
    method: ContactMethod, outcome: ContactAttemptOutcome, message_left: bool | None
) -> None:
    """Refuse an attempt that says no message was left when its outcome is
    `message_left`, or when it was a text, email or letter (sending one leaves one)."""
    if message_left is False and (
        outcome is ContactAttemptOutcome.MESSAGE_LEFT or method in WRITTEN_METHODS
    ):
        raise ValueError(
            "message_left cannot be false for a message_left outcome or a text, email or letter"
        )


def check_reply(method: ContactMethod, survivor_replied: bool | None) -> None:
    """Refuse a contact by text, email or letter that the survivor did not reply to (one
    sent is an attempt), and a reply on any other method."""
    if method in WRITTEN_METHODS and survivor_replied is False:
        raise ValueError("a text, email or letter without the survivor's reply is an attempt")
    if method not in WRITTEN_METHODS and survivor_replied is not None:
        raise ValueError("survivor_replied is only for texts, emails and letters")


def check_people_given(*parts: object) -> None:
    """Refuse a people update that gives none of survivor, alleged_perpetrators, children."""
    if all(part is None for part in parts):
        raise ValueError("give at least one of survivor, alleged_perpetrators, children")


def check_wishes(wanted: Iterable[object], unwanted: Iterable[object]) -> None:
    """Refuse wishes that both want and refuse the same action."""
    if set(wanted) & set(unwanted):
        raise ValueError("an action cannot be both wanted and unwanted")


# --- opening, people and the case manager ----------------------------------------------


class CaseOpened(CasesEvent):
    """A case opened from a report, with its first deadlines already computed."""

    report_id: UUID
    opened_at: AwareDatetime
    reported_at: AwareDatetime
    """When the report arrived: the deadlines count from here."""
    channel: Channel
    reporter_kind: ReporterKind
    survivor: Survivor
    alleged_perpetrators: Perpetrators = ()
    children: Children = ()
    tenancy_reference: TenancyReference | None = None
    abuse_types: Distinct[AbuseType] = ()
    immediate_danger: bool
    contact_due_at: AwareDatetime
    """First contact with the survivor is due (policy default: 1 working day)."""
    dash_due_at: AwareDatetime
    """The DASH is due (policy default: 2 working days) unless another agency did one."""
    review_due_at: AwareDatetime | None = None
    """The first manager review, where the policy sets periodic reviews."""
    timescale_policy: Code
    """The policy the deadlines came from (e.g. `west-kent-2024`), so replays can explain them."""
    repeat_of_case_id: UUID | None = None
    """A case closed, or with a MARAC, in the last 12 months about the same people."""
    restriction: Restriction | None = None
    """Set when a member of staff is involved: the case is restricted from the start."""
    preferred_case_manager_gender: Gender | None = None
    """The survivor asked for a case manager of this gender (from the report)."""
    survivor_to_identify: bool = False
    """Nothing in the report identifies or reaches the survivor (an anonymous report with
    no name, contact details, address or tenancy): the DA lead has a task to identify
    them, and no first contact is due until `SurvivorIdentified` starts it
    (`contact_due_at` is then what it would have been, not a deadline)."""
    emergency_repair: EmergencyRepairDue | None = None
    """The report said the home is damaged and safety at risk: a repair is due from it."""

    @model_validator(mode="after")
    def _deadlines_follow_report(self) -> CaseOpened:
        if self.contact_due_at <= self.reported_at or self.dash_due_at <= self.reported_at:
            raise ValueError("contact_due_at and dash_due_at must be after reported_at")
        if self.emergency_repair is not None and self.emergency_repair.due_at <= self.reported_at:
            raise ValueError("emergency_repair.due_at must be after reported_at")
        return self


class PeopleUpdated(CasesEvent):
    """The case's people as now recorded; each part given replaces what was there before."""

    updated_at: AwareDatetime
    survivor: Survivor | None = None
    alleged_perpetrators: Perpetrators | None = None
    children: Children | None = None

    @model_validator(mode="after")
    def _something_given(self) -> PeopleUpdated:
        check_people_given(self.survivor, self.alleged_perpetrators, self.children)
        return self


class SurvivorIdentified(CasesEvent):
    """Details now recorded identify or reach the survivor of a case opened without any:
    the DA lead's task to identify them is done, and first contact is due from now."""

    identified_at: AwareDatetime
    contact_due_at: AwareDatetime
    """First contact with the survivor is due (policy working days from `identified_at`)."""

    @model_validator(mode="after")
    def _due_after_identified(self) -> SurvivorIdentified:
        if self.contact_due_at <= self.identified_at:
            raise ValueError("contact_due_at must be after identified_at")
        return self


class CaseManagerAssigned(CasesEvent):
    """A case manager took the case, or took it over."""

    assigned_at: AwareDatetime
    case_manager: CaseManager
    previous_staff_id: StaffId | None = None
    preferred_gender: Gender | None = None
    """The survivor asked for a case manager of this gender; the request is honoured."""
    preference_met: bool | None = None
    """False when no case manager of the preferred gender was available: a manager must act."""


class CaseManagerPreferenceRecorded(CasesEvent):
    """The survivor asked for a case manager of a particular gender after the case opened."""

    recorded_at: AwareDatetime
    preferred_gender: Gender
    current_case_manager_matches: bool
    """The case manager already on the case is of that gender, so nobody is reassigned."""


class CaseManagerPreferenceWithdrawn(CasesEvent):
    """The survivor no longer asks for a case manager of a particular gender: a case
    manager of any gender may now be named."""

    withdrawn_at: AwareDatetime
    previous_gender: Gender
    """The gender the survivor had asked for."""


# --- access to restricted cases --------------------------------------------------------


class CaseRestricted(CasesEvent):
    """Only the named staff may now see the case; a later one replaces the list."""

    restricted_at: AwareDatetime
    restriction: Restriction


class CaseRestrictionLifted(CasesEvent):
    """The case is visible to the usual teams again."""

    lifted_at: AwareDatetime
    reason: ShortText


class RestrictedCaseRead(CasesEvent):
    """Someone opened a restricted case, or tried to: every read is recorded."""

    read_at: AwareDatetime
    staff_id: StaffId
    view: RestrictedView
    access_granted: bool
    """False when the reader was not one of the named staff and was refused."""


class CaseRecordRead(CasesEvent):
    """A member of staff opened a case that is not restricted (a restricted case's reads
    are `RestrictedCaseRead`, and only those). Kept on the case's reads stream
    (`reads-cases-<case id>`), never on the case's own stream, so a read neither waits for
    nor conflicts with a command on the case; keyed on the topic by the case id like every
    other event of the case. Who read it is the envelope's actor too (with the role)."""

    read_at: AwareDatetime
    staff_id: StaffId
    view: RestrictedView
    """What was opened (`timeline`: the whole case, `GET /cases/{id}`)."""


# --- contact with the survivor ---------------------------------------------------------


class ContactAttempted(CasesEvent):
    """An attempt to reach the survivor that did not reach them: an attempt is not contact."""

    attempt_id: UUID
    attempted_at: AwareDatetime
    """When the attempt was recorded."""
    method: ContactMethod
    outcome: ContactAttemptOutcome
    notes: Notes | None = None
    number_withheld: bool | None = None
    """The call or text came from a withheld number, as the caseworker stated."""
    interpreter: InterpreterUse | None = None
    phone_number: PhoneNumber | None = None
    """The survivor's number that was called or texted (calls and texts only)."""
    spoke_to: PersonName | None = None
    """Who the caseworker spoke to or left the message with, when someone else answered or
    a message was left with a person."""
    happened_at: AwareDatetime | None = None
    """When the attempt was made, as the caseworker gave it; None (events recorded before
    it was asked) means `attempted_at`. The safe-contact checks judged this time."""
    place: MeetingPlace | None = None
    """Where an in-person attempt was to happen (in-person only)."""
    message_left: bool | None = None
    """Whether a message was left (a voicemail, a message with someone, a card through the
    door), whatever the outcome: stated on every call, true for every text, email and
    letter; None on events recorded before it was asked."""
    safe_to_talk_checked: bool | None = None
    """The caseworker checked it was safe to talk before saying anything (required before
    the survivor's own safe-contact arrangements are recorded)."""

    @property
    def made_at(self) -> datetime:
        """When the attempt was made."""
        return self.happened_at or self.attempted_at

    @model_validator(mode="after")
    def _details_fit(self) -> ContactAttempted:
        check_contact_details(self.method, self.phone_number, self.outcome, self.spoke_to)
        check_place(self.method, self.place)
        check_message_left(self.method, self.outcome, self.message_left)
        return self


class SurvivorContacted(CasesEvent):
    """Two-way contact with the survivor through a safe channel: the case manager spoke
    to or met them, or the survivor replied to a text, email or letter (one sent is an
    attempt, `ContactAttempted`)."""

    contact_id: UUID
    contacted_at: AwareDatetime
    """When the contact was recorded."""
    method: ContactMethod
    first_contact: bool
    """This contact meets the first-contact deadline."""
    due_at: AwareDatetime | None = None
    """The first-contact deadline, when this is the first contact."""
    late: bool = False
    """Contact happened (`made_at`) after `due_at`: the deadline was met late."""
    notes: Notes | None = None
    number_withheld: bool | None = None
    """The call or text came from a withheld number, as the caseworker stated."""
    interpreter: InterpreterUse | None = None
    phone_number: PhoneNumber | None = None
    """The survivor's number that was called or texted (calls and texts only)."""
    happened_at: AwareDatetime | None = None
    """When the contact happened, as the caseworker gave it; None (events recorded before
    it was asked) means `contacted_at`. The deadline and the safe-contact checks judged
    this time."""
    place: MeetingPlace | None = None
    """Where an in-person contact happened (in-person only; events recorded before it was
    asked have none)."""
    safe_to_talk_checked: bool | None = None
    """The caseworker checked it was safe to talk before saying anything (required before
    the survivor's own safe-contact arrangements are recorded)."""
    survivor_replied: bool | None = None
    """For a text, email or letter: the survivor replied, which is what makes it contact
    (`happened_at` is when the reply came). Only for those methods; older events have
    none."""

    @property
    def made_at(self) -> datetime:
        """When the contact happened: what meets the deadline, on time or late."""
        return self.happened_at or self.contacted_at

    @model_validator(mode="after")
    def _late_is_consistent(self) -> SurvivorContacted:
        _check_late(self.made_at, self.due_at, self.late)
        return self

    @model_validator(mode="after")
    def _details_fit(self) -> SurvivorContacted:
        check_contact_details(self.method, self.phone_number)
        check_place(self.method, self.place)
        check_reply(self.method, self.survivor_replied)
        return self


class SafeContactUpdated(CasesEvent):
    """The survivor's safe-contact arrangements, replacing any recorded before."""

    updated_at: AwareDatetime
    safe_contact: SafeContact
    survivors_own: bool | None = None
    """True: the survivor gave them, or confirmed them with their caseworker. False: not
    the survivor's own until confirmed (`unconfirmed_because`): what they rule out is
    respected, but they allow nothing more than having no arrangements would. None on
    events recorded before it was asked (read by who recorded them: from a report not
    made by the survivor, unconfirmed)."""
    unconfirmed_because: UnconfirmedSafeContact | None = None

    @model_validator(mode="after")
    def _unconfirmed_says_why(self) -> SafeContactUpdated:
        if (self.survivors_own is False) != (self.unconfirmed_because is not None):
            raise ValueError(
                "unconfirmed_because is required when, and only when, survivors_own is false"
            )
        return self


# --- deadlines missed ------------------------------------------------------------------


class ContactOverdue(CasesEvent):
    """The first-contact deadline passed without a successful safe contact."""

    due_at: AwareDatetime
    detected_at: AwareDatetime


class DashOverdue(CasesEvent):
    """The DASH deadline passed with no assessment, decline or assessment by another agency."""

    due_at: AwareDatetime
    detected_at: AwareDatetime


class ReviewOverdue(CasesEvent):
    """A manager review fell due and has not happened."""

    due_at: AwareDatetime
    detected_at: AwareDatetime


class DashDeadlineMet(CasesEvent):
    """The risk service reported a DASH outcome that meets the case's DASH deadline."""

    met_at: AwareDatetime
    """When the DASH was completed, declined or recorded as done by another agency."""
    due_at: AwareDatetime
    late: bool
    outcome: DashOutcome
    assessment_id: UUID | None = None
    """The landlord's own assessment, when it completed one."""

    @model_validator(mode="after")
    def _late_is_consistent(self) -> DashDeadlineMet:
        _check_late(self.met_at, self.due_at, self.late)
        return self


class ReassessmentScheduled(CasesEvent):
    """A risk assessment said when the next is due (its instrument's reassessment
    interval): the case has a reassessment deadline, met by the next assessment, decline
    or assessment by another agency."""

    assessment_id: UUID
    """The assessment after which reassessment is due (the deadline's reference)."""
    scheduled_at: AwareDatetime
    """When that assessment was completed: the deadline counts from here."""
    due_at: AwareDatetime


class ReassessmentDeadlineMet(CasesEvent):
    """The risk service reported a risk outcome that meets the reassessment deadline."""

    follows_assessment_id: UUID
    """The assessment whose reassessment deadline this meets."""
    met_at: AwareDatetime
    due_at: AwareDatetime
    late: bool
    outcome: DashOutcome
    assessment_id: UUID | None = None
    """The landlord's own new assessment, when it completed one."""

    @model_validator(mode="after")
    def _late_is_consistent(self) -> ReassessmentDeadlineMet:
        _check_late(self.met_at, self.due_at, self.late)
        return self


class ReassessmentOverdue(CasesEvent):
    """A reassessment fell due with no new assessment, decline or assessment elsewhere."""

    follows_assessment_id: UUID
    due_at: AwareDatetime
    detected_at: AwareDatetime


# --- repairs and security --------------------------------------------------------------


class EmergencyRepairRaised(CasesEvent):
    """An emergency repair: the home is damaged and safety at risk. No cost to the survivor."""

    repair_id: UUID
    raised_at: AwareDatetime
    kind: RepairKind
    description: ShortText
    due_at: AwareDatetime
    """Policy default: 24 elapsed hours after raising, or after the report that said the
    home was damaged (`report_id`)."""
    works_order_reference: ExternalReference | None = None
    report_id: UUID | None = None
    """The report that said the home is damaged and safety at risk: this repair continues
    the clock that report started (`EmergencyRepairDue`) instead of starting a new one."""


class EmergencyRepairCompleted(CasesEvent):
    """An emergency repair was done, on time or late."""

    repair_id: UUID
    completed_at: AwareDatetime
    due_at: AwareDatetime
    late: bool
    notes: Notes | None = None

    @model_validator(mode="after")
    def _late_is_consistent(self) -> EmergencyRepairCompleted:
        _check_late(self.completed_at, self.due_at, self.late)
        return self


class EmergencyRepairOverdue(CasesEvent):
    """An emergency repair passed its deadline unfinished."""

    repair_id: UUID
    due_at: AwareDatetime
    detected_at: AwareDatetime


class SecurityMeasureRequested(CasesEvent):
    """Security work was requested so the survivor can stay safely at home."""

    request_id: UUID
    requested_at: AwareDatetime
    measures: NonEmptyDistinct[SecurityMeasure]
    sanctuary_scheme: bool
    """Provided under the local sanctuary scheme (counted in Part 4 returns)."""
    works_order_reference: ExternalReference | None = None
    notes: Notes | None = None


class SecurityMeasureInstalled(CasesEvent):
    """Requested security work was fitted."""

    request_id: UUID
    installed_at: AwareDatetime
    measures: NonEmptyDistinct[SecurityMeasure]
    notes: Notes | None = None


# --- flags -----------------------------------------------------------------------------


class FlagRaised(CasesEvent):
    """A person was flagged; who raised it is the envelope's actor."""

    flag_id: UUID
    person_id: UUID
    kind: FlagKind
    raised_at: AwareDatetime
    reason: ShortText


class FlagRemoved(CasesEvent):
    """A flag was taken off, with the reason."""

    flag_id: UUID
    person_id: UUID
    kind: FlagKind
    removed_at: AwareDatetime
    reason: ShortText


# --- the perpetrator, led by the survivor's wishes -------------------------------------


class SurvivorWishesRecorded(CasesEvent):
    """What the survivor wants done about the perpetrator, recorded before any action."""

    wishes_id: UUID
    recorded_at: AwareDatetime
    wanted_actions: Distinct[PerpetratorActionKind] = ()
    unwanted_actions: Distinct[PerpetratorActionKind] = ()
    wants_to_stay_in_home: bool | None = None
    in_own_words: Notes | None = None

    @model_validator(mode="after")
    def _no_contradiction(self) -> SurvivorWishesRecorded:
        check_wishes(self.wanted_actions, self.unwanted_actions)
        return self


class PerpetratorActionTaken(CasesEvent):
    """An action about an alleged perpetrator, led by the survivor's wishes or overriding them."""

    action_id: UUID
    perpetrator_person_id: UUID
    kind: PerpetratorActionKind
    taken_at: AwareDatetime
    referral_type: ReferralType | None = None
    """Where the perpetrator was referred, for a referral (MARAC, MAPPA, DAPP)."""
    survivor_wishes_id: UUID | None = None
    """The recorded wishes this action follows."""
    against_survivor_wishes: bool = False
    override: WishesOverride | None = None
    """Required when no wishes were recorded, the action goes against them, or the
    survivor has not agreed to it."""
    details: Notes | None = None
    survivor_agreed: bool | None = None
    """The action (its kind) is among the survivor's recorded wanted actions: "where agreed
    by the survivor" (policy 7.1). False: a manager's override was needed. None on actions
    recorded before agreement was asked for."""

    @model_validator(mode="after")
    def _led_by_wishes(self) -> PerpetratorActionTaken:
        if (self.kind is PerpetratorActionKind.REFERRAL) != (self.referral_type is not None):
            raise ValueError("referral_type is required for a referral and only for one")
        needs_override = (
            self.survivor_wishes_id is None
            or self.against_survivor_wishes
            or self.survivor_agreed is False
        )
        if needs_override and self.override is None:
            raise ValueError(
                "override is required without recorded wishes, against them, or without "
                "the survivor's agreement"
            )
        return self


# --- review, closure and reopening -----------------------------------------------------


class CaseReviewed(CasesEvent):
    """The DA lead reviewed the case in supervision."""

    review_id: UUID
    reviewed_at: AwareDatetime
    outcome: ReviewOutcome
    next_review_due_at: AwareDatetime | None = None
    notes: Notes | None = None


class CaseClosureRequested(CasesEvent):
    """A case manager asked to close the case; a manager must approve."""

    requested_at: AwareDatetime
    reason: ClosureReason
    notes: Notes | None = None

    @model_validator(mode="after")
    def _other_needs_notes(self) -> CaseClosureRequested:
        if self.reason is ClosureReason.OTHER and self.notes is None:
            raise ValueError("notes are required when the closure reason is other")
        return self


class CaseClosureDeclined(CasesEvent):
    """The manager did not approve the closure; the case stays open."""

    declined_at: AwareDatetime
    reason: ShortText


class CaseClosed(CasesEvent):
    """A manager approved the closure and the case is closed."""

    closed_at: AwareDatetime
    reason: ClosureReason
    approved_by: StaffId
    """The manager who approved the closure."""
    survivor_feedback: SurvivorFeedback | None = None


class CaseReopened(CasesEvent):
    """A closed case is open again."""

    reopened_at: AwareDatetime
    reason: ReopenReason
    report_id: UUID | None = None
    """The new report that reopened it, if any."""
    notes: Notes | None = None
    contact_due_at: AwareDatetime | None = None
    """A reopened case is live again: first contact is due anew (policy working days)."""
    dash_due_at: AwareDatetime | None = None
    review_due_at: AwareDatetime | None = None


# --- further reports -------------------------------------------------------------------


class ReportAddedToCase(CasesEvent):
    """A further report about the survivor of an existing case joined it."""

    report_id: UUID
    added_at: AwareDatetime
    reported_at: AwareDatetime
    channel: Channel
    reporter_kind: ReporterKind
    abuse_types: Distinct[AbuseType] = ()
    immediate_danger: bool
    emergency_repair: EmergencyRepairDue | None = None
    """The report said the home is damaged and safety at risk: a repair is due from it."""
    contact_due_at: AwareDatetime | None = None
    """A new report starts the contact clock again (policy working days from `reported_at`);
    none when a contact deadline was still open (it is due sooner) or the policy says not."""
    dash_due_at: AwareDatetime | None = None
    """Likewise for the DASH: one on every report."""

    @model_validator(mode="after")
    def _deadlines_follow_report(self) -> ReportAddedToCase:
        for due in (self.contact_due_at, self.dash_due_at):
            if due is not None and due <= self.reported_at:
                raise ValueError("contact_due_at and dash_due_at must be after reported_at")
        return self


class RepeatCaseIdentified(CasesEvent):
    """Intake found a case closed, or a MARAC, in the last 12 months about the same people."""

    report_id: UUID
    identified_at: AwareDatetime
    repeat_reasons: NonEmptyDistinct[RepeatReason]
    previous_case_id: UUID | None = None


class CasesLinked(CasesEvent):
    """This case was linked to another: a different survivor's case sharing an alleged
    perpetrator or the household, or a case that may be the same survivor's (for staff to
    confirm). Both cases record the link; nothing of one case is copied to the other."""

    related_case_id: UUID
    linked_at: AwareDatetime
    basis: RelatedCaseBasis
    report_id: UUID
    """The report that showed the link."""
    conflicting_details: Distinct[IdentityDetail] = ()
    """For a possible same survivor: which of the two survivors' details disagree."""

    @model_validator(mode="after")
    def _another_case(self) -> CasesLinked:
        if self.related_case_id == self.case_id:
            raise ValueError("a case is not linked to itself")
        possible = self.basis is RelatedCaseBasis.POSSIBLY_SAME_SURVIVOR
        if possible != bool(self.conflicting_details):
            raise ValueError(
                "conflicting_details are given for a possible same survivor, and only then"
            )
        return self


# --- erasure ---------------------------------------------------------------------------


class ErasureRequested(CasesEvent):
    """A member of staff (the envelope's actor) asked for a closed case's personal data to
    be erased at a person's request; a manager other than them must approve it. Codes and
    ids only: nothing that would outlive the erasure says who asked to be forgotten."""

    request_id: UUID
    requested_at: AwareDatetime
    reason: ErasureReason
    data_protection_reference: ExternalReference | None = None
    """The request's reference in the landlord's data-protection log, if any."""
    person_id: UUID | None = None
    """The one person on the case whose personal data is to be erased (`PersonErased`);
    None: the whole case (`CaseErased`)."""


class ErasureRequestDeclined(CasesEvent):
    """A manager declined the waiting erasure request (the data is still needed, say):
    the case is kept, and a new request may be made."""

    request_id: UUID
    declined_at: AwareDatetime
    reason: ShortText


class CaseErased(CasesEvent):
    """The case's personal data was erased: its keys destroyed, so every personal value on
    its events (and every copy of them) is unreadable, and its read models hold none.

    The record of when, why and under which policy; it holds no personal data itself."""

    erased_at: AwareDatetime
    basis: ErasureBasis
    reason: ErasureReason
    retention_policy: Code
    """The policy in force (the cases policy's id) when the case was erased."""
    retention_years: int = Field(ge=1, le=100)
    """The retention period after closure that policy set, in years."""
    closed_at: AwareDatetime
    """When the case closed: the retention period counts from here."""
    request_id: UUID | None = None
    """The erasure request approved, for an erasure a person asked for."""
    requested_by: StaffId | None = None
    approved_by: StaffId | None = None
    """The manager who approved a requested erasure (not the one who asked)."""

    @model_validator(mode="after")
    def _approved_if_requested(self) -> CaseErased:
        requested = self.basis is ErasureBasis.SUBJECT_REQUEST
        named = (self.request_id, self.requested_by, self.approved_by)
        if requested and any(v is None for v in named):
            raise ValueError(
                "an erasure a person asked for names its request, who asked and who approved"
            )
        if not requested and any(v is not None for v in named):
            raise ValueError("an erasure at the end of retention has no request or approver")
        if requested and self.requested_by == self.approved_by:
            raise ValueError("an erasure is approved by someone other than who asked for it")
        return self


class PersonErased(CasesEvent):
    """One person's personal data on the case was erased at their request, approved by a
    manager other than the one who asked: their key on the case destroyed, so every value
    encrypted under it (their name, date of birth, contact details, address, on every
    event and every copy) is unreadable, while the others on the case stay readable.

    The record of when, why and who decided; ids and codes only, no personal data. Free
    text about several people (the account, notes) lives under the case key and goes only
    with the whole case (`CaseErased`)."""

    person_id: UUID
    erased_at: AwareDatetime
    basis: ErasureBasis
    reason: ErasureReason
    request_id: UUID
    """The erasure request approved."""
    requested_by: StaffId
    approved_by: StaffId
    """The manager who approved the request (not the one who asked)."""

    @model_validator(mode="after")
    def _approved_by_another(self) -> PersonErased:
        if self.basis is not ErasureBasis.SUBJECT_REQUEST:
            raise ValueError("one person's data is erased only at a request (subject_request)")
        if self.reason is ErasureReason.RETENTION_PERIOD_ENDED:
            raise ValueError("the end of retention erases the whole case, not one person")
        if self.requested_by == self.approved_by:
            raise ValueError("an erasure is approved by someone other than who asked for it")
        return self
