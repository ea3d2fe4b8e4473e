"""The risk record's decisions: which case, open or closed, when, and the current level."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from hearth.contracts.envelope import Actor, Role
from hearth.contracts.events import risk as ev
from hearth.contracts.events.case_values import Restriction, RestrictionReason
from hearth.contracts.events.common import PersonDetails, RiskLevel
from hearth.eventstore.case_access import CaseAccess
from hearth.eventstore.errors import DomainError, InvalidCommand, NotFound
from hearth.risk.domain.commands import RecordDecline, RecordElsewhere, RecordRead
from hearth.risk.domain.decider import staff_read
from hearth.risk.domain.instruments import Instrument


def test_given_a_case_risk_has_not_seen_open_then_not_found(
    scenario: Any, kit: SimpleNamespace, dash: Instrument
) -> None:
    command = kit.assessment(dash, 3, access=CaseAccess())
    refusal = scenario.then_refused(command, kit.now, NotFound)
    assert refusal.code == "case_not_found"


def test_given_a_closed_case_then_no_assessment_is_recorded(
    scenario: Any, kit: SimpleNamespace, dash: Instrument
) -> None:
    closed = replace(kit.open_case, open=False)
    refusal = scenario.then_refused(kit.assessment(dash, 3, access=closed), kit.now, DomainError)
    assert refusal.code == "case_closed"


def test_given_a_restricted_case_then_staff_not_named_are_told_it_does_not_exist(
    scenario: Any, kit: SimpleNamespace, dash: Instrument
) -> None:
    restricted = replace(
        kit.open_case,
        restriction=Restriction(
            reason=RestrictionReason.OTHER_SENSITIVITY, permitted_staff_ids=("cso-0002",)
        ),
    )
    scenario.then_refused(kit.assessment(dash, 3, access=restricted), kit.now, NotFound)
    named = Actor(id="cso-0002", role=Role.CASE_MANAGER)
    events = scenario.when(kit.assessment(dash, 3, access=restricted, actor=named), kit.now)
    assert isinstance(events[0], ev.DashCompleted)


def test_given_staff_who_are_the_survivor_then_never_admitted(
    scenario: Any, kit: SimpleNamespace, dash: Instrument
) -> None:
    involved = replace(
        kit.open_case, people=(PersonDetails(person_id=uuid.uuid4(), staff_id="cso-0001"),)
    )
    scenario.then_refused(kit.assessment(dash, 3, access=involved), kit.now, NotFound)


@pytest.mark.parametrize(
    ("when", "code"),
    [
        (timedelta(minutes=1), "in_the_future"),
        (-timedelta(days=8), "too_far_back"),
    ],
)
def test_completed_at_is_bounded(
    scenario: Any, kit: SimpleNamespace, dash: Instrument, when: timedelta, code: str
) -> None:
    opened_long_ago = kit.opened_at - timedelta(days=30)
    command = kit.assessment(dash, 3, completed_at=kit.now + when, case_opened_at=opened_long_ago)
    refusal = scenario.then_refused(command, kit.now, InvalidCommand)
    assert (refusal.field, refusal.code) == ("completed_at", code)


def test_completed_at_cannot_be_before_the_case_opened(
    scenario: Any, kit: SimpleNamespace, dash: Instrument
) -> None:
    command = kit.assessment(dash, 3, completed_at=kit.opened_at - timedelta(minutes=1))
    refusal = scenario.then_refused(command, kit.now, InvalidCommand)
    assert (refusal.field, refusal.code) == ("completed_at", "before_the_case")


def test_reassessment_falls_due_after_the_instruments_interval(
    scenario: Any, kit: SimpleNamespace, rules: Any, dash: Instrument
) -> None:
    command = kit.assessment(dash, 3)
    completed, _ = scenario.when(command, kit.now)
    due = rules.calendar.calendar_days_after(command.completed_at, dash.reassessment_interval_days)
    assert completed.reassessment_due_at == due
    assert completed.reassessment_due_at > command.completed_at


@pytest.mark.parametrize("instrument_id", ["dash-ric-24", "police-dash-27"])
def test_every_recorded_answer_carries_the_question_as_its_instrument_words_it(
    scenario: Any, kit: SimpleNamespace, rules: Any, instrument_id: str
) -> None:
    instrument = rules.catalogue.get(instrument_id)
    command = kit.assessment(instrument, 3, instrument_id=instrument_id)
    completed, *_ = scenario.when(command, kit.now)
    assert isinstance(completed, ev.DashCompleted)
    assert completed.question_set_id == instrument.id
    assert [(a.question, a.wording) for a in completed.answers] == [
        (q.number, q.text) for q in instrument.questions
    ]


def _record(scenario: Any, kit: SimpleNamespace, command: Any) -> list[Any]:
    return scenario.apply(command, kit.now)


def test_many_assessments_are_kept_and_the_latest_sets_the_level(
    scenario: Any, kit: SimpleNamespace, dash: Instrument
) -> None:
    high = dash.bands[RiskLevel.HIGH]
    first = kit.assessment(dash, high, completed_at=kit.now - timedelta(days=2))
    _record(scenario, kit, first)
    assert scenario.state.level is RiskLevel.HIGH
    # a later assessment scoring lower moves the level down: risk is dynamic
    second = kit.assessment(dash, 2, completed_at=kit.now - timedelta(hours=1))
    events = _record(scenario, kit, second)
    assert events[1] == ev.RiskLevelChanged(
        case_id=kit.case_id,
        changed_at=kit.now,
        previous_level=RiskLevel.HIGH,
        new_level=RiskLevel.STANDARD,
        basis=ev.RiskChangeBasis.ASSESSMENT,
        assessment_id=second.assessment_id,
    )
    # one recorded late but completed before the latest is kept and moves nothing
    late = kit.assessment(dash, high, completed_at=kit.now - timedelta(days=1))
    events = _record(scenario, kit, late)
    assert [type(e) for e in events] == [ev.DashCompleted]
    assert scenario.state.level is RiskLevel.STANDARD
    assert [a.event.assessment_id for a in scenario.state.assessments] == [
        first.assessment_id,
        second.assessment_id,
        late.assessment_id,
    ]
    # the same level again: no change event
    again = kit.assessment(dash, 1)
    assert [type(e) for e in _record(scenario, kit, again)] == [ev.DashCompleted]


def test_a_decline_is_recorded_with_its_reason_and_leaves_the_level(
    scenario: Any, kit: SimpleNamespace
) -> None:
    declined_at = kit.now - timedelta(hours=2)
    command = RecordDecline(
        kit.case_manager,
        kit.case_id,
        declined_at=declined_at,
        reason="Not ready to talk about it.",
        access=kit.open_case,
        case_opened_at=kit.opened_at,
    )
    scenario.then(
        command,
        kit.now,
        ev.DashDeclined(
            case_id=kit.case_id, declined_at=declined_at, reason="Not ready to talk about it."
        ),
    )
    refusal = scenario.then_refused(replace(command, reason=" "), kit.now, InvalidCommand)
    assert (refusal.field, refusal.code) == ("reason", "reason_required")
    future = replace(command, declined_at=kit.now + timedelta(hours=1))
    assert scenario.then_refused(future, kit.now, InvalidCommand).field == "declined_at"


def test_another_agencys_assessment_with_a_level_sets_it_when_latest(
    scenario: Any, kit: SimpleNamespace, dash: Instrument
) -> None:
    command = RecordElsewhere(
        kit.case_manager,
        kit.case_id,
        agency=ev.AssessingAgency.POLICE,
        completed_on=date(2025, 3, 6),
        risk_level=RiskLevel.HIGH,
        referred_to_marac=True,
        access=kit.open_case,
        case_opened_at=kit.opened_at,
    )
    events = _record(scenario, kit, command)
    assert isinstance(events[0], ev.DashCompletedElsewhere)
    assert events[0].recorded_at == kit.now
    assert events[1].basis is ev.RiskChangeBasis.ASSESSMENT_BY_OTHER_AGENCY
    assert scenario.state.level is RiskLevel.HIGH
    # the landlord's own assessment after it is the latest, and may lower it
    _record(scenario, kit, kit.assessment(dash, 2))
    assert scenario.state.level is RiskLevel.STANDARD
    # an older one from elsewhere is kept without moving the level
    older = replace(command, completed_on=date(2025, 3, 5))
    assert len(_record(scenario, kit, older)) == 1
    assert scenario.state.level is RiskLevel.STANDARD


def test_another_agencys_assessment_never_lowers_the_level(
    scenario: Any, kit: SimpleNamespace, dash: Instrument
) -> None:
    high = dash.bands[RiskLevel.HIGH]
    _record(scenario, kit, kit.assessment(dash, high, completed_at=kit.now - timedelta(days=2)))
    lower = RecordElsewhere(
        kit.case_manager,
        kit.case_id,
        agency=ev.AssessingAgency.POLICE,
        completed_on=kit.now.date(),
        risk_level=RiskLevel.MEDIUM,
        access=kit.open_case,
    )
    # recorded and kept, but the landlord's high level stands
    assert [type(e) for e in _record(scenario, kit, lower)] == [ev.DashCompletedElsewhere]
    assert scenario.state.level is RiskLevel.HIGH


def test_another_agency_must_be_named_when_its_kind_is_other(
    scenario: Any, kit: SimpleNamespace
) -> None:
    command = RecordElsewhere(
        kit.case_manager,
        kit.case_id,
        agency=ev.AssessingAgency.OTHER,
        completed_on=date(2025, 3, 6),
        access=kit.open_case,
    )
    refusal = scenario.then_refused(command, kit.now, InvalidCommand)
    assert refusal.field == "agency_name"
    future = replace(command, agency=ev.AssessingAgency.POLICE, completed_on=date(2025, 3, 11))
    assert scenario.then_refused(future, kit.now, InvalidCommand).field == "completed_on"


def test_a_read_of_a_restricted_record_is_recorded_refused_or_granted(
    scenario: Any, kit: SimpleNamespace
) -> None:
    read = RecordRead(
        kit.case_manager,
        kit.case_id,
        view=ev.RiskRecordView.RISK_RECORD,
        granted=False,
        access=kit.open_case,
    )
    scenario.then(
        read,
        kit.now,
        ev.RestrictedRiskRecordRead(
            case_id=kit.case_id,
            read_at=kit.now,
            staff_id="cso-0001",
            view=ev.RiskRecordView.RISK_RECORD,
            access_granted=False,
        ),
    )
    scenario.then_refused(replace(read, access=CaseAccess()), kit.now, NotFound)


def test_a_read_of_an_unrestricted_record_is_recorded_apart_with_no_personal_data(
    kit: SimpleNamespace,
) -> None:
    read = staff_read(
        kit.open_case, kit.case_id, kit.case_manager, ev.RiskRecordView.ASSESSMENT, kit.now
    )
    assert read == ev.RiskRecordRead(
        case_id=kit.case_id,
        read_at=kit.now,
        staff_id="cso-0001",
        view=ev.RiskRecordView.ASSESSMENT,
    )
    system = Actor(id="hearth.risk", role=Role.SYSTEM)
    view = ev.RiskRecordView.RISK_RECORD
    assert staff_read(kit.open_case, kit.case_id, system, view, kit.now) is None
    assert staff_read(CaseAccess(), kit.case_id, kit.case_manager, view, kit.now) is None


def test_a_read_of_a_restricted_record_is_recorded_on_the_record_only(
    kit: SimpleNamespace,
) -> None:
    restricted = replace(
        kit.open_case,
        restriction=Restriction(
            reason=RestrictionReason.OTHER_SENSITIVITY, permitted_staff_ids=("cso-0001",)
        ),
    )
    view = ev.RiskRecordView.RISK_RECORD
    assert staff_read(restricted, kit.case_id, kit.case_manager, view, kit.now) is None
