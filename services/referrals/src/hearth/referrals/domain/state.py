"""A case's referrals stream (`referrals-<case_id>`): its state and `evolve`.

MARAC referrals with their lifecycle (referred, listed, heard, actions completed or
overdue), the outstanding MARAC referral due, other referrals, consents and the
incidents referrals recorded itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from hearth.contracts.envelope import Envelope
from hearth.contracts.events import referrals as ev
from hearth.contracts.events.common import ReferralType
from hearth.eventstore.decider import Recorded, recorded


def stream_id(case_id: UUID) -> str:
    return f"referrals-{case_id}"


class MaracStatus(StrEnum):
    REFERRED = "referred"
    LISTED = "listed"
    HEARD = "heard"
    """Heard; its actions may still be open (and are listed for the next meeting)."""
    COMPLETED = "completed"
    """Heard and every action completed."""


@dataclass(frozen=True, slots=True)
class ActionState:
    action: ev.MaracAction
    referral_id: UUID
    completed_at: datetime | None = None
    overdue_at: datetime | None = None
    """When the scheduler recorded it overdue."""

    @property
    def is_open(self) -> bool:
        return self.completed_at is None


@dataclass(frozen=True, slots=True)
class MaracState:
    referred: ev.MaracReferred
    meeting_dates: tuple[date, ...] = ()
    heard_on: tuple[date, ...] = ()
    actions: dict[UUID, ActionState] = field(default_factory=dict)
    listed_since_heard: bool = False

    @property
    def referral_id(self) -> UUID:
        return self.referred.referral_id

    @property
    def open_actions(self) -> list[ActionState]:
        return [a for a in self.actions.values() if a.is_open]

    @property
    def status(self) -> MaracStatus:
        if not self.heard_on:
            return MaracStatus.LISTED if self.meeting_dates else MaracStatus.REFERRED
        if self.open_actions:
            return MaracStatus.HEARD
        return MaracStatus.COMPLETED

    @property
    def awaiting_hearing(self) -> bool:
        """Referred and not yet heard: the referral is open."""
        return not self.heard_on


class ReferralStatus(StrEnum):
    MADE = "made"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class OtherReferral:
    made: ev.ReferralMade
    status: ReferralStatus = ReferralStatus.MADE
    agency_reference: str | None = None
    declined: ev.ReferralDeclined | None = None
    closed: ev.ReferralClosed | None = None

    @property
    def is_open(self) -> bool:
        return self.status in (ReferralStatus.MADE, ReferralStatus.ACCEPTED)


@dataclass(frozen=True, slots=True)
class ConsentState:
    recorded: ev.ConsentRecorded
    withdrawn: frozenset[ReferralType] = frozenset()
    withdrawn_at: datetime | None = None

    def covers(self, referral_type: ReferralType) -> bool:
        return referral_type in self.recorded.scope

    def withdrawn_for(self, referral_type: ReferralType) -> bool:
        return referral_type in self.withdrawn


@dataclass(frozen=True, slots=True)
class ReferralsState:
    case_id: UUID | None = None
    version: int = 0
    incidents: tuple[ev.IncidentRecorded, ...] = ()
    due: ev.MaracReferralDue | None = None
    """The MARAC referral due and not yet made."""
    marac: dict[UUID, MaracState] = field(default_factory=dict)
    referrals: dict[UUID, OtherReferral] = field(default_factory=dict)
    consents: dict[UUID, ConsentState] = field(default_factory=dict)

    @property
    def last_marac(self) -> MaracState | None:
        return max(self.marac.values(), key=lambda m: m.referred.referred_at, default=None)

    @property
    def open_marac(self) -> MaracState | None:
        return next((m for m in self.marac.values() if m.awaiting_hearing), None)


def evolve(state: ReferralsState, one: Recorded) -> ReferralsState:
    event = one.event
    if not isinstance(event, ev.ReferralsEvent):
        return state
    state = replace(state, case_id=event.case_id, version=one.version)
    match event:
        case ev.IncidentRecorded():
            return replace(state, incidents=(*state.incidents, event))
        case ev.MaracReferralDue():
            return replace(state, due=event)
        case ev.MaracReferred():
            marac = {**state.marac, event.referral_id: MaracState(referred=event)}
            return replace(state, due=None, marac=marac)
        case ev.MaracListed():
            return _marac(
                state,
                event.referral_id,
                lambda m: replace(
                    m, meeting_dates=(*m.meeting_dates, event.meeting_date), listed_since_heard=True
                ),
            )
        case ev.MaracHeard():
            return _marac(state, event.referral_id, lambda m: _heard(m, event))
        case ev.MaracActionCompleted():
            return _action(
                state, event.referral_id, event.action_id, completed_at=event.completed_at
            )
        case ev.MaracActionOverdue():
            return _action(state, event.referral_id, event.action_id, overdue_at=event.detected_at)
        case _:
            return _evolve_others(state, event)


def _evolve_others(state: ReferralsState, event: ev.ReferralsEvent) -> ReferralsState:
    match event:
        case ev.ReferralMade():
            return replace(
                state, referrals={**state.referrals, event.referral_id: OtherReferral(event)}
            )
        case ev.ReferralAccepted():
            return _referral(
                state,
                event.referral_id,
                status=ReferralStatus.ACCEPTED,
                agency_reference=event.agency_reference,
            )
        case ev.ReferralDeclined():
            return _referral(
                state, event.referral_id, status=ReferralStatus.DECLINED, declined=event
            )
        case ev.ReferralClosed():
            return _referral(state, event.referral_id, status=ReferralStatus.CLOSED, closed=event)
        case ev.ConsentRecorded():
            return replace(
                state, consents={**state.consents, event.consent_id: ConsentState(event)}
            )
        case ev.ConsentWithdrawn():
            consent = state.consents.get(event.consent_id)
            if consent is None:
                return state
            scope = frozenset(event.scope or consent.recorded.scope)
            withdrawn = replace(
                consent, withdrawn=consent.withdrawn | scope, withdrawn_at=event.withdrawn_at
            )
            return replace(state, consents={**state.consents, event.consent_id: withdrawn})
    return state


def _heard(marac: MaracState, event: ev.MaracHeard) -> MaracState:
    actions = dict(marac.actions)
    for action in event.actions:
        actions[action.action_id] = ActionState(action=action, referral_id=event.referral_id)
    return replace(
        marac, heard_on=(*marac.heard_on, event.heard_on), actions=actions, listed_since_heard=False
    )


def _marac(
    state: ReferralsState, referral_id: UUID, change: Callable[[MaracState], MaracState]
) -> ReferralsState:
    marac = state.marac.get(referral_id)
    if marac is None:
        return state
    return replace(state, marac={**state.marac, referral_id: change(marac)})


def _action(
    state: ReferralsState, referral_id: UUID, action_id: UUID, **changes: object
) -> ReferralsState:
    marac = state.marac.get(referral_id)
    if marac is None or action_id not in marac.actions:
        return state
    action = replace(marac.actions[action_id], **changes)  # type: ignore[arg-type]
    updated = replace(marac, actions={**marac.actions, action_id: action})
    return replace(state, marac={**state.marac, referral_id: updated})


def _referral(state: ReferralsState, referral_id: UUID, **changes: object) -> ReferralsState:
    referral = state.referrals.get(referral_id)
    if referral is None:
        return state
    updated = replace(referral, **changes)  # type: ignore[arg-type]
    return replace(state, referrals={**state.referrals, referral_id: updated})


def fold(history: Iterable[Recorded], state: ReferralsState | None = None) -> ReferralsState:
    current = state or ReferralsState()
    for one in history:
        current = evolve(current, one)
    return current


def fold_envelopes(history: Iterable[Envelope]) -> ReferralsState:
    return fold(recorded(e) for e in history)
