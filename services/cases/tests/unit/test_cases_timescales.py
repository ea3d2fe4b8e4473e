"""Working-day and calendar deadlines under the default (West Kent) policy."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from hearth.cases.domain.policy import OutOfHours
from hearth.cases.settings import DEFAULT_POLICY_FILE, load_policy
from hearth.eventstore.calendar import WorkingCalendar, calendar_hours_after

LONDON = ZoneInfo("Europe/London")
POLICY = load_policy(DEFAULT_POLICY_FILE)


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)  # type: ignore[misc]


@pytest.fixture(scope="module")
def calendar() -> WorkingCalendar:
    return WorkingCalendar(POLICY.working_days)


def calendar_with(**changes: object) -> WorkingCalendar:
    return WorkingCalendar(POLICY.working_days.model_copy(update=changes))


@pytest.mark.parametrize(
    ("reported", "days", "due"),
    [
        # DOMAIN.md's own examples
        (london(2025, 3, 7, 16, 30), 1, london(2025, 3, 10, 16, 30)),  # Fri -> Mon
        (london(2025, 5, 2, 16, 30), 1, london(2025, 5, 6, 16, 30)),  # bank holiday Mon -> Tue
        (london(2025, 3, 8, 11, 0), 1, london(2025, 3, 11, 9, 0)),  # Sat -> Mon 09:00 -> Tue
        (london(2025, 3, 8, 11, 0), 2, london(2025, 3, 12, 9, 0)),  # ... DASH on Wed 09:00
        (london(2025, 3, 9, 23, 59), 1, london(2025, 3, 11, 9, 0)),  # Sunday night
        (london(2025, 3, 7, 16, 30), 2, london(2025, 3, 11, 16, 30)),  # DASH: Fri -> Tue
        (london(2025, 3, 10, 9, 15), 1, london(2025, 3, 11, 9, 15)),  # ordinary Monday
    ],
)
def test_working_day_deadlines_follow_the_stated_rule(
    calendar: WorkingCalendar, reported: datetime, days: int, due: datetime
) -> None:
    assert calendar.working_days_after(reported, days) == due


def test_christmas_eve_report_is_due_after_christmas_and_boxing_day(
    calendar: WorkingCalendar,
) -> None:
    reported = london(2025, 12, 24, 10, 0)  # Wednesday
    assert calendar.working_days_after(reported, 1) == london(2025, 12, 29, 10, 0)
    assert calendar.working_days_after(reported, 2) == london(2025, 12, 30, 10, 0)


def test_a_report_on_christmas_day_counts_from_nine_on_the_next_working_day(
    calendar: WorkingCalendar,
) -> None:
    assert calendar.counting_start(london(2025, 12, 25, 14, 0)) == london(2025, 12, 29, 9, 0)
    assert calendar.working_days_after(london(2025, 12, 25, 14, 0), 1) == london(2025, 12, 30, 9, 0)


def test_boxing_day_on_a_saturday_moves_the_bank_holiday_to_monday(
    calendar: WorkingCalendar,
) -> None:
    # 2026: Christmas Friday, Boxing Day Saturday, substitute day Monday 28th.
    assert not calendar.is_working_day(date(2026, 12, 28))
    assert calendar.working_days_after(london(2026, 12, 24, 12, 0), 1) == london(
        2026, 12, 29, 12, 0
    )


def test_christmas_and_boxing_day_at_a_weekend_give_two_substitute_days(
    calendar: WorkingCalendar,
) -> None:
    # 2027: Christmas Saturday, Boxing Day Sunday; substitutes Monday 27th and Tuesday 28th.
    assert not calendar.is_working_day(date(2027, 12, 27))
    assert not calendar.is_working_day(date(2027, 12, 28))
    assert calendar.working_days_after(london(2027, 12, 24, 9, 30), 1) == london(
        2027, 12, 29, 9, 30
    )


def test_new_years_day_is_skipped(calendar: WorkingCalendar) -> None:
    assert calendar.working_days_after(london(2025, 12, 31, 10, 0), 1) == london(2026, 1, 2, 10, 0)


def test_easter_skips_good_friday_and_easter_monday(calendar: WorkingCalendar) -> None:
    thursday = london(2025, 4, 17, 15, 0)
    assert calendar.working_days_after(thursday, 1) == london(2025, 4, 22, 15, 0)
    assert calendar.working_days_after(thursday, 2) == london(2025, 4, 23, 15, 0)


def test_a_report_on_good_friday_counts_from_tuesday_morning(calendar: WorkingCalendar) -> None:
    assert calendar.working_days_after(london(2025, 4, 18, 10, 0), 1) == london(2025, 4, 23, 9, 0)


def test_a_deadline_across_the_spring_clock_change_keeps_its_local_time(
    calendar: WorkingCalendar,
) -> None:
    reported = datetime(2025, 3, 28, 10, 0, tzinfo=UTC)  # Friday 10:00 GMT
    due = calendar.working_days_after(reported, 1)
    assert due.astimezone(LONDON).time() == time(10, 0)
    assert due == datetime(2025, 3, 31, 9, 0, tzinfo=UTC)  # Monday 10:00 BST
    assert due - reported == timedelta(hours=71)


def test_a_deadline_across_the_autumn_clock_change_keeps_its_local_time(
    calendar: WorkingCalendar,
) -> None:
    reported = datetime(2025, 10, 24, 9, 0, tzinfo=UTC)  # Friday 10:00 BST
    due = calendar.working_days_after(reported, 1)
    assert due == datetime(2025, 10, 27, 10, 0, tzinfo=UTC)  # Monday 10:00 GMT
    assert due - reported == timedelta(hours=73)


def test_the_day_is_decided_in_london_time_not_utc(calendar: WorkingCalendar) -> None:
    # Sunday 23:30 UTC in summer is Monday 00:30 in London: a working day.
    reported = datetime(2025, 6, 1, 23, 30, tzinfo=UTC)
    assert calendar.working_days_after(reported, 1) == london(2025, 6, 3, 0, 30)
    # Friday 23:30 UTC in summer is Saturday 00:30 in London: not one.
    friday_night = datetime(2025, 6, 6, 23, 30, tzinfo=UTC)
    assert calendar.working_days_after(friday_night, 1) == london(2025, 6, 10, 9, 0)


def test_literal_rule_counts_late_evening_reports_from_that_moment(
    calendar: WorkingCalendar,
) -> None:
    assert calendar.working_days_after(london(2025, 3, 11, 23, 0), 1) == london(2025, 3, 12, 23, 0)
    assert calendar.working_days_after(london(2025, 3, 11, 7, 0), 1) == london(2025, 3, 12, 7, 0)


def test_next_opening_rule_counts_out_of_hours_reports_from_the_next_opening() -> None:
    office = calendar_with(out_of_hours=OutOfHours.NEXT_OPENING)
    # Tuesday 23:00: counting starts Wednesday 09:00, due Thursday 09:00.
    assert office.working_days_after(london(2025, 3, 11, 23, 0), 1) == london(2025, 3, 13, 9, 0)
    # Tuesday 07:00: counting starts Tuesday 09:00, due Wednesday 09:00.
    assert office.working_days_after(london(2025, 3, 11, 7, 0), 1) == london(2025, 3, 12, 9, 0)
    # Within office hours nothing changes.
    assert office.working_days_after(london(2025, 3, 11, 12, 0), 1) == london(2025, 3, 12, 12, 0)
    # Friday after closing: Monday opening, due Tuesday.
    assert office.working_days_after(london(2025, 3, 7, 17, 30), 1) == london(2025, 3, 11, 9, 0)


def test_days_the_landlord_closes_are_not_working_days() -> None:
    closed = calendar_with(extra_closed_dates=(date(2025, 12, 24),))
    assert closed.working_days_after(london(2025, 12, 23, 10, 0), 1) == london(2025, 12, 29, 10, 0)


def test_emergency_repairs_are_plain_elapsed_hours_across_the_clock_change() -> None:
    raised = datetime(2025, 3, 29, 12, 0, tzinfo=UTC)  # Saturday before the change
    due = calendar_hours_after(raised, POLICY.timescales.emergency_repair_hours)
    assert due - raised == timedelta(hours=24)
    assert due.astimezone(LONDON).time() == time(13, 0)


def test_review_interval_keeps_the_local_clock_time(calendar: WorkingCalendar) -> None:
    opened = london(2025, 3, 10, 10, 0)
    due = calendar.calendar_days_after(opened, POLICY.timescales.review_interval_days)
    assert due == london(2025, 4, 7, 10, 0)
    assert due.tzinfo == UTC


def test_every_working_day_deadline_is_in_utc(calendar: WorkingCalendar) -> None:
    assert calendar.working_days_after(london(2025, 7, 1, 10, 0), 1).tzinfo == UTC
