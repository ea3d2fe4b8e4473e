"""The manager's templates rendered with the view models (no services): one h1,
headings in order, each chart followed by its table, every value escaped."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from itertools import pairwise
from typing import Any

from hearth.contracts.envelope import Role
from hearth.web.manager.dashboard import dashboard, period_choices
from hearth.web.manager.team import (
    Listing,
    closure_request,
    listed_closure_request,
    team_day,
    when,
)
from hearth.web.pages import templates
from hearth.web.views import short_ref


class _User:
    staff_id = "mgr-0001"
    role = Role.MANAGER
    csrf_token = "token-1"


def page(name: str, **context: Any) -> str:
    base = {
        "user": _User(),
        "csrf_token": "token-1",
        "flash": None,
        "path": "/team",
        "ref": short_ref,
    }
    return templates.get_template(name).render(title="Page", **base, **context)


def headings(html: str) -> list[int]:
    return [int(level) for level in re.findall(r"<h([1-6])[ >]", html)]


def assert_headings_in_order(html: str) -> None:
    levels = headings(html)
    assert levels.count(1) == 1 and levels[0] == 1
    for before, after in pairwise(levels):
        assert after <= before + 1, levels


def summary(case_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "status": "open",
        "opened_at": "2026-11-02T09:00:00+00:00",
        "updated_at": "2026-11-03T09:00:00+00:00",
        "case_manager_id": "cso-0001",
        "deadlines": [],
        **extra,
    }


def day_of(
    *,
    overdue: list[dict[str, Any]] | None = None,
    closures: list[dict[str, Any]] | None = None,
    requests: dict[str, Any] | None = None,
    restricted_complete: bool = True,
) -> Any:
    return team_day(
        caseload_counts=[{"case_manager_id": "cso-0001", "open_cases": 2}],
        overdue=Listing(overdue or [], complete=True),
        closures=Listing(closures or [], complete=True),
        closure_requests=requests or {},
        unmet=Listing([], complete=True),
        restricted=Listing([], complete=restricted_complete),
        marac=Listing([], complete=True),
    )


def request_of(notes: str | None = None) -> Any:
    return closure_request(
        {
            "closure": {
                "requested": {
                    "requested_at": "2026-11-05T14:30:00+00:00",
                    "reason": "other" if notes else "survivor_moved",
                    "notes": notes,
                    "requested_by": {"id": "cso-0002", "role": "case_manager"},
                }
            }
        }
    )


def test_the_team_page_lists_each_section_with_links_to_the_cases() -> None:
    waiting = summary("11111111-aaaa", closure_requested=True)
    late = summary(
        "22222222-bbbb",
        overdue=True,
        deadlines=[
            {"kind": "dash", "ref": "1", "due_at": "2026-11-04T09:00:00+00:00", "status": "overdue"}
        ],
    )
    day = day_of(
        overdue=[late],
        closures=[waiting],
        requests={"11111111-aaaa": request_of()},
        restricted_complete=False,
    )

    html = page(
        "manager/team.html",
        day=day,
        now=datetime(2026, 11, 10, 9, tzinfo=UTC),
        when=when,
        may_decide=True,
    )

    assert_headings_in_order(html)
    # The decision is the case's own form (the catalogue's), with the request beside it.
    assert 'href="/cases/11111111-aaaa/closure-decision"' in html
    assert "/team/closures/" not in html
    assert "<td>cso-0002</td><td>Thu 5 Nov 2026, 14:30</td>" in html
    assert "The survivor has moved" in html
    assert 'href="/cases/22222222-bbbb"' in html
    assert "DASH risk assessment" in html
    assert "incomplete: restricted cases" in html
    assert "You are named on no restricted case." in html


def test_a_closure_request_that_could_not_be_read_still_lists_the_case() -> None:
    day = day_of(closures=[summary("11111111-aaaa", closure_requested=True)], requests={})

    html = page("manager/team.html", day=day, now=datetime.now(UTC), when=when, may_decide=True)

    assert "Not available: open the case to see the request" in html
    assert 'href="/cases/11111111-aaaa/closure-decision"' in html


def test_a_closure_requests_notes_are_escaped() -> None:
    waiting = summary("11111111-aaaa", closure_requested=True)
    day = day_of(
        closures=[waiting], requests={"11111111-aaaa": request_of("<b>moved away</b> & safe")}
    )

    html = page("manager/team.html", day=day, now=datetime.now(UTC), when=when, may_decide=True)

    assert "Another reason" in html
    assert "&lt;b&gt;moved away&lt;/b&gt; &amp; safe" in html
    assert "<b>moved away</b>" not in html


def test_a_listed_closure_request_shows_without_its_notes_and_points_to_the_case() -> None:
    """The list's row says who asked, when, why, and whether with notes: the notes (free
    text, kept off the list) are read on the case."""
    listed = {
        "requested_by": "cso-0002",
        "requested_at": "2026-11-05T14:30:00+00:00",
        "reason": "other",
        "has_notes": True,
    }
    waiting = summary("11111111-aaaa", closure_requested=True, closure_request=listed)
    request = listed_closure_request(waiting)
    assert request is not None and request.notes is None and request.has_notes
    day = day_of(closures=[waiting], requests={"11111111-aaaa": request})

    html = page("manager/team.html", day=day, now=datetime.now(UTC), when=when, may_decide=True)

    assert "<td>cso-0002</td><td>Thu 5 Nov 2026, 14:30</td>" in html
    assert "Another reason" in html
    assert "With notes: read them on the case, or on the decision" in html
    assert listed_closure_request(summary("2", closure_request=None)) is None
    assert listed_closure_request(summary("3")) is None


def test_only_a_manager_is_offered_the_closure_decision() -> None:
    day = day_of(closures=[summary("11111111-aaaa", closure_requested=True)])

    html = page("manager/team.html", day=day, now=datetime.now(UTC), when=when, may_decide=False)

    assert "/closure-decision" not in html
    assert "A manager decides" in html


def test_every_chart_on_the_dashboard_is_followed_by_its_table() -> None:
    committee = {
        "period": "2026-Q4",
        "as_of": "2026-12-01T10:00:00+00:00",
        "sections": {
            "cases": {"new": {"count": 3}, "closed": {"count": 1}, "open_at_end": {"count": 2}},
            "risk": {
                "open_cases_by_level": {
                    "counts": {"standard": 0, "medium": 0, "high": 1, "not_assessed": 1},
                    "total": 2,
                }
            },
        },
    }
    board = dashboard(committee, [("2026-12", {"sections": {}})])

    html = page(
        "manager/dashboard.html",
        board=board,
        choices=period_choices(date(2026, 12, 1)),
        chosen="2026-Q4",
        when=when,
        error=None,
    )

    assert_headings_in_order(html)
    assert html.count("<svg") == 4
    for chart in re.finditer(r"</svg>", html):
        assert re.match(r"\s*</figure>\s*<div class=\"table-wrap\">\s*<table", html[chart.end() :])
    assert '<option value="2026-Q4" selected>' in html
    assert '<td class="manager-num">Not available</td>' in html  # the month with no figures
