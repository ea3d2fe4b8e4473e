"""Time rules every service shares: working days, elapsed hours and calendar-month windows.

Working days (DOMAIN.md): a working day is one of the policy's weekdays that is not a
bank holiday (nor a day the landlord is closed), in the policy's local time. If
something arrives on a working day, counting starts at that moment; otherwise at the
policy's counting start (09:00) on the next working day. N working days later is the
same local clock time on the Nth following working day, so a deadline that crosses a
change to or from summer time keeps its clock time. With `out_of_hours =
"next_opening"`, an arrival before the office opens counts from opening that day, and
one after it closes from opening on the next working day. Calendar-hour deadlines are
plain elapsed time. "Within N months" counts calendar months back from a moment.

Every function is pure: moments are passed in, nothing reads the clock.
"""

from __future__ import annotations

import calendar
from collections.abc import Container
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Annotated
from zoneinfo import ZoneInfo

import holidays
from pydantic import BaseModel, ConfigDict, Field, model_validator

from hearth.contracts.events.common import Weekday

__all__ = [
    "OutOfHours",
    "WorkingCalendar",
    "WorkingDayRules",
    "bank_holidays",
    "calendar_hours_after",
    "months_before",
    "within_months",
]


class OutOfHours(StrEnum):
    """What a report outside office hours on a working day counts from."""

    LITERAL = "literal"
    """DOMAIN.md's rule as written: any moment of a working day starts the count there."""
    NEXT_OPENING = "next_opening"
    """Before opening: that day's counting start; after closing: the next working day's."""


class _PolicyModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class WorkingDayRules(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    """Which days are working days and where counting starts."""

    timezone: str = Field(min_length=1)
    """The local time deadlines are computed in (Europe/London)."""
    weekdays: Annotated[tuple[Weekday, ...], Field(min_length=1, max_length=7)]
    bank_holidays: str = Field(pattern=r"^[A-Z]{2}(-[A-Z0-9]{1,4})?$")
    """Country and subdivision for the `holidays` package: GB-ENG is England and Wales."""
    counting_starts_at: time
    """When counting starts on the next working day if a report arrives on a non-working day."""
    out_of_hours: OutOfHours
    office_opens: time
    office_closes: time
    extra_closed_dates: tuple[date, ...]
    """Days the landlord is closed besides weekends and bank holidays."""

    @model_validator(mode="after")
    def _office_day_makes_sense(self) -> WorkingDayRules:
        if self.office_closes <= self.office_opens:
            raise ValueError("office_closes must be after office_opens")
        if len(set(self.weekdays)) != len(self.weekdays):
            raise ValueError("weekdays must not repeat")
        return self


_WEEKDAYS = tuple(Weekday)  # Monday first, as date.weekday() counts


def bank_holidays(rules: WorkingDayRules) -> Container[date]:
    """The bank holidays the policy names, substitute days included, for any year asked."""
    country, _, subdivision = rules.bank_holidays.partition("-")
    known: Container[date] = holidays.country_holidays(country, subdiv=subdivision or None)
    return known


class WorkingCalendar:
    """Working days and working-day deadlines under one policy's rules."""

    def __init__(self, rules: WorkingDayRules, holidays_: Container[date] | None = None) -> None:
        self.rules = rules
        self.zone = ZoneInfo(rules.timezone)
        self._weekdays = frozenset(_WEEKDAYS.index(day) for day in rules.weekdays)
        self._holidays = holidays_ if holidays_ is not None else bank_holidays(rules)
        self._closed = frozenset(rules.extra_closed_dates)

    def local(self, moment: datetime) -> datetime:
        """The moment in the policy's local time."""
        return moment.astimezone(self.zone)

    def is_working_day(self, day: date) -> bool:
        return (
            day.weekday() in self._weekdays
            and day not in self._closed
            and not bool(day in self._holidays)
        )

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        candidate = day + timedelta(days=1)
        for _ in range(366):
            if self.is_working_day(candidate):
                return candidate
            candidate += timedelta(days=1)
        raise ValueError("the policy leaves no working day in a whole year")

    def counting_start(self, moment: datetime) -> datetime:
        """When a working-day count starts for something that arrived at `moment` (local)."""
        local = self.local(moment)
        day = local.date()
        if not self.is_working_day(day):
            return self._at(self.next_working_day(day), self.rules.counting_starts_at)
        if self.rules.out_of_hours is OutOfHours.LITERAL:
            return local
        if local.time() < self.rules.office_opens:
            return self._at(day, self.rules.office_opens)
        if local.time() >= self.rules.office_closes:
            return self._at(self.next_working_day(day), self.rules.office_opens)
        return local

    def working_days_after(self, moment: datetime, days: int) -> datetime:
        """The deadline `days` working days after `moment`, in UTC."""
        if days < 1:
            raise ValueError("a working-day deadline is at least one working day")
        start = self.counting_start(moment)
        day = start.date()
        for _ in range(days):
            day = self.next_working_day(day)
        return self._at(day, start.time()).astimezone(UTC)

    def calendar_days_after(self, moment: datetime, days: int) -> datetime:
        """The same local clock time `days` calendar days later, in UTC."""
        local = self.local(moment)
        return self._at(local.date() + timedelta(days=days), local.time()).astimezone(UTC)

    def _at(self, day: date, clock: time) -> datetime:
        return datetime.combine(day, clock.replace(tzinfo=None), tzinfo=self.zone)


def calendar_hours_after(moment: datetime, hours: int) -> datetime:
    """Plain elapsed time: `hours` hours after `moment`, whatever the clocks do, in UTC.

    The moment is taken to UTC first: adding hours to a zoned local time would be
    wall-clock arithmetic (23 elapsed hours across the spring change, 25 in autumn).
    """
    return moment.astimezone(UTC) + timedelta(hours=hours)


def months_before(moment: datetime, months: int) -> datetime:
    """The same clock time `months` calendar months earlier (31 March - 1 month = 28/29 Feb)."""
    index = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def within_months(moment: datetime | None, now: datetime, months: int) -> bool:
    """True when `moment` is no more than `months` calendar months before `now`."""
    return moment is not None and moment >= months_before(now, months)
