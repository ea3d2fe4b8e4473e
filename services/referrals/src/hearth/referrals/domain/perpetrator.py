"""Referrals against the alleged perpetrator follow the survivor's wishes.

The same rule as cases' `PerpetratorActionTaken`, shared rather than copied:
`hearth.eventstore.survivor_wishes.follow_survivor_wishes` (policy 7.1 "where agreed by
the survivor": the action's kind must be among the survivor's recorded wanted actions;
otherwise only a manager's override with a reason allows it). This module says which
referrals are actions against the perpetrator, and records the override.
"""

from __future__ import annotations

from dataclasses import dataclass

from hearth.contracts.envelope import Actor
from hearth.contracts.events.case_values import WishesOverride
from hearth.contracts.events.common import PerpetratorActionKind, ReferralType
from hearth.eventstore.survivor_wishes import Wishes, follow_survivor_wishes
from hearth.referrals.domain.commands import MakeReferral, Override
from hearth.referrals.domain.known import KnownCase, KnownWishes


@dataclass(frozen=True, slots=True)
class WishesFollowed:
    """How a referral against the perpetrator stands with the survivor's wishes."""

    survivor_agreed: bool
    override: WishesOverride | None


def action_kind(command: MakeReferral, known: KnownCase) -> PerpetratorActionKind | None:
    """The action against the perpetrator a referral is, if it is one: MAPPA and a
    perpetrator programme are referrals of the perpetrator; a police referral about an
    alleged perpetrator is information to the police."""
    if command.referral_type in (ReferralType.MAPPA, ReferralType.DAPP):
        return PerpetratorActionKind.REFERRAL
    about = command.about_person_id
    if command.referral_type is ReferralType.POLICE and about and known.is_perpetrator(about):
        return PerpetratorActionKind.INFORMATION_TO_POLICE
    return None


def follow_wishes(
    kind: PerpetratorActionKind,
    wishes: KnownWishes | None,
    override: Override | None,
    actor: Actor,
) -> WishesFollowed:
    """Allowed when the survivor wants this action, or a manager overrides with a reason."""
    recorded = (
        Wishes(wanted=wishes.wanted_actions, unwanted=wishes.unwanted_actions) if wishes else None
    )
    followed = follow_survivor_wishes(kind, recorded, overridden=override is not None, actor=actor)
    return WishesFollowed(
        survivor_agreed=followed.survivor_agreed,
        override=(
            WishesOverride(
                reason=override.reason, explanation=override.explanation, approved_by=actor.id
            )
            if override is not None
            else None
        ),
    )
