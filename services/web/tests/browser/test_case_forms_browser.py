"""The command forms in a real browser, on the running services: a case manager on a case
a resident reported through the web form records a call the survivor's arrangements
refuse (the service's words on the page), a safe contact, a DASH whose "yes" answers
reach the instrument's visible-high-risk mark, and sees the MARAC referral become due."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from hearth.contracts.envelope import Role
from hearth.web.forms.catalogue import FORMS

pytestmark = [pytest.mark.integration, pytest.mark.browser]


def safe_number() -> str:
    return f"07700 9{uuid.uuid4().int % 100000:05d}"


@dataclass(frozen=True)
class Case:
    case_id: str
    case_manager_id: str


def any_time_case(stack: Any, number: str) -> Case:
    """A case opened by a resident's web-form report, the survivor reporting for
    themself: calls to `number` are safe, at any time, never with a voicemail. Found
    through the cases API by its report, once cases and risk know it and it has a
    case manager."""
    report_id = stack.submit_web_form(
        safe_phone=number, contact_methods=["call"], safe_days=[], safe_from="", safe_to=""
    )

    def opened() -> dict[str, Any] | None:
        listed = stack.api("cases", "GET", "/cases", params={"limit": 200}).json()["cases"]
        for row in listed:
            view = stack.api("cases", "GET", f"/cases/{row['case_id']}").json()
            if report_id in view["report_ids"] and view.get("case_manager"):
                return dict(view)
        return None

    view = stack.eventually(opened, "the case the report opened, with a case manager")
    case_id = view["case_id"]
    stack.eventually(
        lambda: stack.api("risk", "GET", f"/cases/{case_id}/risk").status_code == 200,
        "risk to learn of the case",
    )
    return Case(case_id, view["case_manager"]["staff_id"])


def sign_in_to(page: Page, stack: Any, path: str, staff_id: str, role: Role) -> None:
    """Open `path`, sign in on the way (the sign-in page sends the member of staff on)."""
    password = stack.account(staff_id, role)
    page.goto(path)
    page.get_by_label("Staff id").fill(staff_id)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{stack.web_url}{path}")


def choose(page: Page, name: str, value: str) -> None:
    page.locator(f"input[name='{name}'][value='{value}']").check()


def test_a_refused_unsafe_call_a_safe_contact_and_a_dash_that_makes_marac_due(
    page: Page,
    stack: Any,
    assert_accessible: Callable[[Page], None],
    keep_screenshot: Callable[[Page, str], Any],
) -> None:
    number = safe_number()
    made = any_time_case(stack, number)
    case_path = f"/cases/{made.case_id}"

    # The survivor's arrangements come first on a contact form.
    sign_in_to(page, stack, f"{case_path}/contact-attempt", made.case_manager_id, Role.CASE_MANAGER)
    panel = page.locator(".safe-contact-panel")
    expect(panel).to_contain_text(number)
    expect(panel).to_contain_text("Never leave a voicemail")
    panel_box = panel.bounding_box()
    form_box = page.locator("form.command-form").bounding_box()
    assert panel_box is not None and form_box is not None
    assert panel_box["y"] < form_box["y"]
    assert_accessible(page)

    # A call to a number the survivor did not give: refused, in the service's words.
    page.get_by_label("How").select_option("call")
    page.get_by_label("What happened").select_option("no_answer")
    unsafe = "07700 900000" if number != "07700 900000" else "07700 900001"
    page.get_by_label("Phone number used").fill(unsafe)
    choose(page, "message_left", "no")
    page.get_by_role("button", name="Save").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Not done")
    expect(summary).to_contain_text("not one of the survivor's safe numbers")
    # Beside the field it is about, too, and linked from the summary.
    expect(page.locator("#f-phone_number-error")).to_contain_text("not one of the survivor's")
    expect(summary.locator("a[href='#f-phone_number']")).to_be_visible()
    expect(page.get_by_label("Phone number used")).to_have_value(unsafe)
    assert_accessible(page)
    keep_screenshot(page, "form-refused-unsafe-call")
    attempts = stack.api("cases", "GET", case_path).json()["contact_attempts"]
    assert attempts == []

    # The same form, corrected: the safe number. One attempt, though the form was sent twice.
    page.get_by_label("Phone number used").fill(number)
    sent = page.locator("form.command-form").evaluate(
        "form => Array.from(new FormData(form).entries())"
    )
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(f"{stack.web_url}{case_path}")
    expect(page.locator(".flash")).to_contain_text("Contact attempt recorded")
    # The very same form sent again (a double click, a resend): still one attempt.
    again = page.request.post(
        f"{stack.web_url}{case_path}/contact-attempt", form=dict(sent), max_redirects=0
    )
    assert again.status == 303
    attempts = stack.api("cases", "GET", case_path).json()["contact_attempts"]
    assert len(attempts) == 1
    assert attempts[0]["phone_number"] == number

    # A safe contact: the call reached the survivor.
    page.goto(f"{case_path}/contact")
    page.get_by_label("How").select_option("call")
    page.get_by_label("Phone number used").fill(number)
    choose(page, "safe_to_talk_checked", "yes")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash")).to_contain_text("Contact recorded")
    contacts = stack.api("cases", "GET", case_path).json()["contacts"]
    assert len(contacts) == 1

    # The DASH, question by question, as the risk service's instrument words them.
    listed = stack.api("risk", "GET", "/instruments").json()["instruments"]
    default = next(i for i in listed if i["default"])
    instrument = stack.api("risk", "GET", f"/instruments/{default['id']}").json()
    yes = instrument["visible_high_risk_at"]
    page.goto(f"{case_path}/dash")
    expect(page.get_by_role("heading", level=1)).to_have_text("DASH risk checklist")
    assert page.locator(".dash-question").count() == len(instrument["questions"])
    for question in instrument["questions"]:
        expect(page.locator(f"#f-q{question['number']}")).to_contain_text(question["text"])
    assert_accessible(page)
    for i, question in enumerate(instrument["questions"]):
        choose(page, f"q{question['number']}", "yes" if i < yes else "no")
    keep_screenshot(page, "form-dash")
    page.get_by_role("button", name="Record the assessment").click()
    expect(page.locator(".flash")).to_contain_text("Risk assessment recorded")
    risk = stack.api("risk", "GET", f"/cases/{made.case_id}/risk").json()
    assert risk["assessments"][0]["yes_count"] == yes
    assert risk["risk_level"] == "high"

    # Referrals opens the MARAC referral due from the DASH; the case page shows it.
    due = stack.eventually(
        lambda: (
            stack.api("referrals", "GET", f"/cases/{made.case_id}/referrals")
            .json()
            .get("marac_referral_due")
        ),
        "the MARAC referral due",
        timeout=60,
    )
    assert "visible_high_risk" in str(due)
    page.goto(case_path)
    expect(page.locator("main")).to_contain_text("A MARAC referral is due")
    keep_screenshot(page, "case-after-forms")

    # The referral itself, filled from the case; then the meeting, an action, its completion.
    send(
        page,
        stack,
        f"{case_path}/marac-referral",
        {"marac_area": "West Kent", "survivor_informed": "yes", "survivor_consented": "yes"},
        "MARAC referral made",
    )
    marac = stack.api("referrals", "GET", f"/cases/{made.case_id}/referrals").json()
    [referral] = marac["marac_referrals"]
    referral_path = f"{case_path}/marac-referrals/{referral['referral_id']}"
    today = stack_today(stack, made.case_id)
    send(page, stack, f"{referral_path}/listing", {"meeting_date": today}, "Listing recorded")
    send(
        page,
        stack,
        f"{referral_path}/hearing",
        {
            "heard_on": today,
            "actions.0.description": "Fit a door viewer",
            "actions.0.owner_agency": "Housing",
            "actions.0.landlord_action": "yes",
            "actions.0.owner_staff_id": made.case_manager_id,
            "actions.0.due_on": today,
        },
        "Hearing recorded",
    )
    marac = stack.api("referrals", "GET", f"/cases/{made.case_id}/referrals").json()
    [action] = marac["marac_referrals"][0]["actions"]
    send(
        page,
        stack,
        f"{referral_path}/actions/{action['action_id']}/completion",
        {"notes": "Fitted"},
        "Action recorded as completed",
    )


def test_a_missing_required_value_is_named_next_to_its_field_and_nothing_is_sent(
    page: Page,
    stack: Any,
    assert_accessible: Callable[[Page], None],
) -> None:
    made = any_time_case(stack, safe_number())
    sign_in_to(
        page, stack, f"/cases/{made.case_id}/repair", made.case_manager_id, Role.CASE_MANAGER
    )
    page.get_by_label("What it secures").select_option("locks")
    page.get_by_role("button", name="Save").click()
    error = page.locator("#f-description-error")
    expect(error).to_have_text("Enter: What needs doing")
    expect(page.get_by_label("What needs doing")).to_have_attribute(
        "aria-describedby", "f-description-error"
    )
    link = page.locator(".error-summary a[href='#f-description']")
    expect(link).to_have_text("Enter: What needs doing")
    expect(page.get_by_label("What it secures")).to_have_value("locks")
    assert_accessible(page)
    repairs = stack.api("cases", "GET", f"/cases/{made.case_id}").json()["emergency_repairs"]
    assert repairs == []


def test_the_apis_refusal_of_one_field_is_shown_next_to_that_field(
    page: Page,
    stack: Any,
    assert_accessible: Callable[[Page], None],
) -> None:
    made = any_time_case(stack, safe_number())
    path = f"/cases/{made.case_id}/dash-elsewhere"
    sign_in_to(page, stack, path, made.case_manager_id, Role.CASE_MANAGER)
    # Another agency "of another kind" must be named: the risk service's rule (422).
    page.locator("#f-agency").select_option("other")
    page.get_by_label("Completed on").fill(stack_today(stack, made.case_id))
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#f-agency_name-error")).to_contain_text("name")
    expect(page.locator(".error-summary a[href='#f-agency_name']")).to_be_visible()
    assert_accessible(page)


def stack_today(stack: Any, case_id: str) -> str:
    """The day the case opened (as cases recorded it): a date the risk service accepts."""
    return str(stack.api("cases", "GET", f"/cases/{case_id}").json()["opened_at"])[:10]


def test_a_manager_only_form_is_refused_to_a_case_manager(page: Page, stack: Any) -> None:
    made = any_time_case(stack, safe_number())
    case_path = f"/cases/{made.case_id}"
    sign_in_to(page, stack, f"{case_path}/repair", made.case_manager_id, Role.CASE_MANAGER)
    csrf = page.locator("form.command-form input[name='csrf_token']").get_attribute("value")
    shown = page.goto(f"{case_path}/review")
    assert shown is not None and shown.status == 403
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Review the case")
    sent = page.request.post(
        f"{stack.web_url}{case_path}/review",
        form={"csrf_token": csrf or "", "outcome": "continue"},
        max_redirects=0,
    )
    assert sent.status == 403
    assert stack.api("cases", "GET", case_path).json()["reviews"] == []
    answer = httpx.get(f"{stack.web_url}{case_path}/review", follow_redirects=False)
    assert answer.status_code == 303  # not signed in: to the sign-in page


def fill(page: Page, values: dict[str, str | list[str]]) -> None:
    """Fill a command form by its fields' names: text, selects, radios and boxes."""
    for name, value in values.items():
        fid = "#f-" + name.replace(".", "-")
        if isinstance(value, list):
            for one in value:
                page.locator(f"input[name='{name}'][value='{one}']").check()
            continue
        radio = page.locator(f"input[type='radio'][name='{name}'][value='{value}']")
        if radio.count():
            radio.check()
        elif page.locator(f"select{fid}").count():
            page.locator(fid).select_option(value)
        else:
            page.locator(fid).fill(value)


def submit(page: Page) -> None:
    page.locator("form.command-form button[type='submit']").click()


def send(page: Page, stack: Any, path: str, values: dict[str, str | list[str]], flash: str) -> None:
    page.goto(path)
    fill(page, values)
    submit(page)
    expect(page.locator(".flash")).to_contain_text(flash)


def test_a_manager_reaches_every_form_and_works_a_case_through_them(
    page: Page,
    stack: Any,
    assert_accessible: Callable[[Page], None],
) -> None:
    made = any_time_case(stack, safe_number())
    case_path = f"/cases/{made.case_id}"
    sign_in_to(page, stack, f"{case_path}/safe-contact", "dalead-0001", Role.MANAGER)

    # Every form without an item of its own opens, accessible, under its title.
    for form in FORMS:
        if form.path_params:
            continue
        page.goto(f"{case_path}/{form.slug}")
        expect(page.get_by_role("heading", level=1)).to_have_text(form.title)
        assert_accessible(page)

    # Each checklist the risk service offers, question by question, from the DASH page.
    for offered in stack.api("risk", "GET", "/instruments").json()["instruments"]:
        if offered["default"]:
            continue
        page.goto(f"{case_path}/dash")
        page.get_by_role("link", name=offered["title"]).click()
        assert page.locator(".dash-question").count() == offered["question_count"]
        expect(page.locator("main")).to_contain_text(offered["title"])

    def case() -> dict[str, Any]:
        return dict(stack.api("cases", "GET", case_path).json())

    # The arrangements the report gave, confirmed as they are: the form starts from them.
    page.goto(f"{case_path}/safe-contact")
    expect(page.locator("input[name='safe_to_call'][value='yes']")).to_be_checked()
    submit(page)
    expect(page.locator(".flash")).to_contain_text("Safe-contact arrangements recorded")
    assert case()["safe_contact_survivors_own"] is True

    # The survivor's flag (every DA case raises one): removed, refused twice, raised again.
    survivor = case()["survivor"]["person_id"]
    [flag] = [f for f in case()["flags"] if f["person_id"] == survivor and f["active"]]
    send(
        page,
        stack,
        f"{case_path}/flags/{flag['flag_id']}/removal",
        {"reason": "Raised on the wrong record"},
        "Flag removed",
    )
    assert next(f for f in case()["flags"] if f["flag_id"] == flag["flag_id"])["active"] is False
    send(
        page,
        stack,
        f"{case_path}/flag",
        {"person_id": survivor, "kind": "potentially_vulnerable", "reason": "Seen at home"},
        "Flag raised",
    )
    page.goto(f"{case_path}/flag")
    fill(page, {"person_id": survivor, "kind": "potentially_vulnerable", "reason": "Again"})
    submit(page)
    expect(page.locator(".error-summary")).to_contain_text("already has this flag")

    # An emergency repair, then its completion.
    send(
        page,
        stack,
        f"{case_path}/repair",
        {"kind": "locks", "description": "Change the front door locks"},
        "Emergency repair raised",
    )
    [repair] = case()["emergency_repairs"]
    send(
        page,
        stack,
        f"{case_path}/repairs/{repair['repair_id']}/completion",
        {"notes": "Locks changed"},
        "Repair recorded as completed",
    )
    assert case()["emergency_repairs"][0]["completion"] is not None

    # Below the MARAC threshold a referral needs consent: refused without, made with it.
    referral = {
        "referral_type": "victim_support",
        "agency_name": "Victim Support",
        "sharing_basis": "consent",
        "information_shared": ["contact_details"],
    }
    page.goto(f"{case_path}/referral")
    fill(page, referral)
    submit(page)
    expect(page.locator(".error-summary")).to_contain_text("consent")
    send(
        page,
        stack,
        f"{case_path}/consent",
        {"given": "yes", "scope": ["victim_support"], "method": "verbal"},
        "Consent decision recorded",
    )
    send(page, stack, f"{case_path}/referral", referral, "Referral made")
    referrals = stack.api("referrals", "GET", f"/cases/{made.case_id}/referrals").json()
    [made_referral] = referrals["referrals"]
    send(
        page,
        stack,
        f"{case_path}/referrals/{made_referral['referral_id']}/acceptance",
        {"agency_reference": "VS-123"},
        "Acceptance recorded",
    )

    # People: the form starts from the case; an alleged perpetrator added in the empty row.
    name = case()["survivor"]["name"]
    page.goto(f"{case_path}/person")
    expect(page.locator("#f-survivor-name")).to_have_value(name)
    fill(
        page,
        {
            "alleged_perpetrators.0.name": "Alex Example",
            "alleged_perpetrators.0.relationship_to_survivor": "former_intimate_partner",
            "alleged_perpetrators.0.is_tenant": "yes",
        },
    )
    submit(page)
    expect(page.locator(".flash")).to_contain_text("People updated")
    assert case()["survivor"]["name"] == name
    [perpetrator] = case()["alleged_perpetrators"]
    assert perpetrator["is_tenant"] is True

    # The survivor's wishes first, then the action they agreed to.
    send(
        page,
        stack,
        f"{case_path}/wish",
        {"wanted_actions": ["tenancy_warning"], "wants_to_stay_in_home": "yes"},
        "Wishes recorded",
    )
    send(
        page,
        stack,
        f"{case_path}/perpetrator-action",
        {"perpetrator_person_id": perpetrator["person_id"], "kind": "tenancy_warning"},
        "Action recorded",
    )
    assert [a["kind"] for a in case()["perpetrator_actions"]] == ["tenancy_warning"]

    # Closure: asked for, approved with the survivor's feedback, and the case reopened.
    send(
        page,
        stack,
        f"{case_path}/closure-request",
        {"reason": "survivor_safe_support_in_place"},
        "Closure requested",
    )
    # The manager who asked may not decide: the service's words, on top; another does.
    page.goto(f"{case_path}/closure-decision")
    fill(page, {"decision": "approve"})
    submit(page)
    expect(page.locator(".error-summary")).to_contain_text("another manager must approve")
    page.context.clear_cookies()
    sign_in_to(page, stack, f"{case_path}/closure-decision", "manager-0002", Role.MANAGER)
    send(
        page,
        stack,
        f"{case_path}/closure-decision",
        {
            "decision": "approve",
            "survivor_feedback.feels_safer": "yes",
            "survivor_feedback.rating": "satisfied",
        },
        "Closure decision recorded",
    )
    assert case()["status"] == "closed"
    assert case()["closure"]["closed"]["survivor_feedback"]["feels_safer"] is True
    send(page, stack, f"{case_path}/reopening", {"reason": "new_incident"}, "Case reopened")
    assert case()["status"] == "open"


def test_the_forms_work_without_javascript(browser: Browser, stack: Any) -> None:
    made = any_time_case(stack, safe_number())
    context = browser.new_context(
        base_url=stack.web_url, java_script_enabled=False, viewport={"width": 768, "height": 1024}
    )
    try:
        page = context.new_page()
        case_path = f"/cases/{made.case_id}"
        sign_in_to(page, stack, f"{case_path}/repair", made.case_manager_id, Role.CASE_MANAGER)
        submit(page)
        expect(page.locator("#f-description-error")).to_be_visible()
        send(
            page,
            stack,
            f"{case_path}/repair",
            {"kind": "doors", "description": "Board the broken back door"},
            "Emergency repair raised",
        )
        [repair] = stack.api("cases", "GET", case_path).json()["emergency_repairs"]
        assert repair["kind"] == "doors"
        # Tablet width: nothing wider than the screen.
        page.goto(f"{case_path}/dash")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 768
    finally:
        context.close()
