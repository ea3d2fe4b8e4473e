"""Every link on the case page leads to a form that opens (200) and passes axe; each
item's own forms (a repair's completion, a flag's removal, a referral's answer, a
consent's withdrawal, a MARAC referral's listing and hearing, an action's completion,
an erasure request's decision) are reached from the page, beside their item."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from hearth.contracts.envelope import Role

pytestmark = [pytest.mark.integration, pytest.mark.browser]

MANAGER = ("dalead-0001", Role.MANAGER)
OTHER_MANAGER = ("manager-0002", Role.MANAGER)


def ok(answer: Any) -> dict[str, Any]:
    assert answer.status_code in (200, 201), answer.text
    return dict(answer.json())


def linked_paths(page: Page, case_id: str) -> list[str]:
    """The case page's links to forms of this case, each once, in the page's order."""
    hrefs = page.locator(f"main a[href^='/cases/{case_id}/']").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    seen: list[str] = []
    for href in hrefs:
        if href not in seen and "/document" not in href:
            seen.append(href)
    return seen


def visit_each(page: Page, paths: list[str], assert_accessible: Callable[[Page], None]) -> None:
    for path in paths:
        shown = page.goto(path)
        assert shown is not None and shown.status == 200, path
        expect(page.locator("form.command-form")).to_be_visible()
        assert_accessible(page)


def ask_to_close(stack: Any, base: str) -> None:
    """Another manager asks to close the case at `base` (`/cases/{id}`)."""
    ok(
        stack.api(
            "cases",
            "POST",
            f"{base}/closure-request",
            who=OTHER_MANAGER,
            json={"reason": "survivor_safe_support_in_place"},
        )
    )


def sign_in_as(page: Page, stack: Any, who: tuple[str, Role], path: str) -> None:
    password = stack.account(who[0], who[1])
    page.goto(path)
    page.get_by_label("Staff id").fill(who[0])
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{stack.web_url}{path}")


def test_every_link_on_the_case_page_opens_its_form_and_items_have_theirs(
    page: Page, stack: Any, assert_accessible: Callable[[Page], None]
) -> None:
    made = stack.make_case()
    case_id = made.case_id
    base = f"/cases/{case_id}"

    def cases(method: str, path: str, **kw: Any) -> dict[str, Any]:
        return ok(stack.api("cases", method, f"{base}{path}", **kw))

    def referrals(method: str, path: str, **kw: Any) -> dict[str, Any]:
        return ok(stack.api("referrals", method, f"{base}{path}", **kw))

    # Items, through the services' APIs, as the DA lead.
    repair = cases("POST", "/repairs", json={"kind": "locks", "description": "Change locks"})
    work = cases(
        "POST", "/security-measures", json={"measures": ["lock_change"], "sanctuary_scheme": False}
    )
    view = cases("GET", "")
    survivor = view["survivor"]["person_id"]
    [flag] = [f for f in view["flags"] if f["person_id"] == survivor and f["active"]]
    consent = referrals(
        "POST",
        "/consents",
        json={"given": True, "scope": ["victim_support"], "method": "verbal"},
    )
    referral = referrals(
        "POST",
        "/referrals",
        json={
            "referral_type": "victim_support",
            "agency_name": "Victim Support",
            "sharing_basis": "consent",
            "information_shared": ["contact_details"],
        },
    )
    marac = referrals(
        "POST",
        "/marac-referrals",
        json={
            "marac_area": "West Kent",
            "survivor_informed": True,
            "survivor_consented": True,
            "professional_judgement_reason": "Escalating controlling behaviour",
        },
    )
    today = str(view["opened_at"])[:10]
    marac_path = f"/marac-referrals/{marac['referral_id']}"
    referrals("POST", f"{marac_path}/listing", json={"meeting_date": today})
    referrals(
        "POST",
        f"{marac_path}/hearing",
        json={
            "heard_on": today,
            "actions": [
                {
                    "description": "Fit a door viewer",
                    "owner_agency": "Housing",
                    "landlord_action": True,
                    "owner_staff_id": made.case_manager_id,
                    "due_on": today,
                }
            ],
        },
    )
    # Listed again for the next meeting: its open action goes with it.
    referrals("POST", f"{marac_path}/listing", json={"meeting_date": today})
    [action] = referrals("GET", "/referrals")["marac_referrals"][0]["actions"]
    cases(
        "POST",
        "/restriction",
        json={"reason": "survivor_is_staff", "permitted_staff_ids": [MANAGER[0], OTHER_MANAGER[0]]},
    )
    ask_to_close(stack, base)

    sign_in_as(page, stack, MANAGER, base)
    paths = linked_paths(page, case_id)
    expected_items = [
        f"{base}/repairs/{repair['repair_id']}/completion",
        f"{base}/security-measures/{work['request_id']}/installation",
        f"{base}/flags/{flag['flag_id']}/removal",
        f"{base}/referrals/{referral['referral_id']}/acceptance",
        f"{base}/referrals/{referral['referral_id']}/decline",
        f"{base}/referrals/{referral['referral_id']}/closure",
        f"{base}/consents/{consent['consent_id']}/withdrawal",
        f"{base}{marac_path}/listing",
        f"{base}{marac_path}/hearing",
        f"{base}{marac_path}/actions/{action['action_id']}/completion",
    ]
    expected_case_level = [
        f"{base}/{slug}"
        for slug in (
            "closure-decision",
            "restriction-lifting",
            "dash-declined",
            "dash-elsewhere",
            "incident",
        )
    ]
    missing = [p for p in expected_items + expected_case_level if p not in paths]
    assert not missing, f"not linked from the case page: {missing}"
    # Not linked when they do not apply: the case is open, restricted, closure asked for.
    for slug in ("reopening", "restriction", "closure-request", "erasure-request"):
        assert f"{base}/{slug}" not in paths
    # The item's links sit beside the item: the repair's in the repairs section.
    repairs = page.locator("#repairs")
    expect(repairs.locator(f"a[href='{expected_items[0]}']")).to_be_visible()
    assert_accessible(page)
    visit_each(page, paths, assert_accessible)

    # A case manager is offered no manager-only form.
    page.context.clear_cookies()
    sign_in_as(page, stack, (made.case_manager_id, Role.CASE_MANAGER), "/cases")
    # (restricted: the case manager still sees it, as named on the case)
    page.goto(base)
    worker_paths = linked_paths(page, case_id)
    for slug in ("closure-decision", "restriction-lifting", "review", "restriction"):
        assert f"{base}/{slug}" not in worker_paths
    assert expected_items[0] in worker_paths
    visit_each(page, worker_paths, assert_accessible)


def test_a_closed_case_links_reopening_erasure_and_the_waiting_erasures_decision(
    page: Page, stack: Any, assert_accessible: Callable[[Page], None]
) -> None:
    made = stack.make_case()
    base = f"/cases/{made.case_id}"
    ask_to_close(stack, base)
    ok(stack.api("cases", "POST", f"{base}/closure-decision", json={"decision": "approve"}))
    sign_in_as(page, stack, MANAGER, base)
    paths = linked_paths(page, made.case_id)
    assert f"{base}/reopening" in paths and f"{base}/erasure-request" in paths
    assert f"{base}/contact" not in paths
    visit_each(page, paths, assert_accessible)

    asked = ok(
        stack.api(
            "cases",
            "POST",
            f"{base}/erasure-requests",
            who=OTHER_MANAGER,
            json={"reason": "no_longer_necessary"},
        )
    )
    page.goto(base)
    paths = linked_paths(page, made.case_id)
    request = asked["request_id"]
    assert f"{base}/erasure-requests/{request}/approval" in paths
    assert f"{base}/erasure-requests/{request}/decline" in paths
    assert f"{base}/erasure-request" not in paths
    assert not any(re.search(r"/contact$", p) for p in paths)
    visit_each(page, paths, assert_accessible)
