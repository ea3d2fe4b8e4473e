"""The MARAC criteria at their boundaries, and the referral due decided from them."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from hearth.contracts.events import referrals as ev
from hearth.contracts.events.common import MaracCriterion, RiskLevel
from hearth.contracts.events.risk import ProfessionalJudgement
from hearth.referrals.domain.commands import Reassess, RecordIncident
from hearth.referrals.domain.policy import Policy

MONDAY = datetime(2025, 3, 10, 10, 0, tzinfo=UTC)
THRESHOLD_SET = "dash-ric-24"


def _threshold(policy: Policy) -> int:
    return policy.marac.visible_high_risk[THRESHOLD_SET]


def _due(events: list) -> list[ev.MaracReferralDue]:
    return [e for e in events if isinstance(e, ev.MaracReferralDue)]


def _referred(case: Any, at: datetime = MONDAY) -> ev.MaracReferred:
    return ev.MaracReferred(
        case_id=case.case_id,
        referral_id=uuid.uuid4(),
        referred_at=at,
        marac_area="Example MARAC",
        criteria=(MaracCriterion.VISIBLE_HIGH_RISK,),
        survivor_informed=True,
        information_shared=(ev.SharedInformation.RISK_ASSESSMENT,),
    )


# --- visible high risk -------------------------------------------------------------------


def test_a_dash_at_the_threshold_makes_a_marac_referral_due(
    kit: SimpleNamespace, case: Any, policy: Policy
) -> None:
    assessment = kit.dash(case.case_id, _threshold(policy))
    case.learn(assessment)

    events = case.when(Reassess(actor=case.scenario.actor), MONDAY)

    assert events == [
        ev.MaracReferralDue(
            case_id=case.case_id,
            criteria=(MaracCriterion.VISIBLE_HIGH_RISK,),
            decided_at=MONDAY,
            assessment_id=assessment.assessment_id,
            incidents_in_last_12_months=1,
        )
    ]


def test_one_below_the_threshold_is_not_visible_high_risk(
    kit: SimpleNamespace, case: Any, policy: Policy
) -> None:
    case.learn(kit.dash(case.case_id, _threshold(policy) - 1))

    assert case.when(Reassess(actor=case.scenario.actor), MONDAY) == []


def test_the_threshold_comes_from_the_policy(kit: SimpleNamespace, policy: Policy) -> None:
    stricter = policy.model_copy(
        update={
            "marac": policy.marac.model_copy(
                update={"visible_high_risk": {THRESHOLD_SET: _threshold(policy) + 3}}
            )
        }
    )
    case = kit.Case(stricter).opened()
    case.learn(kit.dash(case.case_id, _threshold(policy)))
    assert case.when(Reassess(actor=case.scenario.actor), MONDAY) == []

    case.learn(kit.dash(case.case_id, _threshold(policy) + 3, MONDAY + timedelta(hours=1)))
    events = case.when(Reassess(actor=case.scenario.actor), MONDAY + timedelta(hours=1))
    assert [e.criteria for e in _due(events)] == [(MaracCriterion.VISIBLE_HIGH_RISK,)]


def test_another_instrument_uses_the_threshold_risk_published(
    kit: SimpleNamespace, policy: Policy
) -> None:
    case = kit.Case(policy).opened()
    case.learn(
        kit.dash(case.case_id, 20, question_set_id="police-dash-27"), visible_high_risk_at=21
    )
    assert case.when(Reassess(actor=case.scenario.actor), MONDAY) == []

    case.learn(
        kit.dash(case.case_id, 21, MONDAY + timedelta(hours=1), question_set_id="police-dash-27"),
        visible_high_risk_at=21,
    )
    events = case.when(Reassess(actor=case.scenario.actor), MONDAY + timedelta(hours=1))
    assert _due(events)[0].criteria == (MaracCriterion.VISIBLE_HIGH_RISK,)


def test_without_any_threshold_risks_own_criteria_stand(
    kit: SimpleNamespace, policy: Policy
) -> None:
    case = kit.Case(policy).opened()
    case.learn(
        kit.dash(
            case.case_id,
            3,
            question_set_id="young-people-ric",
            criteria=(MaracCriterion.VISIBLE_HIGH_RISK,),
        )
    )
    events = case.when(Reassess(actor=case.scenario.actor), MONDAY)
    assert _due(events)[0].criteria == (MaracCriterion.VISIBLE_HIGH_RISK,)


def test_professional_judgement_raising_the_level_to_high_is_a_criterion(
    kit: SimpleNamespace, case: Any
) -> None:
    judgement = ProfessionalJudgement(raised_to=RiskLevel.HIGH, reason="Strangulation last week.")
    case.learn(kit.dash(case.case_id, 5, judgement=judgement))

    events = case.when(Reassess(actor=case.scenario.actor), MONDAY)

    assert _due(events)[0].criteria == (MaracCriterion.PROFESSIONAL_JUDGEMENT,)


# --- potential escalation ------------------------------------------------------------------


def test_two_incidents_in_twelve_months_are_not_potential_escalation(
    kit: SimpleNamespace, case: Any
) -> None:
    case.learn(kit.report_added(case.case_id, MONDAY + timedelta(days=30)))

    assert case.when(Reassess(actor=case.scenario.actor), MONDAY + timedelta(days=31)) == []


def test_three_incidents_in_twelve_months_are_potential_escalation(
    kit: SimpleNamespace, case: Any
) -> None:
    case.learn(kit.report_added(case.case_id, MONDAY + timedelta(days=30)))
    later = MONDAY + timedelta(days=60)

    # The third is known from another agency, not a report to the landlord: it counts.
    events = case.when(
        RecordIncident(
            actor=case.scenario.actor,
            incident_id=uuid.uuid4(),
            occurred_on=later.date(),
            source=ev.IncidentSource.OTHER_AGENCY,
        ),
        later,
    )

    assert isinstance(events[0], ev.IncidentRecorded)
    assert _due(events)[0].criteria == (MaracCriterion.POTENTIAL_ESCALATION,)
    assert _due(events)[0].incidents_in_last_12_months == 3


def test_an_incident_older_than_the_window_does_not_count(kit: SimpleNamespace, case: Any) -> None:
    # Opened MONDAY; thirteen months later two more incidents: two in the window.
    later = MONDAY + timedelta(days=400)
    case.learn(kit.report_added(case.case_id, later - timedelta(days=1)))
    case.learn(kit.report_added(case.case_id, later))

    assert case.when(Reassess(actor=case.scenario.actor), later) == []


def test_the_escalation_figure_comes_from_the_policy(kit: SimpleNamespace, policy: Policy) -> None:
    five = policy.model_copy(
        update={"marac": policy.marac.model_copy(update={"escalation_incidents": 5})}
    )
    case = kit.Case(five).opened()
    for days in (10, 20, 30):
        case.learn(kit.report_added(case.case_id, MONDAY + timedelta(days=days)))
    assert case.when(Reassess(actor=case.scenario.actor), MONDAY + timedelta(days=31)) == []

    case.learn(kit.report_added(case.case_id, MONDAY + timedelta(days=40)))
    events = case.when(Reassess(actor=case.scenario.actor), MONDAY + timedelta(days=41))
    assert _due(events)[0].criteria == (MaracCriterion.POTENTIAL_ESCALATION,)


# --- repeat ----------------------------------------------------------------------------------


def test_a_new_incident_364_days_after_the_last_referral_is_a_repeat(
    kit: SimpleNamespace, case: Any
) -> None:
    referred = _referred(case)
    case.given(
        referred,
        ev.MaracHeard(
            case_id=case.case_id, referral_id=referred.referral_id, heard_on=date(2025, 3, 20)
        ),
    )
    later = MONDAY + timedelta(days=364)
    case.learn(kit.report_added(case.case_id, later))

    events = case.when(Reassess(actor=case.scenario.actor), later)

    assert _due(events)[0].criteria == (MaracCriterion.REPEAT,)
    assert _due(events)[0].previous_marac_referral_id == referred.referral_id


def test_a_new_incident_366_days_after_the_last_referral_is_a_new_referral(
    kit: SimpleNamespace, case: Any
) -> None:
    referred = _referred(case)
    case.given(
        referred,
        ev.MaracHeard(
            case_id=case.case_id, referral_id=referred.referral_id, heard_on=date(2025, 3, 20)
        ),
    )
    later = MONDAY + timedelta(days=366)
    case.learn(kit.report_added(case.case_id, later))

    assert case.when(Reassess(actor=case.scenario.actor), later) == []


def test_a_repeat_case_counts_the_earlier_cases_referral(kit: SimpleNamespace, case: Any) -> None:
    from hearth.referrals.domain.criteria import EarlierReferral

    earlier = EarlierReferral(uuid.uuid4(), MONDAY - timedelta(days=100))
    events = case.when(Reassess(actor=case.scenario.actor, earlier_case_referral=earlier), MONDAY)

    assert _due(events)[0].criteria == (MaracCriterion.REPEAT,)
    assert _due(events)[0].previous_marac_referral_id == earlier.referral_id


# --- the due, once -----------------------------------------------------------------------------


def test_the_due_is_not_repeated_for_the_same_criteria(
    kit: SimpleNamespace, case: Any, policy: Policy
) -> None:
    case.learn(kit.dash(case.case_id, _threshold(policy)))
    case.apply(Reassess(actor=case.scenario.actor), MONDAY)

    assert case.when(Reassess(actor=case.scenario.actor), MONDAY + timedelta(hours=1)) == []


def test_a_new_criterion_makes_a_new_due(kit: SimpleNamespace, case: Any, policy: Policy) -> None:
    case.learn(kit.dash(case.case_id, _threshold(policy)))
    case.apply(Reassess(actor=case.scenario.actor), MONDAY)
    for days in (1, 2):
        case.learn(kit.report_added(case.case_id, MONDAY + timedelta(days=days)))

    events = case.when(Reassess(actor=case.scenario.actor), MONDAY + timedelta(days=2))

    assert _due(events)[0].criteria == (
        MaracCriterion.VISIBLE_HIGH_RISK,
        MaracCriterion.POTENTIAL_ESCALATION,
    )


def test_no_due_while_a_referral_waits_to_be_heard(
    kit: SimpleNamespace, case: Any, policy: Policy
) -> None:
    case.given(_referred(case))
    later = MONDAY + timedelta(days=5)
    case.learn(kit.dash(case.case_id, _threshold(policy), later))

    assert case.when(Reassess(actor=case.scenario.actor), later) == []


def test_what_was_referred_is_not_due_again(
    kit: SimpleNamespace, case: Any, policy: Policy
) -> None:
    case.learn(kit.dash(case.case_id, _threshold(policy)))
    referred = _referred(case, MONDAY + timedelta(hours=1))
    case.given(
        referred,
        ev.MaracHeard(
            case_id=case.case_id, referral_id=referred.referral_id, heard_on=date(2025, 3, 20)
        ),
    )

    assert case.when(Reassess(actor=case.scenario.actor), MONDAY + timedelta(days=10)) == []
