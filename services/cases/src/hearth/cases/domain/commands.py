"""What can be asked of a case. Each command names who is asking; ids are given by the edge."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from hearth.contracts.envelope import Actor
from hearth.contracts.events.case_values import (
    ClosureReason,
    ContactAttemptOutcome,
    DashOutcome,
    FlagKind,
    InterpreterUse,
    ReopenReason,
    RepairKind,
    RestrictedView,
    RestrictionReason,
    ReviewOutcome,
    SecurityMeasure,
    SurvivorFeedback,
    WishesOverrideReason,
)
from hearth.contracts.events.common import (
    AllegedPerpetrator,
    Child,
    ContactMethod,
    Gender,
    PerpetratorActionKind,
    ReferralType,
    SafeContact,
    Survivor,
)
from hearth.contracts.events.intake import ReportLinkedToCase, ReportReceived

from .deadlines import DeadlineKind

# --- from other services and the scheduler ---------------------------------------------


@dataclass(frozen=True)
class ReceiveReport:
    """Intake's report: open the case, or add the report to it (reopening a closed one)."""

    actor: Actor
    report: ReportReceived
    caseloads: Mapping[str, int] = field(default_factory=dict)
    """Open cases per case manager, to choose who takes a new case."""


@dataclass(frozen=True)
class RecordLink:
    """Intake's reason for linking a report: a repeat is recorded on the case."""

    actor: Actor
    link: ReportLinkedToCase


@dataclass(frozen=True)
class MeetDashDeadline:
    """The risk service reported a DASH completed, declined or done by another agency."""

    actor: Actor
    met_at: datetime
    outcome: DashOutcome
    assessment_id: UUID | None = None


@dataclass(frozen=True)
class RecordOverdue:
    """The scheduler found a deadline past due: record it overdue, once."""

    actor: Actor
    kind: DeadlineKind
    ref: str


@dataclass(frozen=True)
class RecordRead:
    """Someone opened a restricted case, or tried to."""

    actor: Actor
    view: RestrictedView
    granted: bool


# --- case manager and contact ----------------------------------------------------------


@dataclass(frozen=True)
class ChangeCaseManager:
    """Reassign to a named member of staff (managers), or honour a preferred gender."""

    actor: Actor
    staff_id: str | None = None
    preferred_gender: Gender | None = None
    caseloads: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class RecordContactAttempt:
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


@dataclass(frozen=True)
class RecordContact:
    """The survivor was reached; the first contact meets the contact deadline."""

    actor: Actor
    contact_id: UUID
    method: ContactMethod
    number_withheld: bool | None = None
    interpreter: InterpreterUse | None = None
    notes: str | None = None
    phone_number: str | None = None
    """The survivor's number called or texted."""


@dataclass(frozen=True)
class UpdateSafeContact:
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
class UpdatePeople:
    """Correct or add the people on the case: each part given replaces what was there."""

    actor: Actor
    update_id: UUID
    """Names this update, so the ids it gives new people are the same when decided again."""
    survivor: GivenSurvivor | None = None
    alleged_perpetrators: tuple[GivenPerpetrator, ...] | None = None
    children: tuple[GivenChild, ...] | None = None
    caseloads: Mapping[str, int] = field(default_factory=dict)
    """Open cases per case manager, to choose a new one if the current one is now involved."""


# --- repairs, security and flags -------------------------------------------------------


@dataclass(frozen=True)
class RaiseEmergencyRepair:
    """An emergency repair (no cost to the survivor), due in the policy's hours."""

    actor: Actor
    repair_id: UUID
    kind: RepairKind
    description: str
    works_order_reference: str | None = None


@dataclass(frozen=True)
class CompleteEmergencyRepair:
    """An emergency repair was done."""

    actor: Actor
    repair_id: UUID
    notes: str | None = None


@dataclass(frozen=True)
class RequestSecurityMeasures:
    """Security work (target hardening) so the survivor can stay at home."""

    actor: Actor
    request_id: UUID
    measures: tuple[SecurityMeasure, ...]
    sanctuary_scheme: bool
    works_order_reference: str | None = None
    notes: str | None = None


@dataclass(frozen=True)
class RecordSecurityInstalled:
    """Requested security measures were fitted."""

    actor: Actor
    request_id: UUID
    measures: tuple[SecurityMeasure, ...]
    notes: str | None = None


@dataclass(frozen=True)
class RaiseFlag:
    """Flag a person on the case (who raised it is the actor)."""

    actor: Actor
    flag_id: UUID
    person_id: UUID
    kind: FlagKind
    reason: str


@dataclass(frozen=True)
class RemoveFlag:
    """Take a flag off, with the reason."""

    actor: Actor
    flag_id: UUID
    reason: str


# --- the perpetrator -------------------------------------------------------------------


@dataclass(frozen=True)
class RecordWishes:
    """What the survivor wants done about the perpetrator."""

    actor: Actor
    wishes_id: UUID
    wanted_actions: tuple[PerpetratorActionKind, ...] = ()
    unwanted_actions: tuple[PerpetratorActionKind, ...] = ()
    wants_to_stay_in_home: bool | None = None
    in_own_words: str | None = None


@dataclass(frozen=True)
class Override:
    """A manager's reason to act without, or against, the survivor's wishes."""

    reason: WishesOverrideReason
    explanation: str


@dataclass(frozen=True)
class TakePerpetratorAction:
    """An action about an alleged perpetrator, led by the survivor's wishes."""

    actor: Actor
    action_id: UUID
    perpetrator_person_id: UUID
    kind: PerpetratorActionKind
    referral_type: ReferralType | None = None
    details: str | None = None
    override: Override | None = None


# --- review, closure, reopening and restriction ----------------------------------------


@dataclass(frozen=True)
class ReviewCase:
    """A manager's supervision review of the case."""

    actor: Actor
    review_id: UUID
    outcome: ReviewOutcome
    next_review_due_at: datetime | None = None
    notes: str | None = None


@dataclass(frozen=True)
class RequestClosure:
    """Ask a manager to close the case, with the reason."""

    actor: Actor
    reason: ClosureReason
    notes: str | None = None


@dataclass(frozen=True)
class DecideClosure:
    """A manager approves or declines a closure request."""

    actor: Actor
    approve: bool
    reason: str | None = None
    """Why the closure was declined (required to decline)."""
    survivor_feedback: SurvivorFeedback | None = None


@dataclass(frozen=True)
class ReopenCase:
    """Open a closed case again."""

    actor: Actor
    reason: ReopenReason
    notes: str | None = None


@dataclass(frozen=True)
class RestrictCase:
    """Only the named staff (and the case manager) may see the case."""

    actor: Actor
    reason: RestrictionReason
    permitted_staff_ids: tuple[str, ...]


@dataclass(frozen=True)
class LiftRestriction:
    """The case is visible to the usual teams again."""

    actor: Actor
    reason: str


Command = (
    ReceiveReport
    | RecordLink
    | MeetDashDeadline
    | RecordOverdue
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
)
