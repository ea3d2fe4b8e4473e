"""The browser-test harness: every service and the web app on real Kafka and PostgreSQL,
real headless Chromium through Playwright.

Session fixtures:
- `stack`: intake, cases, risk, referrals, reporting and web, each served by uvicorn on a
  port of its own (its own thread and event loop), fresh schemas, one topic namespace;
  `stack.make_case()` sends a resident's report through intake's confidential web form
  (as a browser without JavaScript would) and waits for the case it opened;
  `stack.api(...)` calls a service as a member of staff; `stack.account(staff_id, role)`
  creates a web account (once) and returns its password.
- `browser` (per module): Chromium at /usr/bin/chromium.
Per test:
- `page`: a fresh browser context (no cookies) on the web app (`page.goto("/cases")`);
- `sign_in(page, role, staff_id=None)`: signs in through the form, returns the staff id;
- `assert_accessible(page)`: axe-core finds no serious or critical violation;
- `keep_screenshot(page, name)`: a full-page PNG in test-artifacts/screenshots/.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import importlib
import os
import re
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect, sync_playwright

from hearth.contracts.envelope import Role
from hearth.eventstore.auth import issue_token
from hearth.eventstore.runtime import ServiceSpec, create_app
from hearth.eventstore.settings import ServiceSettings
from hearth.eventstore.testing.service import fresh_namespace, fresh_schema
from hearth.eventstore.testing.threaded import Served, serve_in_thread
from hearth.web.app import create_app as create_web_app
from hearth.web.identity import LocalAccounts
from hearth.web.settings import WebSettings

SERVICES = ("intake", "cases", "risk", "referrals", "reporting")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REPO_ROOT = Path(__file__).resolve().parents[4]
SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
MANAGER = ("dalead-0001", Role.MANAGER)
"""The DA lead (cases' roster): reads every case."""


def _run(coroutine: Any) -> Any:
    """Run a coroutine on an event loop of its own (never Playwright's thread's)."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result(timeout=60)


@dataclass(frozen=True)
class MadeCase:
    case_id: str
    report_id: str
    case_manager_id: str | None


@dataclass
class Stack:
    urls: dict[str, str]
    database_url: str
    schemas: dict[str, str]
    passwords: dict[str, str] = field(default_factory=dict)

    @property
    def web_url(self) -> str:
        return self.urls["web"]

    def api(
        self,
        service: str,
        method: str,
        path: str,
        who: tuple[str, Role] = MANAGER,
        **kwargs: Any,
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {issue_token(who[0], who[1])}"}
        return httpx.request(
            method, f"{self.urls[service]}{path}", headers=headers, timeout=30, **kwargs
        )

    def account(self, staff_id: str, role: Role) -> str:
        """A web account for this member of staff in this role (made once); its password."""
        key = f"{staff_id}/{role.value}"
        if key not in self.passwords:
            password = f"pw-{uuid.uuid4().hex}"

            async def add() -> None:
                pool = await asyncpg.create_pool(self.database_url, min_size=1, max_size=1)
                try:
                    accounts = LocalAccounts(pool, self.schemas["web"])
                    if not await accounts.add(staff_id, role, password):
                        await accounts.set_role(staff_id, role)
                        await accounts.set_password(staff_id, password)
                finally:
                    await pool.close()

            _run(add())
            self.passwords[key] = password
        return self.passwords[key]

    def submit_web_form(self, **answers: Any) -> str:
        """A resident's report through intake's confidential form; its report id."""
        with httpx.Client(base_url=self.urls["intake"], timeout=30) as client:
            form = client.get("/report")
            token = re.search(r'name="idempotency_token" value="([0-9a-f]{32})"', form.text)
            assert token, "the form carries its idempotency token"
            body: dict[str, Any] = {
                "idempotency_token": token.group(1),
                "reporter": "self",
                "survivor_name": f"Robin Example {uuid.uuid4().hex[:6]}",
                "account": "My partner checks my phone and will not let me see my family.",
                "abuse_types": ["controlling_or_coercive"],
                "immediate_danger": "no",
                "contact_methods": ["call"],
                "safe_phone": f"07700 9{uuid.uuid4().int % 100000:05d}",
                "safe_days": ["monday", "tuesday", "wednesday", "thursday", "friday"],
                "safe_from": "09:00",
                "safe_to": "17:00",
                "voicemail": "no",
                "consent": "yes",
                "case_manager_gender": "woman",
                "children": "no",
                **answers,
            }
            sent = client.post("/report", data=body)
            assert sent.status_code == 303, sent.text[-2000:]
            return str(sent.headers["location"].rsplit("/", 1)[-1])

    def case_of_report(self, report_id: str, timeout: float = 60) -> str:
        """The case a report joined (from intake's events: the case id is no personal data)."""
        schema = self.schemas["intake"]

        async def find() -> str | None:
            conn = await asyncpg.connect(self.database_url)
            try:
                value = await conn.fetchval(
                    f"SELECT subject FROM {schema}.events WHERE stream_id = $1"
                    " AND type LIKE 'hearth.intake.ReportLinkedToCase.v%'",
                    f"report-{report_id}",
                )
                return str(value) if value else None
            finally:
                await conn.close()

        return str(self.eventually(lambda: _run(find()), f"the case of report {report_id}"))

    def make_case(self, *, ready: bool = True, **answers: Any) -> MadeCase:
        """A case opened by a web-form report; with `ready`, waits until cases and risk
        know it and a case manager is named."""
        report_id = self.submit_web_form(**answers)
        case_id = self.case_of_report(report_id)

        def opened() -> dict[str, Any] | None:
            answer = self.api("cases", "GET", f"/cases/{case_id}")
            return answer.json() if answer.status_code == 200 else None

        view = self.eventually(opened, "the case opened by cases")
        if ready:
            self.eventually(
                lambda: self.api("risk", "GET", f"/cases/{case_id}/risk").status_code == 200,
                "risk to learn of the case",
            )
            view = self.eventually(
                lambda: (v := opened()) and v.get("case_manager") and v,
                "a case manager named on the case",
            )
        manager = view.get("case_manager") or {}
        return MadeCase(case_id, report_id, manager.get("staff_id"))

    @staticmethod
    def eventually(probe: Callable[[], Any], what: str, timeout: float = 60) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            value = probe()
            if value:
                return value
            assert time.monotonic() < deadline, f"waited {timeout}s for {what}"
            time.sleep(0.2)


def _spec(service: str) -> ServiceSpec:
    spec: ServiceSpec = importlib.import_module(f"hearth.{service}.service").SPEC
    return spec


@pytest.fixture(scope="session")
def stack(kafka_bootstrap: str, database_url: str) -> Iterator[Stack]:
    namespace = fresh_namespace()
    served: dict[str, Served] = {}
    schemas: dict[str, str] = {}
    saved = {k: os.environ.get(k) for k in _STACK_ENVIRONMENT}
    os.environ.update(_STACK_ENVIRONMENT)
    try:
        for service in SERVICES:
            schemas[service] = fresh_schema(service)
            settings = ServiceSettings(
                kafka_bootstrap_servers=kafka_bootstrap,
                database_url=database_url,
                db_schema=schemas[service],
                topic_namespace=namespace,
                relay_poll_seconds=0.2,
                metrics_port=0,
            )
            served[service] = serve_in_thread(create_app(_spec(service), settings), service)
        schemas["web"] = fresh_schema("web")
        web_settings = WebSettings.model_validate(
            {
                **{f"{s}_url": served[s].url for s in SERVICES},
                "database_url": database_url,
                "db_schema": schemas["web"],
                "cookie_secure": True,
            }
        )
        served["web"] = serve_in_thread(create_web_app(web_settings), "web")
        yield Stack({k: v.url for k, v in served.items()}, database_url, schemas)
    finally:
        for one in reversed(list(served.values())):
            one.stop()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


_STACK_ENVIRONMENT = {
    "HEARTH_CASES_SCHEDULER_POLL_SECONDS": "0.2",
    "HEARTH_REFERRALS_SCHEDULER_POLL_SECONDS": "0.2",
    # Every browser test reports through intake's public form from 127.0.0.1, one stack
    # for the whole session: well past a resident's limit (10 a minute), which intake's
    # own tests check. Here it would only refuse the tests' reports.
    "HEARTH_INTAKE_WEB_FORM_LIMIT_PER_CLIENT": "10000/minute",
}


@pytest.fixture(scope="module")
def browser(stack: Stack) -> Iterator[Browser]:
    """Chromium for one test module. While Playwright's sync API runs, its event loop
    counts as running in this thread, so no asyncio test (pytest-asyncio) and no
    `asyncio.run` (the session's clean-up) may come while it is open: it is closed at
    the end of each browser module, before the tests that follow."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"browser tests need Chromium at {CHROMIUM} (make bootstrap)", pytrace=False)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Browser, stack: Stack) -> Iterator[Page]:
    """A fresh context (no cookies) on the web app, tablet-sized."""
    context = browser.new_context(base_url=stack.web_url, viewport={"width": 1024, "height": 768})
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


SignIn = Callable[..., str]


@pytest.fixture
def sign_in(stack: Stack) -> SignIn:
    """`sign_in(page, role, staff_id=None)`: sign in through the form; the staff id."""

    def do(page: Page, role: Role | str, staff_id: str | None = None) -> str:
        chosen = Role(role)
        who = staff_id or f"{chosen.value.replace('_', '-')}-{uuid.uuid4().hex[:6]}"
        password = stack.account(who, chosen)
        page.goto("/sign-in")
        page.get_by_label("Staff id").fill(who)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        expect(page.locator(".signed-in__who")).to_contain_text(who)
        return who

    return do


def accessibility_problems(page: Page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(str(n.get("target")) for n in v.get("nodes", [])[:3])
        for v in results.response.get("violations", [])
        if v.get("impact") in ("serious", "critical")
    ]


@pytest.fixture
def assert_accessible() -> Callable[[Page], None]:
    """axe-core on the page as it is: no serious or critical violation."""

    def check(page: Page) -> None:
        problems = accessibility_problems(page)
        assert not problems, f"{page.url}: " + "\n".join(problems)

    return check


@pytest.fixture
def keep_screenshot() -> Callable[[Page, str], Path]:
    """`keep_screenshot(page, name)`: a full-page PNG kept as a test artefact."""

    def keep(page: Page, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]', '-', name)}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return keep
