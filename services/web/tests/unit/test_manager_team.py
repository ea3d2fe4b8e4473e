"""The team page's rows from the APIs' JSON: caseloads, overdue first, closures waiting,
unmet preferences, restricted cases, outstanding MARAC actions."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from hearth.web.manager.team import (
    UNASSIGNED,
    Listing,
    caseloads,
    closure_request,
    closures_waiting,
    outstanding_marac_actions,
    overdue_deadlines,
    restricted_cases,
    team_day,
    unmet_preferences,
)


def summary(case_id: str, **extra: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "case_id": case_id,
        "status": "open",
        "opened_at": "2026-11-02T09:00:00+00:00",
        "updated_at": "2026-11-03T09:00:00+00:00",
        "case_manager_id": "cso-amy",
        "overdue": False,
        "closure_requested": False,
        "restricted": False,
        "preference_unmet": False,
        "preferred_gender": None,
        "deadlines": [],
    }
    row.update(extra)
    return row


def deadline(kind: str, due_at: str, status: str, ref: str = "1") -> dict[str, Any]:
    return {"kind": kind, "ref": ref, "due_at": due_at, "status": status}


def test_caseloads_are_the_kept_counts_with_overdue_and_closures_counted_per_case_manager() -> None:
    counts = [
        {"case_manager_id": "cso-amy", "open_cases": 2},
        {"case_manager_id": "cso-bo", "open_cases": 5},
        {"case_manager_id": "cso-cy", "open_cases": 2},
    ]
    overdue = [
        summary("b", case_manager_id="cso-amy", overdue=True),
        summary("x", case_manager_id="cso-amy", overdue=True),
        summary("d", case_manager_id=None, overdue=True),
        summary("e", case_manager_id="cso-bo", status="closed"),
    ]
    closures = [summary("c", case_manager_id="cso-amy", closure_requested=True)]

    loads = caseloads(counts, overdue, closures)

    # Largest first, then by staff id; one the kept counts leave out (nobody manages it)
    # shows with its overdue case and no count rather than a wrong one.
    assert [(c.name, c.open_cases, c.overdue_cases, c.closures_waiting) for c in loads] == [
        ("cso-bo", 5, 0, 0),
        ("cso-amy", 2, 2, 1),
        ("cso-cy", 2, 0, 0),
        (UNASSIGNED, None, 1, 0),
    ]


def test_overdue_deadlines_are_listed_longest_overdue_first_and_met_ones_left_out() -> None:
    rows = [
        summary(
            "a",
            deadlines=[
                deadline("contact", "2026-11-20T09:00:00+00:00", "overdue"),
                deadline("dash", "2026-11-10T09:00:00+00:00", "met"),
            ],
        ),
        summary(
            "b",
            case_manager_id="cso-bo",
            restricted=True,
            deadlines=[deadline("review", "2026-11-05T09:00:00+00:00", "overdue")],
        ),
    ]

    found = overdue_deadlines(rows)

    assert [(d.case_id, d.what, d.case_manager_id, d.restricted) for d in found] == [
        ("b", "Case review", "cso-bo", True),
        ("a", "First contact", "cso-amy", False),
    ]
    now = datetime(2026, 11, 25, 10, tzinfo=UTC)
    assert [d.days_overdue(now) for d in found] == [20, 5]


def test_overdue_deadlines_of_closed_cases_are_not_the_teams_work() -> None:
    rows = [
        summary(
            "a",
            status="closed",
            deadlines=[deadline("contact", "2026-11-20T09:00:00+00:00", "overdue")],
        )
    ]

    assert overdue_deadlines(rows) == []


def asked(at: str, by: str = "cso-amy", reason: str = "survivor_moved") -> dict[str, Any]:
    """A case as `GET /cases/{id}` gives its closure request."""
    return {
        "closure": {
            "requested": {
                "requested_at": at,
                "reason": reason,
                "notes": None,
                "requested_by": {"id": by, "role": "case_manager"},
            }
        }
    }


def test_a_closure_request_is_read_from_the_case_who_asked_when_and_why() -> None:
    request = closure_request(asked("2026-11-20T09:00:00+00:00", by="cso-bo"))

    assert request is not None
    assert (request.requested_by, request.requested_at, request.why) == (
        "cso-bo",
        datetime(2026, 11, 20, 9, tzinfo=UTC),
        "The survivor has moved",
    )
    assert closure_request({"closure": {"requested": None, "closed": None}}) is None
    assert closure_request(None) is None


def test_closures_waiting_are_open_cases_with_a_request_longest_waiting_first() -> None:
    rows = [
        summary("new", closure_requested=True, updated_at="2026-11-01T09:00:00+00:00"),
        summary("none"),
        summary("old", closure_requested=True, updated_at="2026-11-24T09:00:00+00:00"),
        summary("unread", closure_requested=True, updated_at="2026-11-10T09:00:00+00:00"),
    ]
    requests = {
        "new": closure_request(asked("2026-11-20T09:00:00+00:00")),
        "old": closure_request(asked("2026-11-04T09:00:00+00:00")),
    }

    found = closures_waiting(rows, requests)

    # By the request's time; a request that could not be read by the case's last change.
    assert [r.case_id for r in found] == ["old", "unread", "new"]
    assert found[1].request is None
    assert found[0].request == requests["old"]


def test_unmet_preferences_show_the_gender_asked_for_oldest_case_first() -> None:
    rows = [
        summary(
            "later",
            preference_unmet=True,
            preferred_gender="woman",
            opened_at="2026-11-09T09:00:00+00:00",
        ),
        summary(
            "earlier",
            preference_unmet=True,
            preferred_gender="non_binary",
            opened_at="2026-11-01T09:00:00+00:00",
        ),
        summary("met", preferred_gender="man"),
    ]

    found = unmet_preferences(rows)

    assert [(r.case_id, r.preference) for r in found] == [
        ("earlier", "a non-binary person"),
        ("later", "a woman"),
    ]


def test_restricted_cases_show_open_ones_first_then_newest() -> None:
    rows = [
        summary("closed", restricted=True, status="closed"),
        summary("old", restricted=True, opened_at="2026-10-01T09:00:00+00:00"),
        summary("new", restricted=True, opened_at="2026-11-20T09:00:00+00:00"),
        summary("open", restricted=False),
    ]

    assert [r.case_id for r in restricted_cases(rows)] == ["new", "old", "closed"]


def test_marac_actions_outstanding_leave_out_completed_ones_and_list_earliest_due_first() -> None:
    def action(action_id: str, due_on: str, **extra: Any) -> dict[str, Any]:
        return {
            "case_id": "c",
            "referral_id": "r",
            "action_id": action_id,
            "owner_agency": "housing",
            "owner_staff_id": None,
            "landlord_action": False,
            "due_on": due_on,
            "completed_at": None,
            "overdue": False,
            **extra,
        }

    actions = [
        action("done", "2026-11-01", completed_at="2026-11-02T10:00:00+00:00"),
        action("later", "2026-12-10"),
        action("theirs", "2026-11-20"),
        action("ours", "2026-11-20", landlord_action=True, overdue=True),
    ]

    found = outstanding_marac_actions(actions)

    assert [(a.action_id, a.due_on, a.overdue) for a in found] == [
        ("ours", date(2026, 11, 20), True),
        ("theirs", date(2026, 11, 20), False),
        ("later", date(2026, 12, 10), False),
    ]


def test_the_team_day_comes_from_the_kept_counts_and_a_list_per_question() -> None:
    waiting = summary("waiting", closure_requested=True)
    hidden = summary("hidden", restricted=True, preference_unmet=True, preferred_gender="man")
    late = summary(
        "late",
        overdue=True,
        deadlines=[deadline("dash", "2026-11-04T09:00:00+00:00", "overdue")],
    )
    closed = summary("old", restricted=True, status="closed")

    day = team_day(
        caseload_counts=[{"case_manager_id": "cso-amy", "open_cases": 3}],
        overdue=Listing([late], complete=True),
        closures=Listing([waiting], complete=True),
        closure_requests={"waiting": closure_request(asked("2026-11-20T09:00:00+00:00"))},
        unmet=Listing([hidden], complete=True),
        restricted=Listing([closed, hidden], complete=True),
        marac=Listing([], complete=True),
    )

    assert [(c.name, c.open_cases, c.overdue_cases, c.closures_waiting) for c in day.caseloads] == [
        ("cso-amy", 3, 1, 1)
    ]
    assert [(c.case_id, c.request is not None) for c in day.closures] == [("waiting", True)]
    assert [(d.case_id, d.what) for d in day.overdue] == [("late", "DASH risk assessment")]
    assert [c.case_id for c in day.unmet_preferences] == ["hidden"]
    assert [c.case_id for c in day.restricted] == ["hidden", "old"]
    assert day.incomplete == []


def test_team_day_names_the_lists_the_paging_bound_cut_short() -> None:
    full = Listing([summary("a", closure_requested=True)], complete=True)
    cut = Listing([], complete=False)
    none = Listing([], complete=True)

    day = team_day(
        caseload_counts=[],
        overdue=cut,
        closures=full,
        closure_requests={},
        unmet=none,
        restricted=cut,
        marac=none,
    )

    assert day.incomplete == [
        "open cases with an overdue deadline (and the overdue counts in the caseloads)",
        "restricted cases",
    ]
    assert [c.case_id for c in day.closures] == ["a"]
