"""Retention of enquiries no report followed up (issue 12).

An enquiry (`EnquiryRaised`: an ASB report signalling abuse, say) holds what was seen
or heard, and where, encrypted under keys whose subject is the enquiry id. When a report
follows it up (`ReportReceived.enquiry_id`) it goes with that report's case (erased with
it, see `domain.erasure`). An enquiry no report followed up is erased once the policy's
`[retention] enquiry_years_unfollowed` have passed since it was raised: `EnquiryErased`
on its stream, its keys destroyed, nothing about it left in intake's tables but ids and
times. An enquiry already followed up, or already erased, is never erased here.

The edge loads one enquiry's facts (`EnquiryRetention`, from the `enquiries` index or
built from events by `evolve`) and asks `decide`; `unfollowed_cutoff` is what the sweep's
work list is read with, each enquiry on it being decided again on its own facts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Final
from uuid import UUID

from hearth.contracts.envelope import Actor
from hearth.contracts.events.intake import EnquiryErased, EnquiryRaised, ReportReceived
from hearth.eventstore.calendar import months_before
from hearth.eventstore.decider import Decider, Recorded
from hearth.eventstore.errors import DomainError, NotFound
from hearth.intake.domain.policy import IntakePolicy

__all__ = [
    "EnquiryFollowedUp",
    "EnquiryNotDue",
    "EnquiryRetention",
    "EraseUnfollowedEnquiry",
    "UnknownEnquiryToErase",
    "decide",
    "due_enquiries",
    "enquiry_retention_decider",
    "evolve",
    "is_due",
    "key_reason",
    "unfollowed_cutoff",
]

MONTHS_PER_YEAR: Final = 12


class EnquiryNotDue(DomainError):
    """The enquiry was raised too recently for its retention period to have ended."""

    code = "enquiry_retention_not_ended"


class EnquiryFollowedUp(DomainError):
    """A report followed the enquiry up: it goes with that report's case, not on its own."""

    code = "enquiry_followed_up"


class UnknownEnquiryToErase(NotFound):
    """No enquiry with this id was raised by intake."""

    code = "unknown_enquiry"


@dataclass(frozen=True, slots=True)
class EnquiryRetention:
    """What retention reads of one enquiry: ids and times only."""

    enquiry_id: UUID | None = None
    raised_at: datetime | None = None
    """None: intake never raised it."""
    followed_up_at: datetime | None = None
    """When a report first named it (`ReportReceived.enquiry_id`)."""
    erased_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class EraseUnfollowedEnquiry:
    """Erase the enquiry at the end of its retention period (the sweep, the command)."""

    actor: Actor
    enquiry_id: UUID


def unfollowed_cutoff(now: datetime, policy: IntakePolicy) -> datetime:
    """Enquiries raised before this moment, and followed up by no report, are due at `now`."""
    return months_before(now, policy.enquiry_years_unfollowed * MONTHS_PER_YEAR)


def is_due(enquiry: EnquiryRetention, now: datetime, policy: IntakePolicy) -> bool:
    """True when the enquiry is to be erased at `now`: raised before the cutoff, followed
    up by no report, not erased already."""
    return (
        enquiry.raised_at is not None
        and enquiry.raised_at < unfollowed_cutoff(now, policy)
        and enquiry.followed_up_at is None
        and enquiry.erased_at is None
    )


def due_enquiries(
    enquiries: Iterable[EnquiryRetention], now: datetime, policy: IntakePolicy
) -> list[UUID]:
    """The ids of those of `enquiries` due for erasure at `now`, oldest first."""
    due = [e for e in enquiries if e.enquiry_id is not None and is_due(e, now, policy)]
    due.sort(key=lambda e: (e.raised_at, str(e.enquiry_id)))
    return [e.enquiry_id for e in due if e.enquiry_id is not None]


def initial_state() -> EnquiryRetention:
    """An enquiry intake never raised."""
    return EnquiryRetention()


def evolve(state: EnquiryRetention, recorded: Recorded) -> EnquiryRetention:
    """The facts after one of intake's events: raised, followed up by a report, erased."""
    event = recorded.event
    if isinstance(event, EnquiryRaised):
        return replace(state, enquiry_id=event.enquiry_id, raised_at=event.raised_at)
    if isinstance(event, ReportReceived) and event.enquiry_id is not None:
        if state.enquiry_id is None or event.enquiry_id != state.enquiry_id:
            return state
        if state.followed_up_at is not None:
            return state
        return replace(state, followed_up_at=event.received_at)
    if isinstance(event, EnquiryErased) and event.enquiry_id == state.enquiry_id:
        return replace(state, erased_at=state.erased_at or event.erased_at)
    return state


def decide(
    command: EraseUnfollowedEnquiry,
    state: EnquiryRetention,
    now: datetime,
    policy: IntakePolicy,
) -> list[EnquiryErased]:
    """`EnquiryErased` when the enquiry is due; nothing when it is erased already (the
    sweep and the command may meet it twice); refused when it is unknown, followed up or
    raised too recently."""
    if state.raised_at is None or state.enquiry_id != command.enquiry_id:
        raise UnknownEnquiryToErase("no enquiry with this id was raised by intake")
    if state.erased_at is not None:
        return []
    if state.followed_up_at is not None:
        raise EnquiryFollowedUp("a report followed this enquiry up: it goes with that case")
    if not is_due(state, now, policy):
        raise EnquiryNotDue(
            f"the enquiry is kept {policy.enquiry_years_unfollowed} years after it was raised"
        )
    return [
        EnquiryErased(
            enquiry_id=command.enquiry_id,
            erased_at=now,
            raised_at=state.raised_at,
            retention_policy=policy.name,
            retention_years=policy.enquiry_years_unfollowed,
        )
    ]


def enquiry_retention_decider(
    policy: IntakePolicy,
) -> Decider[EraseUnfollowedEnquiry, EnquiryRetention]:
    """Retention of enquiries under one landlord's policy."""

    def decide_under_policy(
        command: EraseUnfollowedEnquiry, state: EnquiryRetention, now: datetime
    ) -> list[EnquiryErased]:
        return decide(command, state, now, policy)

    return Decider(initial_state=initial_state, evolve=evolve, decide=decide_under_policy)


def key_reason(erased: EnquiryErased) -> str:
    """The key store's one line on why the enquiry's keys went: codes, never a person."""
    return (
        f"enquiry not followed up within {erased.retention_years} years: "
        f"retention: {erased.retention_policy}"
    )
