"""Point 12 (issue 10): a member of staff named in a staff report needs their staff id."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hearth.contracts.envelope import Actor, Role
from hearth.contracts.events.intake import LinkBasis
from hearth.eventstore.errors import InvalidCommand

NOW = datetime(2025, 3, 7, 16, 30, tzinfo=UTC)
PARTNER = Actor(id="partner-idva", role=Role.PARTNER)
WEB_FORM = Actor(id="web-form", role=Role.PUBLIC)


def _staff_perpetrator(scenario, **details):
    submission = scenario.submission()
    perpetrator = {
        **submission.alleged_perpetrators[0].model_dump(mode="json"),
        "is_staff_member": True,
        **details,
    }
    return scenario.submission(alleged_perpetrators=[perpetrator])


@pytest.mark.parametrize("role", [Role.INTAKE, Role.CASE_MANAGER, Role.MANAGER, Role.ADMIN])
def test_a_staff_report_naming_a_colleague_without_their_staff_id_is_refused(
    scenario, role
) -> None:
    submission = _staff_perpetrator(scenario)
    refused = scenario.then_refused(
        scenario.submit(submission, actor=Actor(id="staff-1", role=role)), NOW, InvalidCommand
    )
    assert isinstance(refused, InvalidCommand)
    assert refused.field == "alleged_perpetrators.0.staff_id"
    assert refused.code == "staff_id_required"


def test_a_staff_survivor_without_a_staff_id_is_refused_naming_the_survivor(scenario) -> None:
    submission = scenario.submission(survivor={"name": "Alex Example", "is_staff_member": True})
    refused = scenario.then_refused(scenario.submit(submission), NOW, InvalidCommand)
    assert isinstance(refused, InvalidCommand)
    assert refused.field == "survivor.staff_id"


def test_a_staff_report_with_the_staff_id_is_accepted(scenario) -> None:
    submission = _staff_perpetrator(scenario, staff_id="cso-0001")
    [received, linked, *_] = scenario.when(scenario.submit(submission), NOW)
    assert received.alleged_perpetrators[0].staff_id == "cso-0001"
    assert linked.basis is LinkBasis.NEW_CASE


@pytest.mark.parametrize("actor", [PARTNER, WEB_FORM], ids=["partner", "web_form"])
def test_residents_and_partners_may_say_so_without_the_id(scenario, actor) -> None:
    """They cannot know it: cases restricts the case to the DA leads until it is recorded."""
    submission = _staff_perpetrator(scenario)
    [received, *_] = scenario.when(scenario.submit(submission, actor=actor), NOW)
    assert received.alleged_perpetrators[0].is_staff_member
    assert received.alleged_perpetrators[0].staff_id is None


def test_a_staff_id_for_someone_not_marked_as_staff_is_a_contradiction(scenario) -> None:
    submission = _staff_perpetrator(scenario, is_staff_member=False, staff_id="cso-0001")
    refused = scenario.then_refused(scenario.submit(submission, actor=PARTNER), NOW, InvalidCommand)
    assert isinstance(refused, InvalidCommand)
    assert refused.field == "alleged_perpetrators.0.is_staff_member"
