"""A resident uses the confidential web form in a real Chromium against the running service."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, Request, async_playwright, expect

from hearth.contracts.topics import INTAKE_EVENTS
from hearth.eventstore.testing.personal import open_records
from hearth.eventstore.testing.service import fresh_namespace, fresh_schema

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
QUICK_EXIT_URL = "https://www.bbc.co.uk/weather"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.integration,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"
    ),
]

SURVIVOR = "Morwenna Testcase"
SAFE_PHONE = "07700 900 654"
ACCOUNT = "He smashed the bedroom door and took my keys so I cannot leave the flat."


@dataclass
class RunningIntake:
    url: str
    log_path: Path

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_ready(url: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"intake exited early with {proc.returncode}"
        try:
            if httpx.get(f"{url}/readyz", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"intake was not ready in {timeout}s")


@pytest.fixture(scope="module")
def topic_namespace() -> str:
    """One topic namespace for the module, shared with the intake it runs."""
    return fresh_namespace()


@pytest.fixture(scope="module")
def running_intake(
    kafka_bootstrap: str,
    database_url: str,
    tmp_path_factory: pytest.TempPathFactory,
    topic_namespace: str,
) -> Iterator[RunningIntake]:
    """`python -m hearth.intake` as operators run it, in a schema of its own."""
    port = _free_port()
    log_path = tmp_path_factory.mktemp("intake") / "intake.log"
    env = {
        **os.environ,
        "HEARTH_KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "HEARTH_DATABASE_URL": database_url,
        "HEARTH_HTTP_PORT": str(port),
        "HEARTH_DB_SCHEMA": fresh_schema("intake"),
        "HEARTH_TOPIC_NAMESPACE": topic_namespace,
        "HEARTH_RELAY_POLL_SECONDS": "0.2",
        "HEARTH_INTAKE_MATCH_KEY": "intake-browser-tests-match-key-0123456789",
        "HEARTH_INTAKE_QUICK_EXIT_URL": QUICK_EXIT_URL,
    }
    with log_path.open("wb") as log_file:
        proc = subprocess.Popen(
            [sys.executable, "-m", "hearth.intake"],
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_ready(url, proc)
            yield RunningIntake(url=url, log_path=log_path)
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as p:
        chromium = await p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            await chromium.close()


def _watch(page: Page) -> tuple[list[str], list[str]]:
    """Every URL the page requests, and every console message (CSP violations show there)."""
    requests: list[str] = []
    console: list[str] = []

    def on_request(request: Request) -> None:
        requests.append(request.url)

    page.on("request", on_request)
    page.on("console", lambda message: console.append(message.text))
    return requests, console


async def _fill_report(page: Page) -> None:
    await page.get_by_label("I am the person this is happening to").check()
    await page.get_by_label("Name (optional)", exact=True).fill(SURVIVOR)
    await page.get_by_label("Tell us what is happening (required)").fill(ACCOUNT)
    await page.get_by_label("Physical violence, like hitting, pushing or strangling").check()
    await page.get_by_label("Threats, or violent or frightening behaviour").check()
    danger = page.get_by_role("group", name="Is anyone in immediate danger now? (required)")
    await danger.get_by_label("No").check()
    await page.get_by_label("Phone call").check()
    await page.get_by_label("Text message").check()
    await page.get_by_label("A phone number that is safe to call or text").fill(SAFE_PHONE)
    await page.get_by_label("Tuesday").check()
    await page.get_by_label("Thursday").check()
    await page.get_by_label("From", exact=True).fill("10:00")
    await page.get_by_label("To", exact=True).fill("12:00")
    voicemail = page.get_by_role("group", name="Is it safe to leave a voicemail message?")
    await voicemail.get_by_label("No").check()
    gender = page.get_by_role("group", name="would you prefer a woman or a man to contact you?")
    await gender.get_by_label("A woman").check()
    consent = page.get_by_role("group", name="do you agree to us contacting you?")
    await consent.get_by_label("Yes").check()
    children = page.get_by_role("group", name="Are there children living in the home?")
    await children.get_by_label("Yes").check()


async def test_a_resident_reports_without_javascript_and_the_report_reaches_kafka(
    running_intake: RunningIntake,
    browser: Browser,
    read_records: Any,
    payload: Any,
    database_url: str,
) -> None:
    context = await browser.new_context(java_script_enabled=False)
    page = await context.new_page()
    requests, _ = _watch(page)
    try:
        response = await page.goto(f"{running_intake.url}/report")
        assert response is not None and response.status == 200
        await expect(
            page.get_by_role("heading", name="If you are in immediate danger call 999")
        ).to_be_visible()
        for helpline in ("0808 2000 247", "0808 8010 327", "0800 999 5428"):
            await expect(page.get_by_text(helpline)).to_be_visible()
        await expect(page.get_by_role("link", name="Leave this site quickly")).to_have_attribute(
            "href", QUICK_EXIT_URL
        )
        fields = page.locator("input:not([type=hidden]), textarea, select")
        for index in range(await fields.count()):
            field_id = await fields.nth(index).get_attribute("id")
            assert field_id, "every field has an id"
            assert await page.locator(f'label[for="{field_id}"]').count() == 1, field_id

        await _fill_report(page)
        await page.get_by_role("button", name="Send").click()

        await expect(
            page.get_by_role("heading", name="Thank you. We have your report")
        ).to_be_visible()
        assert "/report/received/" in page.url
        reference = (await page.locator("#reference").inner_text()).strip()
        assert page.url.endswith(reference)
        page_text = await page.content()
        assert SURVIVOR not in page_text and SAFE_PHONE not in page_text
    finally:
        await context.close()

    [record] = await read_records(
        INTAKE_EVENTS,
        lambda r: (
            payload(r).get("report_id") == reference
            and "case_id" in payload(r)
            and "channel" in payload(r)
        ),
        expect=1,
    )
    # On the wire the personal values are ciphertext; a service with key access reads them.
    assert SURVIVOR.encode() not in record.value and ACCOUNT.encode() not in record.value
    assert SAFE_PHONE.encode() not in record.value
    [envelope] = await open_records(database_url, [record])
    assert envelope.type == "hearth.intake.ReportReceived.v1"
    assert envelope.actor.id == "web-form" and envelope.actor.role.value == "public"
    event = envelope.payload
    assert event["channel"] == "web_form"
    assert event["reporter"]["kind"] == "survivor"
    assert event["survivor"]["name"] == SURVIVOR
    assert event["account"] == ACCOUNT
    assert event["abuse_types"] == ["physical", "violent_or_threatening"]
    assert event["immediate_danger"] is False and event["advised_to_call_999"] is True
    assert event["consent_to_contact"] is True
    assert event["preferred_case_manager_gender"] == "woman"
    safe = event["safe_contact"]
    assert safe["safe_to_call"] and safe["safe_to_text"] and not safe["safe_to_visit"]
    assert safe["safe_phone_numbers"] == [SAFE_PHONE]
    assert safe["never_leave_voicemail"] is True
    assert safe["safe_times"] == [
        {"day": "tuesday", "start": "10:00:00", "end": "12:00:00"},
        {"day": "thursday", "start": "10:00:00", "end": "12:00:00"},
    ]
    assert len(event["children"]) == 1
    # The confirmation shows the report's reference, never the case id.
    assert envelope.subject not in page_text

    assert all(url.startswith(running_intake.url) for url in requests), requests
    log = running_intake.log_text()
    assert reference in log  # the submission was logged, by its ids only
    for secret in (SURVIVOR, SAFE_PHONE, "900 654", ACCOUNT, "smashed"):
        assert secret not in log
    assert all(line.startswith("{") for line in log.splitlines() if line.strip())


async def test_a_missing_answer_shows_an_error_summary_that_links_to_it(
    running_intake: RunningIntake, browser: Browser
) -> None:
    context = await browser.new_context()
    page = await context.new_page()
    _, console = _watch(page)
    try:
        await page.goto(f"{running_intake.url}/report")
        await page.get_by_label("I am worried about someone else").check()
        await page.get_by_label("Name (optional)", exact=True).fill(SURVIVOR)
        danger = page.get_by_role("group", name="Is anyone in immediate danger now? (required)")
        await danger.get_by_label("Yes").check()
        await page.get_by_role("button", name="Send").click()

        summary = page.get_by_role("alert")
        await expect(summary).to_contain_text("There is a problem")
        assert (await page.title()).startswith("Error:")
        await expect(summary.get_by_role("link")).to_have_text(
            ["Select how you know the person this is happening to", "Tell us what is happening"]
        )
        await summary.get_by_role("link", name="Tell us what is happening").click()
        assert page.url.endswith("#account")
        await expect(page.locator("#account")).to_be_focused()
        await expect(page.locator("#account")).to_have_attribute("aria-invalid", "true")
        # What was typed and chosen is still there.
        await expect(page.get_by_label("Name (optional)", exact=True)).to_have_value(SURVIVOR)
        await expect(danger.get_by_label("Yes")).to_be_checked()
        assert "/report/received/" not in page.url
    finally:
        await context.close()
    assert not [m for m in console if "Content Security Policy" in m], console


async def test_leave_this_site_quickly_replaces_the_page_in_the_history(
    running_intake: RunningIntake, browser: Browser
) -> None:
    context = await browser.new_context()
    page = await context.new_page()
    # The neutral site is answered here: tests do not reach the internet.
    await context.route(
        f"{QUICK_EXIT_URL}**",
        lambda route: route.fulfill(status=200, content_type="text/html", body="<h1>Weather</h1>"),
    )
    try:
        await page.goto("about:blank")
        await page.goto(f"{running_intake.url}/report")
        await page.get_by_role("link", name="Leave this site quickly").click()
        await page.wait_for_url(f"{QUICK_EXIT_URL}**")
        await page.go_back()
        assert "/report" not in page.url
    finally:
        await context.close()


def test_the_service_log_is_json_without_personal_data(running_intake: RunningIntake) -> None:
    lines = [json.loads(line) for line in running_intake.log_text().splitlines() if line.strip()]
    assert any(line.get("event") == "service started" for line in lines)
    text = running_intake.log_text()
    for secret in (SURVIVOR, SAFE_PHONE, ACCOUNT):
        assert secret not in text
