"""What a report's submitter is told (issue 10, points 17-19): partners and residents get
their report's id and a reference; staff not named on a restricted case are answered as
for a person with no case, and such a probe is recorded as a read of that case."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from hearth.contracts.envelope import Actor, Role
from hearth.contracts.events.intake import LinkBasis
from hearth.intake.domain.decider import receive_report
from hearth.intake.domain.linking import CaseStatus

NOW = datetime(2025, 3, 7, 16, 30, tzinfo=UTC)
CASE_A = CaseStatus(UUID(int=0xCA, version=4), assigned_at=NOW - timedelta(days=30))
PARTNER = Actor(id="partner-idva", role=Role.PARTNER)
WEB_FORM = Actor(id="web-form", role=Role.PUBLIC)


def _answer(scenario, policy, command):
    return receive_report(command, scenario.state, NOW, policy).answer


# --- point 19: partners learn nothing about other reports or cases ----------------------


def test_a_partner_is_told_its_reports_id_and_a_reference_only(scenario, policy) -> None:
    scenario.given_case(CASE_A, about=scenario.submission())
    command = scenario.submit(scenario.submission(channel="partner_agency"), actor=PARTNER)
    answer = _answer(scenario, policy, command)
    # The report joined the survivor's open case all the same...
    assert receive_report(command, scenario.state, NOW, policy).linked.case_id == CASE_A.case_id
    # ...but the partner is told nothing of it.
    assert answer.report_id == scenario.report_id
    assert answer.reference == str(scenario.report_id)
    assert (answer.case_id, answer.basis, answer.previous_case_id) == (None, None, None)
    assert answer.repeat_reasons == ()


def test_a_partner_is_told_the_same_about_a_person_with_no_case(scenario, policy) -> None:
    command = scenario.submit(scenario.submission(channel="partner_agency"), actor=PARTNER)
    unknown = _answer(scenario, policy, command)
    scenario.given_case(CASE_A, about=scenario.submission())
    known = _answer(scenario, policy, command)
    assert unknown == known


def test_the_web_form_is_answered_with_the_reference_too(scenario, policy) -> None:
    scenario.given_case(CASE_A, about=scenario.submission())
    command = scenario.submit(scenario.submission(channel="web_form"), actor=WEB_FORM)
    assert _answer(scenario, policy, command).case_id is None


def test_staff_are_told_the_case(scenario, policy) -> None:
    scenario.given_case(CASE_A, about=scenario.submission())
    answer = _answer(scenario, policy, scenario.submit())
    assert (answer.case_id, answer.basis) == (CASE_A.case_id, LinkBasis.SAME_SURVIVOR)
