"""Subject access in intake: given the reports on a case, when a person asks, then they
get what is theirs and nothing of anyone else's (the survivor never who reported it)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hearth.contracts.envelope import Actor, Role
from hearth.contracts.events.base import DomainEvent
from hearth.contracts.events.common import ReporterKind
from hearth.contracts.events.intake import Reporter, ReportReceived
from hearth.eventstore.decider import Recorded
from hearth.eventstore.errors import NotFound
from hearth.intake.domain.subject_access import subject_access

MONDAY = datetime(2025, 3, 10, 10, 0, tzinfo=UTC)
STAFF = Actor(id="cso-0001", role=Role.CASE_MANAGER)
NEIGHBOUR = Reporter(
    kind=ReporterKind.THIRD_PARTY,
    relationship="neighbour",
    name="Nell Neighbour",
    phone="07700 900999",
    email="nell@example.org",
)


def _history(*events: DomainEvent) -> list[Recorded]:
    return [
        Recorded(event=e, actor=STAFF, version=1, recorded_at=MONDAY + timedelta(hours=i))
        for i, e in enumerate(events)
    ]


def _report(scenario: Any, case_id: uuid.UUID, **changes: Any) -> ReportReceived:
    report: ReportReceived = scenario.received(case_id, **changes)
    return report


def test_the_survivor_gets_the_report_about_them_without_the_reporters_identity(
    scenario: Any,
) -> None:
    # Given a neighbour's report about the survivor
    case_id = uuid.uuid4()
    report = _report(scenario, case_id, reporter=NEIGHBOUR, partner_reference="PARTNER-77")
    # When the survivor asks
    answer = subject_access(case_id, _history(report), report.survivor.person_id)
    # Then their own details, never who reported it, nor the perpetrator's details
    assert answer["role"] == "survivor"
    [theirs] = answer["events"]
    assert theirs["details"]["name"] == "Alex Example"
    assert theirs["tenancy_reference"] == "T-000123"
    printed = json.dumps(answer)
    for secret in (
        "Nell Neighbour",
        "07700 900999",
        "nell@example.org",
        "neighbour",
        "third_party",
        "PARTNER-77",
        "Sam Sample",
        "07700 900456",
    ):
        assert secret not in printed, secret
    assert "reporter" not in theirs and "channel" not in theirs


def test_the_survivor_who_reported_it_gets_how_they_did(scenario: Any) -> None:
    case_id = uuid.uuid4()
    report = _report(scenario, case_id, reporter=Reporter(kind=ReporterKind.SURVIVOR))
    [theirs] = subject_access(case_id, _history(report), report.survivor.person_id)["events"]
    assert theirs["reporter"] == {"kind": "survivor"}
    assert theirs["channel"] == "phone"


def test_the_perpetrator_is_told_only_that_a_report_names_them(scenario: Any) -> None:
    # Given the same report
    case_id = uuid.uuid4()
    report = _report(scenario, case_id, reporter=NEIGHBOUR)
    perpetrator = report.alleged_perpetrators[0].person_id
    # When the alleged perpetrator asks
    answer = subject_access(case_id, _history(report), perpetrator)
    # Then that a report names them, and when; their details held for review
    assert answer["role"] == "alleged_perpetrator"
    assert answer["events"] == [
        {
            "recorded_at": MONDAY.isoformat(),
            "event": "ReportReceived",
            "report_id": str(report.report_id),
        }
    ]
    assert [h["field"] for h in answer["held_for_review"]] == [
        f"alleged_perpetrators[{perpetrator}]"
    ]
    printed = json.dumps(answer)
    for secret in ("Alex Example", "07700 900123", "T-000123", "Nell Neighbour", "physical"):
        assert secret not in printed, secret


def test_a_reporter_gets_what_they_submitted_of_their_own_not_the_people_they_named(
    scenario: Any,
) -> None:
    case_id = uuid.uuid4()
    report = _report(scenario, case_id, reporter=NEIGHBOUR)
    # The reporter is found by their report's id (they have no person id on the case).
    answer = subject_access(case_id, _history(report), report.report_id)
    assert answer["role"] == "reporter"
    [theirs] = answer["events"]
    assert theirs["reporter"]["name"] == "Nell Neighbour"
    assert theirs["channel"] == "phone"
    printed = json.dumps(answer)
    assert "Alex Example" not in printed and "Sam Sample" not in printed
    assert {h["field"] for h in answer["held_for_review"]} == {
        "survivor",
        "alleged_perpetrators",
        "children",
    }


def test_someone_not_on_the_case_and_an_unknown_case_are_not_found(scenario: Any) -> None:
    case_id = uuid.uuid4()
    report = _report(scenario, case_id)
    with pytest.raises(NotFound) as stranger:
        subject_access(case_id, _history(report), uuid.uuid4())
    assert stranger.value.code == "person_not_on_case"
    with pytest.raises(NotFound) as unknown:
        subject_access(uuid.uuid4(), _history(report), report.survivor.person_id)
    assert unknown.value.code == "case_not_found"


def test_an_erased_case_answers_only_that_it_was_erased_and_when(scenario: Any) -> None:
    case_id = uuid.uuid4()
    survivor = uuid.uuid4()
    erased_at = MONDAY + timedelta(days=3)
    assert subject_access(case_id, [], survivor, erased_at=erased_at) == {
        "case_id": str(case_id),
        "person_id": str(survivor),
        "erased": True,
        "erased_at": erased_at.isoformat(),
    }
