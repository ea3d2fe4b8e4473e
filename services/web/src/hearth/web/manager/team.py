"""The manager's day as rows for the team page, from the APIs' JSON (pure: no I/O).

Sources: the cases service's kept caseload counts (`GET /cases/caseloads`), its case
lists filtered by the API (`GET /cases?overdue=true`, `closure_requested=true`,
`preference_unmet=true`, `restricted=true`: summary rows, ids, dates, flags of state and
each case's deadlines, never anyone's details), each closure request waiting (who asked,
when, why: on its row of the list) and the referrals service's MARAC actions
still outstanding (`GET /marac/actions?completed=false`). Each list holds only the cases
the manager may see: a restricted case they are not named on is in none of them.
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
    """One case manager's open cases (the cases service's kept count), and how many of
    them need the manager: with an overdue deadline, with a closure waiting."""

    case_manager_id: str | None
    open_cases: int | None
    """None: the kept counts leave this one out (the cases nobody manages yet)."""
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
    request: ClosureRequest | None = None
    """For a closure waiting: who asked, when and why (None if it could not be read)."""

    @property
    def preference(self) -> str:
        return words(self.preferred_gender, GENDER_NAMES)


CLOSURE_REASONS: Final = {
    "survivor_safe_support_in_place": "The survivor is safe and support is in place",
    "survivor_moved": "The survivor has moved",
    "survivor_withdrew": "The survivor withdrew from support",
    "no_further_contact_possible": "No further contact is possible",
    "referred_on": "Referred on to another service",
    "not_domestic_abuse": "Enquiries found no domestic abuse",
    "other": "Another reason",
}


@dataclass(frozen=True)
class ClosureRequest:
    """A closure request: who asked, when, why. From the case list's row
    (`listed_closure_request`: whether notes came with it, not the notes, which are on the
    case) or from the case itself (`closure_request`: the notes too)."""

    requested_by: str
    requested_at: datetime
    reason: str
    notes: str | None = None
    has_notes: bool = False

    @property
    def why(self) -> str:
        return words(self.reason, CLOSURE_REASONS)


def listed_closure_request(summary: Mapping[str, Any]) -> ClosureRequest | None:
    """The request waiting on a case, from its row in the case list (`closure_request`);
    None when the row has none (no request, or one the list has not taken in yet)."""
    listed = summary.get("closure_request")
    at = moment((listed or {}).get("requested_at"))
    if not listed or at is None:
        return None
    return ClosureRequest(
        requested_by=str(listed.get("requested_by") or "Not recorded"),
        requested_at=at,
        reason=str(listed.get("reason")),
        has_notes=bool(listed.get("has_notes")),
    )


def closure_request(case: Mapping[str, Any] | None) -> ClosureRequest | None:
    """The request waiting on a case (the cases API's `GET /cases/{id}`), if any."""
    requested = ((case or {}).get("closure") or {}).get("requested")
    if not requested:
        return None
    at = moment(requested.get("requested_at"))
    if at is None:
        return None
    return ClosureRequest(
        requested_by=str((requested.get("requested_by") or {}).get("id") or "Not recorded"),
        requested_at=at,
        reason=str(requested.get("reason")),
        notes=requested.get("notes") or None,
        has_notes=bool(requested.get("notes")),
    )


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


def case_row(summary: Mapping[str, Any], request: ClosureRequest | None = None) -> CaseRow:
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
        request=request,
    )


def caseloads(
    counts: Iterable[Mapping[str, Any]],
    overdue_cases: Iterable[Mapping[str, Any]] = (),
    closures: Iterable[Mapping[str, Any]] = (),
) -> list[Caseload]:
    """Open cases per case manager from the kept counts (`GET /cases/caseloads`), with
    how many of each one's open cases have an overdue deadline and a closure waiting;
    the largest caseload first (then by staff id); a case manager the counts leave out
    (the cases nobody manages yet) last."""
    loads: dict[str | None, list[int | None]] = {
        row.get("case_manager_id"): [int(row["open_cases"]), 0, 0] for row in counts
    }
    for index, rows in ((1, overdue_cases), (2, closures)):
        for summary in rows:
            if summary.get("status") != "open":
                continue
            numbers = loads.setdefault(summary.get("case_manager_id"), [None, 0, 0])
            numbers[index] = (numbers[index] or 0) + 1
    found = [
        Caseload(staff, numbers[0], numbers[1] or 0, numbers[2] or 0)
        for staff, numbers in loads.items()
    ]
    return sorted(
        found,
        key=lambda c: (
            c.open_cases is None,
            c.case_manager_id is None,
            -(c.open_cases or 0),
            c.name,
        ),
    )


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


def closures_waiting(
    summaries: Iterable[Mapping[str, Any]],
    requests: Mapping[str, ClosureRequest | None] | None = None,
) -> list[CaseRow]:
    """Open cases whose closure a case manager asked for, with the request (who, when,
    why) when it could be read, longest waiting first (by the request's time, else the
    case's last change)."""
    requests = requests or {}
    rows = [
        case_row(s, requests.get(str(s["case_id"])))
        for s in summaries
        if s.get("status") == "open" and s.get("closure_requested")
    ]

    def waited_since(row: CaseRow) -> datetime:
        return row.request.requested_at if row.request else row.updated_at or row.opened_at

    return sorted(rows, key=lambda r: (waited_since(r), r.case_id))


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


def team_day(
    *,
    caseload_counts: Iterable[Mapping[str, Any]],
    overdue: Listing,
    closures: Listing,
    closure_requests: Mapping[str, ClosureRequest | None],
    unmet: Listing,
    restricted: Listing,
    marac: Listing,
) -> TeamDay:
    """The team page from what the APIs returned: the kept caseload counts
    (`/cases/caseloads`) and one bounded list each of the open cases with an overdue
    deadline, with a closure request waiting (and each request), with an unmet
    preference, of the restricted cases (open and closed) and of the MARAC actions."""
    cut = {
        "open cases with an overdue deadline (and the overdue counts in the caseloads)": overdue,
        "closures awaiting approval (and the counts in the caseloads)": closures,
        "unmet gender preferences": unmet,
        "restricted cases": restricted,
        "MARAC actions": marac,
    }
    return TeamDay(
        caseloads=caseloads(caseload_counts, overdue.rows, closures.rows),
        overdue=overdue_deadlines(overdue.rows),
        closures=closures_waiting(closures.rows, closure_requests),
        unmet_preferences=unmet_preferences(unmet.rows),
        restricted=restricted_cases(restricted.rows),
        marac_actions=outstanding_marac_actions(marac.rows),
        incomplete=[name for name, listing in cut.items() if not listing.complete],
    )
