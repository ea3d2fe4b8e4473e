"""Retention of enquiries no report followed up, as given/when/then (`domain.retention`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from hearth.contracts.envelope import Actor, Role
from hearth.contracts.events.common import Channel, ReporterKind, Survivor
from hearth.contracts.events.intake import (
    EnquiryErased,
    EnquiryRaised,
    EnquiryTrigger,
    Reporter,
    ReportReceived,
)
from hearth.eventstore.testing.scenario import Scenario
from hearth.intake.domain.policy import IntakePolicy
from hearth.intake.domain.retention import (
    EnquiryFollowedUp,
    EnquiryNotDue,
    EnquiryRetention,
    EraseUnfollowedEnquiry,
    UnknownEnquiryToErase,
    due_enquiries,
    enquiry_retention_decider,
    is_due,
    key_reason,
    unfollowed_cutoff,
)


def uid(n: int) -> UUID:
    return UUID(int=n, version=4)


ENQUIRY = uid(0xE1)
RAISED = datetime(2019, 3, 7, 10, 0, tzinfo=UTC)
HOUSING = Actor(id="housing-0001", role=Role.INTAKE)
SYSTEM = Actor(id="hearth.intake.retention", role=Role.SYSTEM)


def _policy(years: int) -> IntakePolicy:
    return IntakePolicy.model_validate(
        {
            "name": "another-landlord",
            "repeats": {"window_months": 12},
            "asb": {"da_signal_categories": ["domestic_noise"]},
            "retention": {"enquiry_years_unfollowed": years},
        }
    )


SIX_YEARS = _policy(6)
AFTER = datetime(2025, 3, 7, 10, 1, tzinfo=UTC)
"""A minute after six years have passed since the enquiry was raised."""
BEFORE = datetime(2025, 3, 7, 9, 59, tzinfo=UTC)
"""A minute before."""


@pytest.fixture
def scenario() -> Scenario[EraseUnfollowedEnquiry, EnquiryRetention]:
    return Scenario(enquiry_retention_decider(SIX_YEARS), actor=HOUSING, at=RAISED)


def _raised(enquiry_id: UUID = ENQUIRY) -> EnquiryRaised:
    return EnquiryRaised(
        enquiry_id=enquiry_id,
        raised_at=RAISED,
        trigger=EnquiryTrigger.ASB_REPORT,
        asb_category="domestic_noise",
        asb_case_reference="ASB-1",
        indicators="Shouting most nights.",
    )


def _followed_up(enquiry_id: UUID, at: datetime) -> ReportReceived:
    return ReportReceived(
        report_id=uid(0x7E),
        case_id=uid(0xCA),
        received_at=at,
        channel=Channel.PHONE,
        reporter=Reporter(kind=ReporterKind.STAFF, staff_id="housing-0001"),
        survivor=Survivor(person_id=uid(0x5A), name="Alex Example"),
        immediate_danger=False,
        advised_to_call_999=False,
        enquiry_id=enquiry_id,
    )


def _erase(enquiry_id: UUID = ENQUIRY) -> EraseUnfollowedEnquiry:
    return EraseUnfollowedEnquiry(SYSTEM, enquiry_id)


def _erased(at: datetime = AFTER, years: int = 6) -> EnquiryErased:
    return EnquiryErased(
        enquiry_id=ENQUIRY,
        erased_at=at,
        raised_at=RAISED,
        retention_policy="another-landlord",
        retention_years=years,
    )


def test_an_enquiry_nobody_followed_up_is_erased_once_its_period_has_passed(scenario) -> None:
    scenario.given([_raised()])
    scenario.then(_erase(), AFTER, _erased())


def test_an_enquiry_is_kept_until_its_period_has_passed(scenario) -> None:
    scenario.given([_raised()])
    refusal = scenario.then_refused(_erase(), BEFORE, EnquiryNotDue)
    assert refusal.code == "enquiry_retention_not_ended"


def test_an_enquiry_a_report_followed_up_goes_with_that_case_not_on_its_own(scenario) -> None:
    scenario.given([_raised(), _followed_up(ENQUIRY, RAISED + timedelta(days=3))])
    refusal = scenario.then_refused(_erase(), AFTER, EnquiryFollowedUp)
    assert refusal.code == "enquiry_followed_up"


def test_a_report_following_up_another_enquiry_changes_nothing(scenario) -> None:
    scenario.given([_raised(), _followed_up(uid(0xE2), RAISED + timedelta(days=3))])
    scenario.then(_erase(), AFTER, _erased())


def test_an_enquiry_erased_already_is_not_erased_again(scenario) -> None:
    scenario.given([_raised(), _erased()])
    scenario.then(_erase(), AFTER + timedelta(days=1))


def test_an_enquiry_intake_never_raised_cannot_be_erased(scenario) -> None:
    refusal = scenario.then_refused(_erase(), AFTER, UnknownEnquiryToErase)
    assert refusal.code == "unknown_enquiry"


def test_the_period_is_the_landlords_policy() -> None:
    scenario = Scenario(enquiry_retention_decider(_policy(2)), actor=HOUSING, at=RAISED)
    scenario.given([_raised()])
    [erased] = scenario.when(_erase(), datetime(2021, 3, 8, tzinfo=UTC))
    assert isinstance(erased, EnquiryErased)
    assert erased.retention_years == 2
    assert erased.retention_policy == "another-landlord"


def test_the_facts_may_come_from_the_index_as_well_as_from_events(scenario) -> None:
    scenario.given_state(EnquiryRetention(enquiry_id=ENQUIRY, raised_at=RAISED))
    scenario.then(_erase(), AFTER, _erased())


def test_the_cutoff_is_whole_calendar_years_before_now() -> None:
    assert unfollowed_cutoff(AFTER, SIX_YEARS) == datetime(2019, 3, 7, 10, 1, tzinfo=UTC)
    # 29 February: the same day of the month where there is one, the month's last if not.
    leap = datetime(2024, 2, 29, 12, 0, tzinfo=UTC)
    assert unfollowed_cutoff(leap, _policy(1)) == datetime(2023, 2, 28, 12, 0, tzinfo=UTC)


def test_the_due_enquiries_are_old_unfollowed_and_not_erased_oldest_first() -> None:
    old, older, recent, followed, erased = uid(1), uid(2), uid(3), uid(4), uid(5)
    enquiries = [
        EnquiryRetention(old, RAISED),
        EnquiryRetention(older, RAISED - timedelta(days=400)),
        EnquiryRetention(recent, AFTER - timedelta(days=30)),
        EnquiryRetention(followed, RAISED, followed_up_at=RAISED + timedelta(days=1)),
        EnquiryRetention(erased, RAISED, erased_at=AFTER - timedelta(days=1)),
    ]
    assert due_enquiries(enquiries, AFTER, SIX_YEARS) == [older, old]
    assert not is_due(EnquiryRetention(old, RAISED), BEFORE, SIX_YEARS)


def test_the_key_stores_reason_names_the_rule_and_the_policy_never_a_person() -> None:
    reason = key_reason(_erased())
    assert reason == "enquiry not followed up within 6 years: retention: another-landlord"
    assert "\n" not in reason
    assert len(reason) <= 200
