"""Signing in and out in a real browser: sessions, CSRF, security headers, accessibility."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from playwright.sync_api import Page, expect

from hearth.contracts.envelope import Role

pytestmark = [pytest.mark.integration, pytest.mark.browser]


def test_sign_in_shows_who_and_role_and_sign_out_ends_the_session(
    page: Page,
    stack,
    sign_in,
    assert_accessible: Callable[[Page], None],
    keep_screenshot,
) -> None:
    page.goto("/cases")
    expect(page).to_have_url(f"{stack.web_url}/sign-in?next=%2Fcases")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Hearth")
    expect(page.locator("#shared-computer")).to_contain_text("Sign out when you finish")
    expect(page.locator("#shared-computer")).to_contain_text("Do not let the browser save")
    assert_accessible(page)
    keep_screenshot(page, "sign-in")

    who = sign_in(page, Role.CASE_MANAGER)
    expect(page).to_have_url(f"{stack.web_url}/cases")
    expect(page.locator(".signed-in")).to_contain_text(who)
    expect(page.locator(".signed-in")).to_contain_text("Case manager")
    assert "cso" not in page.title() and who not in page.title()  # no one named in titles
    assert_accessible(page)

    # Chromium keeps the __Host- Secure cookie on http://127.0.0.1 (loopback is secure).
    [cookie] = [c for c in page.context.cookies() if c["name"] == "__Host-hearth_session"]
    assert cookie["secure"] and cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert cookie["path"] == "/" and cookie["expires"] == -1  # ends with the browser

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{stack.web_url}/sign-in?ended=signed-out")
    expect(page.locator(".notice")).to_contain_text("You have signed out")
    assert not [c for c in page.context.cookies() if c["name"] == "__Host-hearth_session"]

    # The old session id no longer opens anything, even if someone kept a copy.
    old = httpx.get(
        f"{stack.web_url}/cases",
        cookies={cookie["name"]: cookie["value"]},
        follow_redirects=False,
    )
    assert old.status_code == 303
    assert old.headers["location"].startswith("/sign-in")


def test_a_wrong_password_and_an_unknown_staff_id_get_the_same_answer(
    page: Page, stack, assert_accessible: Callable[[Page], None]
) -> None:
    stack.account("cso-wrong-1", Role.CASE_MANAGER)
    answers = []
    for staff_id, password in (
        ("cso-wrong-1", "not the password at all"),
        ("nobody-at-all", "not the password at all"),
    ):
        page.goto("/sign-in")
        page.get_by_label("Staff id").fill(staff_id)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        alert = page.get_by_role("alert")
        expect(alert).to_contain_text("do not match")
        answers.append(alert.inner_text())
        assert not [c for c in page.context.cookies() if c["name"] == "__Host-hearth_session"]
    assert answers[0] == answers[1]
    assert "password is wrong" not in answers[0].lower()
    assert_accessible(page)


def test_a_post_without_the_csrf_token_is_refused_and_does_nothing(
    page: Page, stack, sign_in
) -> None:
    sign_in(page, Role.CASE_MANAGER)
    # The browser sends the form without its token: the session stays, nothing is done.
    page.evaluate(
        "() => { const t = document.querySelector('form.sign-out input[name=csrf_token]');"
        " t.remove(); document.querySelector('form.sign-out').submit(); }"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")
    page.goto("/cases")
    expect(page.locator(".signed-in")).to_be_visible()  # still signed in: sign-out refused

    # From another site (a forged form): refused even with the session cookie.
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    token = page.locator("form.sign-out input[name=csrf_token]").get_attribute("value")
    forged = httpx.post(
        f"{stack.web_url}/sign-out",
        data={"csrf_token": token},
        cookies=cookies,
        headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
        follow_redirects=False,
    )
    assert forged.status_code == 403
    # And the sign-in form wants its own pre-session token (login CSRF).
    login = httpx.post(
        f"{stack.web_url}/sign-in",
        data={"staff_id": "cso-wrong-1", "password": "whatever-it-is"},
        follow_redirects=False,
    )
    assert login.status_code == 403
    page.goto("/cases")
    expect(page.locator(".signed-in")).to_be_visible()


def test_every_answer_carries_the_security_headers(page: Page, stack, sign_in) -> None:
    sign_in(page, Role.MANAGER)
    for path in ("/sign-in", "/cases", "/assets/site.css", "/no-such-page"):
        response = page.request.get(path)
        headers = response.headers
        csp = headers["content-security-policy"]
        for directive in (
            "default-src 'none'",
            "style-src 'self'",
            "img-src 'self' data:",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
        ):
            assert directive in csp, (path, directive)
        assert headers["referrer-policy"] == "no-referrer", path
        assert headers["cache-control"] == "no-store", path
        assert headers["x-content-type-options"] == "nosniff", path
        assert "camera=()" in headers["permissions-policy"], path
        assert headers["x-frame-options"] == "DENY", path
