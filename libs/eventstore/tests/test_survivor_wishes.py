"""The survivor's wishes about action against the perpetrator: one rule, every outcome."""

from __future__ import annotations

import pytest

from hearth.contracts.envelope import Actor, Role
from hearth.contracts.events.common import PerpetratorActionKind
from hearth.eventstore.errors import DomainError, NotAllowed
from hearth.eventstore.survivor_wishes import Wishes, WishesFollowed, follow_survivor_wishes

REFERRAL = PerpetratorActionKind.REFERRAL
CM = Actor(id="cso-0001", role=Role.CASE_MANAGER)
MANAGER = Actor(id="dalead-0001", role=Role.MANAGER)


@pytest.mark.parametrize(
    ("wishes", "code"),
    [
        (None, "wishes_not_recorded"),
        (Wishes(wanted=(), unwanted=(REFERRAL,)), "against_survivor_wishes"),
        (Wishes(wanted=(PerpetratorActionKind.INJUNCTION,), unwanted=()), "survivor_not_agreed"),
    ],
)
def test_without_the_survivors_agreement_it_is_refused(wishes: Wishes | None, code: str) -> None:
    with pytest.raises(DomainError) as raised:
        follow_survivor_wishes(REFERRAL, wishes, overridden=False, actor=CM)
    assert raised.value.code == code


def test_what_the_survivor_wants_goes_ahead() -> None:
    wishes = Wishes(wanted=(REFERRAL,), unwanted=())
    assert follow_survivor_wishes(REFERRAL, wishes, overridden=False, actor=CM) == WishesFollowed(
        survivor_agreed=True, against_survivor_wishes=False
    )


def test_a_managers_override_allows_it_and_says_it_went_against_the_wishes() -> None:
    wishes = Wishes(wanted=(), unwanted=(REFERRAL,))
    followed = follow_survivor_wishes(REFERRAL, wishes, overridden=True, actor=MANAGER)
    assert followed == WishesFollowed(survivor_agreed=False, against_survivor_wishes=True)


def test_only_a_manager_overrides() -> None:
    with pytest.raises(NotAllowed):
        follow_survivor_wishes(REFERRAL, None, overridden=True, actor=CM)
