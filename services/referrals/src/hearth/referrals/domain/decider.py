"""The referrals decider: `decide(command, state, now, policy)` and `referrals_decider`.

A case's referrals are one event stream (`referrals-<case_id>`). `decide` returns the
events a command causes, or raises a DomainError (409), InvalidCommand (422), NotFound
(404) or NotAllowed (403) and causes nothing. Time and what is known of the case from
cases and risk are passed in.

On an erased case (cases' `CaseErased`) nothing more is decided: what Hearth itself asks
(criteria decided again, an action recorded overdue, a read noted) causes nothing, and
every staff command is refused with 409 `case_erased`, as cases refuses it.
"""

from __future__ import annotations

from datetime import datetime

from hearth.contracts.envelope import Actor
from hearth.contracts.events import referrals as ev
from hearth.contracts.events.case_values import RestrictedView
from hearth.eventstore.case_access import CaseWasErased
from hearth.eventstore.decider import Decider
from hearth.referrals.domain import agencies, consent, marac
from hearth.referrals.domain import commands as c
from hearth.referrals.domain.known import KnownCase
from hearth.referrals.domain.policy import Policy
from hearth.referrals.domain.state import ReferralsState, evolve

__all__ = ["decide", "initial_state", "referrals_decider"]


def initial_state() -> ReferralsState:
    return ReferralsState()


def referrals_decider(policy: Policy) -> Decider[c.Command, ReferralsState]:
    """The referrals decider under one landlord's policy."""

    def decide_under_policy(
        command: c.Command, state: ReferralsState, now: datetime
    ) -> list[ev.ReferralsEvent]:
        return decide(command, state, now, policy)

    return Decider(initial_state=initial_state, evolve=evolve, decide=decide_under_policy)


def decide(
    command: c.Command, state: ReferralsState, now: datetime, policy: Policy
) -> list[ev.ReferralsEvent]:
    command.check()
    if command.known.erased:
        return after_erasure(command)
    match command:
        case c.Reassess():
            return marac.reassess(command, state, now, policy)
        case c.RecordIncident():
            return marac.record_incident(command, state, now, policy)
        case c.ReferToMarac():
            return marac.refer(command, state, now, policy)
        case c.ListForMeeting():
            return marac.list_for_meeting(command, state, now, policy)
        case c.RecordHearing():
            return marac.record_hearing(command, state, now, policy)
        case c.CompleteAction():
            return marac.complete_action(command, state, now)
        case c.RecordActionOverdue():
            return marac.record_action_overdue(command, state, now, policy)
        case _:
            return _decide_others(command, state, now, policy)


_NOTHING_AFTER_ERASURE = (c.Reassess, c.RecordActionOverdue, c.RecordRead)
"""Hearth's own commands: on an erased case there is nothing to decide, nor to refuse."""


def after_erasure(command: c.Command) -> list[ev.ReferralsEvent]:
    """What a command decides on an erased case: nothing for Hearth's own (no MARAC
    criteria, no `MaracActionOverdue`), 409 `case_erased` for every staff command."""
    if isinstance(command, _NOTHING_AFTER_ERASURE):
        return []
    raise CaseWasErased()


def _decide_others(
    command: c.Command, state: ReferralsState, now: datetime, policy: Policy
) -> list[ev.ReferralsEvent]:
    match command:
        case c.MakeReferral():
            return agencies.make(command, state, now, policy)
        case c.AcceptReferral():
            return agencies.accept(command, state, now)
        case c.DeclineReferral():
            return agencies.decline(command, state, now)
        case c.CloseReferral():
            return agencies.close(command, state, now)
        case c.RecordConsent():
            return consent.record(command, state, now, policy)
        case c.WithdrawConsent():
            return consent.withdraw(command, state, now)
        case c.RecordRead():
            return _record_read(command, now)
    raise TypeError(f"unknown command {type(command).__name__}")


def _record_read(command: c.RecordRead, now: datetime) -> list[ev.ReferralsEvent]:
    known = command.known
    if known.case_id is None or not known.access.read_is_recorded(command.actor):
        return []
    return [
        ev.RestrictedReferralRecordRead(
            case_id=known.case_id,
            read_at=now,
            staff_id=command.actor.id,
            view=command.view,
            access_granted=command.granted,
        )
    ]


def staff_read(
    known: KnownCase, actor: Actor, view: RestrictedView, now: datetime
) -> ev.ReferralRecordRead | None:
    """The record of a granted read to keep on the case's reads stream, or None when this
    read is recorded on the referrals' own stream (`_record_read`: a restricted case) or
    is not a member of staff's. The actor must be allowed to see the case."""
    if known.case_id is None or not known.access.visibility.read_is_recorded_apart(actor):
        return None
    return ev.ReferralRecordRead(case_id=known.case_id, read_at=now, staff_id=actor.id, view=view)
