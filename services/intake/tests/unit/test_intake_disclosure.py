"""What a report's submitter is told (issue 10, points 17-19): partners and residents get
their report's id and a reference; staff not named on a restricted case are answered as
for a person with no case, and such a probe is recorded as a read of that case."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import UUID

from hearth.contracts.envelope import Actor, Role
from hearth.contracts.events.intake import CaseWithheldFromSubmitter, LinkBasis
from hearth.eventstore.errors import NotFound
from hearth.intake.domain.decider import receive_report
from hearth.intake.domain.disclosure import (
    NamedCaseWithheld,
    ReportAnswer,
    RestrictionFacts,
    RestrictionMark,
)
from hearth.intake.domain.linking import CaseStatus

NOW = datetime(2025, 3, 7, 16, 30, tzinfo=UTC)
CASE_A = CaseStatus(UUID(int=0xCA, version=4), assigned_at=NOW - timedelta(days=30))
NEW_CASE = UUID(int=0xC0, version=4)
"""The case a report opens when it joins none (the scenario's)."""
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


def _told_case(scenario, actor: Actor) -> UUID | None:
    return scenario.answer(scenario.submit(actor=actor), NOW).case_id


def _restricted_case_a(scenario, *named: str) -> None:
    scenario.given_case(CASE_A, about=scenario.submission())
    scenario.given_restriction(_restricted_by_cases(CASE_A, *named))


def test_a_submitter_not_named_is_answered_as_about_a_person_with_no_case(scenario, policy) -> None:
    """Point 17: the same status and shape as a new case, under a stand-in case id."""
    about_nobody = scenario.answer(scenario.submit(), NOW)
    assert (about_nobody.case_id, about_nobody.basis) == (NEW_CASE, LinkBasis.NEW_CASE)
    _restricted_case_a(scenario, COLLEAGUE.id)

    answer = scenario.answer(scenario.submit(), NOW)

    assert answer == replace(about_nobody, case_id=scenario.stand_in_id)
    assert answer.case_id != CASE_A.case_id


def test_the_report_joins_the_restricted_case_and_the_probe_is_recorded(scenario) -> None:
    _restricted_case_a(scenario, COLLEAGUE.id)
    scenario.then(
        scenario.submit(),
        NOW,
        scenario.received(CASE_A.case_id),
        scenario.linked(CASE_A.case_id, LinkBasis.SAME_SURVIVOR),
        CaseWithheldFromSubmitter(
            case_id=CASE_A.case_id,
            withheld_at=NOW,
            report_id=scenario.report_id,
            answered_case_id=scenario.stand_in_id,
        ),
    )


def test_the_same_submitter_is_given_the_same_stand_in_again(scenario) -> None:
    """A second report about the same person names "their" case as a real one would."""
    _restricted_case_a(scenario, COLLEAGUE.id)
    scenario.apply(scenario.submit(), NOW)
    again = replace(scenario.submit(), stand_in_case_id=UUID(int=0xD1, version=4))
    answer = scenario.answer(again, NOW)
    assert (answer.case_id, answer.basis) == (scenario.stand_in_id, LinkBasis.SAME_SURVIVOR)
    # Someone else gets their own.
    other = scenario.answer(replace(again, actor=Actor(id="cm-0099", role=Role.INTAKE)), NOW)
    assert (other.case_id, other.basis) == (UUID(int=0xD1, version=4), LinkBasis.NEW_CASE)


def test_staff_named_on_the_restriction_are_told_which_case(scenario) -> None:
    _restricted_case_a(scenario, COLLEAGUE.id)
    assert _told_case(scenario, COLLEAGUE) == CASE_A.case_id
    assert len(scenario.when(scenario.submit(actor=COLLEAGUE), NOW)) == 2  # nothing withheld


def test_a_repeat_of_a_restricted_case_is_answered_as_a_new_case_without_repeat(
    scenario,
) -> None:
    closed = CaseStatus(CASE_A.case_id, assigned_at=CASE_A.assigned_at, closed_at=EARLIER)
    scenario.given_case(closed, about=scenario.submission())
    scenario.given_restriction(_restricted_by_cases(CASE_A, COLLEAGUE.id))
    answer = scenario.answer(scenario.submit(), NOW)
    assert answer == ReportAnswer(scenario.report_id, NEW_CASE, LinkBasis.NEW_CASE)
    [_, linked, withheld] = scenario.when(scenario.submit(), NOW)
    # The case's caseworkers still see the repeat; the submitter does not.
    assert linked.previous_case_id == CASE_A.case_id
    assert withheld == CaseWithheldFromSubmitter(
        case_id=CASE_A.case_id, withheld_at=NOW, report_id=scenario.report_id
    )


def test_a_restricted_case_the_report_does_not_touch_changes_nothing(scenario) -> None:
    scenario.given_case(CASE_B)
    scenario.given_restriction(_restricted_by_cases(CASE_B, COLLEAGUE.id))
    assert _told_case(scenario, scenario.staff) == NEW_CASE


def test_an_unrestricted_case_is_named_to_anyone(scenario) -> None:
    scenario.given_case(CASE_A, about=scenario.submission())
    assert _told_case(scenario, scenario.staff) == CASE_A.case_id


def test_a_partners_report_on_a_restricted_case_records_no_probe(scenario) -> None:
    """Partners are never told of cases: nothing was kept from them."""
    _restricted_case_a(scenario, COLLEAGUE.id)
    command = scenario.submit(scenario.submission(channel="partner_agency"), actor=PARTNER)
    assert len(scenario.when(command, NOW)) == 2


def test_naming_a_restricted_case_answers_exactly_as_a_random_id(scenario) -> None:
    _restricted_case_a(scenario, COLLEAGUE.id)
    random_id = UUID(int=0xEE, version=4)
    unknown = scenario.then_refused(
        scenario.submit(scenario.submission(case_id=str(random_id))), NOW, NotFound
    )
    named = scenario.then_refused(
        scenario.submit(scenario.submission(case_id=str(CASE_A.case_id))), NOW, NotFound
    )
    assert (
        (str(named), named.code)
        == (str(unknown), unknown.code)
        == (
            "no case with this id is known to intake",
            "unknown_case",
        )
    )
    assert isinstance(named, NamedCaseWithheld)
    assert named.record == CaseWithheldFromSubmitter(case_id=CASE_A.case_id, withheld_at=NOW)


def test_a_closed_restricted_case_named_is_unknown_too_not_closed(scenario) -> None:
    closed = CaseStatus(CASE_A.case_id, assigned_at=CASE_A.assigned_at, closed_at=EARLIER)
    scenario.given_case(closed)
    scenario.given_restriction(_restricted_by_cases(CASE_A, COLLEAGUE.id))
    refused = scenario.then_refused(
        scenario.submit(scenario.submission(case_id=str(CASE_A.case_id))), NOW, NotFound
    )
    assert refused.code == "unknown_case"


def test_naming_the_stand_in_names_the_case_for_its_holder_only(scenario) -> None:
    _restricted_case_a(scenario, COLLEAGUE.id)
    scenario.apply(scenario.submit(), NOW)  # given the stand-in
    naming = scenario.submit(scenario.submission(case_id=str(scenario.stand_in_id)))
    [received, linked, withheld] = scenario.when(naming, NOW)
    assert received.case_id == linked.case_id == CASE_A.case_id
    assert linked.basis is LinkBasis.NAMED_BY_STAFF
    assert withheld.answered_case_id == scenario.stand_in_id
    answer = scenario.answer(naming, NOW)
    assert (answer.case_id, answer.basis) == (scenario.stand_in_id, LinkBasis.NAMED_BY_STAFF)
    someone_else = replace(naming, actor=Actor(id="cm-0099", role=Role.INTAKE))
    assert scenario.then_refused(someone_else, NOW, NotFound).code == "unknown_case"


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
    answer = scenario.answer(second, later)  # ...and is not told so
    assert (answer.case_id, answer.basis) == (scenario.stand_in_id, LinkBasis.NEW_CASE)


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
    assert _told_case(scenario, COLLEAGUE) == scenario.stand_in_id


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


# --- restricted cases and links to other cases (points 1 and 9 with point 17) ----------

JO = {"name": "Jo Other", "date_of_birth": "1985-01-02", "phone": "07700 900999"}
"""Another survivor; the default submission names Sam as her partner too."""


def _jo(scenario, **changes):
    return scenario.submission(survivor=JO, tenancy_reference=None, **changes)


def test_naming_the_stand_in_with_another_survivor_answers_as_naming_a_real_case_would(
    scenario, scenario_under, policy
) -> None:
    """A report naming a case whose survivor is someone else opens a new case, with the
    named case a candidate for staff to confirm (point 1). Named by its stand-in, the
    restricted case gets the same answer a real case would, the candidate link stays
    between the cases, and the probe is recorded as a read of the restricted case."""
    visible = scenario_under(policy)
    visible.given_case(CASE_B, about=visible.submission())
    plain = visible.answer(visible.submit(_jo(visible, case_id=str(CASE_B.case_id))), NOW)

    _restricted_case_a(scenario, COLLEAGUE.id)
    scenario.apply(scenario.submit(), NOW)  # given the stand-in for CASE_A
    naming = scenario.submit(_jo(scenario, case_id=str(scenario.stand_in_id)))
    [received, linked, withheld] = scenario.when(naming, NOW)
    answer = scenario.answer(naming, NOW)

    assert (plain.case_id, plain.basis) == (NEW_CASE, LinkBasis.NEW_CASE)
    assert answer == plain
    assert CASE_A.case_id not in (answer.case_id, answer.previous_case_id)
    assert received.case_id == linked.case_id == NEW_CASE
    assert [(r.case_id, r.needs_confirming) for r in linked.related_cases] == [
        (CASE_A.case_id, True)
    ]
    assert withheld == CaseWithheldFromSubmitter(
        case_id=CASE_A.case_id, withheld_at=NOW, report_id=scenario.report_id
    )


def test_a_link_to_a_restricted_case_changes_nothing_in_the_answer(
    scenario, scenario_under, policy
) -> None:
    """Another survivor's report naming the same alleged perpetrator as a restricted case:
    the cases are linked (cases shows the link only to those who may see both), and the
    submitter is answered exactly as if the restricted case did not exist."""
    no_case = scenario_under(policy)
    expected = no_case.answer(no_case.submit(_jo(no_case)), NOW)

    _restricted_case_a(scenario, COLLEAGUE.id)
    command = scenario.submit(_jo(scenario))
    [_, linked] = scenario.when(command, NOW)  # nothing withheld: nothing was told
    assert [r.case_id for r in linked.related_cases] == [CASE_A.case_id]
    assert scenario.answer(command, NOW) == expected


def test_a_repeat_is_told_as_the_cases_the_submitter_may_know_of_make_it(
    scenario, scenario_under, policy
) -> None:
    """Her earlier case, closed in the window, makes the report a repeat; a later
    restricted case of hers, closed too, neither shows as the case it repeats nor hides
    the repeat: the answer is the one the submitter would get were it not there."""
    older = CaseStatus(
        UUID(int=0xC1, version=4),
        assigned_at=NOW - timedelta(days=200),
        closed_at=NOW - timedelta(days=100),
    )
    restricted = CaseStatus(CASE_A.case_id, assigned_at=NOW - timedelta(days=60), closed_at=EARLIER)

    without = scenario_under(policy)
    without.given_case(older, about=without.submission())
    expected = without.answer(without.submit(), NOW)
    assert expected.previous_case_id == older.case_id and expected.repeat_reasons

    scenario.given_case(older, about=scenario.submission())
    scenario.given_case(restricted, about=scenario.submission())
    scenario.given_restriction(_restricted_by_cases(CASE_A, COLLEAGUE.id))
    [_, linked, withheld] = scenario.when(scenario.submit(), NOW)
    assert linked.previous_case_id == CASE_A.case_id  # the case's own staff see it all
    assert scenario.answer(scenario.submit(), NOW) == expected
    assert withheld == CaseWithheldFromSubmitter(
        case_id=CASE_A.case_id, withheld_at=NOW, report_id=scenario.report_id
    )
    # Those named on it are told it all.
    named = scenario.answer(scenario.submit(actor=COLLEAGUE), NOW)
    assert named.previous_case_id == CASE_A.case_id
