"""What can be asked of a case. Each command names who is asking; ids are given by the edge.

A command that contradicts itself, whatever the case holds (a declined closure without a
reason, a referral without its type), is refused by its own `check`, which the decider
calls before anything else: `InvalidCommand`, naming the field, answered 422. The HTTP
request models check only the shape of what was sent; these rules live here alone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import KW_ONLY, dataclass, field
from datetime import datetime
from uuid import UUID

from hearth.cases.domain.deadlines import DeadlineKind
from hearth.contracts.envelope import Actor
from hearth.contracts.events.case_values import (
    ClosureReason,
    ContactAttemptOutcome,
    DashOutcome,
    ErasureReason,
    FlagKind,
    InterpreterUse,
    MeetingPlace,
    ReopenReason,
    RepairKind,
    RestrictedView,
    RestrictionReason,
    ReviewOutcome,
    SecurityMeasure,
    SurvivorFeedback,
    WishesOverrideReason,
)
from hearth.contracts.events.cases import (
    check_contact_details,
    check_message_left,
    check_people_given,
    check_place,
    check_reply,
    check_wishes,
)
from hearth.contracts.events.common import (
    WRITTEN_METHODS,
    AllegedPerpetrator,
    Child,
    ContactMethod,
    Gender,
    PerpetratorActionKind,
    ReferralType,
    SafeContact,
    Survivor,
)
from hearth.contracts.events.intake import RelatedCase, ReportLinkedToCase, ReportReceived
from hearth.eventstore.errors import InvalidCommand


class CaseCommand:
    """What every command can be asked: is it consistent in itself?"""

    def check(self) -> None:
        """Raise InvalidCommand, naming the field, for a command no case could accept.

        Most commands have nothing to check beyond their types."""


def _check_place(method: ContactMethod, place: MeetingPlace | None) -> None:
    """An in-person contact or attempt says where; nothing else does."""
    if method == ContactMethod.IN_PERSON and place is None:
        raise InvalidCommand(
            "say where an in-person contact happened: the office, a place the survivor "
            "chose, or the survivor's home",
            field="place",
            code="place_required",
        )
    _as_invalid("place", "place_not_for_method", lambda: check_place(method, place))


def _as_invalid(field: str, code: str, check: Callable[[], None]) -> None:
    """Run one of the contract's own consistency checks (the events apply the same one),
    refusing the command with the field it concerns."""
    try:
        check()
    except ValueError as exc:
        raise InvalidCommand(str(exc), field=field, code=code) from None


# --- from other services and the scheduler ---------------------------------------------


@dataclass(frozen=True)
class ReceiveReport(CaseCommand):
    """Intake's report: open the case, or add the report to it (reopening a closed one)."""

    actor: Actor
    report: ReportReceived
    caseloads: Mapping[str, int] = field(default_factory=dict)
    """Open cases per case manager, to choose who takes a new case."""


@dataclass(frozen=True)
class RecordLink(CaseCommand):
    """Intake's reason for linking a report, on the report's case: a repeat is recorded,
    and so is each other case the report links it to."""

    actor: Actor
    link: ReportLinkedToCase


@dataclass(frozen=True)
class RecordRelatedLink(CaseCommand):
    """The other side of a link: a report on another case named this one as related."""

    actor: Actor
    link: ReportLinkedToCase
    related: RelatedCase
    """The entry of `link.related_cases` that names this case."""


@dataclass(frozen=True)
class MeetDashDeadline(CaseCommand):
    """The risk service reported a DASH completed, declined or done by another agency."""

    actor: Actor
    met_at: datetime
    outcome: DashOutcome
    assessment_id: UUID | None = None
    reassessment_due_at: datetime | None = None
    """When the next assessment is due, as the completed assessment's instrument says."""


@dataclass(frozen=True)
class RecordOverdue(CaseCommand):
    """The scheduler found a deadline past due: record it overdue, once."""

    actor: Actor
    kind: DeadlineKind
    ref: str


@dataclass(frozen=True)
class RecordRead(CaseCommand):
    """Someone opened a restricted case, or tried to."""

    actor: Actor
    view: RestrictedView
    granted: bool


@dataclass(frozen=True)
class RecordWithheldAnswer(CaseCommand):
    """Intake kept the case from a member of staff not named on it (`actor`), who reported
    about its people or named it: recorded as their refused read."""

    actor: Actor
    withheld_at: datetime


# --- case manager and contact ----------------------------------------------------------


@dataclass(frozen=True)
class ChangeCaseManager(CaseCommand):
    """Reassign to a named member of staff (managers), or honour a preferred gender, or
    record that the survivor withdrew their preference."""

    actor: Actor
    staff_id: str | None = None
    preferred_gender: Gender | None = None
    caseloads: Mapping[str, int] = field(default_factory=dict)
    withdraw_preference: bool = False
    """The survivor no longer asks for a case manager of a particular gender."""

    def check(self) -> None:
        if self.staff_id is None and self.preferred_gender is None and not self.withdraw_preference:
            raise InvalidCommand(
                "give staff_id, preferred_gender or withdraw_preference",
                field="staff_id",
                code="nothing_to_change",
            )
        if self.withdraw_preference and self.preferred_gender is not None:
            raise InvalidCommand(
                "a preference cannot be given and withdrawn at once",
                field="withdraw_preference",
                code="preference_contradicts",
            )


@dataclass(frozen=True)
class RecordContactAttempt(CaseCommand):
    """An attempt to reach the survivor, with its outcome: not contact."""

    actor: Actor
    attempt_id: UUID
    method: ContactMethod
    outcome: ContactAttemptOutcome
    number_withheld: bool | None = None
    interpreter: InterpreterUse | None = None
    notes: str | None = None
    phone_number: str | None = None
    """The survivor's number called or texted."""
    spoke_to: str | None = None
    """Who answered, or took the message, when someone else answered or a message was left."""
    _: KW_ONLY
    happened_at: datetime
    """When the attempt was made, as the caseworker gives it."""
    place: MeetingPlace | None = None
    """Where an in-person attempt was to happen: required for in person, only for it."""
    message_left: bool | None = None
    """Whether a message was left, whatever the outcome: required for a call; a text,
    email or letter always leaves one."""
    safe_to_talk_checked: bool | None = None
    """The caseworker checked it was safe to talk before saying anything (required until
    the survivor's own safe-contact arrangements are recorded)."""

    def check(self) -> None:
        _as_invalid(
            "phone_number",
            "phone_number_not_for_method",
            lambda: check_contact_details(self.method, self.phone_number),
        )
        _as_invalid(
            "spoke_to",
            "spoke_to_not_for_outcome",
            lambda: check_contact_details(self.method, None, self.outcome, self.spoke_to),
        )
        _check_place(self.method, self.place)
        if self.method == ContactMethod.CALL and self.message_left is None:
            raise InvalidCommand(
                "say whether a message was left on the call, whatever its outcome",
                field="message_left",
                code="message_left_required",
            )
        _as_invalid(
            "message_left",
            "message_left_contradicts",
            lambda: check_message_left(self.method, self.outcome, self.message_left),
        )


@dataclass(frozen=True)
class RecordContact(CaseCommand):
    """The survivor was reached; the first contact meets the contact deadline."""

    actor: Actor
    contact_id: UUID
    method: ContactMethod
    number_withheld: bool | None = None
    interpreter: InterpreterUse | None = None
    notes: str | None = None
    phone_number: str | None = None
    """The survivor's number called or texted."""
    _: KW_ONLY
    happened_at: datetime
    """When the contact happened, as the caseworker gives it."""
    place: MeetingPlace | None = None
    """Where an in-person contact happened: required for in person, only for it."""
    safe_to_talk_checked: bool | None = None
    """The caseworker checked it was safe to talk before saying anything (required until
    the survivor's own safe-contact arrangements are recorded)."""
    safe_contact: SafeContact | None = None
    """The survivor's own safe-contact arrangements, given at this contact: required at
    the first contact unless they are already recorded."""
    survivor_replied: bool | None = None
    """A text, email or letter is contact only when the survivor replied (one sent is an
    attempt): required true for those methods, refused on any other."""

    def check(self) -> None:
        if self.method in WRITTEN_METHODS and self.survivor_replied is not True:
            raise InvalidCommand(
                "a text, email or letter sent is an attempt, not contact: record it as an "
                "attempt, or say the survivor replied",
                field="survivor_replied",
                code="reply_required",
            )
        _as_invalid(
            "survivor_replied",
            "survivor_replied_not_for_method",
            lambda: check_reply(self.method, self.survivor_replied),
        )
        _as_invalid(
            "phone_number",
            "phone_number_not_for_method",
            lambda: check_contact_details(self.method, self.phone_number),
        )
        _check_place(self.method, self.place)


@dataclass(frozen=True)
class UpdateSafeContact(CaseCommand):
    """The survivor's safe-contact arrangements, replacing the last ones."""

    actor: Actor
    safe_contact: SafeContact


# --- the people on the case ------------------------------------------------------------
#
# A person as a caseworker gives them: the contract's own model, whose `person_id` may be
# left out. These are input only: the decider turns each into the contract model with the
# person id settled, so no event ever carries one of these.


class GivenSurvivor(Survivor):
    """The survivor's details; no `person_id` means the case's survivor."""

    person_id: UUID | None = None  # type: ignore[assignment]


class GivenPerpetrator(AllegedPerpetrator):
    """An alleged perpetrator's details; no `person_id` means someone new to the case."""

    person_id: UUID | None = None  # type: ignore[assignment]


class GivenChild(Child):
    """A child's details; no `person_id` means a child new to the case."""

    person_id: UUID | None = None  # type: ignore[assignment]


@dataclass(frozen=True)
class UpdatePeople(CaseCommand):
    """Correct or add the people on the case: each part given replaces what was there."""

    actor: Actor
    update_id: UUID
    """Names this update, so the ids it gives new people are the same when decided again."""
    survivor: GivenSurvivor | None = None
    alleged_perpetrators: tuple[GivenPerpetrator, ...] | None = None
    children: tuple[GivenChild, ...] | None = None
    caseloads: Mapping[str, int] = field(default_factory=dict)
    """Open cases per case manager, to choose a new one if the current one is now involved."""

    def check(self) -> None:
        """Something given, and no person id given twice (across both lists: one person
        cannot be both an alleged perpetrator and a child)."""
        _as_invalid(
            "survivor",
            "nothing_given",
            lambda: check_people_given(self.survivor, self.alleged_perpetrators, self.children),
        )
        perpetrators = enumerate(self.alleged_perpetrators or ())
        given: list[tuple[str, UUID | None]] = [
            *((f"alleged_perpetrators.{i}", p.person_id) for i, p in perpetrators),
            *((f"children.{i}", p.person_id) for i, p in enumerate(self.children or ())),
        ]
        seen: set[UUID] = set()
        for where, person_id in given:
            if person_id in seen:
                raise InvalidCommand(
                    "a person id is given twice", field=f"{where}.person_id", code="person_repeated"
                )
            if person_id is not None:
                seen.add(person_id)


# --- repairs, security and flags -------------------------------------------------------


@dataclass(frozen=True)
class RaiseEmergencyRepair(CaseCommand):
    """An emergency repair (no cost to the survivor), due in the policy's hours."""

    actor: Actor
    repair_id: UUID
    kind: RepairKind
    description: str
    works_order_reference: str | None = None


@dataclass(frozen=True)
class CompleteEmergencyRepair(CaseCommand):
    """An emergency repair was done."""

    actor: Actor
    repair_id: UUID
    notes: str | None = None


@dataclass(frozen=True)
class RequestSecurityMeasures(CaseCommand):
    """Security work (target hardening) so the survivor can stay at home."""

    actor: Actor
    request_id: UUID
    measures: tuple[SecurityMeasure, ...]
    sanctuary_scheme: bool
    works_order_reference: str | None = None
    notes: str | None = None


@dataclass(frozen=True)
class RecordSecurityInstalled(CaseCommand):
    """Requested security measures were fitted."""

    actor: Actor
    request_id: UUID
    measures: tuple[SecurityMeasure, ...]
    notes: str | None = None


@dataclass(frozen=True)
class RaiseFlag(CaseCommand):
    """Flag a person on the case (who raised it is the actor)."""

    actor: Actor
    flag_id: UUID
    person_id: UUID
    kind: FlagKind
    reason: str


@dataclass(frozen=True)
class RemoveFlag(CaseCommand):
    """Take a flag off, with the reason."""

    actor: Actor
    flag_id: UUID
    reason: str


# --- the perpetrator -------------------------------------------------------------------


@dataclass(frozen=True)
class RecordWishes(CaseCommand):
    """What the survivor wants done about the perpetrator."""

    actor: Actor
    wishes_id: UUID
    wanted_actions: tuple[PerpetratorActionKind, ...] = ()
    unwanted_actions: tuple[PerpetratorActionKind, ...] = ()
    wants_to_stay_in_home: bool | None = None
    in_own_words: str | None = None

    def check(self) -> None:
        _as_invalid(
            "unwanted_actions",
            "wishes_contradict",
            lambda: check_wishes(self.wanted_actions, self.unwanted_actions),
        )


@dataclass(frozen=True)
class Override:
    """A manager's reason to act without, or against, the survivor's wishes."""

    reason: WishesOverrideReason
    explanation: str


@dataclass(frozen=True)
class TakePerpetratorAction(CaseCommand):
    """An action about an alleged perpetrator, led by the survivor's wishes."""

    actor: Actor
    action_id: UUID
    perpetrator_person_id: UUID
    kind: PerpetratorActionKind
    referral_type: ReferralType | None = None
    details: str | None = None
    override: Override | None = None

    def check(self) -> None:
        if (self.kind is PerpetratorActionKind.REFERRAL) != (self.referral_type is not None):
            raise InvalidCommand(
                "referral_type is required for a referral and only for one",
                field="referral_type",
                code="referral_type",
            )


# --- review, closure, reopening and restriction ----------------------------------------


@dataclass(frozen=True)
class ReviewCase(CaseCommand):
    """A manager's supervision review of the case."""

    actor: Actor
    review_id: UUID
    outcome: ReviewOutcome
    next_review_due_at: datetime | None = None
    notes: str | None = None


@dataclass(frozen=True)
class RequestClosure(CaseCommand):
    """Ask a manager to close the case, with the reason."""

    actor: Actor
    reason: ClosureReason
    notes: str | None = None

    def check(self) -> None:
        if self.reason is ClosureReason.OTHER and self.notes is None:
            raise InvalidCommand(
                "notes are required when the closure reason is other",
                field="notes",
                code="notes_required",
            )


@dataclass(frozen=True)
class DecideClosure(CaseCommand):
    """A manager approves or declines a closure request."""

    actor: Actor
    approve: bool
    reason: str | None = None
    """Why the closure was declined (required to decline)."""
    survivor_feedback: SurvivorFeedback | None = None

    def check(self) -> None:
        if not self.approve and not self.reason:
            raise InvalidCommand(
                "a declined closure needs a reason", field="reason", code="reason_required"
            )


@dataclass(frozen=True)
class ReopenCase(CaseCommand):
    """Open a closed case again."""

    actor: Actor
    reason: ReopenReason
    notes: str | None = None


@dataclass(frozen=True)
class RestrictCase(CaseCommand):
    """Only the named staff (and the case manager) may see the case."""

    actor: Actor
    reason: RestrictionReason
    permitted_staff_ids: tuple[str, ...]


@dataclass(frozen=True)
class LiftRestriction(CaseCommand):
    """The case is visible to the usual teams again."""

    actor: Actor
    reason: str


@dataclass(frozen=True)
class RequestErasure(CaseCommand):
    """Ask for a closed case's personal data (or one person's on it) to be erased, at a
    person's request, with the ground for it; a manager other than the one asking
    approves it."""

    actor: Actor
    request_id: UUID
    reason: ErasureReason
    data_protection_reference: str | None = None
    person_id: UUID | None = None
    """The one person on the case whose data is to be erased; None: the whole case."""

    def check(self) -> None:
        if self.reason is ErasureReason.RETENTION_PERIOD_ENDED:
            raise InvalidCommand(
                "the end of the retention period erases a case by itself; a request gives "
                "the ground the person relies on",
                field="reason",
                code="reason_not_for_request",
            )


@dataclass(frozen=True)
class ApproveErasure(CaseCommand):
    """A manager approves the case's pending erasure request: the case (or the one
    person the request names) is erased."""

    actor: Actor
    request_id: UUID


@dataclass(frozen=True)
class DeclineErasure(CaseCommand):
    """A manager declines the case's pending erasure request, saying why."""

    actor: Actor
    request_id: UUID
    reason: str


@dataclass(frozen=True)
class EraseExpired(CaseCommand):
    """Erase a case whose retention period after closure has ended (the retention sweep
    or an operator: Hearth itself, never a member of staff)."""

    actor: Actor


ERASURE_COMMANDS = (RequestErasure, ApproveErasure, DeclineErasure, EraseExpired)


Command = (
    ReceiveReport
    | RecordLink
    | RecordRelatedLink
    | MeetDashDeadline
    | RecordOverdue
    | RecordWithheldAnswer
    | RecordRead
    | ChangeCaseManager
    | RecordContactAttempt
    | RecordContact
    | UpdateSafeContact
    | UpdatePeople
    | RaiseEmergencyRepair
    | CompleteEmergencyRepair
    | RequestSecurityMeasures
    | RecordSecurityInstalled
    | RaiseFlag
    | RemoveFlag
    | RecordWishes
    | TakePerpetratorAction
    | ReviewCase
    | RequestClosure
    | DecideClosure
    | ReopenCase
    | RestrictCase
    | LiftRestriction
    | RequestErasure
    | ApproveErasure
    | DeclineErasure
    | EraseExpired
)
