"""The manager's templates rendered with the view models (no services): one h1,
headings in order, each chart followed by its table, every value escaped."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from itertools import pairwise
from typing import Any

from hearth.contracts.envelope import Role
from hearth.web.manager.closure import FEEDBACK_RATINGS, closure_view
from hearth.web.manager.dashboard import dashboard, period_choices
from hearth.web.manager.team import Listing, team_day, when
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


def test_the_team_page_lists_each_section_with_links_to_the_cases() -> None:
    waiting = summary("11111111-aaaa", closure_requested=True)
    late = summary(
        "22222222-bbbb",
        overdue=True,
        deadlines=[
            {"kind": "dash", "ref": "1", "due_at": "2026-11-04T09:00:00+00:00", "status": "overdue"}
        ],
    )
    day = team_day(
        open_cases=Listing([waiting, late], complete=True),
        closed_restricted=Listing([], complete=False),
        marac=Listing([], complete=True),
    )

    html = page(
        "manager/team.html",
        day=day,
        now=datetime(2026, 11, 10, 9, tzinfo=UTC),
        when=when,
        may_decide=True,
    )

    assert_headings_in_order(html)
    assert 'href="/team/closures/11111111-aaaa"' in html
    assert 'href="/cases/22222222-bbbb"' in html
    assert "DASH risk assessment" in html
    assert "incomplete: closed restricted cases" in html
    assert "You are named on no restricted case." in html


def test_only_a_manager_is_offered_the_closure_decision() -> None:
    day = team_day(
        open_cases=Listing([summary("11111111-aaaa", closure_requested=True)], complete=True),
        closed_restricted=Listing([], complete=True),
        marac=Listing([], complete=True),
    )

    html = page("manager/team.html", day=day, now=datetime.now(UTC), when=when, may_decide=False)

    assert "/team/closures/" not in html
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


def test_a_closure_refusal_is_shown_beside_its_field_and_the_text_is_escaped() -> None:
    case = {
        "case_id": "11111111-aaaa",
        "status": "open",
        "case_manager": {"staff_id": "cso-0001"},
        "closure": {
            "requested": {
                "requested_at": "2026-12-01T10:00:00+00:00",
                "reason": "other",
                "notes": "<b>moved</b>",
                "requested_by": {"id": "cso-0001", "role": "case_manager"},
            }
        },
        "deadlines": [],
    }

    class Refusal:
        status = 422
        message = "Some answers need correcting"
        fields = {"reason": "A declined closure needs a reason."}

    html = page(
        "manager/closure.html",
        when=when,
        form={"decision": "decline"},
        refusal=Refusal(),
        ratings=FEEDBACK_RATINGS,
        idempotency_key="k-1",
        **closure_view(case),
    )

    assert_headings_in_order(html)
    assert "&lt;b&gt;moved&lt;/b&gt;" in html and "<b>moved</b>" not in html
    assert 'id="reason-error">A declined closure needs a reason.' in html
    assert 'href="#reason"' in html
    assert 'value="decline" checked' in html
    assert 'name="idempotency_key" value="k-1"' in html
    assert 'name="csrf_token" value="token-1"' in html


def test_a_rule_refusing_the_decision_is_shown_in_its_own_words_at_the_top() -> None:
    class Refusal:
        status = 409
        message = "A closure needs a second person: another manager must approve it."
        fields: dict[str, str] = {}

    html = page(
        "manager/closure.html",
        when=when,
        form={"decision": "approve"},
        refusal=Refusal(),
        ratings=FEEDBACK_RATINGS,
        idempotency_key="k-2",
        **closure_view({"case_id": "11111111-aaaa", "status": "closed", "closure": {}}),
    )

    assert "another manager must approve it." in html
    assert "Nobody has asked to close this case: it is closed." in html
    assert '<form method="post" action="/team/closures/' not in html
