"""Shapes of the reporting API's answers (documentation only: no rules here)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from pydantic import BaseModel


class FiguresFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    HTML = "html"
    """A printable page with bar charts."""


class FiguresAnswer(BaseModel):
    """A report's figures for a period: sections of figures, each a count, a breakdown
    (`counts` and `total`), a rate (`count`, `of`, `percent`), a median (`median_days`,
    `of`), a rate per population, or `not_recorded` with the reason. Suppressed counts
    (`external=true`) read "<5", and cells hidden beside them "suppressed"."""

    report: str
    period: str
    period_start: datetime
    period_end: datetime
    as_of: datetime
    suppressed_below: int | None
    sections: dict[str, dict[str, dict[str, Any]]]


class CaseRow(BaseModel):
    """One case as the list shows it: facts, never anyone's details."""

    case_id: UUID
    opened_at: datetime
    status: str
    closed_at: datetime | None
    closure_reason: str | None
    channel: str | None
    reporter_kind: str | None
    case_manager_id: str | None
    risk_level: str | None
    restricted: bool
    repeat: bool
    deadlines_running: int
    deadlines_overdue: int


class CaseList(BaseModel):
    cases: list[CaseRow]
    total: int
    """How many cases the caller may see (restricted cases they are not named on are
    neither listed nor counted here; the figures count every case)."""
    limit: int
    offset: int


class DeadlineRow(BaseModel):
    """A first-contact, DASH or emergency-repair deadline still running."""

    case_id: UUID
    kind: str
    started_at: datetime
    due_at: datetime
    overdue_at: datetime | None
    """When the deadline was found overdue (none: not yet due, or not yet noticed)."""
    case_manager_id: str | None


class TimelineEntry(BaseModel):
    at: datetime
    service: str
    event_type: str
    actor_role: str


class CaseTimeline(BaseModel):
    """What happened on a case and when, by whom (their role): no personal data."""

    case_id: UUID
    events: list[TimelineEntry]
    total: int
    limit: int
    offset: int


class DeadlineList(BaseModel):
    deadlines: list[DeadlineRow]
    total: int
    limit: int
    offset: int


class DahaSample(BaseModel):
    """A reproducible sample of closed cases, each with the evidence an assessor checks
    (facts only: times, kinds, outcomes, staff ids)."""

    period: str
    seed: int
    size: int
    closed_cases: int
    """How many cases closed in the period the sample was drawn from."""
    cases: list[dict[str, Any]]
