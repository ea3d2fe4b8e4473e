"""A manager's day in a real browser: the team page, approving a closure, a restricted
case only those named on it can reach, and the dashboard's figures."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from hearth.contracts.envelope import Role
from hearth.web.manager.dashboard import MONTH_NAMES
from hearth.web.manager.team import DISPLAY_ZONE, when
from hearth.web.views import short_ref

pytestmark = [pytest.mark.integration, pytest.mark.browser]

ACTION_DUE_IN = timedelta(days=10)


def _manager_id() -> str:
    return f"mgr-{uuid.uuid4().hex[:8]}"


def _request_closure(
    stack: Any, case_id: str, staff_id: str, role: Role = Role.CASE_MANAGER
) -> None:
    answer = stack.api(
        "cases",
        "POST",
        f"/cases/{case_id}/closure-request",
        who=(staff_id, role),
        json={"reason": "survivor_moved", "notes": "Moved out of the area to family."},
    )
    assert answer.status_code == 201, answer.text


def _restrict(stack: Any, case_id: str, manager_id: str) -> None:
    answer = stack.api(
        "cases",
        "POST",
        f"/cases/{case_id}/restriction",
        who=(manager_id, Role.MANAGER),
        json={"reason": "other_sensitivity", "permitted_staff_ids": [manager_id]},
    )
    assert answer.status_code == 200, answer.text


def _table(page: Page, table_id: str) -> dict[str, list[str]]:
    """A data table's rows: the row header's text -> the cells' texts."""
    rows: dict[str, list[str]] = {}
    for row in page.locator(f"#{table_id} tbody tr, #{table_id} tfoot tr").all():
        header = row.locator("th").inner_text().strip()
        rows[header] = [c.inner_text().strip() for c in row.locator("td").all()]
    return rows


def _decide(page: Page) -> None:
    page.locator("form.command-form button[type='submit']").click()


def test_a_manager_approves_a_closure_from_the_team_page_on_the_cases_own_form(
    page: Page,
    stack: Any,
    sign_in: Callable[..., str],
    assert_accessible: Callable[[Page], None],
    keep_screenshot: Callable[[Page, str], Any],
) -> None:
    made = stack.make_case()
    assert made.case_manager_id
    asker = _manager_id()
    _request_closure(stack, made.case_id, asker, Role.MANAGER)
    decision_path = f"/cases/{made.case_id}/closure-decision"

    # The manager who asked may not approve their own request: the rule's words, on top.
    sign_in(page, Role.MANAGER, staff_id=asker)
    page.goto(decision_path)
    page.get_by_label("Approve: close the case").check()
    _decide(page)
    expect(page.locator(".error-summary")).to_contain_text("another manager must approve")
    assert stack.api("cases", "GET", f"/cases/{made.case_id}").json()["status"] == "open"

    page.context.clear_cookies()
    manager = sign_in(page, Role.MANAGER, staff_id=_manager_id())
    page.goto("/team")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your team's day")
    # The request beside its case on the team page: who asked, when, why.
    row = page.locator(
        "#closures-table tbody tr", has=page.locator(f'a[href="/cases/{made.case_id}"]')
    )
    expect(row).to_contain_text(asker)
    expect(row).to_contain_text("The survivor has moved")
    # The notes (free text) are not on the list: the team page points to the case.
    expect(row).not_to_contain_text("Moved out of the area to family.")
    expect(row).to_contain_text("With notes")
    requested_at = stack.api("cases", "GET", f"/cases/{made.case_id}").json()["closure"][
        "requested"
    ]["requested_at"]
    expect(row).to_contain_text(when(requested_at, with_time=True))
    caseloads = _table(page, "caseloads-table")
    assert made.case_manager_id in caseloads
    open_cases, _, waiting = (int(n) for n in caseloads[made.case_manager_id])
    assert open_cases >= 1 and waiting >= 1
    expect(page.locator('a[href^="/team/closures/"]')).to_have_count(0)
    assert_accessible(page)
    keep_screenshot(page, "manager-team")

    # The decision is the case's own form (one closure-decision form, not two).
    row.get_by_role("link", name=re.compile("Decide on closure")).click()
    expect(page).to_have_url(f"{stack.web_url}{decision_path}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Decide on closing the case")
    assert made.case_id not in page.title()
    # The request the manager decides on, notes and all, above the decision.
    request = page.locator(".closure-request-panel")
    expect(request).to_contain_text(asker)
    expect(request).to_contain_text("The survivor has moved")
    expect(request).to_contain_text("Moved out of the area to family.")
    assert_accessible(page)

    # Declining needs a reason: the cases API's refusal, beside the reason field.
    page.get_by_label("Decline", exact=True).check()
    _decide(page)
    expect(page.locator("#f-reason-error")).to_be_visible()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.get_by_label("Decline", exact=True)).to_be_checked()
    assert stack.api("cases", "GET", f"/cases/{made.case_id}").json()["status"] == "open"
    assert_accessible(page)
    keep_screenshot(page, "manager-closure-refused")

    page.get_by_label("Approve: close the case").check()
    page.locator("#f-survivor_feedback-feels_safer-1").check()
    page.get_by_label("How they rated the help").select_option("satisfied")
    _decide(page)
    expect(page).to_have_url(f"{stack.web_url}/cases/{made.case_id}")
    expect(page.locator(".flash")).to_contain_text("Closure decision recorded")
    expect(page.locator(".case-status")).to_contain_text("Closed")

    case = stack.api("cases", "GET", f"/cases/{made.case_id}").json()
    assert case["status"] == "closed"
    assert case["closure"]["closed"]["approved_by"] == manager
    assert case["closure"]["closed"]["survivor_feedback"]["rating"] == "satisfied"
    assert case["closure"]["closed"]["survivor_feedback"]["feels_safer"] is True
    assert [e["event"] for e in case["timeline"]].count("CaseClosed") == 1

    page.goto("/team")
    closures = page.locator("section", has=page.locator("#closures"))
    expect(closures.locator(f'a[href="/cases/{made.case_id}"]')).to_have_count(0)


def test_a_restricted_case_is_listed_for_the_manager_named_and_hidden_from_others(
    browser: Any,
    page: Page,
    stack: Any,
    sign_in: Callable[..., str],
    assert_accessible: Callable[[Page], None],
    keep_screenshot: Callable[[Page, str], Any],
) -> None:
    made = stack.make_case()
    manager = _manager_id()
    _restrict(stack, made.case_id, manager)
    sign_in(page, Role.MANAGER, staff_id=manager)

    page.goto("/team")
    restricted = page.locator("section", has=page.locator("#restricted"))
    expect(restricted.locator(f'a[href="/cases/{made.case_id}"]')).to_be_visible()
    expect(restricted).to_contain_text(made.case_manager_id or "")
    assert_accessible(page)
    keep_screenshot(page, "manager-team-restricted")

    # Another manager, not named on it, does not see it listed.
    other = browser.new_context(base_url=stack.web_url)
    try:
        other_page = other.new_page()
        sign_in(other_page, Role.MANAGER, staff_id=_manager_id())
        other_page.goto("/team")
        expect(other_page.get_by_role("heading", level=1)).to_have_text("Your team's day")
        assert f"/cases/{made.case_id}" not in other_page.content()

        # A case manager not named on it cannot reach it by its address.
        other.clear_cookies()
        case_manager_page = other.new_page()
        sign_in(case_manager_page, Role.CASE_MANAGER, staff_id=f"cso-{uuid.uuid4().hex[:6]}")
        answer = case_manager_page.goto(f"/cases/{made.case_id}")
        assert answer is not None and answer.status == 404
        expect(case_manager_page.get_by_role("heading", level=1)).to_have_text("Not found")
        for shown in (made.case_id, short_ref(made.case_id)):
            assert shown not in case_manager_page.locator("main").inner_text()
            assert shown not in case_manager_page.title()
        assert_accessible(case_manager_page)

        # And the manager's pages are not a case manager's.
        for path in ("/team", "/dashboard", f"/cases/{made.case_id}/closure-decision"):
            refused = case_manager_page.goto(path)
            assert refused is not None and refused.status == 403, path
            expect(case_manager_page.get_by_role("heading", level=1)).to_have_text("Not allowed")

        # Those named reach it: its own case manager, and the manager named.
        other.clear_cookies()
        named_page = other.new_page()
        sign_in(named_page, Role.CASE_MANAGER, staff_id=made.case_manager_id)
        reached = named_page.goto(f"/cases/{made.case_id}")
        assert reached is not None and reached.status == 200
        expect(named_page.locator(".case-status")).to_contain_text("Restricted")
        reached = page.goto(f"/cases/{made.case_id}")
        assert reached is not None and reached.status == 200

    finally:
        other.close()


def _marac_action_outstanding(
    stack: Any, case_id: str, manager: tuple[str, Role], owner: str
) -> dict[str, Any]:
    """A MARAC referral (on professional judgement) heard today with an action for the
    landlord due in ten days; the action as the actions list gives it."""
    today = datetime.now(DISPLAY_ZONE).date()

    def referred() -> dict[str, Any] | None:
        answer = stack.api(
            "referrals",
            "POST",
            f"/cases/{case_id}/marac-referrals",
            who=manager,
            json={
                "marac_area": "West Kent",
                "survivor_informed": True,
                "survivor_consented": True,
                "professional_judgement_reason": "Escalating controlling behaviour.",
            },
        )
        assert answer.status_code in (201, 404), answer.text
        return answer.json() if answer.status_code == 201 else None

    referral_id = stack.eventually(referred, "referrals to learn of the case")["referral_id"]
    base = f"/cases/{case_id}/marac-referrals/{referral_id}"
    listed = stack.api(
        "referrals", "POST", f"{base}/listing", who=manager, json={"meeting_date": str(today)}
    )
    assert listed.status_code == 200, listed.text
    heard = stack.api(
        "referrals",
        "POST",
        f"{base}/hearing",
        who=manager,
        json={
            "heard_on": str(today),
            "actions": [
                {
                    "description": "Fit a door viewer and a chain.",
                    "owner_agency": "housing",
                    "landlord_action": True,
                    "owner_staff_id": owner,
                    "due_on": str(today + ACTION_DUE_IN),
                }
            ],
        },
    )
    assert heard.status_code == 200, heard.text
    actions = stack.api(
        "referrals", "GET", "/marac/actions", who=manager, params={"limit": 200}
    ).json()["actions"]
    [action] = [a for a in actions if a["case_id"] == case_id]
    return dict(action)


def test_the_team_page_shows_an_unmet_preference_and_an_outstanding_marac_action(
    page: Page,
    stack: Any,
    sign_in: Callable[..., str],
    assert_accessible: Callable[[Page], None],
    keep_screenshot: Callable[[Page, str], Any],
) -> None:
    made = stack.make_case()
    manager = (_manager_id(), Role.MANAGER)
    # A preference nobody on the roster can meet.
    changed = stack.api(
        "cases",
        "POST",
        f"/cases/{made.case_id}/case-manager",
        who=manager,
        json={"preferred_gender": "non_binary"},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["preference_unmet"] is True
    assert made.case_manager_id
    outstanding = _marac_action_outstanding(stack, made.case_id, manager, made.case_manager_id)
    sign_in(page, Role.MANAGER, staff_id=manager[0])

    page.goto("/team")

    row = page.locator(
        "#preferences-table tbody tr", has=page.locator(f'a[href="/cases/{made.case_id}"]')
    )
    expect(row).to_contain_text("a non-binary person")
    action = page.locator(
        "#marac-table tbody tr", has=page.locator(f'a[href="/cases/{made.case_id}"]')
    )
    expect(action).to_contain_text(f"Housing ({made.case_manager_id})")
    expect(action).to_contain_text(when(outstanding["due_on"]))
    expect(action.locator("td").nth(3)).to_have_text("Yes")
    assert_accessible(page)
    keep_screenshot(page, "manager-team-preferences-and-marac")

    # Done, it is no longer outstanding: the page asks referrals for open actions only.
    completed = stack.api(
        "referrals",
        "POST",
        f"/cases/{made.case_id}/marac-referrals/{outstanding['referral_id']}"
        f"/actions/{outstanding['action_id']}/completion",
        who=(made.case_manager_id, Role.CASE_MANAGER),
        json={},
    )
    assert completed.status_code == 200, completed.text
    page.goto("/team")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your team's day")
    expect(
        page.locator("section", has=page.locator("#marac")).locator(
            f'a[href="/cases/{made.case_id}"]'
        )
    ).to_have_count(0)


def _dash_all_yes(stack: Any, case_id: str, who: tuple[str, Role]) -> None:
    """A DASH on the default checklist, every question answered yes (high risk), done
    now: the case's DASH deadline is met within target."""
    instruments = stack.api("risk", "GET", "/instruments", who=who).json()["instruments"]
    [default] = [i for i in instruments if i["default"]]
    checklist = stack.api("risk", "GET", f"/instruments/{default['id']}", who=who).json()
    answer = stack.api(
        "risk",
        "POST",
        f"/cases/{case_id}/assessments",
        who=who,
        json={
            "completed_at": datetime.now(DISPLAY_ZONE).isoformat(),
            "answers": [{"question": q["number"], "answer": "yes"} for q in checklist["questions"]],
        },
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["case_risk_level"] == "high", answer.json()


def _figures(stack: Any, report: str, period: str, who: tuple[str, Role]) -> dict[str, Any]:
    answer = stack.api("reporting", "GET", f"/figures/{report}", who=who, params={"period": period})
    assert answer.status_code == 200, answer.text
    figures: dict[str, Any] = answer.json()
    return figures


def test_the_dashboard_shows_the_seeded_cases_in_its_figures(
    page: Page,
    stack: Any,
    sign_in: Callable[..., str],
    assert_accessible: Callable[[Page], None],
    keep_screenshot: Callable[[Page, str], Any],
) -> None:
    seeded = [stack.make_case() for _ in range(2)]
    closing = seeded[0]
    assert closing.case_manager_id
    _request_closure(stack, closing.case_id, closing.case_manager_id)
    manager = _manager_id()
    decided = stack.api(
        "cases",
        "POST",
        f"/cases/{closing.case_id}/closure-decision",
        who=(manager, Role.MANAGER),
        json={"decision": "approve"},
    )
    assert decided.status_code == 200, decided.text
    who = (manager, Role.MANAGER)
    assessed = seeded[1]
    assert assessed.case_manager_id
    _dash_all_yes(stack, assessed.case_id, (assessed.case_manager_id, Role.CASE_MANAGER))
    sign_in(page, Role.MANAGER, staff_id=manager)

    page.goto("/dashboard")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    period = page.get_by_label("Period").input_value()
    assert re.fullmatch(r"\d{4}-Q[1-4]", period)

    # Reporting learns of the cases from the bus: wait until it counts them.
    def counted() -> dict[str, Any] | None:
        figures = _figures(stack, "committee", period, who)
        cases = figures["sections"]["cases"]
        closed = cases["closed"]["count"] >= 1
        high = figures["sections"]["risk"]["open_cases_by_level"]["counts"]["high"] >= 1
        dash = figures["sections"]["timescales"]["dash_within_target"]["count"] >= 1
        seen = cases["new"]["count"] >= len(seeded) and closed and high and dash
        return figures if seen else None

    stack.eventually(counted, "reporting to count the seeded cases")
    page.goto(f"/dashboard?period={period}")
    figures = _figures(stack, "committee", period, who)
    sections = figures["sections"]

    headlines = {
        dt.inner_text().strip(): dd.inner_text().strip()
        for dt, dd in zip(
            page.locator(".manager-headlines dt").all(),
            page.locator(".manager-headlines dd").all(),
            strict=True,
        )
    }
    assert headlines["New cases"] == str(sections["cases"]["new"]["count"])
    assert headlines["Cases closed"] == str(sections["cases"]["closed"]["count"])
    assert headlines["Open at the end"] == str(sections["cases"]["open_at_end"]["count"])
    assert int(headlines["New cases"]) >= len(seeded)
    assert int(headlines["Cases closed"]) >= 1

    risk = _table(page, "risk-table")
    levels = sections["risk"]["open_cases_by_level"]
    assert risk["Not assessed"] == [str(levels["counts"]["not_assessed"])]
    assert risk["Total"] == [str(levels["total"])]
    assert risk["High"] == [str(levels["counts"]["high"])]
    assert int(risk["High"][0]) >= 1  # the seeded case's DASH, every answer yes
    assessed_levels = sections["risk"]["assessments_by_level"]["counts"]
    assert _table(page, "assessed-table")["High"] == [str(assessed_levels["high"])]
    assert assessed_levels["high"] >= 1
    assert levels["total"] == sections["cases"]["open_at_end"]["count"]

    trend = _table(page, "trend-table")
    assert len(trend) == 12
    this_month = list(trend)[-1]
    month = page.locator("#trend-table tbody tr").last.locator("th").inner_text()
    assert month == this_month
    executive = _figures(stack, "executive", _month_of(this_month), who)
    cases = executive["sections"]["cases"]
    assert trend[this_month] == [
        str(cases["new"]["count"]),
        str(cases["closed"]["count"]),
        str(cases["open_at_end"]["count"]),
    ]
    assert int(trend[this_month][0]) >= len(seeded)

    timescales = _table(page, "timescales-table")
    first = sections["timescales"]["first_contact_within_target"]
    assert timescales["First contact"][:2] == [str(first["count"]), str(first["of"])]
    dash = sections["timescales"]["dash_within_target"]
    assert timescales["DASH risk assessment"][:3] == [
        str(dash["count"]),
        str(dash["of"]),
        f"{dash['percent']:g}%",
    ]
    assert dash["count"] >= 1  # the seeded case's DASH, done the day the case opened
    chart = page.locator("#timescales-desc").text_content() or ""
    assert f"DASH risk assessment: {dash['count']} of {dash['of']}" in chart

    # Each chart names itself and reads its numbers out.
    desc = page.locator("#risk-open-desc").text_content() or ""
    assert f"Not assessed: {levels['counts']['not_assessed']}" in desc
    assert_accessible(page)
    keep_screenshot(page, "manager-dashboard")

    # A period that is no period: the chooser's words, and no figures.
    answer = page.goto("/dashboard?period=2026-13")
    assert answer is not None and answer.status == 422
    expect(page.get_by_role("alert")).to_contain_text("Choose a period")
    assert_accessible(page)


def _month_of(words: str) -> str:
    """A month as the page words it ("December 2026") as reporting names it ("2026-12")."""
    name, year = words.split()
    return f"{year}-{MONTH_NAMES.index(name) + 1:02d}"


def test_an_auditor_reads_the_team_page_and_dashboard_but_decides_nothing(
    page: Page,
    stack: Any,
    sign_in: Callable[..., str],
) -> None:
    made = stack.make_case()
    assert made.case_manager_id
    _request_closure(stack, made.case_id, made.case_manager_id)
    sign_in(page, Role.AUDITOR)

    answer = page.goto("/team")
    assert answer is not None and answer.status == 200
    closures = page.locator("#closures-table")
    expect(closures.locator(f'a[href="/cases/{made.case_id}"]')).to_be_visible()
    expect(closures).to_contain_text("A manager decides")
    expect(page.locator(f'a[href="/cases/{made.case_id}/closure-decision"]')).to_have_count(0)

    refused = page.goto(f"/cases/{made.case_id}/closure-decision")
    assert refused is not None and refused.status == 403

    answer = page.goto("/dashboard")
    assert answer is not None and answer.status == 200
    expect(page.locator("#risk-table")).to_be_visible()
