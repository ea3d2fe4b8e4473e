"""Referrals against the alleged perpetrator follow the survivor's wishes.

The same rule as cases' `PerpetratorActionTaken` (hearth.cases.domain.casework,
`take_perpetrator_action`, policy 7.1 "where agreed by the survivor"): the action's kind
must be among the survivor's recorded wanted actions; otherwise (no wishes recorded,
the action unwanted, or simply not asked for) only a manager's override with a reason
allows it. Re-stated here because cases' rule is written into its decision on its own
state, not a function another service could call; `tests/unit/test_referrals_perpetrator.py`
holds it to the same outcomes.
"""

from __future__ import annotations

from dataclasses import dataclass

from hearth.contracts.envelope import Actor
from hearth.contracts.events.case_values import WishesOverride
from hearth.contracts.events.common import PerpetratorActionKind, ReferralType
from hearth.eventstore.errors import DomainError
from hearth.referrals.domain.commands import MakeReferral, Override
from hearth.referrals.domain.guards import require_manager
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
    agreed = wishes is not None and kind in wishes.wanted_actions
    if override is not None:
        require_manager(actor, "override the survivor's wishes")
        return WishesFollowed(
            survivor_agreed=agreed,
            override=WishesOverride(
                reason=override.reason, explanation=override.explanation, approved_by=actor.id
            ),
        )
    if wishes is None:
        raise DomainError(
            "record the survivor's wishes before any action against the perpetrator, "
            "or a manager must record an override",
            code="wishes_not_recorded",
        )
    if kind in wishes.unwanted_actions:
        raise DomainError(
            "the survivor does not want this action; only a manager's override allows it",
            code="against_survivor_wishes",
        )
    if not agreed:
        raise DomainError(
            "the survivor has not agreed to this action: record it among the actions they "
            "want, or a manager must record an override",
            code="survivor_not_agreed",
        )
    return WishesFollowed(survivor_agreed=True, override=None)
