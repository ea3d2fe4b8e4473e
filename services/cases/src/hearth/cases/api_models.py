"""Request bodies of the caseworkers' API: their shape, checked at the door (422 naming
each field). Rules across fields (a declined closure needs a reason, a referral needs its
type) are the domain's, in each command's `check`, and answer 422 the same way."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from pydantic import AwareDatetime, ConfigDict, Field

from hearth.cases.domain.commands import GivenChild, GivenPerpetrator, GivenSurvivor
from hearth.contracts.events.base import TextChecked
from hearth.contracts.events.case_values import (
    ClosureReason,
    ContactAttemptOutcome,
    ErasureReason,
    FlagKind,
    InterpreterUse,
    MeetingPlace,
    ReopenReason,
    RepairKind,
    RestrictionReason,
    ReviewOutcome,
    SecurityMeasure,
    SurvivorFeedback,
    WishesOverrideReason,
)
from hearth.contracts.events.common import (
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
    SafeContact,
    ShortText,
    StaffId,
)


class Body(TextChecked):
    """Strict about unknown fields, so a misspelt field is a 422, not silently dropped;
    text with a control character (NUL and the like) is a 422 naming the field
    (`TextChecked`: line breaks and tabs only in notes, reasons and other free text)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class CaseManagerChange(Body):
    """Reassign to `staff_id` (managers), and/or record the survivor's preferred gender,
    or that the survivor withdrew it (`withdraw_preference: true`)."""

    staff_id: StaffId | None = None
    preferred_gender: Gender | None = None
    withdraw_preference: bool = False


class ContactAttemptBody(Body):
    """An attempt to reach the survivor and how it ended.

    `phone_number` (calls and texts only) is the survivor's number used: required, and one
    of the safe numbers, once safe-contact arrangements are recorded. `spoke_to` names who
    answered or took the message, only when the outcome is `someone_else_answered` or
    `message_left` (any other outcome with it is a 422); it must be someone the survivor
    named as safe to speak to.

    `happened_at` is when the attempt was made (with its UTC offset): the safe-contact
    checks judge that time. It cannot be in the future, before the report, or further
    back than the policy allows (`contact_recording.max_days_back`). `place` says where an
    `in_person` attempt was to happen (required for it, refused for anything else); one at
    the survivor's home is checked as a visit. `message_left` says whether a message was
    left (a voicemail, a message with someone, a card), whatever the outcome: required
    for a call; a text, email or letter always leaves one. Until the survivor's own
    safe-contact arrangements are recorded, `safe_to_talk_checked: true` and
    `message_left: false` are required (`409` otherwise)."""

    happened_at: AwareDatetime
    method: ContactMethod
    outcome: ContactAttemptOutcome
    message_left: bool | None = None
    safe_to_talk_checked: bool | None = None
    place: MeetingPlace | None = None
    number_withheld: bool | None = None
    interpreter: InterpreterUse | None = None
    notes: Notes | None = None
    phone_number: PhoneNumber | None = None
    spoke_to: PersonName | None = None


class ContactBody(Body):
    """A contact that reached the survivor.

    `phone_number` (calls and texts only) is the survivor's number used: required, and one
    of the safe numbers, once safe-contact arrangements are recorded. There is no
    `spoke_to`: a contact reached the survivor, so sending one is a 422 like any unknown
    field.

    `happened_at` is when the contact happened (with its UTC offset): the safe-contact
    checks and the first-contact deadline (met on time or late) judge that time. It
    cannot be in the future, before the report, or further back than the policy allows.
    `place` says where an `in_person` contact happened (`office`, `place_survivor_chose`,
    `survivor_home`: required for it, refused for anything else); a meeting at the
    survivor's home is checked as a visit. Until the survivor's own safe-contact
    arrangements are recorded, the contact gives them (`safe_contact`, recorded as the
    survivor's own) and says `safe_to_talk_checked: true` (`409` otherwise). A text,
    email or letter sent is an attempt: as a contact it needs `survivor_replied: true`
    (the survivor's reply, `happened_at` when it came; `422` otherwise), and only those
    methods take `survivor_replied`."""

    happened_at: AwareDatetime
    method: ContactMethod
    place: MeetingPlace | None = None
    survivor_replied: bool | None = None
    safe_to_talk_checked: bool | None = None
    safe_contact: SafeContact | None = None
    number_withheld: bool | None = None
    interpreter: InterpreterUse | None = None
    notes: Notes | None = None
    phone_number: PhoneNumber | None = None


class PeopleBody(Body):
    """The people on the case as they now are; at least one part is required.

    Each part given replaces what the case recorded, so send each person whole (as the
    case shows them) with the corrections made: details left out are cleared. The
    survivor keeps their `person_id` (leave it out, or give the case's). In a list, a
    person with the `person_id` of someone already in that list on the case updates them,
    one without is added as someone new, and anyone on the case left out of the list is
    removed from the case. The fields are the contract's (`Survivor`, `AllegedPerpetrator`,
    `Child`)."""

    # The same limits as the events' (`Perpetrators`, `Children` in the cases contract).
    survivor: GivenSurvivor | None = None
    alleged_perpetrators: Annotated[tuple[GivenPerpetrator, ...], Field(max_length=10)] | None = (
        None
    )
    children: Annotated[tuple[GivenChild, ...], Field(max_length=20)] | None = None


class RepairBody(Body):
    """An emergency repair to raise."""

    kind: RepairKind
    description: ShortText
    works_order_reference: ExternalReference | None = None


class CompletionBody(Body):
    """A repair's completion."""

    notes: Notes | None = None


class SecurityRequestBody(Body):
    """Security measures to request."""

    measures: NonEmptyDistinct[SecurityMeasure]
    sanctuary_scheme: bool
    works_order_reference: ExternalReference | None = None
    notes: Notes | None = None


class InstallationBody(Body):
    """Requested measures now fitted."""

    measures: NonEmptyDistinct[SecurityMeasure]
    notes: Notes | None = None


class FlagBody(Body):
    """A flag to raise on a person of the case."""

    person_id: UUID
    kind: FlagKind
    reason: ShortText


class ReasonBody(Body):
    """A reason, for a removal or a lifting."""

    reason: ShortText


class WishesBody(Body):
    """The survivor's wishes about action against the perpetrator."""

    wanted_actions: Distinct[PerpetratorActionKind] = ()
    unwanted_actions: Distinct[PerpetratorActionKind] = ()
    wants_to_stay_in_home: bool | None = None
    in_own_words: Notes | None = None


class OverrideBody(Body):
    """A manager's reason to act without, or against, the survivor's wishes."""

    reason: WishesOverrideReason
    explanation: ShortText


class PerpetratorActionBody(Body):
    """An action about an alleged perpetrator."""

    perpetrator_person_id: UUID
    kind: PerpetratorActionKind
    referral_type: ReferralType | None = None
    details: Notes | None = None
    override: OverrideBody | None = None
    """A manager's override: required without recorded wishes or against them."""


class ReviewBody(Body):
    """A manager's review; the next review defaults to the policy's interval."""

    outcome: ReviewOutcome
    next_review_due_at: AwareDatetime | None = None
    notes: Notes | None = None


class ClosureRequestBody(Body):
    """A request to close the case."""

    reason: ClosureReason
    notes: Notes | None = None


class ErasureRequestBody(Body):
    """A request to erase the closed case's personal data (or one person's on it), at a
    person's request: the ground they rely on as a code, and the data-protection log's
    reference if any."""

    reason: ErasureReason
    data_protection_reference: ExternalReference | None = None
    person_id: UUID | None = None
    """Only this person's data on the case (someone on it); left out: the whole case."""


class ErasureDeclineBody(Body):
    """Why a manager declines an erasure request."""

    reason: ShortText


class ClosureDecisionBody(Body):
    """A manager's decision on the closure request."""

    decision: Literal["approve", "decline"]
    reason: ShortText | None = None
    """Why the closure is declined (required to decline)."""
    survivor_feedback: SurvivorFeedback | None = None


class ReopeningBody(Body):
    """Why a closed case reopens."""

    reason: ReopenReason
    notes: Notes | None = None


class RestrictionBody(Body):
    """Who may see the case (its case manager is always named)."""

    reason: RestrictionReason
    permitted_staff_ids: Annotated[tuple[StaffId, ...], Field(min_length=1, max_length=19)]
