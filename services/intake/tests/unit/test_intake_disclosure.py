"""What a report's submitter is told (issue 10, points 17-19): partners and residents get
their report's id and a reference; staff not named on a restricted case are answered as
for a person with no case, and such a probe is recorded as a read of that case."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import UUID

from hearth.contracts.envelope import Actor, Role
from hearth.contracts.events.intake import LinkBasis
from hearth.intake.domain.decider import receive_report
from hearth.intake.domain.disclosure import RestrictionFacts, RestrictionMark
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


# --- restricted cases: known from cases, and from intake's own reports ------------------

COLLEAGUE = Actor(id="cm-0007", role=Role.CASE_MANAGER)
CASE_B = CaseStatus(UUID(int=0xCB, version=4), assigned_at=NOW - timedelta(days=30))
EARLIER = NOW - timedelta(days=1)


def _restricted_by_cases(case: CaseStatus, *named: str) -> RestrictionFacts:
    return RestrictionFacts(case.case_id, restricted_to=frozenset(named), said_at=EARLIER)


def _withheld(scenario, actor: Actor) -> bool:
    return scenario.answer(scenario.submit(actor=actor), NOW).case_withheld


def test_a_submitter_not_named_on_a_restricted_case_is_not_told_of_it(scenario) -> None:
    scenario.given_case(CASE_A, about=scenario.submission())
    scenario.given_restriction(_restricted_by_cases(CASE_A, COLLEAGUE.id))
    assert _withheld(scenario, scenario.staff)


def test_the_report_joins_the_restricted_case_all_the_same(scenario) -> None:
    scenario.given_case(CASE_A, about=scenario.submission())
    scenario.given_restriction(_restricted_by_cases(CASE_A, COLLEAGUE.id))
    [received, linked, *_] = scenario.when(scenario.submit(), NOW)
    assert received.case_id == linked.case_id == CASE_A.case_id


def test_staff_named_on_the_restriction_are_told_which_case(scenario) -> None:
    scenario.given_case(CASE_A, about=scenario.submission())
    scenario.given_restriction(_restricted_by_cases(CASE_A, COLLEAGUE.id))
    assert not _withheld(scenario, COLLEAGUE)


def test_a_repeat_of_a_restricted_case_is_withheld_too(scenario) -> None:
    closed = CaseStatus(CASE_A.case_id, assigned_at=CASE_A.assigned_at, closed_at=EARLIER)
    scenario.given_case(closed, about=scenario.submission())
    scenario.given_restriction(_restricted_by_cases(CASE_A, COLLEAGUE.id))
    assert _withheld(scenario, scenario.staff)


def test_a_restricted_case_the_report_does_not_touch_changes_nothing(scenario) -> None:
    scenario.given_case(CASE_B)
    scenario.given_restriction(_restricted_by_cases(CASE_B, COLLEAGUE.id))
    assert not _withheld(scenario, scenario.staff)


def test_an_unrestricted_case_is_named_to_anyone(scenario) -> None:
    scenario.given_case(CASE_A, about=scenario.submission())
    assert not _withheld(scenario, scenario.staff)


def _staff_survivor(scenario, staff_id: str | None = "hr-0042"):
    survivor = {"name": "Alex Example", "phone": "07700 900123", "is_staff_member": True}
    return scenario.submission(survivor={**survivor, "staff_id": staff_id})


def test_a_report_naming_staff_restricts_its_case_before_cases_says_anything(scenario) -> None:
    """Point 18: the race. A second report, by a colleague nobody named, before cases has
    published anything about the case the first report opened, is not told of it."""
    first = scenario.submit(_staff_survivor(scenario), actor=COLLEAGUE)
    scenario.apply(first, NOW)  # opens NEW_CASE_ID and marks it restricted
    scenario.given_case(CaseStatus(scenario.new_case_id, assigned_at=NOW), about=first.submission)
    assert scenario.state.restrictions[scenario.new_case_id].named() == frozenset()
    later = NOW + timedelta(seconds=1)
    second = scenario.submit(scenario.submission(), actor=scenario.staff)
    [_, linked, *_] = scenario.when(second, later)
    assert linked.case_id == scenario.new_case_id  # it joins the case...
    assert scenario.answer(second, later).case_withheld  # ...and is not told so


def test_the_report_says_who_its_case_is_restricted_for(scenario) -> None:
    outcome = receive_report(
        scenario.submit(_staff_survivor(scenario)), scenario.state, NOW, scenario.policy
    )
    assert outcome.restriction == RestrictionMark(
        scenario.new_case_id, NOW, frozenset({"hr-0042"}), unidentified=False
    )
    assert (
        receive_report(scenario.submit(), scenario.state, NOW, scenario.policy).restriction is None
    )


def test_staff_a_report_names_as_involved_are_never_told_even_if_cases_named_them(
    scenario,
) -> None:
    scenario.given_case(CASE_A, about=scenario.submission())
    mark = RestrictionMark(CASE_A.case_id, NOW, frozenset({COLLEAGUE.id}))
    facts = _restricted_by_cases(CASE_A, COLLEAGUE.id, "dalead-0001")
    scenario.given_restriction(replace(facts, mark=mark))
    assert facts.named() == {COLLEAGUE.id, "dalead-0001"}
    assert replace(facts, mark=mark).named() == {"dalead-0001"}
    assert _withheld(scenario, COLLEAGUE)


def test_staff_named_without_an_id_hide_the_case_from_everyone_until_cases_answers(
    scenario,
) -> None:
    """They could be anyone, the staff cases named before included."""
    facts = _restricted_by_cases(CASE_A, COLLEAGUE.id)
    marked = replace(facts, mark=RestrictionMark(CASE_A.case_id, NOW, unidentified=True))
    assert marked.named() == frozenset()
    answered = replace(marked, restricted_to=frozenset({"dalead-0001"}), said_at=NOW)
    assert answered.named() == {"dalead-0001"}


def test_a_restriction_cases_lifted_after_the_report_is_lifted(scenario) -> None:
    mark = RestrictionMark(CASE_A.case_id, EARLIER, frozenset({"hr-0042"}))
    lifted = RestrictionFacts(CASE_A.case_id, restricted_to=None, said_at=NOW, mark=mark)
    assert lifted.named() is None
    waiting = RestrictionFacts(CASE_A.case_id, mark=mark)
    assert waiting.named() == frozenset()
