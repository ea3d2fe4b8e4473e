"""The manager's day as rows for the team page, from the APIs' JSON (pure: no I/O).

Sources: the cases service's case list (`GET /cases`, summary rows: ids, dates, flags of
state and each case's deadlines, never anyone's details) and the referrals service's
MARAC actions (`GET /marac/actions`). Each list holds only the cases the manager may see:
a restricted case they are not named on is in none of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from hearth.web import views
from hearth.web.views import DEADLINE_KINDS

UNASSIGNED = "Not assigned"
"""How a case with no case manager shows in the caseloads."""

DEADLINE_NAMES: Final = DEADLINE_KINDS
GENDER_NAMES: Mapping[str, str] = {
    "woman": "a woman",
    "man": "a man",
    "non_binary": "a non-binary person",
    "other": "another gender",
    "prefer_not_to_say": "not said",
}


def words(code: str | None, names: Mapping[str, str] | None = None) -> str:
    """A code as plain words: from `names` when it has it, else the code unsnaked."""
    if code is None:
        return "Not recorded"
    if names and code in names:
        return names[code]
    return views.words(code)


def moment(text: str | None) -> datetime | None:
    """An API's ISO 8601 timestamp (None stays None)."""
    return datetime.fromisoformat(text) if text else None


DISPLAY_ZONE: Final = views.LONDON
"""Times are shown in the landlord's local time, as on every page."""


def when(value: str | datetime | date | None, *, with_time: bool = False) -> str:
    """A date ("1 Dec 2026") or a moment ("Tue 1 Dec 2026, 09:30") in local time, as
    the other pages show them."""
    if value is None:
        return "Not recorded"
    if isinstance(value, date) and not isinstance(value, datetime):
        value = value.isoformat()
    return views.when(value) if with_time else views.day(value)


@dataclass(frozen=True)
class Caseload:
    """One case manager's open cases, and how many of them need the manager."""

    case_manager_id: str | None
    open_cases: int
    overdue_cases: int
    closures_waiting: int

    @property
    def name(self) -> str:
        return self.case_manager_id or UNASSIGNED


@dataclass(frozen=True)
class OverdueDeadline:
    case_id: str
    kind: str
    due_at: datetime
    case_manager_id: str | None
    restricted: bool

    @property
    def what(self) -> str:
        return words(self.kind, DEADLINE_NAMES)

    def days_overdue(self, now: datetime) -> int:
        """Whole days past due (0 on the day it fell due)."""
        return max(0, (now - self.due_at).days)


@dataclass(frozen=True)
class CaseRow:
    """A case in one of the team page's lists (no personal data: ids and dates)."""

    case_id: str
    case_manager_id: str | None
    opened_at: datetime
    status: str
    restricted: bool
    preferred_gender: str | None = None
    updated_at: datetime | None = None

    @property
    def preference(self) -> str:
        return words(self.preferred_gender, GENDER_NAMES)


@dataclass(frozen=True)
class MaracAction:
    case_id: str
    referral_id: str
    action_id: str
    owner_agency: str
    owner_staff_id: str | None
    landlord_action: bool
    due_on: date
    overdue: bool


def case_row(summary: Mapping[str, Any]) -> CaseRow:
    opened = moment(summary["opened_at"])
    assert opened is not None
    return CaseRow(
        case_id=str(summary["case_id"]),
        case_manager_id=summary.get("case_manager_id"),
        opened_at=opened,
        status=str(summary["status"]),
        restricted=bool(summary.get("restricted")),
        preferred_gender=summary.get("preferred_gender"),
        updated_at=moment(summary.get("updated_at")),
    )


def caseloads(open_cases: Iterable[Mapping[str, Any]]) -> list[Caseload]:
    """Open cases per case manager, the largest caseload first (then by staff id); the
    cases nobody manages yet come last."""
    counts: dict[str | None, list[int]] = {}
    for summary in open_cases:
        if summary.get("status") != "open":
            continue
        row = counts.setdefault(summary.get("case_manager_id"), [0, 0, 0])
        row[0] += 1
        row[1] += bool(summary.get("overdue"))
        row[2] += bool(summary.get("closure_requested"))
    loads = [Caseload(staff, *numbers) for staff, numbers in counts.items()]
    return sorted(loads, key=lambda c: (c.case_manager_id is None, -c.open_cases, c.name))


def overdue_deadlines(summaries: Iterable[Mapping[str, Any]]) -> list[OverdueDeadline]:
    """Every overdue deadline on open cases, the longest overdue first."""
    found: dict[tuple[str, str, str], OverdueDeadline] = {}
    for summary in summaries:
        if summary.get("status") != "open":
            continue
        for deadline in summary.get("deadlines") or ():
            if deadline.get("status") != "overdue":
                continue
            due = moment(deadline["due_at"])
            assert due is not None
            case_id = str(summary["case_id"])
            found[(case_id, deadline["kind"], str(deadline.get("ref")))] = OverdueDeadline(
                case_id=case_id,
                kind=deadline["kind"],
                due_at=due,
                case_manager_id=summary.get("case_manager_id"),
                restricted=bool(summary.get("restricted")),
            )
    return sorted(found.values(), key=lambda d: (d.due_at, d.case_id, d.kind))


def closures_waiting(open_cases: Iterable[Mapping[str, Any]]) -> list[CaseRow]:
    """Open cases whose closure a case manager asked for, longest waiting first (the
    summary gives no request time: its last change stands in for it)."""
    rows = [
        case_row(s) for s in open_cases if s.get("status") == "open" and s.get("closure_requested")
    ]
    return sorted(rows, key=lambda r: (r.updated_at or r.opened_at, r.case_id))


def unmet_preferences(summaries: Iterable[Mapping[str, Any]]) -> list[CaseRow]:
    """Open cases whose survivor's preferred case manager gender is not met, oldest first
    (they have waited longest for someone to reassign them to)."""
    rows = [
        case_row(s) for s in summaries if s.get("status") == "open" and s.get("preference_unmet")
    ]
    return sorted(rows, key=lambda r: (r.opened_at, r.case_id))


def restricted_cases(summaries: Iterable[Mapping[str, Any]]) -> list[CaseRow]:
    """Restricted cases (the list holds only those the manager is named on): open ones
    first, then newest first."""
    rows = [case_row(s) for s in summaries if s.get("restricted")]
    newest_first = sorted(rows, key=lambda r: (r.opened_at, r.case_id), reverse=True)
    return sorted(newest_first, key=lambda r: r.status != "open")


def outstanding_marac_actions(actions: Iterable[Mapping[str, Any]]) -> list[MaracAction]:
    """MARAC actions not yet completed, the earliest due first; the landlord's own first
    among those due the same day."""
    rows = [
        MaracAction(
            case_id=str(a["case_id"]),
            referral_id=str(a["referral_id"]),
            action_id=str(a["action_id"]),
            owner_agency=str(a["owner_agency"]),
            owner_staff_id=a.get("owner_staff_id"),
            landlord_action=bool(a.get("landlord_action")),
            due_on=date.fromisoformat(a["due_on"]),
            overdue=bool(a.get("overdue")),
        )
        for a in actions
        if a.get("completed_at") is None
    ]
    return sorted(rows, key=lambda a: (a.due_on, not a.landlord_action, a.action_id))


@dataclass(frozen=True)
class Listing:
    """Rows gathered from a paged API list, and whether the bound cut it short."""

    rows: list[dict[str, Any]]
    complete: bool


@dataclass(frozen=True)
class TeamDay:
    """Everything the team page shows."""

    caseloads: list[Caseload]
    overdue: list[OverdueDeadline]
    closures: list[CaseRow]
    unmet_preferences: list[CaseRow]
    restricted: list[CaseRow]
    marac_actions: list[MaracAction]
    incomplete: list[str]
    """The lists cut short by the paging bound, by name (the page says so)."""


def team_day(*, open_cases: Listing, closed_restricted: Listing, marac: Listing) -> TeamDay:
    """The team page from what the APIs' lists returned: every open case (one walk gives
    the caseloads, the overdue deadlines, the closures waiting, the unmet preferences and
    the open restricted cases), the closed restricted cases, and the MARAC actions.

    One walk over the open cases, rather than a list per filter, because the cases API
    records each listing of a restricted case as a read: the audit then holds one read
    per page shown, not four, and no two listings race to record the same case's read."""
    restricted = [*(r for r in open_cases.rows if r.get("restricted")), *closed_restricted.rows]
    incomplete = []
    if not open_cases.complete:
        incomplete.append("open cases (caseloads, overdue deadlines, closures, preferences)")
    if not closed_restricted.complete:
        incomplete.append("closed restricted cases")
    if not marac.complete:
        incomplete.append("MARAC actions")
    return TeamDay(
        caseloads=caseloads(open_cases.rows),
        overdue=overdue_deadlines(open_cases.rows),
        closures=closures_waiting(open_cases.rows),
        unmet_preferences=unmet_preferences(open_cases.rows),
        restricted=restricted_cases(restricted),
        marac_actions=outstanding_marac_actions(marac.rows),
        incomplete=incomplete,
    )
