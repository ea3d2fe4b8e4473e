"""Point 13 (issue 10): an anonymous report about someone nobody can identify or reach gets
a task for the DA lead to identify them, not a contact deadline that can never be met."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from hearth.cases.domain import commands as c
from hearth.cases.domain.commands import ReceiveReport
from hearth.cases.domain.deadlines import DeadlineKind
from hearth.cases.domain.state import TaskStatus
from hearth.contracts.events import cases as ev
from hearth.contracts.events.case_values import ClosureReason, ReopenReason
from hearth.contracts.events.common import (
    AllegedPerpetrator,
    Channel,
    PostalAddress,
    Relationship,
    ReporterKind,
    SafeContact,
    Survivor,
    ThirdPartyRelationship,
)
from hearth.contracts.events.intake import Reporter

NOW = datetime(2025, 3, 7, 16, 30, tzinfo=UTC)  # a Friday
MONDAY_10 = datetime(2025, 3, 10, 10, 0, tzinfo=UTC)
TUESDAY_10 = datetime(2025, 3, 11, 10, 0, tzinfo=UTC)
ADDRESS = PostalAddress(lines=("Flat 2", "1 Example Street"), postcode="ZZ1 1ZZ")


def _safe(**changes) -> SafeContact:
    fields = {
        "safe_to_call": False,
        "safe_to_text": False,
        "safe_to_email": False,
        "safe_to_write": False,
        "safe_to_visit": False,
        "withheld_number_only": False,
        "never_leave_voicemail": True,
        "interpreter_needed": False,
    }
    return SafeContact(**{**fields, **changes})


def _anonymous(scenario, **changes):
    """A web-form report from someone who would rather not say, about someone unnamed."""
    fields = {
        "channel": Channel.WEB_FORM,
        "reporter": Reporter(kind=ReporterKind.ANONYMOUS),
        "survivor": Survivor(person_id=scenario.survivor_id),
        "alleged_perpetrators": (
            AllegedPerpetrator(
                person_id=scenario.perpetrator_id,
                name="Sam Sample",
                phone="07700 900456",
                address=ADDRESS,
                relationship_to_survivor=Relationship.INTIMATE_PARTNER,
            ),
        ),
    }
    return scenario.report(**{**fields, **changes})


@pytest.fixture
def anonymous(scenario, actors):
    scenario.apply(ReceiveReport(actors.system, _anonymous(scenario)), NOW)
    return scenario


def test_nobody_to_identify_opens_a_task_for_the_da_lead_instead_of_a_contact_deadline(
    scenario, actors
) -> None:
    events = scenario.apply(ReceiveReport(actors.system, _anonymous(scenario)), NOW)
    opened = events[0]
    assert isinstance(opened, ev.CaseOpened)
    assert opened.survivor_to_identify is True
    state = scenario.state
    assert state.open_deadline(DeadlineKind.CONTACT) is None
    assert state.identify_survivor is not None
    assert state.identify_survivor.status is TaskStatus.OPEN
    assert state.identify_survivor.opened_at == NOW
    # The DASH and review deadlines are as for any case.
    assert state.open_deadline(DeadlineKind.DASH) is not None


def test_the_scheduler_finds_no_contact_deadline_to_miss(anonymous, actors) -> None:
    later = datetime(2025, 3, 20, 10, 0, tzinfo=UTC)
    command = c.RecordOverdue(actors.system, DeadlineKind.CONTACT, "1")
    assert anonymous.when(command, later) == []


@pytest.mark.parametrize(
    "changes",
    [
        {"survivor": Survivor(person_id=uuid.UUID(int=1), name="Alex Example")},
        {"survivor": Survivor(person_id=uuid.UUID(int=1), phone="07700 900123")},
        {"survivor": Survivor(person_id=uuid.UUID(int=1), email="alex@example.org")},
        {"survivor": Survivor(person_id=uuid.UUID(int=1), address=ADDRESS)},
        {"tenancy_reference": "T-000123"},
        {"safe_contact": _safe(safe_to_text=True, safe_phone_numbers=("07700 900123",))},
        {"safe_contact": _safe(safe_to_write=True, safe_postal_address=ADDRESS)},
        {"reporter": Reporter(kind=ReporterKind.SURVIVOR, phone="07700 900123")},
        {
            "reporter": Reporter(
                kind=ReporterKind.THIRD_PARTY,
                relationship=ThirdPartyRelationship.NEIGHBOUR,
                email="pat@example.org",
            )
        },
        {"channel": Channel.PARTNER_AGENCY, "partner_reference": "IDVA-2025-17"},
    ],
    ids=[
        "name",
        "phone",
        "email",
        "address",
        "tenancy",
        "safe_phone",
        "safe_address",
        "survivor_reporting",
        "third_party_to_ask",
        "partner_reference",
    ],
)
def test_any_way_to_identify_or_reach_the_survivor_starts_the_contact_deadline(
    scenario, actors, changes
) -> None:
    events = scenario.apply(ReceiveReport(actors.system, _anonymous(scenario, **changes)), NOW)
    assert events[0].survivor_to_identify is False
    assert scenario.state.open_deadline(DeadlineKind.CONTACT) is not None
    assert scenario.state.identify_survivor is None


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"survivor": Survivor(person_id=uuid.UUID(int=1), date_of_birth="1990-05-17")},
        {"reporter": Reporter(kind=ReporterKind.STAFF, staff_id="intake-0001")},
        {
            "reporter": Reporter(
                kind=ReporterKind.THIRD_PARTY,
                relationship=ThirdPartyRelationship.NEIGHBOUR,
                name="Pat Neighbour",
            )
        },
        {"safe_contact": _safe(never_leave_voicemail=True)},
    ],
    ids=["perpetrator_only", "birthday_only", "staff_reporter", "unreachable_reporter", "no_ways"],
)
def test_the_perpetrator_a_birthday_or_an_unreachable_reporter_identify_nobody(
    scenario, actors, changes
) -> None:
    events = scenario.apply(ReceiveReport(actors.system, _anonymous(scenario, **changes)), NOW)
    assert events[0].survivor_to_identify is True


def test_details_added_later_start_the_contact_deadline_from_that_moment(anonymous, actors) -> None:
    named = c.GivenSurvivor(person_id=anonymous.survivor_id, name="Alex Example")
    events = anonymous.apply(
        c.UpdatePeople(actors.manager, uuid.uuid4(), survivor=named), MONDAY_10
    )
    [identified] = anonymous.of_type(events, ev.SurvivorIdentified)
    assert identified.identified_at == MONDAY_10
    assert identified.contact_due_at == TUESDAY_10  # one working day from the update
    contact = anonymous.state.open_deadline(DeadlineKind.CONTACT)
    assert contact is not None
    assert (contact.starts_at, contact.due_at) == (MONDAY_10, TUESDAY_10)
    assert anonymous.state.identify_survivor.status is TaskStatus.DONE
    assert anonymous.state.identify_survivor.done_at == MONDAY_10


def test_details_that_identify_nobody_leave_the_task_open(anonymous, actors) -> None:
    born = c.GivenSurvivor(person_id=anonymous.survivor_id, date_of_birth="1990-05-17")
    events = anonymous.apply(c.UpdatePeople(actors.manager, uuid.uuid4(), survivor=born), MONDAY_10)
    assert anonymous.of_type(events, ev.SurvivorIdentified) == []
    assert anonymous.state.identify_survivor.status is TaskStatus.OPEN
    assert anonymous.state.open_deadline(DeadlineKind.CONTACT) is None


def test_a_safe_number_recorded_later_reaches_the_survivor(anonymous, actors) -> None:
    safe = _safe(safe_to_call=True, safe_phone_numbers=("07700 900123",))
    events = anonymous.apply(c.UpdateSafeContact(actors.manager, safe), MONDAY_10)
    assert [type(e) for e in events] == [ev.SafeContactUpdated, ev.SurvivorIdentified]
    assert anonymous.state.open_deadline(DeadlineKind.CONTACT).due_at == TUESDAY_10


def test_a_further_report_from_someone_who_can_be_asked_starts_it(anonymous, actors) -> None:
    reporter = Reporter(
        kind=ReporterKind.THIRD_PARTY,
        relationship=ThirdPartyRelationship.RELATIVE,
        phone="07700 900789",
    )
    further = _anonymous(anonymous, reporter=reporter, received_at=MONDAY_10)
    events = anonymous.apply(ReceiveReport(actors.system, further), MONDAY_10)
    [identified] = anonymous.of_type(events, ev.SurvivorIdentified)
    assert identified.contact_due_at == TUESDAY_10


def test_closing_cancels_the_task_and_reopening_brings_it_back(anonymous, actors) -> None:
    anonymous.given(
        [
            ev.CaseClosed(
                case_id=anonymous.case_id,
                closed_at=MONDAY_10,
                reason=ClosureReason.NO_FURTHER_CONTACT_POSSIBLE,
                approved_by="lead-1",
            )
        ]
    )
    assert anonymous.state.identify_survivor.status is TaskStatus.CANCELLED
    [reopened] = anonymous.apply(
        c.ReopenCase(actors.manager, ReopenReason.NEW_INCIDENT), TUESDAY_10
    )
    assert reopened.contact_due_at is None
    assert reopened.dash_due_at is not None
    assert anonymous.state.identify_survivor.status is TaskStatus.OPEN
    assert anonymous.state.open_deadline(DeadlineKind.CONTACT) is None


def test_a_further_report_that_identifies_nobody_starts_no_contact_deadline(
    anonymous, actors
) -> None:
    """A new report starts a contact deadline (point 9), but not while nobody can identify
    or reach the survivor: the DA lead's task stands in for it."""
    further = _anonymous(anonymous, received_at=MONDAY_10)
    events = anonymous.apply(ReceiveReport(actors.system, further), MONDAY_10)
    [added] = anonymous.of_type(events, ev.ReportAddedToCase)
    assert added.contact_due_at is None
    assert anonymous.of_type(events, ev.SurvivorIdentified) == []
    assert anonymous.state.open_deadline(DeadlineKind.CONTACT) is None
    assert anonymous.state.identify_survivor.status is TaskStatus.OPEN


def test_a_further_report_that_identifies_them_starts_one_contact_deadline_from_the_report(
    anonymous, actors
) -> None:
    """The report is a report of the abuse like any other: contact is due from when it was
    reported, once (from `SurvivorIdentified`, not also from the report)."""
    named = Survivor(person_id=anonymous.survivor_id, name="Alex Example")
    further = _anonymous(anonymous, survivor=named, received_at=MONDAY_10)
    later = datetime(2025, 3, 10, 11, 0, tzinfo=UTC)
    events = anonymous.apply(ReceiveReport(actors.system, further), later)
    [added] = anonymous.of_type(events, ev.ReportAddedToCase)
    assert added.contact_due_at is None
    [identified] = anonymous.of_type(events, ev.SurvivorIdentified)
    assert (identified.identified_at, identified.contact_due_at) == (MONDAY_10, TUESDAY_10)
    contacts = [d for d in anonymous.state.deadlines.values() if d.kind is DeadlineKind.CONTACT]
    assert [(d.starts_at, d.due_at, d.is_open) for d in contacts] == [(MONDAY_10, TUESDAY_10, True)]
    assert anonymous.state.identify_survivor.status is TaskStatus.DONE


def test_a_report_reopening_the_case_that_identifies_them_starts_contact(anonymous, actors) -> None:
    anonymous.given(
        [
            ev.CaseClosed(
                case_id=anonymous.case_id,
                closed_at=MONDAY_10,
                reason=ClosureReason.NO_FURTHER_CONTACT_POSSIBLE,
                approved_by="lead-1",
            )
        ]
    )
    reporter = Reporter(kind=ReporterKind.SURVIVOR, phone="07700 900123")
    further = _anonymous(anonymous, reporter=reporter, received_at=TUESDAY_10)
    events = anonymous.apply(ReceiveReport(actors.system, further), TUESDAY_10)
    [reopened] = anonymous.of_type(events, ev.CaseReopened)
    [added] = anonymous.of_type(events, ev.ReportAddedToCase)
    assert (reopened.contact_due_at, added.contact_due_at) == (None, None)
    [identified] = anonymous.of_type(events, ev.SurvivorIdentified)
    assert identified.identified_at == TUESDAY_10
    assert anonymous.state.open_deadline(DeadlineKind.CONTACT).due_at == identified.contact_due_at
    assert anonymous.state.identify_survivor.status is TaskStatus.DONE
