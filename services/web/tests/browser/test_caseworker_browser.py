"""A caseworker's day begins: a resident's web-form report is a case in my cases, and
its page puts the safe-contact arrangements before anything else."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from hearth.contracts.envelope import Role

pytestmark = [pytest.mark.integration, pytest.mark.browser]


def test_a_web_form_report_is_in_my_cases_and_its_page_shows_safe_contact_first(
    page: Page,
    stack,
    sign_in,
    assert_accessible: Callable[[Page], None],
    keep_screenshot,
) -> None:
    made = stack.make_case(safe_phone="07700 900417", safe_from="10:00", safe_to="15:30")
    assert made.case_manager_id, "cases named a case manager from its roster"
    sign_in(page, Role.CASE_MANAGER, staff_id=made.case_manager_id)

    page.goto("/cases")
    expect(page.get_by_role("heading", level=1)).to_have_text("My cases")
    ref = made.case_id.split("-")[0].upper()
    link = page.get_by_role("link", name=f"Case {ref}")
    expect(link).to_be_visible()
    card = page.locator(".case-card", has=link)
    expect(card).to_contain_text("First contact")
    expect(card).to_contain_text("DASH risk assessment")
    assert page.title() == "My cases \u2013 Hearth"
    assert_accessible(page)
    keep_screenshot(page, "my-cases")

    link.click()
    expect(page).to_have_url(f"{stack.web_url}/cases/{made.case_id}")
    assert page.title() == "Case \u2013 Hearth"  # no name in the title, only ids in the URL
    safe = page.locator("#safe-contact")
    expect(safe).to_contain_text("07700 900417")
    expect(safe).to_contain_text("Monday 10:00\u201315:30")
    expect(safe).to_contain_text("Never leave a voicemail")
    expect(safe).to_contain_text("Phone call")
    # Safe contact is the first section, before every link to a contact form.
    order = page.evaluate(
        "() => Array.from(document.querySelectorAll('main section, main a'))"
        ".map(e => e.id || e.getAttribute('href'))"
    )
    first_contact_link = next(i for i, v in enumerate(order) if v and v.endswith("/contact"))
    assert order.index("safe-contact") < first_contact_link
    assert order[0] == "safe-contact"
    expect(page.get_by_role("link", name="Record a contact attempt")).to_have_attribute(
        "href", f"/cases/{made.case_id}/contact-attempt"
    )
    # Deadlines, people, flags, risk and referrals, the timeline with who and when.
    expect(page.locator("#deadlines")).to_contain_text("First contact")
    expect(page.locator("#flags")).to_contain_text("Potentially vulnerable")
    expect(page.locator("#risk")).to_contain_text("Not yet assessed")
    expect(page.locator("#referrals")).to_contain_text("No MARAC referral")
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("Case opened")
    expect(timeline).to_contain_text("Case manager assigned")
    expect(timeline).to_contain_text("Hearth (automatic)")
    assert_accessible(page)
    keep_screenshot(page, "case-page")


def test_a_restricted_case_is_not_found_for_a_case_manager_not_named_on_it(
    page: Page, stack, sign_in, assert_accessible: Callable[[Page], None]
) -> None:
    made = stack.make_case()
    restricted = stack.api(
        "cases",
        "POST",
        f"/cases/{made.case_id}/restriction",
        json={"reason": "other_sensitivity", "permitted_staff_ids": ["dalead-0001"]},
    )
    assert restricted.status_code == 200, restricted.text
    outsider = "cso-0002" if made.case_manager_id != "cso-0002" else "cso-0003"
    sign_in(page, Role.CASE_MANAGER, staff_id=outsider)
    page.goto(f"/cases/{made.case_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
    assert made.case_id.split("-")[0].upper() not in page.content()
    response = page.request.get(f"/cases/{made.case_id}")
    assert response.status == 404
    # An id nobody has used reads the same.
    unknown = page.request.get("/cases/00000000-0000-4000-8000-000000000000")
    assert unknown.status == 404 and unknown.text() == response.text()
    assert_accessible(page)

    # The DA lead, named on it, sees it and who may.
    page.context.clear_cookies()
    sign_in(page, Role.MANAGER, staff_id="dalead-0001")
    page.goto(f"/cases/{made.case_id}")
    expect(page.locator("#people")).to_contain_text("Who may see this case")
    expect(page.locator("#people")).to_contain_text("dalead-0001")


def test_a_manager_sees_every_case_with_its_case_manager(
    page: Page, stack, sign_in, assert_accessible: Callable[[Page], None]
) -> None:
    made = stack.make_case()
    sign_in(page, Role.MANAGER, staff_id="dalead-0001")
    page.goto("/cases")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cases")
    ref = made.case_id.split("-")[0].upper()
    card = page.locator(".case-card", has=page.get_by_role("link", name=f"Case {ref}"))
    expect(card).to_contain_text(f"Case manager {made.case_manager_id}")
    assert_accessible(page)
    # A manager's timeline also has what intake recorded (from reporting, by role).
    page.get_by_role("link", name=f"Case {ref}").click()
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("Case opened")
    stack.eventually(
        lambda: stack.api("reporting", "GET", f"/cases/{made.case_id}/timeline").json()["total"],
        "reporting to learn of the case",
    )
    page.reload()
    expect(timeline).to_contain_text("Report received")
    expect(timeline).to_contain_text("A resident (web form)")
