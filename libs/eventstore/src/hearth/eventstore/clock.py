"""Time at the edge: the one place services read the clock, and a clock tests can move."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """The real time, always timezone-aware UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ControllableClock:
    """A clock that stands still until told to move: for tests and rehearsals."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("a clock needs a timezone-aware start")
        self._now = start

    def now(self) -> datetime:
        return self._now

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("a clock needs a timezone-aware time")
        self._now = moment

    def advance(self, by: timedelta) -> None:
        self._now += by
