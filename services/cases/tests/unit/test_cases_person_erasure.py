"""One person's erasure on a closed case, at their request approved by another manager."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from hearth.cases.domain import commands as c
from hearth.contracts.envelope import Actor, Role
from hearth.contracts.events import cases as ev
from hearth.contracts.events.base import REDACTED
from hearth.contracts.events.case_values import (
    ClosureReason,
    ErasureBasis,
    ErasureReason,
    FlagKind,
    ReopenReason,
)
from hearth.contracts.events.common import Relationship
from hearth.eventstore.errors import DomainError, InvalidCommand, NotAllowed, NotFound

CLOSED_AT = datetime(2025, 3, 10, 10, 0, tzinfo=UTC)
ASKED_AT = CLOSED_AT + timedelta(days=30)
APPROVED_AT = ASKED_AT + timedelta(days=2)
RETENTION = Actor(id="hearth.cases.retention", role=Role.SYSTEM)


@pytest.fixture
def closed(scenario, actors):
    scenario.opened()
    scenario.apply(c.RequestClosure(actors.cm, ClosureReason.SURVIVOR_MOVED), CLOSED_AT)
    scenario.apply(c.DecideClosure(actors.manager, approve=True), CLOSED_AT)
    return scenario


def _request(actor, person_id, request_id=None) -> c.RequestErasure:
    return c.RequestErasure(
        actor,
        request_id or uuid.uuid4(),
        ErasureReason.OBJECTION_UPHELD,
        "DPO-2025-9",
        person_id=person_id,
    )


def _erase_perpetrator(case, actors) -> ev.PersonErased:
    request_id = uuid.uuid4()
    case.apply(_request(actors.cm, case.perpetrator_id, request_id), ASKED_AT)
    [erased] = case.apply(c.ApproveErasure(actors.manager, request_id), APPROVED_AT)
    assert isinstance(erased, ev.PersonErased)
    return erased


# --- the request ---------------------------------------------------------------------------


def test_a_request_may_name_one_person_on_the_case(closed, actors) -> None:
    request_id = uuid.uuid4()
    closed.then(
        _request(actors.cm, closed.perpetrator_id, request_id),
        ASKED_AT,
        ev.ErasureRequested(
            case_id=closed.case_id,
            request_id=request_id,
            requested_at=ASKED_AT,
            reason=ErasureReason.OBJECTION_UPHELD,
            data_protection_reference="DPO-2025-9",
            person_id=closed.perpetrator_id,
        ),
    )


def test_a_request_naming_nobody_on_the_case_is_refused_naming_person_id(closed, actors) -> None:
    with pytest.raises(InvalidCommand) as refused:
        closed.when(_request(actors.cm, uuid.uuid4()), ASKED_AT)
    assert (refused.value.field, refused.value.code) == ("person_id", "person_not_on_case")


def test_someone_since_left_out_of_the_case_may_still_ask(scenario, actors) -> None:
    # Wrongly named as the perpetrator, say: his details are still on the case's events.
    scenario.opened()
    scenario.apply(c.UpdatePeople(actors.cm, uuid.uuid4(), alleged_perpetrators=()), CLOSED_AT)
    scenario.apply(c.RequestClosure(actors.cm, ClosureReason.SURVIVOR_MOVED), CLOSED_AT)
    scenario.apply(c.DecideClosure(actors.manager, approve=True), CLOSED_AT)
    assert scenario.state.perpetrators == ()
    request_id = uuid.uuid4()
    scenario.apply(_request(actors.cm, scenario.perpetrator_id, request_id), ASKED_AT)
    [erased] = scenario.when(c.ApproveErasure(actors.manager, request_id), APPROVED_AT)
    assert isinstance(erased, ev.PersonErased)
    assert erased.person_id == scenario.perpetrator_id


def test_no_one_is_erased_from_an_open_case(scenario, actors) -> None:
    # Survivor-safety reading: a live DA case keeps everyone's data, as for a whole case.
    scenario.opened()
    refusal = scenario.then_refused(_request(actors.cm, scenario.perpetrator_id), ASKED_AT)
    assert refusal.code == "case_open"


def test_a_person_request_waits_alone_like_a_case_request(closed, actors) -> None:
    closed.apply(_request(actors.cm, closed.perpetrator_id), ASKED_AT)
    for person_id in (closed.child_id, None):
        refusal = closed.then_refused(_request(actors.other_cm, person_id), ASKED_AT)
        assert refusal.code == "erasure_already_requested"


# --- approval and decline ------------------------------------------------------------------


def test_a_manager_other_than_the_requester_approves_and_the_person_is_erased(
    closed, actors
) -> None:
    request_id = uuid.uuid4()
    closed.apply(_request(actors.manager, closed.perpetrator_id, request_id), ASKED_AT)

    with pytest.raises(NotAllowed) as refused:
        closed.when(c.ApproveErasure(actors.manager, request_id), APPROVED_AT)
    assert refused.value.code == "approver_is_requester"
    with pytest.raises(NotAllowed) as refused:
        closed.when(c.ApproveErasure(actors.cm, request_id), APPROVED_AT)
    assert refused.value.code == "manager_only"

    closed.then(
        c.ApproveErasure(actors.second_manager, request_id),
        APPROVED_AT,
        ev.PersonErased(
            case_id=closed.case_id,
            person_id=closed.perpetrator_id,
            erased_at=APPROVED_AT,
            basis=ErasureBasis.SUBJECT_REQUEST,
            reason=ErasureReason.OBJECTION_UPHELD,
            request_id=request_id,
            requested_by=actors.manager.id,
            approved_by=actors.second_manager.id,
        ),
    )


def test_a_declined_person_request_erases_nobody(closed, actors) -> None:
    request_id = uuid.uuid4()
    closed.apply(_request(actors.cm, closed.perpetrator_id, request_id), ASKED_AT)
    [declined] = closed.apply(
        c.DeclineErasure(actors.manager, request_id, "Evidence for the hearing"), APPROVED_AT
    )
    assert isinstance(declined, ev.ErasureRequestDeclined)
    assert closed.state.erased_people == {}
    assert closed.state.perpetrators[0].name == "Sam Sample"
    approve = c.ApproveErasure(actors.second_manager, request_id)
    assert closed.then_refused(approve, APPROVED_AT).code == "no_erasure_request"


# --- after a person's erasure ---------------------------------------------------------------


def test_the_state_marks_the_person_erased_and_keeps_the_others(closed, actors) -> None:
    erased = _erase_perpetrator(closed, actors)
    state = closed.state
    assert state.erased_people == {closed.perpetrator_id: erased}
    assert state.pending_erasure is None and not state.erased
    [perpetrator] = state.perpetrators
    # His personal values gone (nothing that would need his destroyed key), the rest kept.
    assert perpetrator.person_id == closed.perpetrator_id
    assert (perpetrator.name, perpetrator.phone, perpetrator.address) == (None, None, None)
    assert perpetrator.relationship_to_survivor is Relationship.INTIMATE_PARTNER
    assert state.survivor is not None and state.survivor.name == "Alex Example"
    assert state.children[0].name == "Jo Example"
    # Flags raised on him keep their kind, not their reasons.
    his_flags = [f for f in state.flags.values() if f.raised.person_id == closed.perpetrator_id]
    assert his_flags and all(f.raised.reason in (REDACTED, None) for f in his_flags)


def test_a_person_is_erased_once(closed, actors) -> None:
    _erase_perpetrator(closed, actors)
    refusal = closed.then_refused(_request(actors.cm, closed.perpetrator_id), APPROVED_AT)
    assert refusal.code == "person_erased"
    assert not isinstance(refusal, NotAllowed | NotFound | InvalidCommand)  # answered 409


def test_another_person_on_the_case_may_be_erased_after(closed, actors) -> None:
    _erase_perpetrator(closed, actors)
    request_id = uuid.uuid4()
    closed.apply(_request(actors.cm, closed.child_id, request_id), APPROVED_AT)
    [erased] = closed.apply(c.ApproveErasure(actors.manager, request_id), APPROVED_AT)
    assert isinstance(erased, ev.PersonErased) and erased.person_id == closed.child_id
    assert set(closed.state.erased_people) == {closed.perpetrator_id, closed.child_id}


def test_the_whole_case_may_still_be_erased_at_a_request(closed, actors) -> None:
    _erase_perpetrator(closed, actors)
    request_id = uuid.uuid4()
    closed.apply(
        c.RequestErasure(actors.cm, request_id, ErasureReason.NO_LONGER_NECESSARY), APPROVED_AT
    )
    [erased] = closed.apply(c.ApproveErasure(actors.manager, request_id), APPROVED_AT)
    assert isinstance(erased, ev.CaseErased)
    assert closed.state.erased


def test_the_whole_case_is_still_erased_at_the_end_of_retention(closed, actors) -> None:
    _erase_perpetrator(closed, actors)
    [erased] = closed.when(c.EraseExpired(RETENTION), CLOSED_AT + timedelta(days=6 * 366 + 2))
    assert isinstance(erased, ev.CaseErased)


def test_nothing_more_is_recorded_about_an_erased_person_on_a_reopened_case(closed, actors) -> None:
    _erase_perpetrator(closed, actors)
    later = APPROVED_AT + timedelta(days=1)
    closed.apply(c.ReopenCase(actors.cm, ReopenReason.NEW_INCIDENT), later)
    refused: list[c.Command] = [
        c.RaiseFlag(actors.cm, uuid.uuid4(), closed.perpetrator_id, FlagKind.POTENTIAL_RISK, "R"),
        c.UpdatePeople(
            actors.cm,
            uuid.uuid4(),
            alleged_perpetrators=(
                c.GivenPerpetrator(
                    person_id=closed.perpetrator_id,
                    name="Sam Sample",
                    relationship_to_survivor=Relationship.INTIMATE_PARTNER,
                ),
            ),
        ),
        c.ReceiveReport(actors.system, closed.report(received_at=later)),
    ]
    for command in refused:
        assert closed.then_refused(command, later).code == "person_erased"
    # The others go on as before: a flag on the child, an update leaving him out.
    flag = c.RaiseFlag(actors.cm, uuid.uuid4(), closed.child_id, FlagKind.POTENTIAL_RISK, "R")
    with pytest.raises(DomainError) as other:
        closed.when(flag, later)
    assert other.value.code != "person_erased"
    [updated, *_] = closed.when(
        c.UpdatePeople(actors.cm, uuid.uuid4(), alleged_perpetrators=()), later
    )
    assert isinstance(updated, ev.PeopleUpdated) and updated.alleged_perpetrators == ()
