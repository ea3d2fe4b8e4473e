"""An erased case (cases' `CaseErased`): referrals keeps nothing personal about it, the
same whichever order cases' and risk's events arrive in, refuses every staff command
with 409 `case_erased`, and decides nothing more of its own (no MARAC criteria, no
`MaracActionOverdue`)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from hearth.contracts.envelope import Actor, Role
from hearth.contracts.events import cases as cases_ev
from hearth.contracts.events import referrals as ev
from hearth.contracts.events import risk
from hearth.contracts.events.case_values import (
    ClosureReason,
    ErasureBasis,
    ErasureReason,
    Restriction,
    RestrictionReason,
)
from hearth.contracts.events.common import RiskLevel, SafeContact
from hearth.eventstore.case_access import CaseWasErased
from hearth.eventstore.errors import NotFound
from hearth.referrals.domain import commands as c
from hearth.referrals.domain.known import KnownCase
from hearth.referrals.domain.policy import Policy

MONDAY = datetime(2025, 3, 10, 10, 0, tzinfo=UTC)
MEETING = date(2025, 3, 20)
ERASED_AT = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
COMMENT = "He said he would burn the flat at 9 Rowan Court"
SAFE_PHONE = "07700 900456"
JUDGEMENT = "Sister Jo Example says he has a gun"
PLANTED = ("Alex Example", "Sam Sample", "07700 900123", "Kit", COMMENT, SAFE_PHONE, JUDGEMENT)


def closed(case_id: uuid.UUID) -> cases_ev.CaseClosed:
    return cases_ev.CaseClosed(
        case_id=case_id,
        closed_at=MONDAY + timedelta(days=30),
        reason=ClosureReason.SURVIVOR_MOVED,
        approved_by="dalead-0001",
    )


def erased(case_id: uuid.UUID) -> cases_ev.CaseErased:
    return cases_ev.CaseErased(
        case_id=case_id,
        erased_at=ERASED_AT,
        basis=ErasureBasis.SUBJECT_REQUEST,
        reason=ErasureReason.CONSENT_WITHDRAWN,
        retention_policy="west-kent-2024",
        retention_years=6,
        closed_at=MONDAY + timedelta(days=30),
        request_id=uuid.uuid4(),
        requested_by="cso-0001",
        approved_by="dalead-0002",
    )


def safe_contact(case_id: uuid.UUID) -> cases_ev.SafeContactUpdated:
    return cases_ev.SafeContactUpdated(
        case_id=case_id,
        updated_at=MONDAY,
        safe_contact=SafeContact(
            safe_to_call=True,
            safe_to_text=False,
            safe_to_email=False,
            safe_to_write=False,
            safe_to_visit=False,
            safe_phone_numbers=(SAFE_PHONE,),
            withheld_number_only=True,
            never_leave_voicemail=True,
            interpreter_needed=False,
        ),
    )


def commented_dash(kit: SimpleNamespace, case_id: uuid.UUID, yes: int) -> risk.DashCompleted:
    judgement = risk.ProfessionalJudgement(raised_to=RiskLevel.HIGH, reason=JUDGEMENT)
    dash = kit.dash(case_id, yes, judgement=judgement)
    first = dash.answers[0].model_copy(update={"comment": COMMENT})
    return dash.model_copy(update={"answers": (first, *dash.answers[1:])})


@pytest.fixture
def high_risk(kit: SimpleNamespace, policy: Policy) -> Any:
    case = kit.Case(policy).opened(
        restriction=Restriction(
            reason=RestrictionReason.OTHER_SENSITIVITY, permitted_staff_ids=("cso-0001",)
        )
    )
    yes = policy.marac.visible_high_risk["dash-ric-24"]
    case.learn(safe_contact(case.case_id), commented_dash(kit, case.case_id, yes))
    return case


def _refer(actor: Actor) -> c.ReferToMarac:
    return c.ReferToMarac(
        actor=actor,
        referral_id=uuid.uuid4(),
        marac_area="Example District MARAC",
        survivor_informed=True,
    )


def test_an_erased_case_keeps_no_personal_fact_only_ids_dates_and_levels(high_risk: Any) -> None:
    before = high_risk.known
    text = json.dumps(before.model_dump(mode="json"))
    assert all(p in text for p in PLANTED)  # the case as known held every one of them

    high_risk.learn(closed(high_risk.case_id), erased(high_risk.case_id))
    known: KnownCase = high_risk.known
    text = json.dumps(known.model_dump(mode="json"))
    for planted in PLANTED:
        assert planted not in text, planted
    assert known.erased and known.opened and not known.open
    assert known.survivor is None and known.perpetrators == () and known.children == ()
    assert known.safe_contact is None and known.restriction is None and known.wishes is None
    assert known.incidents == before.incidents
    assert known.assessment is not None and before.assessment is not None
    assert known.assessment.answers == () and known.assessment.professional_judgement is None
    assert known.assessment.risk_level is before.assessment.risk_level
    assert known.assessment.yes_count == before.assessment.yes_count
    for actor in (Actor(id="cso-0001", role=Role.CASE_MANAGER), high_risk.scenario.actor):
        assert not known.may_see(actor)
        assert not known.access.read_is_recorded(actor)


def test_what_is_kept_does_not_depend_on_the_order_the_topics_are_read(
    kit: SimpleNamespace, policy: Policy
) -> None:
    case_id = uuid.uuid4()
    opened = kit.case_opened(case_id)
    dash = commented_dash(kit, case_id, 3)
    events_in_order = [opened, safe_contact(case_id), dash, closed(case_id), erased(case_id)]
    dash_last = [opened, safe_contact(case_id), closed(case_id), erased(case_id), dash]
    first = kit.Case(policy, case_id=case_id).learn(*events_in_order).known
    second = kit.Case(policy, case_id=case_id).learn(*dash_last).known
    assert first == second
    assert first.assessment is not None and first.assessment.assessment_id == dash.assessment_id


def test_given_an_erased_case_then_every_staff_command_is_refused_as_erased(
    high_risk: Any,
) -> None:
    high_risk.learn(closed(high_risk.case_id), erased(high_risk.case_id))
    named = Actor(id="cso-0001", role=Role.CASE_MANAGER)
    for command in (
        _refer(named),
        _refer(high_risk.scenario.actor),
        c.RecordIncident(
            actor=named,
            incident_id=uuid.uuid4(),
            occurred_on=date(2025, 6, 1),
            source=ev.IncidentSource.POLICE,
        ),
    ):
        refusal = high_risk.refused(command, ERASED_AT)
        assert isinstance(refusal, CaseWasErased) and not isinstance(refusal, NotFound)
        assert refusal.code == "case_erased"


def test_given_an_erased_case_meeting_the_criteria_then_nothing_is_decided(
    high_risk: Any, actors: SimpleNamespace
) -> None:
    high_risk.learn(closed(high_risk.case_id), erased(high_risk.case_id))
    assert high_risk.when(c.Reassess(actor=actors.system), ERASED_AT) == []


def test_given_an_erased_case_then_its_marac_action_is_never_overdue(
    high_risk: Any, actors: SimpleNamespace
) -> None:
    actor = Actor(id="cso-0001", role=Role.CASE_MANAGER)
    high_risk.scenario.actor = actor
    referred = high_risk.apply(_refer(actor), MONDAY)[0]
    high_risk.apply(
        c.ListForMeeting(actor=actor, referral_id=referred.referral_id, meeting_date=MEETING),
        MONDAY,
    )
    action = c.AgreedAction(
        action_id=uuid.uuid4(),
        description="Fit a fire-safe letterbox.",
        owner_agency="Example Homes",
        landlord_action=True,
        owner_staff_id="cso-0001",
        due_on=date(2025, 3, 27),
    )
    high_risk.apply(
        c.RecordHearing(
            actor=actor, referral_id=referred.referral_id, heard_on=MEETING, actions=(action,)
        ),
        datetime(2025, 3, 20, 15, 0, tzinfo=UTC),
    )
    overdue = c.RecordActionOverdue(
        actor=actors.system, referral_id=referred.referral_id, action_id=action.action_id
    )
    next_day = datetime(2025, 3, 28, 0, 30, tzinfo=UTC)
    assert [type(e) for e in high_risk.when(overdue, next_day)] == [ev.MaracActionOverdue]

    high_risk.learn(closed(high_risk.case_id), erased(high_risk.case_id))
    assert high_risk.when(overdue, next_day) == []
    assert high_risk.when(overdue, ERASED_AT) == []
    done = c.CompleteAction(
        actor=actor, referral_id=referred.referral_id, action_id=action.action_id
    )
    assert high_risk.refused(done, ERASED_AT).code == "case_erased"
