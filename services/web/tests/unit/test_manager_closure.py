"""The closure decision page: what it shows of the request, and the body it sends."""

from __future__ import annotations

from datetime import UTC, date, datetime

from hearth.web.manager.closure import closure_decision_body, closure_view
from hearth.web.manager.team import when


def test_an_approval_sends_only_the_decision() -> None:
    form = {"decision": "approve", "reason": "  ", "feels_safer": "", "rating": ""}

    assert closure_decision_body(form) == {"decision": "approve"}


def test_a_decline_sends_its_reason_trimmed() -> None:
    form = {"decision": "decline", "reason": " Risk is still high \n"}

    assert closure_decision_body(form) == {"decision": "decline", "reason": "Risk is still high"}


def test_the_survivors_feedback_is_sent_only_as_given() -> None:
    form = {"decision": "approve", "feels_safer": "yes", "rating": "satisfied", "comments": ""}

    assert closure_decision_body(form) == {
        "decision": "approve",
        "survivor_feedback": {"feels_safer": True, "rating": "satisfied"},
    }
    assert closure_decision_body({"decision": "approve", "feels_safer": "no"}) == {
        "decision": "approve",
        "survivor_feedback": {"feels_safer": False},
    }


def test_no_decision_chosen_is_sent_as_none_for_the_api_to_name_the_field() -> None:
    assert closure_decision_body({}) == {"decision": None}
    assert closure_decision_body({"decision": ["approve", "decline"]}) == {"decision": "decline"}


def test_the_page_shows_the_request_in_plain_words_and_what_is_still_due() -> None:
    case = {
        "case_id": "c1",
        "status": "open",
        "case_manager": {"staff_id": "cso-amy"},
        "closure": {
            "requested": {
                "requested_at": "2026-12-01T10:00:00+00:00",
                "reason": "survivor_moved",
                "notes": None,
                "requested_by": {"id": "cso-amy", "role": "case_manager"},
            },
            "closed": None,
        },
        "deadlines": [
            {"kind": "review", "status": "due", "due_at": "2027-01-01T10:00:00+00:00"},
            {"kind": "contact", "status": "met", "due_at": "2026-11-02T10:00:00+00:00"},
        ],
    }

    view = closure_view(case)

    assert view["reason"] == "The survivor has moved"
    assert view["case_manager"] == "cso-amy"
    assert [d["what"] for d in view["open_deadlines"]] == ["Case review"]


def test_a_case_with_no_request_shows_none() -> None:
    view = closure_view({"case_id": "c1", "status": "closed", "closure": {"requested": None}})

    assert view["requested"] is None
    assert view["reason"] is None


def test_times_show_in_local_time_and_dates_as_dates() -> None:
    summer = datetime(2026, 7, 1, 8, 30, tzinfo=UTC)

    assert when(summer, with_time=True) == "Wed 1 Jul 2026, 09:30"
    assert when(summer) == "1 Jul 2026"
    assert when("2026-12-01T09:05:00+00:00", with_time=True) == "Tue 1 Dec 2026, 09:05"
    assert when("2026-12-01") == "1 Dec 2026"
    assert when(date(2026, 3, 9)) == "9 Mar 2026"
    assert when(None) == "Not recorded"
