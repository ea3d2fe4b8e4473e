"""Intake's decisions as given/when/then: the case a report joins, repeats, what is told."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from hearth.contracts.envelope import Actor, Role
from hearth.contracts.events.intake import (
    EnquiryErased,
    EnquiryRaised,
    EnquiryTrigger,
    IdentityDetail,
    LinkBasis,
    RelatedCase,
    RelatedCaseBasis,
    RepeatReason,
    SharedPerpetrator,
)
from hearth.eventstore.errors import NotFound
from hearth.intake.domain.asb import AsbReport
from hearth.intake.domain.commands import RaiseAsbEnquiry
from hearth.intake.domain.decider import UnknownEnquiry
from hearth.intake.domain.linking import CaseNotOpen, CaseStatus, IndexEntry, report_index_entries
from hearth.intake.domain.matching import PersonRole
from hearth.intake.domain.policy import IntakePolicy


def uid(n: int) -> UUID:
    return UUID(int=n, version=4)


NOW = datetime(2025, 3, 7, 16, 30, tzinfo=UTC)
"""When the scenario's reports arrive."""
CASE_A = uid(0xCA)
CASE_B = uid(0xCB)
KNOWN_SURVIVOR = uid(0x5A)
KNOWN_PERPETRATOR = uid(0x5B)
COLLEAGUE = Actor(id="cm-0007", role=Role.CASE_MANAGER)


def _open(case_id=CASE_A, **moments) -> CaseStatus:
    return CaseStatus(case_id, assigned_at=NOW - timedelta(days=30), **moments)


def _closed(months_ago: int, case_id=CASE_A) -> CaseStatus:
    return _open(case_id, closed_at=NOW - timedelta(days=30 * months_ago))


# --- which case a report joins ---------------------------------------------------------


def test_a_report_about_people_nobody_knows_opens_a_new_case(scenario) -> None:
    scenario.then(
        scenario.submit(),
        NOW,
        scenario.received(scenario.new_case_id),
        scenario.linked(scenario.new_case_id, LinkBasis.NEW_CASE),
    )


def test_a_report_about_a_survivor_with_an_open_case_joins_it_and_keeps_her_id(
    scenario,
) -> None:
    scenario.given_case(
        _open(),
        about=scenario.submission(),
        roles=(PersonRole.SURVIVOR,),
        person_ids={PersonRole.SURVIVOR: KNOWN_SURVIVOR},
    )
    scenario.then(
        scenario.submit(),
        NOW,
        # Alex keeps her id on the case; Sam and the child are new to it.
        scenario.received(
            CASE_A,
            survivor_id=KNOWN_SURVIVOR,
            perpetrator_id=scenario.fresh_ids[0],
            child_id=scenario.fresh_ids[1],
        ),
        scenario.linked(CASE_A, LinkBasis.SAME_SURVIVOR),
    )


def test_the_survivors_own_case_wins_over_the_perpetrators_and_the_households(
    scenario,
) -> None:
    about = scenario.submission()
    scenario.given_case(_open(CASE_B), about=about, roles=(PersonRole.ALLEGED_PERPETRATOR,))
    scenario.given_case(_open(uid(0xCC)), about=about, roles=(PersonRole.HOUSEHOLD,))
    scenario.given_case(_open(CASE_A), about=about, roles=(PersonRole.SURVIVOR,))
    [_, linked] = scenario.when(scenario.submit(), NOW)
    # The other cases are linked to hers, never joined.
    assert linked == scenario.linked(
        CASE_A,
        LinkBasis.SAME_SURVIVOR,
        related=(
            RelatedCase(
                case_id=CASE_B,
                basis=RelatedCaseBasis.SAME_ALLEGED_PERPETRATOR,
                shared_perpetrators=(SharedPerpetrator(person_id=scenario.fresh_ids[1]),),
            ),
            RelatedCase(case_id=uid(0xCC), basis=RelatedCaseBasis.SAME_HOUSEHOLD),
        ),
    )


def test_a_case_opened_by_an_earlier_report_is_open_to_the_next_one_naming_it(
    scenario,
) -> None:
    scenario.apply(scenario.submit(), NOW)
    named = scenario.submission(case_id=str(scenario.new_case_id))
    [_, linked] = scenario.when(scenario.submit(named), NOW + timedelta(minutes=5))
    assert linked.case_id == scenario.new_case_id
    assert linked.basis is LinkBasis.NAMED_BY_STAFF


# --- named cases -----------------------------------------------------------------------


def test_staff_may_name_an_open_case(scenario) -> None:
    scenario.given_case(_open())
    [received, linked] = scenario.when(
        scenario.submit(scenario.submission(case_id=str(CASE_A))), NOW
    )
    assert received.case_id == CASE_A
    assert linked == scenario.linked(CASE_A, LinkBasis.NAMED_BY_STAFF)


def test_a_named_case_that_is_closed_is_refused(scenario) -> None:
    scenario.given_case(_closed(months_ago=1))
    refusal = scenario.then_refused(
        scenario.submit(scenario.submission(case_id=str(CASE_A))), NOW, CaseNotOpen
    )
    assert refusal.code == "case_not_open"


def test_a_named_case_intake_never_heard_of_is_refused(scenario) -> None:
    refusal = scenario.then_refused(
        scenario.submit(scenario.submission(case_id=str(CASE_A))), NOW, NotFound
    )
    assert refusal.code == "unknown_case"


def test_a_reopened_case_can_be_named_again(scenario) -> None:
    scenario.given_case(
        _open(closed_at=NOW - timedelta(days=10), reopened_at=NOW - timedelta(days=2))
    )
    [_, linked] = scenario.when(scenario.submit(scenario.submission(case_id=str(CASE_A))), NOW)
    assert linked.basis is LinkBasis.NAMED_BY_STAFF


# --- repeats ---------------------------------------------------------------------------


def test_a_case_closed_within_the_window_makes_the_new_case_a_repeat(
    scenario,
) -> None:
    scenario.given_case(_closed(months_ago=3), about=scenario.submission())
    scenario.then(
        scenario.submit(),
        NOW,
        scenario.received(scenario.new_case_id),
        scenario.linked(
            scenario.new_case_id,
            LinkBasis.NEW_CASE,
            repeat_reasons=(RepeatReason.CASE_CLOSED_WITHIN_12_MONTHS,),
            previous_case_id=CASE_A,
        ),
    )


def test_a_marac_referral_within_the_window_makes_a_repeat_too(scenario) -> None:
    scenario.given_case(
        CaseStatus(
            CASE_A,
            assigned_at=NOW - timedelta(days=600),
            closed_at=NOW - timedelta(days=500),
            last_marac_at=NOW - timedelta(days=60),
        ),
        about=scenario.submission(),
    )
    [_, linked] = scenario.when(scenario.submit(), NOW)
    assert linked == scenario.linked(
        scenario.new_case_id,
        LinkBasis.NEW_CASE,
        repeat_reasons=(RepeatReason.MARAC_WITHIN_12_MONTHS,),
        previous_case_id=CASE_A,
    )


def test_a_case_closed_before_the_policy_window_is_no_repeat(scenario) -> None:
    scenario.given_case(_closed(months_ago=13), about=scenario.submission())
    scenario.then(
        scenario.submit(),
        NOW,
        scenario.received(scenario.new_case_id),
        scenario.linked(scenario.new_case_id, LinkBasis.NEW_CASE),
    )


def test_the_window_is_the_landlords_policy(scenario_under) -> None:
    landlord = IntakePolicy.model_validate(
        {
            "name": "another-landlord",
            "repeats": {"window_months": 6},
            "asb": {"da_signal_categories": ["noise_nuisance"]},
            "retention": {"enquiry_years_unfollowed": 3},
        }
    )
    scenario = scenario_under(landlord)
    scenario.given_case(_closed(months_ago=8), about=scenario.submission())
    [_, linked] = scenario.when(scenario.submit(), NOW)
    assert linked.repeat_reasons == ()
    assert linked.previous_case_id is None


# --- enquiries -------------------------------------------------------------------------


def test_a_report_naming_an_enquiry_intake_never_raised_is_refused(
    scenario,
) -> None:
    refusal = scenario.then_refused(
        scenario.submit(scenario.submission(enquiry_id=str(uid(0xE1)))), NOW, UnknownEnquiry
    )
    assert refusal.code == "unknown_enquiry"


def test_a_report_out_of_a_raised_enquiry_carries_its_id(scenario) -> None:
    enquiry_id = uid(0xE1)
    scenario.apply(
        RaiseAsbEnquiry(
            scenario.staff,
            AsbReport(category="domestic_noise", asb_case_reference="ASB-1"),
            enquiry_id,
        ),
        NOW - timedelta(days=1),
    )
    scenario.then(
        scenario.submit(scenario.submission(enquiry_id=str(enquiry_id))),
        NOW,
        scenario.received(scenario.new_case_id, enquiry_id=enquiry_id),
        scenario.linked(scenario.new_case_id, LinkBasis.NEW_CASE),
    )


def test_a_report_naming_an_enquiry_erased_at_the_end_of_retention_is_a_new_report(
    scenario,
) -> None:
    # Survivor safety: the report is never lost for an enquiry that is gone. It is received
    # like any report, following up no enquiry (what the enquiry said is unreadable).
    enquiry_id = uid(0xE1)
    raised = NOW - timedelta(days=7 * 365)
    scenario.given(
        [
            EnquiryRaised(
                enquiry_id=enquiry_id, raised_at=raised, trigger=EnquiryTrigger.ASB_REPORT
            ),
            EnquiryErased(
                enquiry_id=enquiry_id,
                erased_at=NOW - timedelta(days=1),
                raised_at=raised,
                retention_policy="west-kent-2024",
                retention_years=6,
            ),
        ]
    )
    scenario.then(
        scenario.submit(scenario.submission(enquiry_id=str(enquiry_id))),
        NOW,
        scenario.received(scenario.new_case_id),
        scenario.linked(scenario.new_case_id, LinkBasis.NEW_CASE),
    )


def test_an_asb_report_in_a_signal_category_raises_an_enquiry(scenario) -> None:
    report = AsbReport(
        category="shouting_and_arguing", asb_case_reference="ASB-2025-0042", indicators="Shouting."
    )
    scenario.then(
        RaiseAsbEnquiry(scenario.staff, report, uid(0xE2)),
        NOW,
        EnquiryRaised(
            enquiry_id=uid(0xE2),
            raised_at=NOW,
            trigger=EnquiryTrigger.ASB_REPORT,
            asb_category="shouting_and_arguing",
            asb_case_reference="ASB-2025-0042",
            indicators="Shouting.",
        ),
    )


def test_an_asb_report_in_another_category_raises_nothing(scenario) -> None:
    report = AsbReport(category="graffiti", asb_case_reference="ASB-2025-0043")
    scenario.then(RaiseAsbEnquiry(scenario.staff, report, uid(0xE3)), NOW)


# --- what the edge stores --------------------------------------------------------------


def test_the_reports_match_keys_point_at_its_case_with_the_peoples_ids(
    scenario,
) -> None:
    command = scenario.submit()
    [received, _] = scenario.when(command, NOW)
    entries = report_index_entries(command.people, received)
    by_role = {(e.role, e.person_id) for e in entries}
    assert by_role == {
        (PersonRole.SURVIVOR, scenario.fresh_ids[0]),
        (PersonRole.ALLEGED_PERPETRATOR, scenario.fresh_ids[1]),
        (PersonRole.HOUSEHOLD, None),
    }
    assert {e.case_id for e in entries} == {scenario.new_case_id}
    assert all(isinstance(e, IndexEntry) for e in entries)
    # name + date of birth, phone and name at the tenancy for Alex (keys), her name and date
    # of birth (details), phone for Sam, the tenancy for the household
    assert len([e for e in entries if e.is_key]) == 5
    assert {e.detail for e in entries if not e.is_key} == {
        IdentityDetail.NAME,
        IdentityDetail.DATE_OF_BIRTH,
    }
