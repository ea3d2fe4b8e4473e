"""The shared time rules: calendar-month windows and elapsed hours in any zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hearth.eventstore.calendar import calendar_hours_after, months_before, within_months

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2025, 3, 7, 16, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (datetime(2025, 3, 7, 9, tzinfo=UTC), 12, datetime(2024, 3, 7, 9, tzinfo=UTC)),
        (datetime(2025, 3, 31, tzinfo=UTC), 1, datetime(2025, 2, 28, tzinfo=UTC)),
        (datetime(2024, 2, 29, tzinfo=UTC), 12, datetime(2023, 2, 28, tzinfo=UTC)),
        (datetime(2025, 1, 15, tzinfo=UTC), 1, datetime(2024, 12, 15, tzinfo=UTC)),
    ],
)
def test_months_are_calendar_months(moment: datetime, months: int, expected: datetime) -> None:
    assert months_before(moment, months) == expected


def test_nothing_is_within_the_window_of_nothing() -> None:
    assert not within_months(None, NOW, 12)


def test_the_window_includes_its_first_moment_and_not_the_one_before() -> None:
    start = months_before(NOW, 12)
    assert within_months(start, NOW, 12)
    assert not within_months(start - timedelta(microseconds=1), NOW, 12)


@pytest.mark.parametrize(
    "local_start",
    [
        datetime(2025, 3, 29, 12, 0, tzinfo=LONDON),  # across the spring change (23 h day)
        datetime(2025, 10, 25, 12, 0, tzinfo=LONDON),  # across the autumn change (25 h day)
    ],
)
def test_elapsed_hours_are_elapsed_whatever_zone_the_moment_is_in(local_start: datetime) -> None:
    due = calendar_hours_after(local_start, 24)
    assert due.tzinfo is UTC
    assert due - local_start.astimezone(UTC) == timedelta(hours=24)
    assert due == calendar_hours_after(local_start.astimezone(UTC), 24)
