"""Referrals against the perpetrator follow the survivor's wishes, as cases' actions do."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from hearth.contracts.events import cases as cases_ev
from hearth.contracts.events import referrals as ev
from hearth.contracts.events.case_values import WishesOverrideReason
from hearth.contracts.events.common import PerpetratorActionKind, ReferralType
from hearth.eventstore.errors import InvalidCommand, NotAllowed
from hearth.referrals.domain import commands as c

MONDAY = datetime(2025, 3, 10, 10, 0, tzinfo=UTC)


def _mappa(case: Any, actor: Any = None, **changes: Any) -> c.MakeReferral:
    fields: dict[str, Any] = {
        "actor": actor or case.scenario.actor,
        "referral_id": uuid.uuid4(),
        "referral_type": ReferralType.MAPPA,
        "agency_name": "Example MAPPA",
        "sharing_basis": ev.SharingBasis.LEGAL_DUTY,
        "information_shared": (ev.SharedInformation.PERPETRATOR_DETAILS,),
        "about_person_id": case.perpetrator_id,
    }
    fields.update(changes)
    return c.MakeReferral(**fields)


@pytest.fixture
def marac_case(kit: Any, case: Any, policy: Any) -> Any:
    """At the MARAC threshold, so sharing without consent is lawful: only wishes remain."""
    case.learn(kit.dash(case.case_id, policy.marac.visible_high_risk["dash-ric-24"]))
    return case


def _wishes(case: Any, wanted: tuple = (), unwanted: tuple = ()) -> None:
    case.learn(
        cases_ev.SurvivorWishesRecorded(
            case_id=case.case_id,
            wishes_id=uuid.uuid4(),
            recorded_at=MONDAY,
            wanted_actions=wanted,
            unwanted_actions=unwanted,
        )
    )


def test_without_recorded_wishes_a_mappa_referral_is_refused(marac_case: Any) -> None:
    assert marac_case.refused(_mappa(marac_case), MONDAY).code == "wishes_not_recorded"


def test_a_referral_the_survivor_wants_goes_ahead(marac_case: Any) -> None:
    _wishes(marac_case, wanted=(PerpetratorActionKind.REFERRAL,))
    [made] = marac_case.when(_mappa(marac_case), MONDAY)
    assert made.survivor_agreed is True
    assert made.wishes_override is None


def test_a_referral_the_survivor_does_not_want_is_refused(marac_case: Any) -> None:
    _wishes(marac_case, unwanted=(PerpetratorActionKind.REFERRAL,))
    assert marac_case.refused(_mappa(marac_case), MONDAY).code == "against_survivor_wishes"


def test_no_objection_is_not_agreement(marac_case: Any) -> None:
    _wishes(marac_case, wanted=(PerpetratorActionKind.TENANCY_WARNING,))
    assert marac_case.refused(_mappa(marac_case), MONDAY).code == "survivor_not_agreed"


def test_a_managers_override_with_a_reason_allows_it(marac_case: Any, actors: Any) -> None:
    _wishes(marac_case, unwanted=(PerpetratorActionKind.REFERRAL,))
    override = c.Override(reason=WishesOverrideReason.RISK_TO_OTHERS, explanation="Risk to staff.")
    [made] = marac_case.when(_mappa(marac_case, actors.manager, override=override), MONDAY)
    assert made.wishes_override is not None
    assert made.wishes_override.approved_by == actors.manager.id
    assert made.survivor_agreed is False


def test_only_a_manager_may_override(marac_case: Any) -> None:
    override = c.Override(reason=WishesOverrideReason.RISK_TO_OTHERS, explanation="Risk to staff.")
    with pytest.raises(NotAllowed):
        marac_case.when(_mappa(marac_case, override=override), MONDAY)


def test_information_to_police_about_the_perpetrator_follows_the_wishes(marac_case: Any) -> None:
    police = _mappa(marac_case, referral_type=ReferralType.POLICE, agency_name="Example Police")
    assert marac_case.refused(police, MONDAY).code == "wishes_not_recorded"
    _wishes(marac_case, wanted=(PerpetratorActionKind.INFORMATION_TO_POLICE,))
    assert marac_case.when(police, MONDAY)[0].survivor_agreed is True


def test_a_mappa_referral_is_about_an_alleged_perpetrator(marac_case: Any) -> None:
    command = _mappa(marac_case, about_person_id=marac_case.survivor_id)
    with pytest.raises(InvalidCommand) as raised:
        marac_case.when(command, MONDAY)
    assert raised.value.field == "about_person_id"
