"""Consent to referrals below the MARAC threshold, and safeguarding without it."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from hearth.contracts.events import referrals as ev
from hearth.contracts.events.common import ReferralType
from hearth.eventstore.errors import InvalidCommand
from hearth.referrals.domain import commands as c
from hearth.referrals.domain.consent import ConsentRefused

MONDAY = datetime(2025, 3, 10, 10, 0, tzinfo=UTC)
POLICE = "Example Constabulary"


def _police(actor: Any, **changes: Any) -> c.MakeReferral:
    fields: dict[str, Any] = {
        "actor": actor,
        "referral_id": uuid.uuid4(),
        "referral_type": ReferralType.POLICE,
        "agency_name": POLICE,
        "sharing_basis": ev.SharingBasis.CONSENT,
        "information_shared": (ev.SharedInformation.ACCOUNT_OF_ABUSE,),
    }
    fields.update(changes)
    return c.MakeReferral(**fields)


def _consent(case: Any, **changes: Any) -> ev.ConsentRecorded:
    fields: dict[str, Any] = {
        "actor": case.scenario.actor,
        "consent_id": uuid.uuid4(),
        "given": True,
        "scope": (ReferralType.POLICE,),
        "method": ev.ConsentMethod.VERBAL,
    }
    fields.update(changes)
    [recorded] = case.apply(c.RecordConsent(**fields), MONDAY)
    return recorded


def test_without_consent_a_police_referral_is_refused_and_nothing_decided(case: Any) -> None:
    refusal = case.refused(_police(case.scenario.actor), MONDAY)

    assert isinstance(refusal, ConsentRefused)
    assert refusal.code == "consent_required"


def test_with_consent_the_referral_rests_on_it(case: Any) -> None:
    consent = _consent(case)

    [made] = case.when(_police(case.scenario.actor), MONDAY)

    assert isinstance(made, ev.ReferralMade)
    assert made.consent_id == consent.consent_id


def test_a_refusal_refuses_the_referral(case: Any) -> None:
    _consent(case, given=False)
    assert case.refused(_police(case.scenario.actor), MONDAY).code == "consent_refused"


def test_an_expired_consent_refuses_the_referral(case: Any) -> None:
    _consent(case, expires_on=date(2025, 3, 31))
    assert case.when(_police(case.scenario.actor), datetime(2025, 3, 31, 22, 0, tzinfo=UTC))

    refusal = case.refused(_police(case.scenario.actor), datetime(2025, 4, 1, 9, 0, tzinfo=UTC))
    assert refusal.code == "consent_expired"


def test_a_withdrawn_consent_stops_future_referrals_and_open_ones_show_it(case: Any) -> None:
    consent = _consent(case, scope=(ReferralType.POLICE, ReferralType.IDVA))
    [made] = case.apply(_police(case.scenario.actor), MONDAY)
    case.apply(
        c.WithdrawConsent(
            actor=case.scenario.actor, consent_id=consent.consent_id, scope=(ReferralType.POLICE,)
        ),
        MONDAY + timedelta(days=1),
    )

    refusal = case.refused(_police(case.scenario.actor), MONDAY + timedelta(days=2))
    assert refusal.code == "consent_withdrawn"
    from hearth.referrals.domain.consent import withdrawn_for_referral

    assert withdrawn_for_referral(case.state, made)
    # The rest of the consent stands.
    idva = _police(case.scenario.actor, referral_type=ReferralType.IDVA, agency_name="Example IDVA")
    assert case.when(idva, MONDAY + timedelta(days=2))


def test_a_consent_naming_recipients_covers_only_them(case: Any) -> None:
    _consent(case, recipients=("Another Constabulary",))
    assert case.refused(_police(case.scenario.actor), MONDAY).code == "consent_required"


def test_safeguarding_goes_ahead_without_consent_recording_reason_and_approver(case: Any) -> None:
    command = _police(
        case.scenario.actor,
        referral_type=ReferralType.SAFEGUARDING_CHILDREN,
        agency_name="Example Children's Services",
        sharing_basis=ev.SharingBasis.SAFEGUARDING_CHILD,
        safeguarding_reason="The child witnessed an assault.",
        approved_by="dalead-0001",
    )

    [made] = case.when(command, MONDAY)

    assert made.consent_id is None
    assert made.safeguarding_reason == "The child witnessed an assault."
    assert made.approved_by == "dalead-0001"


def test_safeguarding_without_an_approver_is_refused(case: Any) -> None:
    command = _police(
        case.scenario.actor,
        referral_type=ReferralType.SAFEGUARDING_ADULTS,
        sharing_basis=ev.SharingBasis.SAFEGUARDING_ADULT,
        safeguarding_reason="An adult at risk.",
    )
    with pytest.raises(InvalidCommand) as raised:
        case.when(command, MONDAY)
    assert raised.value.field == "approved_by"


def test_below_the_threshold_an_agreement_is_no_substitute_for_consent(case: Any) -> None:
    command = _police(
        case.scenario.actor, sharing_basis=ev.SharingBasis.INFORMATION_SHARING_AGREEMENT
    )
    assert case.refused(command, MONDAY).code == "consent_required"


def test_at_the_marac_threshold_an_agreement_allows_sharing(
    kit: Any, case: Any, policy: Any
) -> None:
    case.learn(kit.dash(case.case_id, policy.marac.visible_high_risk["dash-ric-24"]))
    command = _police(
        case.scenario.actor, sharing_basis=ev.SharingBasis.INFORMATION_SHARING_AGREEMENT
    )
    [made] = case.when(command, MONDAY)
    assert made.sharing_basis is ev.SharingBasis.INFORMATION_SHARING_AGREEMENT
