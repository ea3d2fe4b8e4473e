"""The case page's links: only the forms that apply, only for a role the catalogue allows."""

from __future__ import annotations

import uuid
from typing import Any

from hearth.contracts.envelope import Role
from hearth.web.case_links import case_links, pending_erasure
from hearth.web.forms.catalogue import BY_SLUG

CASE_ID = str(uuid.uuid4())


def ids(n: int) -> list[str]:
    return [str(uuid.uuid4()) for _ in range(n)]


def open_case(**extra: Any) -> dict[str, Any]:
    return {
        "case_id": CASE_ID,
        "status": "open",
        "closure": {"requested": None, "closed": None},
        "restriction": None,
        "deadlines": [],
        "timeline": [],
        **extra,
    }


def served(path: str) -> bool:
    """The path is one of the catalogue's forms, ids filled in."""
    parts = path.split("/")
    for slug in BY_SLUG:
        pattern = slug.split("/")
        if len(pattern) == len(parts) and all(
            p == q or (p.startswith("{") and uuid.UUID(q))
            for p, q in zip(pattern, parts, strict=True)
        ):
            return True
    return False


def test_each_item_gets_the_forms_that_apply_to_it() -> None:
    repair, done_repair, work, flag, old_flag = ids(5)
    case = open_case(
        emergency_repairs=[
            {"repair_id": repair, "completion": None},
            {"repair_id": done_repair, "completion": {"completed_at": "2026-12-01T10:00:00Z"}},
        ],
        security_measures=[
            {
                "request_id": work,
                "measures": ["locks", "door_viewer"],
                "installations": [{"measures": ["locks"]}],
            }
        ],
        flags=[{"flag_id": flag, "active": True}, {"flag_id": old_flag, "active": False}],
    )
    made, accepted, closed, consent, withdrawn, marac, heard, action, done = ids(9)
    referrals = {
        "referrals": [
            {"referral_id": made, "status": "made"},
            {"referral_id": accepted, "status": "accepted"},
            {"referral_id": closed, "status": "closed"},
        ],
        "consents": [
            {"consent_id": consent, "given": True, "scope": ["idva"], "withdrawn": []},
            {"consent_id": withdrawn, "given": True, "scope": ["idva"], "withdrawn": ["idva"]},
        ],
        "marac_referrals": [
            {
                "referral_id": marac,
                "status": "listed",
                "next_meeting_date": "2026-12-10",
                "actions": [],
            },
            {
                "referral_id": heard,
                "status": "heard",
                "next_meeting_date": None,
                "actions": [
                    {"action_id": action, "completed_at": None},
                    {"action_id": done, "completed_at": "2026-12-01T10:00:00Z"},
                ],
            },
        ],
    }
    links = case_links(case, referrals, Role.CASE_MANAGER)
    paths = lambda item: [p for p, _ in links.of(item)]  # noqa: E731
    assert paths(repair) == [f"repairs/{repair}/completion"]
    assert paths(done_repair) == []
    assert paths(work) == [f"security-measures/{work}/installation"]
    assert paths(flag) == [f"flags/{flag}/removal"]
    assert paths(old_flag) == []
    assert paths(made) == [
        f"referrals/{made}/acceptance",
        f"referrals/{made}/decline",
        f"referrals/{made}/closure",
    ]
    assert paths(accepted) == [f"referrals/{accepted}/closure"]
    assert paths(closed) == []
    assert paths(consent) == [f"consents/{consent}/withdrawal"]
    assert paths(withdrawn) == []
    assert paths(marac) == [
        f"marac-referrals/{marac}/listing",
        f"marac-referrals/{marac}/hearing",
    ]
    assert paths(heard) == [f"marac-referrals/{heard}/listing"]
    assert paths(action) == [f"marac-referrals/{heard}/actions/{action}/completion"]
    assert paths(done) == []
    assert all(served(p) for p in links.every())


def test_case_level_forms_follow_the_case_and_the_role() -> None:
    plain = case_links(open_case(), None, Role.CASE_MANAGER).every()
    assert "closure-request" in plain
    assert "closure-decision" not in plain
    assert "restriction-lifting" not in plain
    assert "dash-declined" not in plain and "dash-elsewhere" not in plain
    assert "review" not in plain and "restriction" not in plain  # managers only
    assert "incident" in plain

    waiting = open_case(
        closure={"requested": {"reason": "x"}, "closed": None},
        restriction={"reason": "staff_member"},
        deadlines=[{"kind": "dash", "status": "overdue"}],
    )
    as_manager = case_links(waiting, None, Role.MANAGER).every()
    assert {"closure-decision", "restriction-lifting", "dash-declined", "dash-elsewhere"} <= set(
        as_manager
    )
    assert "closure-request" not in as_manager and "restriction" not in as_manager
    as_worker = case_links(waiting, None, Role.CASE_MANAGER).every()
    assert "closure-decision" not in as_worker and "restriction-lifting" not in as_worker
    assert case_links(waiting, None, Role.AUDITOR).every() == []


def test_a_closed_case_offers_reopening_and_erasure_and_a_waiting_erasure_its_decision() -> None:
    closed = open_case(status="closed")
    assert set(case_links(closed, None, Role.CASE_MANAGER).every()) == {
        "reopening",
        "erasure-request",
    }
    (request,) = ids(1)
    asked = {**closed, "timeline": [{"event": "ErasureRequested", "data": {"request_id": request}}]}
    assert pending_erasure(asked) == request
    manager = case_links(asked, None, Role.MANAGER)
    assert "erasure-request" not in manager.every()
    assert [p for p, _ in manager.of(request)] == [
        f"erasure-requests/{request}/approval",
        f"erasure-requests/{request}/decline",
    ]
    assert case_links(asked, None, Role.CASE_MANAGER).of(request) == []
    declined = {
        **asked,
        "timeline": [
            *asked["timeline"],
            {"event": "ErasureRequestDeclined", "data": {"request_id": request}},
        ],
    }
    assert pending_erasure(declined) is None
    assert case_links(open_case(status="erased"), None, Role.MANAGER).every() == []
