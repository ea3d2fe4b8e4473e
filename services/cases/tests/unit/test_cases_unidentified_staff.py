"""Point 12 (issue 10): a member of staff named without a staff id cannot be kept off their
own case, so until the id is recorded only the DA leads see it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from hearth.cases.domain import commands as c
from hearth.cases.domain.commands import ReceiveReport
from hearth.cases.domain.guards import CaseNotFound
from hearth.contracts.envelope import Actor, Role
from hearth.contracts.events import cases as ev
from hearth.contracts.events.case_values import ClosureReason, RestrictionReason
from hearth.contracts.events.common import (
    AllegedPerpetrator,
    Channel,
    Gender,
    Relationship,
    ReporterKind,
    Survivor,
)
from hearth.contracts.events.intake import Reporter
from hearth.eventstore.errors import DomainError

NOW = datetime(2025, 3, 7, 16, 30, tzinfo=UTC)
MONDAY_10 = datetime(2025, 3, 10, 10, 0, tzinfo=UTC)
CASELOADS = {"cso-w1": 0, "cso-w2": 3, "cso-m1": 3}
OFFICER_W1 = Actor(id="cso-w1", role=Role.CASE_MANAGER)
MOVED = ClosureReason.SURVIVOR_MOVED


def _web_form_report(scenario, *, staff_id=None, person_id=None, **changes):
    perpetrator = AllegedPerpetrator(
        person_id=person_id or scenario.perpetrator_id,
        name="Sam Sample",
        relationship_to_survivor=Relationship.INTIMATE_PARTNER,
        is_staff_member=True,
        staff_id=staff_id,
    )
    return scenario.report(
        channel=Channel.WEB_FORM,
        reporter=Reporter(kind=ReporterKind.ANONYMOUS),
        alleged_perpetrators=(perpetrator,),
        **changes,
    )


@pytest.fixture
def unidentified(scenario, actors):
    """A web-form case whose alleged perpetrator works for the landlord, id unknown."""
    scenario.apply(ReceiveReport(actors.system, _web_form_report(scenario), CASELOADS), NOW)
    return scenario


def _record_staff_id(scenario, actor, staff_id: str, caseloads=CASELOADS) -> c.UpdatePeople:
    perpetrator = scenario.state.perpetrators[0]
    given = c.GivenPerpetrator.model_validate({**perpetrator.model_dump(), "staff_id": staff_id})
    return c.UpdatePeople(actor, uuid.uuid4(), alleged_perpetrators=(given,), caseloads=caseloads)


def test_a_web_form_report_naming_staff_without_an_id_opens_for_the_da_leads_only(
    scenario, actors
) -> None:
    events = scenario.when(ReceiveReport(actors.system, _web_form_report(scenario), CASELOADS), NOW)
    opened = events[0]
    assert isinstance(opened, ev.CaseOpened)
    assert opened.restriction is not None
    assert opened.restriction.permitted_staff_ids == ("lead-1",)
    assert opened.restriction.reason is RestrictionReason.ALLEGED_PERPETRATOR_IS_STAFF
    # Any officer could be the person involved: nobody is chosen to manage it yet.
    assert scenario.of_type(events, ev.CaseManagerAssigned) == []
    [restricted] = scenario.of_type(events, ev.CaseRestricted)
    assert restricted.restriction == opened.restriction


def test_a_staff_survivor_without_an_id_is_kept_to_the_da_leads_too(scenario, actors) -> None:
    survivor = Survivor(person_id=scenario.survivor_id, is_staff_member=True)
    report = scenario.report(survivor=survivor, channel=Channel.PARTNER_AGENCY)
    events = scenario.when(ReceiveReport(actors.system, report, CASELOADS), NOW)
    [restricted] = scenario.of_type(events, ev.CaseRestricted)
    assert restricted.restriction.reason is RestrictionReason.SURVIVOR_IS_STAFF
    assert restricted.restriction.permitted_staff_ids == ("lead-1",)


def test_officers_do_not_see_it_and_the_da_lead_does(unidentified, actors) -> None:
    with pytest.raises(CaseNotFound):
        unidentified.when(c.RequestClosure(actors.cm, MOVED), MONDAY_10)
    assert unidentified.when(c.RequestClosure(actors.manager, MOVED), MONDAY_10)


def test_recording_the_staff_id_names_a_case_manager_who_is_not_them(unidentified, actors) -> None:
    command = _record_staff_id(unidentified, actors.manager, "cso-w1")
    events = unidentified.apply(command, MONDAY_10)
    [assigned] = unidentified.of_type(events, ev.CaseManagerAssigned)
    [restricted] = unidentified.of_type(events, ev.CaseRestricted)
    # cso-w1 has the lightest caseload, but is the person involved.
    assert assigned.case_manager.staff_id == "cso-m1"
    assert restricted.restriction.permitted_staff_ids == ("cso-m1", "lead-1")
    with pytest.raises(CaseNotFound):  # the member of staff involved never sees it
        unidentified.when(c.RequestClosure(OFFICER_W1, MOVED), MONDAY_10)
    assert unidentified.when(c.RequestClosure(actors.cm, MOVED), MONDAY_10)


def test_a_case_manager_cannot_be_named_before_the_id_is_recorded(unidentified, actors) -> None:
    with pytest.raises(DomainError) as refused:
        unidentified.when(c.ChangeCaseManager(actors.manager, staff_id="cso-w2"), MONDAY_10)
    assert refused.value.code == "staff_not_identified"


def test_nor_can_others_be_named_on_the_restriction(unidentified, actors) -> None:
    command = c.RestrictCase(actors.manager, RestrictionReason.OTHER_SENSITIVITY, ("cso-w2",))
    with pytest.raises(DomainError) as refused:
        unidentified.when(command, MONDAY_10)
    assert refused.value.code == "staff_not_identified"


def test_a_preferred_gender_is_recorded_and_honoured_once_identified(unidentified, actors) -> None:
    events = unidentified.apply(
        c.ChangeCaseManager(actors.manager, preferred_gender=Gender.WOMAN), MONDAY_10
    )
    assert [type(e) for e in events] == [ev.CaseManagerPreferenceRecorded]
    events = unidentified.apply(_record_staff_id(unidentified, actors.manager, "cso-w1"), MONDAY_10)
    [assigned] = unidentified.of_type(events, ev.CaseManagerAssigned)
    assert assigned.case_manager.staff_id == "cso-w2"
    assert assigned.preference_met is True


def test_a_further_report_naming_unidentified_staff_leaves_only_the_da_leads(
    scenario, actors
) -> None:
    scenario.opened(caseloads=CASELOADS)
    assert scenario.state.case_manager.staff_id == "cso-w1"
    further = _web_form_report(scenario, person_id=uuid.uuid4())
    events = scenario.apply(ReceiveReport(actors.system, further, CASELOADS), MONDAY_10)
    [restricted] = scenario.of_type(events, ev.CaseRestricted)
    assert restricted.restriction.permitted_staff_ids == ("lead-1",)
    with pytest.raises(CaseNotFound):  # the case manager could be the person involved
        scenario.when(c.RequestClosure(OFFICER_W1, MOVED), MONDAY_10)
