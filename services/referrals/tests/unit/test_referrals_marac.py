"""A MARAC referral filled from what is known, and its lifecycle to completion."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from hearth.contracts.envelope import Actor, Role
from hearth.contracts.events import cases as cases_ev
from hearth.contracts.events import referrals as ev
from hearth.contracts.events.case_values import ClosureReason, ReopenReason
from hearth.contracts.events.common import MaracCriterion
from hearth.eventstore.errors import DomainError, InvalidCommand, NotFound
from hearth.referrals.domain import commands as c
from hearth.referrals.domain.known import TRIGGERS
from hearth.referrals.domain.policy import Policy

MONDAY = datetime(2025, 3, 10, 10, 0, tzinfo=UTC)
MEETING = date(2025, 3, 20)
SYSTEM = Actor(id="hearth.referrals", role=Role.SYSTEM)


def _refer(actor: Any, **changes: Any) -> c.ReferToMarac:
    fields: dict[str, Any] = {
        "actor": actor,
        "referral_id": uuid.uuid4(),
        "marac_area": "Example District MARAC",
        "survivor_informed": True,
    }
    fields.update(changes)
    return c.ReferToMarac(**fields)


@pytest.fixture
def high_risk(kit: SimpleNamespace, case: Any, policy: Policy) -> Any:
    case.learn(kit.dash(case.case_id, policy.marac.visible_high_risk["dash-ric-24"]))
    return case


def _heard(case: Any, actions: tuple[c.AgreedAction, ...]) -> ev.MaracReferred:
    referred = case.apply(_refer(case.scenario.actor), MONDAY)[0]
    case.apply(
        c.ListForMeeting(
            actor=case.scenario.actor, referral_id=referred.referral_id, meeting_date=MEETING
        ),
        MONDAY,
    )
    case.apply(
        c.RecordHearing(
            actor=case.scenario.actor,
            referral_id=referred.referral_id,
            heard_on=MEETING,
            actions=actions,
        ),
        datetime(2025, 3, 20, 15, 0, tzinfo=UTC),
    )
    return referred


def _action(due_on: date) -> c.AgreedAction:
    return c.AgreedAction(
        action_id=uuid.uuid4(),
        description="Fit a fire-safe letterbox.",
        owner_agency="Example Homes",
        landlord_action=True,
        owner_staff_id="cso-0001",
        due_on=due_on,
    )


def test_the_referral_is_filled_from_what_is_known(high_risk: Any) -> None:
    command = _refer(high_risk.scenario.actor)

    [referred] = high_risk.when(command, MONDAY)

    assert isinstance(referred, ev.MaracReferred)
    assert referred.criteria == (MaracCriterion.VISIBLE_HIGH_RISK,)
    assert referred.assessment_id == high_risk.known.assessment.assessment_id
    assert referred.incidents_in_last_12_months == 1
    assert set(referred.information_shared) >= {
        ev.SharedInformation.RISK_ASSESSMENT,
        ev.SharedInformation.CHILDREN_DETAILS,
    }


def test_no_criterion_met_is_refused(case: Any) -> None:
    refusal = case.refused(_refer(case.scenario.actor), MONDAY)
    assert refusal.code == "no_marac_criteria"


def test_professional_judgement_with_a_reason_refers_all_the_same(case: Any) -> None:
    command = _refer(case.scenario.actor, professional_judgement_reason="Threats to kill.")

    [referred] = case.when(command, MONDAY)

    assert referred.criteria == (MaracCriterion.PROFESSIONAL_JUDGEMENT,)
    assert "Threats to kill." in referred.risk_summary


def test_a_survivor_not_told_needs_a_reason(high_risk: Any) -> None:
    command = _refer(high_risk.scenario.actor, survivor_informed=False)
    with pytest.raises(InvalidCommand) as raised:
        high_risk.when(command, MONDAY)
    assert raised.value.field == "survivor_not_informed_reason"

    told_why = _refer(
        high_risk.scenario.actor,
        survivor_informed=False,
        survivor_not_informed_reason="The perpetrator reads her messages.",
    )
    assert high_risk.when(told_why, MONDAY)[0].survivor_informed is False


def test_a_second_referral_waits_for_the_first_to_be_heard(high_risk: Any) -> None:
    high_risk.apply(_refer(high_risk.scenario.actor), MONDAY)
    refusal = high_risk.refused(_refer(high_risk.scenario.actor), MONDAY)
    assert refusal.code == "marac_referral_open"


def test_a_referral_cannot_be_heard_before_it_is_listed(high_risk: Any) -> None:
    referred = high_risk.apply(_refer(high_risk.scenario.actor), MONDAY)[0]
    hearing = c.RecordHearing(
        actor=high_risk.scenario.actor, referral_id=referred.referral_id, heard_on=MEETING
    )
    assert high_risk.refused(hearing, datetime(2025, 3, 21, tzinfo=UTC)).code == "not_listed"


def test_an_action_is_overdue_the_day_after_its_due_date_and_only_once(high_risk: Any) -> None:
    action = _action(date(2025, 3, 27))
    referred = _heard(high_risk, (action,))
    overdue = c.RecordActionOverdue(
        actor=high_risk.scenario.actor, referral_id=referred.referral_id, action_id=action.action_id
    )
    on_due_day = datetime(2025, 3, 27, 22, 0, tzinfo=UTC)  # 22:00 in London, still the 27th
    assert high_risk.when(overdue, on_due_day) == []

    next_day = datetime(2025, 3, 28, 0, 30, tzinfo=UTC)
    events = high_risk.apply(overdue, next_day)
    assert events == [
        ev.MaracActionOverdue(
            case_id=high_risk.case_id,
            referral_id=referred.referral_id,
            action_id=action.action_id,
            due_on=action.due_on,
            detected_at=next_day,
        )
    ]
    assert high_risk.when(overdue, next_day + timedelta(days=3)) == []


def test_a_completed_action_is_never_overdue(high_risk: Any) -> None:
    action = _action(date(2025, 3, 27))
    referred = _heard(high_risk, (action,))
    done = c.CompleteAction(
        actor=high_risk.scenario.actor, referral_id=referred.referral_id, action_id=action.action_id
    )
    high_risk.apply(done, datetime(2025, 3, 25, tzinfo=UTC))
    overdue = c.RecordActionOverdue(
        actor=high_risk.scenario.actor, referral_id=referred.referral_id, action_id=action.action_id
    )

    assert high_risk.when(overdue, datetime(2025, 4, 1, tzinfo=UTC)) == []
    assert high_risk.refused(done, datetime(2025, 4, 1, tzinfo=UTC)).code == "action_completed"


def test_open_actions_go_to_the_next_meeting(high_risk: Any) -> None:
    done, open_one = _action(date(2025, 3, 27)), _action(date(2025, 4, 30))
    referred = _heard(high_risk, (done, open_one))
    high_risk.apply(
        c.CompleteAction(
            actor=high_risk.scenario.actor,
            referral_id=referred.referral_id,
            action_id=done.action_id,
        ),
        datetime(2025, 3, 25, tzinfo=UTC),
    )

    events = high_risk.apply(
        c.ListForMeeting(
            actor=high_risk.scenario.actor,
            referral_id=referred.referral_id,
            meeting_date=date(2025, 4, 17),
        ),
        datetime(2025, 4, 1, tzinfo=UTC),
    )

    assert [type(e) for e in events] == [ev.MaracListed]
    marac = high_risk.state.marac[referred.referral_id]
    assert [a.action.action_id for a in marac.open_actions] == [open_one.action_id]


def test_a_referral_with_every_action_done_is_not_listed_again(high_risk: Any) -> None:
    action = _action(date(2025, 3, 27))
    referred = _heard(high_risk, (action,))
    high_risk.apply(
        c.CompleteAction(
            actor=high_risk.scenario.actor,
            referral_id=referred.referral_id,
            action_id=action.action_id,
        ),
        datetime(2025, 3, 25, tzinfo=UTC),
    )
    listing = c.ListForMeeting(
        actor=high_risk.scenario.actor,
        referral_id=referred.referral_id,
        meeting_date=date(2025, 4, 17),
    )
    assert high_risk.refused(listing, datetime(2025, 4, 1, tzinfo=UTC)).code == (
        "marac_referral_completed"
    )


def test_an_action_due_before_the_meeting_is_refused(high_risk: Any) -> None:
    with pytest.raises(InvalidCommand) as raised:
        _heard(high_risk, (_action(date(2025, 3, 1)),))
    assert raised.value.field == "actions.0.due_on"


def test_an_unknown_referral_is_not_found(case: Any) -> None:
    listing = c.ListForMeeting(
        actor=case.scenario.actor, referral_id=uuid.uuid4(), meeting_date=MEETING
    )
    with pytest.raises(NotFound):
        case.when(listing, MONDAY)


def test_a_closed_case_takes_no_new_referral(kit: SimpleNamespace, case: Any) -> None:
    case.learn(_closed(case.case_id))
    command = _refer(case.scenario.actor, professional_judgement_reason="Threats.")
    with pytest.raises(DomainError) as raised:
        case.when(command, MONDAY)
    assert raised.value.code == "case_closed"


def _closed(case_id: uuid.UUID) -> cases_ev.CaseClosed:
    return cases_ev.CaseClosed(
        case_id=case_id,
        closed_at=MONDAY,
        reason=ClosureReason.SURVIVOR_MOVED,
        approved_by="dalead-0001",
    )


def test_given_a_closed_case_when_its_criteria_are_met_then_no_referral_due(
    kit: SimpleNamespace, case: Any, policy: Policy
) -> None:
    # Given the case closed, then a high-risk DASH learnt (published late, or before
    # the closure reached risk)
    case.learn(_closed(case.case_id))
    case.learn(kit.dash(case.case_id, policy.marac.visible_high_risk["dash-ric-24"]))
    # When the criteria are decided again, then nothing is due: nobody works the case.
    assert case.when(c.Reassess(actor=SYSTEM), MONDAY) == []
    assert case.state.due is None


def test_given_a_closed_case_meeting_the_criteria_when_reopened_then_the_referral_is_due(
    kit: SimpleNamespace, case: Any, policy: Policy
) -> None:
    dash = kit.dash(case.case_id, policy.marac.visible_high_risk["dash-ric-24"])
    case.learn(_closed(case.case_id), dash)
    case.apply(c.Reassess(actor=SYSTEM), MONDAY)

    reopened_at = MONDAY + timedelta(days=2)
    case.learn(
        cases_ev.CaseReopened(
            case_id=case.case_id, reopened_at=reopened_at, reason=ReopenReason.NEW_INCIDENT
        )
    )

    assert case.when(c.Reassess(actor=SYSTEM), reopened_at) == [
        ev.MaracReferralDue(
            case_id=case.case_id,
            criteria=(MaracCriterion.VISIBLE_HIGH_RISK,),
            decided_at=reopened_at,
            assessment_id=dash.assessment_id,
            incidents_in_last_12_months=1,
        )
    ]


def test_reopening_triggers_the_criteria_again() -> None:
    assert cases_ev.CaseReopened in TRIGGERS and cases_ev.CaseClosed not in TRIGGERS
