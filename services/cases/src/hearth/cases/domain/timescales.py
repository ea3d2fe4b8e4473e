"""Deadlines: working days in local time with bank holidays, and plain calendar time.

The rule (DOMAIN.md): a working day is one of the policy's weekdays that is not a bank
holiday (nor a day the landlord is closed), in the policy's local time. If a report
arrives on a working day, counting starts at that moment; otherwise at the policy's
counting start (09:00) on the next working day. N working days later is the same local
clock time on the Nth following working day, so a deadline that crosses a change to or
from summer time keeps its clock time. With `out_of_hours = "next_opening"`, a report
before the office opens counts from opening that day, and one after it closes from
opening on the next working day. Every function is pure: moments are passed in.
"""

from __future__ import annotations

from collections.abc import Container
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

from hearth.contracts.events.common import Weekday

from .policy import OutOfHours, WorkingDayRules

_WEEKDAYS = tuple(Weekday)  # Monday first, as date.weekday() counts


def bank_holidays(rules: WorkingDayRules) -> Container[date]:
    """The bank holidays the policy names, substitute days included, for any year asked."""
    country, _, subdivision = rules.bank_holidays.partition("-")
    calendar: Container[date] = holidays.country_holidays(country, subdiv=subdivision or None)
    return calendar


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
    """Plain elapsed time: `hours` hours after `moment`, whatever the clocks do, in UTC."""
    return (moment + timedelta(hours=hours)).astimezone(UTC)
