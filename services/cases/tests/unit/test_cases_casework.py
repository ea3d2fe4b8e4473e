"""Repairs, security work, flags, and perpetrator actions led by the survivor's wishes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hearth.cases.domain import commands as c
from hearth.cases.domain.deadlines import DeadlineKind
from hearth.contracts.events import cases as ev
from hearth.contracts.events.case_values import (
    FlagKind,
    RepairKind,
    SecurityMeasure,
    WishesOverrideReason,
)
from hearth.contracts.events.common import PerpetratorActionKind, ReferralType
from hearth.eventstore.errors import DomainError, NotAllowed, NotFound

MONDAY_10 = datetime(2025, 3, 10, 10, 0, tzinfo=UTC)
FRIDAY_1630 = datetime(2025, 3, 7, 16, 30, tzinfo=UTC)


@pytest.fixture
def case(scenario):
    return scenario.opened()


# --- emergency repairs and security ----------------------------------------------------


def test_an_emergency_repair_is_due_24_hours_after_it_is_raised(case, actors) -> None:
    repair_id = uuid.uuid4()
    [raised] = case.apply(
        c.RaiseEmergencyRepair(actors.cm, repair_id, RepairKind.LOCKS, "Lock forced"), MONDAY_10
    )
    assert isinstance(raised, ev.EmergencyRepairRaised)
    assert raised.due_at == MONDAY_10 + timedelta(hours=24)
    assert case.state.deadline(DeadlineKind.EMERGENCY_REPAIR, str(repair_id)).is_open


def test_a_repair_completed_in_time_is_not_late(case, actors) -> None:
    repair_id = uuid.uuid4()
    case.apply(c.RaiseEmergencyRepair(actors.cm, repair_id, RepairKind.DOORS, "Door"), MONDAY_10)
    [done] = case.apply(
        c.CompleteEmergencyRepair(actors.cm, repair_id), MONDAY_10 + timedelta(hours=5)
    )
    assert isinstance(done, ev.EmergencyRepairCompleted)
    assert done.late is False
    assert case.state.deadline(DeadlineKind.EMERGENCY_REPAIR, str(repair_id)).met_at is not None


def test_a_repair_completed_after_24_hours_is_recorded_late(case, actors) -> None:
    repair_id = uuid.uuid4()
    case.apply(c.RaiseEmergencyRepair(actors.cm, repair_id, RepairKind.WINDOWS, "Pane"), MONDAY_10)
    [done] = case.when(
        c.CompleteEmergencyRepair(actors.cm, repair_id), MONDAY_10 + timedelta(hours=30)
    )
    assert done.late is True
    assert done.completed_at == MONDAY_10 + timedelta(hours=30)


def test_a_repair_is_completed_once(case, actors) -> None:
    repair_id = uuid.uuid4()
    case.apply(c.RaiseEmergencyRepair(actors.cm, repair_id, RepairKind.LOCKS, "Lock"), MONDAY_10)
    case.apply(c.CompleteEmergencyRepair(actors.cm, repair_id), MONDAY_10)
    with pytest.raises(DomainError) as refused:
        case.when(c.CompleteEmergencyRepair(actors.cm, repair_id), MONDAY_10)
    assert refused.value.code == "repair_already_completed"


def test_completing_an_unknown_repair_is_not_found(case, actors) -> None:
    with pytest.raises(NotFound):
        case.when(c.CompleteEmergencyRepair(actors.cm, uuid.uuid4()), MONDAY_10)


# --- a report of a damaged home: the repair clock starts with the report ---------------

LONDON = ZoneInfo("Europe/London")
SATURDAY_2330_BST_EVE = datetime(2025, 3, 29, 23, 30, tzinfo=LONDON)
"""The night before the clocks go forward (Sunday 30 March 2025, 01:00 GMT)."""


def test_a_report_of_a_damaged_home_opens_the_case_with_a_repair_due_from_the_report(
    scenario,
) -> None:
    events = scenario.apply(
        c.ReceiveReport(
            scenario.system,
            scenario.report(FRIDAY_1630, home_damaged_safety_at_risk=True),
        ),
        FRIDAY_1630 + timedelta(hours=3),  # opened a while after the report arrived
    )
    [opened] = scenario.of_type(events, ev.CaseOpened)
    assert opened.emergency_repair is not None
    assert opened.emergency_repair.due_at == FRIDAY_1630 + timedelta(hours=24)
    deadline = scenario.state.deadline(
        DeadlineKind.EMERGENCY_REPAIR, str(opened.emergency_repair.repair_id)
    )
    assert (deadline.starts_at, deadline.due_at) == (FRIDAY_1630, FRIDAY_1630 + timedelta(hours=24))


def test_the_repair_clock_is_24_elapsed_hours_in_any_zone(scenario) -> None:
    received = SATURDAY_2330_BST_EVE  # a London time, across the spring clock change
    [opened] = scenario.of_type(
        scenario.apply(
            c.ReceiveReport(
                scenario.system, scenario.report(received, home_damaged_safety_at_risk=True)
            ),
            received,
        ),
        ev.CaseOpened,
    )
    assert opened.emergency_repair.due_at - received == timedelta(hours=24)


def test_a_report_without_damage_starts_no_repair_clock(case) -> None:
    assert case.state.opened.emergency_repair is None
    assert case.state.deadlines.keys() == {
        (DeadlineKind.CONTACT, "1"),
        (DeadlineKind.DASH, "1"),
        (DeadlineKind.REVIEW, "1"),
    }


def test_the_repair_raised_for_the_reported_damage_continues_the_reports_clock(
    scenario, actors
) -> None:
    scenario.opened(home_damaged_safety_at_risk=True)
    reported = scenario.state.opened.emergency_repair
    # Typed in on Saturday morning, 16 hours after the report.
    typed_in = FRIDAY_1630 + timedelta(hours=16)
    [raised] = scenario.apply(
        c.RaiseEmergencyRepair(actors.cm, uuid.uuid4(), RepairKind.LOCKS, "Lock forced"),
        typed_in,
    )
    assert raised.repair_id == reported.repair_id
    assert raised.due_at == FRIDAY_1630 + timedelta(hours=24)  # not typed_in + 24 h
    assert raised.report_id == scenario.state.opened.report_id
    deadline = scenario.state.deadline(DeadlineKind.EMERGENCY_REPAIR, str(raised.repair_id))
    assert deadline.starts_at == FRIDAY_1630
    [done] = scenario.when(
        c.CompleteEmergencyRepair(actors.cm, raised.repair_id), FRIDAY_1630 + timedelta(hours=25)
    )
    assert done.late is True
    # A further repair is a new one, with its own clock.
    later = typed_in + timedelta(hours=1)
    [second] = scenario.when(
        c.RaiseEmergencyRepair(actors.cm, uuid.uuid4(), RepairKind.WINDOWS, "Pane"), later
    )
    assert (second.due_at, second.report_id) == (later + timedelta(hours=24), None)


def test_a_reported_repair_missed_before_it_is_raised_stays_overdue(scenario, actors) -> None:
    scenario.opened(home_damaged_safety_at_risk=True)
    repair_id = scenario.state.opened.emergency_repair.repair_id
    ref = str(repair_id)
    after = FRIDAY_1630 + timedelta(hours=30)
    [overdue] = scenario.apply(
        c.RecordOverdue(scenario.system, DeadlineKind.EMERGENCY_REPAIR, ref), after
    )
    assert isinstance(overdue, ev.EmergencyRepairOverdue) and overdue.repair_id == repair_id
    scenario.apply(c.RaiseEmergencyRepair(actors.cm, uuid.uuid4(), RepairKind.DOORS, "Door"), after)
    deadline = scenario.state.deadline(DeadlineKind.EMERGENCY_REPAIR, ref)
    assert deadline.overdue_at == after and deadline.starts_at == FRIDAY_1630


def test_a_further_report_of_a_damaged_home_starts_its_own_repair_clock(case, actors) -> None:
    received = MONDAY_10 - timedelta(hours=2)
    further = case.report(received, home_damaged_safety_at_risk=True)
    events = case.apply(c.ReceiveReport(case.system, further), MONDAY_10)
    [added] = case.of_type(events, ev.ReportAddedToCase)
    assert added.emergency_repair.due_at == received + timedelta(hours=24)
    [raised] = case.when(
        c.RaiseEmergencyRepair(actors.cm, uuid.uuid4(), RepairKind.DOORS, "Door kicked in"),
        MONDAY_10 + timedelta(hours=1),
    )
    assert (raised.repair_id, raised.due_at) == (
        added.emergency_repair.repair_id,
        received + timedelta(hours=24),
    )
    assert raised.report_id == further.report_id


def test_security_measures_are_requested_then_installed(case, actors) -> None:
    request_id = uuid.uuid4()
    measures = (SecurityMeasure.LOCK_CHANGE, SecurityMeasure.FIRE_SAFE_LETTERBOX)
    case.apply(c.RequestSecurityMeasures(actors.cm, request_id, measures, True), MONDAY_10)
    [installed] = case.apply(
        c.RecordSecurityInstalled(actors.cm, request_id, (SecurityMeasure.LOCK_CHANGE,)),
        MONDAY_10,
    )
    assert isinstance(installed, ev.SecurityMeasureInstalled)
    with pytest.raises(DomainError) as twice:
        case.when(
            c.RecordSecurityInstalled(actors.cm, request_id, (SecurityMeasure.LOCK_CHANGE,)),
            MONDAY_10,
        )
    assert twice.value.code == "already_installed"
    with pytest.raises(DomainError) as unrequested:
        case.when(
            c.RecordSecurityInstalled(actors.cm, request_id, (SecurityMeasure.PERSONAL_ALARM,)),
            MONDAY_10,
        )
    assert unrequested.value.code == "measure_not_requested"


# --- flags -----------------------------------------------------------------------------


def test_a_flag_is_removed_with_a_reason_and_who_removed_it(case, actors) -> None:
    flag = next(f for f in case.state.flags.values() if f.raised.kind is FlagKind.POTENTIAL_RISK)
    [removed] = case.apply(c.RemoveFlag(actors.cm, flag.raised.flag_id, "Moved away"), MONDAY_10)
    assert isinstance(removed, ev.FlagRemoved)
    assert removed.person_id == case.perpetrator_id
    assert removed.reason == "Moved away"
    state_flag = case.state.flags[flag.raised.flag_id]
    assert not state_flag.active
    assert state_flag.removed_by == actors.cm
    assert state_flag.raised_by == actors.system
    with pytest.raises(DomainError) as again:
        case.when(c.RemoveFlag(actors.cm, flag.raised.flag_id, "Again"), MONDAY_10)
    assert again.value.code == "flag_already_removed"


def test_a_removed_flag_can_be_raised_again(case, actors) -> None:
    flag = next(f for f in case.state.flags.values() if f.raised.kind is FlagKind.POTENTIAL_RISK)
    case.apply(c.RemoveFlag(actors.cm, flag.raised.flag_id, "Error"), MONDAY_10)
    raise_again = c.RaiseFlag(
        actors.cm, uuid.uuid4(), case.perpetrator_id, FlagKind.POTENTIAL_RISK, "New incident"
    )
    [raised] = case.when(raise_again, MONDAY_10)
    assert raised.raised_at == MONDAY_10


@pytest.mark.parametrize(
    ("who", "kind", "code"),
    [
        ("perpetrator_id", FlagKind.POTENTIAL_RISK, "flag_already_raised"),
        ("survivor_id", FlagKind.POTENTIAL_RISK, "flag_kind_does_not_fit"),
        ("perpetrator_id", FlagKind.POTENTIALLY_VULNERABLE, "flag_kind_does_not_fit"),
        (None, FlagKind.POTENTIALLY_VULNERABLE, "person_not_on_case"),
    ],
)
def test_flags_must_fit_the_person(case, actors, who, kind, code) -> None:
    person = getattr(case, who) if who else uuid.uuid4()
    with pytest.raises(DomainError) as refused:
        case.when(c.RaiseFlag(actors.cm, uuid.uuid4(), person, kind, "Reason"), MONDAY_10)
    assert refused.value.code == code


# --- the perpetrator -------------------------------------------------------------------


def action(case, actors, kind=PerpetratorActionKind.TENANCY_WARNING, actor=None, override=None):
    return c.TakePerpetratorAction(
        actor or actors.cm,
        uuid.uuid4(),
        case.perpetrator_id,
        kind,
        ReferralType.MARAC if kind is PerpetratorActionKind.REFERRAL else None,
        override=override,
    )


def wishes(actors, wanted=(), unwanted=()):
    return c.RecordWishes(actors.cm, uuid.uuid4(), tuple(wanted), tuple(unwanted))


OVERRIDE = c.Override(WishesOverrideReason.SAFEGUARDING_CHILD, "A child is at risk")


@pytest.mark.parametrize("kind", list(PerpetratorActionKind))
def test_no_action_against_the_perpetrator_before_the_wishes_are_recorded(
    case, actors, kind
) -> None:
    with pytest.raises(DomainError) as refused:
        case.when(action(case, actors, kind), MONDAY_10)
    assert refused.value.code == "wishes_not_recorded"


def test_an_action_goes_ahead_once_the_wishes_are_recorded(case, actors) -> None:
    [recorded] = case.apply(wishes(actors, wanted=[PerpetratorActionKind.INJUNCTION]), MONDAY_10)
    [taken] = case.when(action(case, actors, PerpetratorActionKind.INJUNCTION), MONDAY_10)
    assert isinstance(taken, ev.PerpetratorActionTaken)
    assert taken.survivor_wishes_id == recorded.wishes_id
    assert taken.against_survivor_wishes is False
    assert taken.survivor_agreed is True
    assert taken.override is None


def test_an_action_the_survivor_has_not_agreed_to_is_refused(case, actors) -> None:
    # Policy 7.1: "where agreed by the survivor". Wishes recorded without this action in
    # them are no agreement, even when nothing is listed as unwanted.
    case.apply(wishes(actors), MONDAY_10)
    with pytest.raises(DomainError) as refused:
        case.when(action(case, actors, PerpetratorActionKind.POSSESSION), MONDAY_10)
    assert refused.value.code == "survivor_not_agreed"
    case.apply(wishes(actors, wanted=[PerpetratorActionKind.TENANCY_WARNING]), MONDAY_10)
    with pytest.raises(DomainError) as other:
        case.when(action(case, actors, PerpetratorActionKind.POSSESSION), MONDAY_10)
    assert other.value.code == "survivor_not_agreed"


def test_a_manager_may_act_without_agreement_with_a_reason(case, actors) -> None:
    case.apply(wishes(actors), MONDAY_10)
    command = action(case, actors, PerpetratorActionKind.POSSESSION, actors.manager, OVERRIDE)
    [taken] = case.when(command, MONDAY_10)
    assert (taken.survivor_agreed, taken.against_survivor_wishes) == (False, False)
    assert taken.override.approved_by == actors.manager.id


def test_an_action_the_survivor_does_not_want_is_refused(case, actors) -> None:
    case.apply(wishes(actors, unwanted=[PerpetratorActionKind.INFORMATION_TO_POLICE]), MONDAY_10)
    with pytest.raises(DomainError) as refused:
        case.when(action(case, actors, PerpetratorActionKind.INFORMATION_TO_POLICE), MONDAY_10)
    assert refused.value.code == "against_survivor_wishes"


def test_a_manager_may_override_with_a_reason(case, actors) -> None:
    case.apply(wishes(actors, unwanted=[PerpetratorActionKind.INFORMATION_TO_POLICE]), MONDAY_10)
    command = action(
        case, actors, PerpetratorActionKind.INFORMATION_TO_POLICE, actors.manager, OVERRIDE
    )
    [taken] = case.when(command, MONDAY_10)
    assert taken.against_survivor_wishes is True
    assert taken.survivor_agreed is False
    assert taken.override.approved_by == actors.manager.id
    assert taken.override.reason is WishesOverrideReason.SAFEGUARDING_CHILD


def test_a_manager_override_covers_wishes_not_yet_recorded(case, actors) -> None:
    [taken] = case.when(action(case, actors, actor=actors.manager, override=OVERRIDE), MONDAY_10)
    assert taken.survivor_wishes_id is None
    assert taken.override is not None


def test_a_case_manager_cannot_override(case, actors) -> None:
    with pytest.raises(NotAllowed):
        case.when(action(case, actors, override=OVERRIDE), MONDAY_10)


def test_actions_name_a_perpetrator_on_the_case(case, actors) -> None:
    case.apply(wishes(actors), MONDAY_10)
    stranger = c.TakePerpetratorAction(
        actors.cm, uuid.uuid4(), uuid.uuid4(), PerpetratorActionKind.TENANCY_WARNING
    )
    with pytest.raises(DomainError) as refused:
        case.when(stranger, MONDAY_10)
    assert refused.value.code == "perpetrator_not_on_case"


def test_the_latest_wishes_count(case, actors) -> None:
    case.apply(wishes(actors, unwanted=[PerpetratorActionKind.POSSESSION]), MONDAY_10)
    case.apply(wishes(actors, wanted=[PerpetratorActionKind.POSSESSION]), MONDAY_10)
    assert case.when(action(case, actors, PerpetratorActionKind.POSSESSION), MONDAY_10)
