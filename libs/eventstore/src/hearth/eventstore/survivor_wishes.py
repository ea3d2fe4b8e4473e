"""Action against an alleged perpetrator follows the survivor's wishes: one rule for every
service that takes such action (cases' perpetrator actions, referrals' MAPPA, perpetrator
programme and information-to-police referrals).

"Where agreed by the survivor" (policy 7.1): the action's kind must be among the
survivor's recorded wanted actions. Otherwise (no wishes recorded, the action unwanted,
or simply not asked for) only a manager's override with a reason allows it. Pure: no
I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from hearth.contracts.envelope import Actor, Role
from hearth.contracts.events.common import PerpetratorActionKind
from hearth.eventstore.errors import DomainError, NotAllowed


@dataclass(frozen=True, slots=True)
class Wishes:
    """What the survivor wants done about the perpetrator, as recorded."""

    wanted: Collection[PerpetratorActionKind]
    unwanted: Collection[PerpetratorActionKind]


@dataclass(frozen=True, slots=True)
class WishesFollowed:
    """How an allowed action stands with the survivor's wishes."""

    survivor_agreed: bool
    """The action is among the survivor's wanted actions."""
    against_survivor_wishes: bool
    """The survivor said they do not want it (a manager overrode that)."""


def follow_survivor_wishes(
    kind: PerpetratorActionKind, wishes: Wishes | None, *, overridden: bool, actor: Actor
) -> WishesFollowed:
    """Allowed when the survivor wants this action, or a manager overrides with a reason
    (`overridden`); refused otherwise (409 with a code saying why, 403 for an override
    by anyone but a manager)."""
    agreed = wishes is not None and kind in wishes.wanted
    against = wishes is not None and kind in wishes.unwanted
    if overridden:
        if actor.role is not Role.MANAGER:
            raise NotAllowed(
                "only a manager may override the survivor's wishes", code="manager_only"
            )
    elif wishes is None:
        raise DomainError(
            "record the survivor's wishes before any action against the perpetrator, "
            "or a manager must record an override",
            code="wishes_not_recorded",
        )
    elif against:
        raise DomainError(
            "the survivor does not want this action; only a manager's override allows it",
            code="against_survivor_wishes",
        )
    elif not agreed:
        # No objection is not agreement: the survivor must want this action.
        raise DomainError(
            "the survivor has not agreed to this action: record it among the actions they "
            "want, or a manager must record an override",
            code="survivor_not_agreed",
        )
    return WishesFollowed(survivor_agreed=agreed, against_survivor_wishes=against)
