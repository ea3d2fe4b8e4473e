"""A reporting period: a month (`2026-07`), a quarter (`2026-Q3`) or a year (`2026`),
from local midnight on its first day to local midnight after its last, in the policy's
timezone (a July report counts what happened in July in London, not in UTC)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Final
from zoneinfo import ZoneInfo

from hearth.eventstore.errors import InvalidCommand

PERIOD_PATTERN: Final = r"^[0-9]{4}(-(0[1-9]|1[0-2]|Q[1-4]))?$"
"""`YYYY`, `YYYY-MM` or `YYYY-Qn`."""
_FIRST_YEAR: Final = 2000
_LAST_YEAR: Final = 2100


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


@dataclass(frozen=True)
class Period:
    label: str
    kind: PeriodKind
    start: datetime
    end: datetime
    """The first moment after the period (exclusive)."""

    def holds(self, moment: datetime | None) -> bool:
        return moment is not None and self.start <= moment < self.end


def parse_period(text: str, timezone: str) -> Period:
    """The period `text` names; InvalidCommand (422 naming `period`) when it names none."""
    match = re.fullmatch(PERIOD_PATTERN, text)
    if match is None:
        raise InvalidCommand(
            "period must be a month (2026-07), a quarter (2026-Q3) or a year (2026)",
            field="query.period",
        )
    year = int(text[:4])
    if not _FIRST_YEAR <= year <= _LAST_YEAR:
        raise InvalidCommand(
            f"period must be a year from {_FIRST_YEAR} to {_LAST_YEAR}", field="query.period"
        )
    part = text[5:]
    if not part:
        kind, first, months = PeriodKind.YEAR, 1, 12
    elif part.startswith("Q"):
        kind, first, months = PeriodKind.QUARTER, (int(part[1]) - 1) * 3 + 1, 3
    else:
        kind, first, months = PeriodKind.MONTH, int(part), 1
    zone = ZoneInfo(timezone)
    after = year * 12 + first - 1 + months
    start = datetime(year, first, 1, tzinfo=zone)
    end = datetime(after // 12, after % 12 + 1, 1, tzinfo=zone)
    return Period(text, kind, start.astimezone(UTC), end.astimezone(UTC))
