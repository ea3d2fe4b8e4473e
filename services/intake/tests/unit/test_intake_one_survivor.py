"""A case belongs to one survivor; a report joining an open case can be a repeat.

Given/when/then on intake's decider: a report about another survivor who shares the
alleged perpetrator or the household opens her own case, linked to the first; a
survivor found on one shared identifier under another name or date of birth is a
candidate for staff, never merged; the same survivor again still joins her case, and
is a repeat when her case had a MARAC referral (or she had a case closed) in the window.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from hearth.contracts.events.intake import (
    IdentityDetail,
    LinkBasis,
    RelatedCase,
    RelatedCaseBasis,
    RepeatReason,
    SharedPerpetrator,
)
from hearth.intake.domain.linking import CaseStatus
from hearth.intake.domain.matching import PersonRole


def uid(n: int) -> UUID:
    return UUID(int=n, version=4)


NOW = datetime(2025, 3, 7, 16, 30, tzinfo=UTC)
CASE_A = uid(0xCA)
CASE_B = uid(0xCB)
SURVIVOR_A = uid(0x5A)
PERPETRATOR_ON_A = uid(0x5B)


def _open(case_id: UUID = CASE_A, **moments: datetime) -> CaseStatus:
    return CaseStatus(case_id, assigned_at=NOW - timedelta(days=30), **moments)


def _alex_has_a_case(scenario, status: CaseStatus | None = None, **changes) -> None:
    """Alex's open case A: her keys and details, Sam as the alleged perpetrator, her home."""
    scenario.given_case(
        status or _open(),
        about=scenario.submission(**changes),
        person_ids={
            PersonRole.SURVIVOR: SURVIVOR_A,
            PersonRole.ALLEGED_PERPETRATOR: PERPETRATOR_ON_A,
        },
    )


# --- another survivor ------------------------------------------------------------------


def test_another_survivor_naming_the_same_perpetrator_opens_her_own_linked_case(
    scenario,
) -> None:
    _alex_has_a_case(scenario)
    robin = scenario.submission(
        survivor={"name": "Robin Other", "phone": "07700 900999"},
        children=[],
        tenancy_reference="T-000999",
    )
    [received, linked] = scenario.when(scenario.submit(robin), NOW)
    assert received.case_id == linked.case_id == scenario.new_case_id
    # Sam gets a person id of his own on Robin's case; Alex's case keeps hers.
    sam_on_robins_case = received.alleged_perpetrators[0].person_id
    assert sam_on_robins_case == scenario.fresh_ids[1]
    assert linked == scenario.linked(
        scenario.new_case_id,
        LinkBasis.NEW_CASE,
        related=(
            RelatedCase(
                case_id=CASE_A,
                basis=RelatedCaseBasis.SAME_ALLEGED_PERPETRATOR,
                shared_perpetrators=(
                    SharedPerpetrator(
                        person_id=sam_on_robins_case, related_person_id=PERPETRATOR_ON_A
                    ),
                ),
            ),
        ),
    )


def test_another_survivor_in_the_same_household_opens_her_own_linked_case(scenario) -> None:
    _alex_has_a_case(scenario)
    jo = scenario.submission(
        survivor={"name": "Jo Example", "date_of_birth": "2006-01-02"},
        alleged_perpetrators=[],
        children=[],
    )
    [received, linked] = scenario.when(scenario.submit(jo), NOW)
    assert received.case_id == scenario.new_case_id
    assert received.survivor.person_id == scenario.fresh_ids[0]
    assert linked == scenario.linked(
        scenario.new_case_id,
        LinkBasis.NEW_CASE,
        related=(RelatedCase(case_id=CASE_A, basis=RelatedCaseBasis.SAME_HOUSEHOLD),),
    )


def test_a_different_survivors_case_with_a_marac_makes_no_repeat(scenario) -> None:
    _alex_has_a_case(scenario, _open(last_marac_at=NOW - timedelta(days=20)))
    robin = scenario.submission(
        survivor={"name": "Robin Other", "phone": "07700 900999"}, tenancy_reference=None
    )
    [_, linked] = scenario.when(scenario.submit(robin), NOW)
    assert linked.basis is LinkBasis.NEW_CASE
    assert linked.repeat_reasons == ()
    assert linked.previous_case_id is None


def test_a_report_naming_no_survivor_joins_the_households_open_case(scenario) -> None:
    _alex_has_a_case(scenario)
    unnamed = scenario.submission(survivor={}, alleged_perpetrators=[], children=[])
    [received, linked] = scenario.when(scenario.submit(unnamed), NOW)
    assert linked == scenario.linked(CASE_A, LinkBasis.SAME_HOUSEHOLD)
    # Nobody was named: the report's survivor is not taken to be Alex.
    assert received.survivor.person_id == scenario.fresh_ids[0]


def test_a_report_naming_no_survivor_in_a_household_with_two_open_cases_joins_neither(
    scenario,
) -> None:
    _alex_has_a_case(scenario)
    scenario.given_case(
        _open(CASE_B),
        about=scenario.submission(survivor={"name": "Jo Example"}),
        roles=(PersonRole.HOUSEHOLD,),
    )
    unnamed = scenario.submission(survivor={}, alleged_perpetrators=[], children=[])
    [_, linked] = scenario.when(scenario.submit(unnamed), NOW)
    assert linked.basis is LinkBasis.NEW_CASE
    assert {r.case_id for r in linked.related_cases} == {CASE_A, CASE_B}
    assert {r.basis for r in linked.related_cases} == {RelatedCaseBasis.SAME_HOUSEHOLD}


# --- one shared identifier -------------------------------------------------------------


def test_another_name_on_the_survivors_phone_is_a_candidate_never_a_join(scenario) -> None:
    _alex_has_a_case(scenario)
    bea = scenario.submission(
        survivor={"name": "Bea Other", "phone": "07700 900123"},
        alleged_perpetrators=[],
        children=[],
        tenancy_reference=None,
    )
    [received, linked] = scenario.when(scenario.submit(bea), NOW)
    assert received.case_id == scenario.new_case_id
    assert received.survivor.person_id == scenario.fresh_ids[0]
    assert linked == scenario.linked(
        scenario.new_case_id,
        LinkBasis.NEW_CASE,
        related=(
            RelatedCase(
                case_id=CASE_A,
                basis=RelatedCaseBasis.POSSIBLY_SAME_SURVIVOR,
                conflicting_details=(IdentityDetail.NAME,),
            ),
        ),
    )
    assert linked.related_cases[0].needs_confirming


def test_another_date_of_birth_on_the_survivors_phone_is_a_candidate_too(scenario) -> None:
    _alex_has_a_case(scenario)
    other = scenario.submission(
        survivor={"name": "Alex Example", "date_of_birth": "1971-02-03", "phone": "07700 900123"},
        alleged_perpetrators=[],
        children=[],
        tenancy_reference=None,
    )
    [_, linked] = scenario.when(scenario.submit(other), NOW)
    assert linked.basis is LinkBasis.NEW_CASE
    [candidate] = linked.related_cases
    assert candidate.case_id == CASE_A
    assert candidate.conflicting_details == (IdentityDetail.DATE_OF_BIRTH,)


def test_the_same_survivor_on_her_phone_alone_still_joins(scenario) -> None:
    _alex_has_a_case(scenario)
    again = scenario.submission(
        survivor={"phone": "07700 900123"}, alleged_perpetrators=[], children=[]
    )
    [received, linked] = scenario.when(scenario.submit(again), NOW)
    assert linked == scenario.linked(CASE_A, LinkBasis.SAME_SURVIVOR)
    assert received.survivor.person_id == SURVIVOR_A


def test_the_same_survivor_named_at_her_home_without_a_date_of_birth_joins(scenario) -> None:
    _alex_has_a_case(scenario)
    again = scenario.submission(
        survivor={"name": "alex  EXAMPLE"}, alleged_perpetrators=[], children=[]
    )
    [received, linked] = scenario.when(scenario.submit(again), NOW)
    assert linked == scenario.linked(CASE_A, LinkBasis.SAME_SURVIVOR)
    assert received.survivor.person_id == SURVIVOR_A


def test_the_same_survivor_again_joins_and_keeps_the_perpetrators_id(scenario) -> None:
    _alex_has_a_case(scenario)
    [received, linked] = scenario.when(scenario.submit(), NOW)
    assert linked == scenario.linked(CASE_A, LinkBasis.SAME_SURVIVOR)
    assert received.survivor.person_id == SURVIVOR_A
    assert received.alleged_perpetrators[0].person_id == PERPETRATOR_ON_A


def test_staff_naming_another_survivors_case_open_hers_with_the_named_one_a_candidate(
    scenario,
) -> None:
    _alex_has_a_case(scenario)
    bea = scenario.submission(
        survivor={"name": "Bea Other", "phone": "07700 900777"},
        alleged_perpetrators=[],
        children=[],
        tenancy_reference=None,
        case_id=str(CASE_A),
    )
    [received, linked] = scenario.when(scenario.submit(bea), NOW)
    assert received.case_id == scenario.new_case_id
    assert received.survivor.person_id == scenario.fresh_ids[0]
    assert linked == scenario.linked(
        scenario.new_case_id,
        LinkBasis.NEW_CASE,
        related=(
            RelatedCase(
                case_id=CASE_A,
                basis=RelatedCaseBasis.POSSIBLY_SAME_SURVIVOR,
                conflicting_details=(IdentityDetail.NAME,),
            ),
        ),
    )


def test_staff_naming_the_survivors_case_give_her_its_person_id(scenario) -> None:
    _alex_has_a_case(scenario)
    named = scenario.submission(
        survivor={"name": "Alex Example"}, tenancy_reference=None, case_id=str(CASE_A)
    )
    [received, linked] = scenario.when(scenario.submit(named), NOW)
    assert linked.basis is LinkBasis.NAMED_BY_STAFF
    assert received.survivor.person_id == SURVIVOR_A


# --- repeats on a joined case ----------------------------------------------------------


def test_joining_an_open_case_with_a_marac_in_the_window_is_a_repeat(scenario) -> None:
    _alex_has_a_case(scenario, _open(last_marac_at=NOW - timedelta(days=60)))
    [_, linked] = scenario.when(scenario.submit(), NOW)
    assert linked == scenario.linked(
        CASE_A, LinkBasis.SAME_SURVIVOR, repeat_reasons=(RepeatReason.MARAC_WITHIN_12_MONTHS,)
    )


def test_joining_when_the_survivor_had_a_case_closed_in_the_window_is_a_repeat(
    scenario,
) -> None:
    _alex_has_a_case(scenario)
    scenario.given_case(
        CaseStatus(
            CASE_B,
            assigned_at=NOW - timedelta(days=200),
            closed_at=NOW - timedelta(days=90),
        ),
        about=scenario.submission(),
        roles=(PersonRole.SURVIVOR,),
    )
    [_, linked] = scenario.when(scenario.submit(), NOW)
    assert linked.case_id == CASE_A
    assert linked.repeat_reasons == (RepeatReason.CASE_CLOSED_WITHIN_12_MONTHS,)
    assert linked.previous_case_id == CASE_B
    # Her own earlier case is her history, not another survivor's case.
    assert linked.related_cases == ()


def test_joining_a_case_reopened_within_the_window_is_a_repeat(scenario) -> None:
    status = _open(closed_at=NOW - timedelta(days=40), reopened_at=NOW - timedelta(days=10))
    _alex_has_a_case(scenario, status)
    [_, linked] = scenario.when(scenario.submit(), NOW)
    assert linked.basis is LinkBasis.SAME_SURVIVOR
    assert linked.repeat_reasons == (RepeatReason.CASE_CLOSED_WITHIN_12_MONTHS,)
    assert linked.previous_case_id is None


def test_joining_after_the_window_is_no_repeat(scenario) -> None:
    _alex_has_a_case(scenario, _open(last_marac_at=NOW - timedelta(days=400)))
    [_, linked] = scenario.when(scenario.submit(), NOW)
    assert linked == scenario.linked(CASE_A, LinkBasis.SAME_SURVIVOR)


def test_a_named_case_with_a_marac_in_the_window_is_a_repeat(scenario) -> None:
    scenario.given_case(_open(last_marac_at=NOW - timedelta(days=5)))
    named = scenario.submission(case_id=str(CASE_A))
    [_, linked] = scenario.when(scenario.submit(named), NOW)
    assert linked.basis is LinkBasis.NAMED_BY_STAFF
    assert linked.repeat_reasons == (RepeatReason.MARAC_WITHIN_12_MONTHS,)
