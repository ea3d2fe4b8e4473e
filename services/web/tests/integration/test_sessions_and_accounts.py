"""Sign-in, sessions and accounts against the real PostgreSQL, with a clock we move."""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import asyncpg
import httpx
import pytest
from fastapi import Depends, FastAPI, Request

from hearth.contracts.envelope import Role
from hearth.eventstore.testing.service import fresh_schema
from hearth.web.__main__ import DEV_STAFF_IDS, dev_accounts
from hearth.web.app import create_app
from hearth.web.deps import FormData, SignedIn, checked_form, signed_in
from hearth.web.identity import AccountError, LocalAccounts
from hearth.web.pages import redirect_with_flash, render
from hearth.web.settings import WebSettings
from hearth.web.state import WebState

pytestmark = pytest.mark.integration

PASSWORD = "correct horse battery staple"
COOKIE = "__Host-hearth_session"


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Web:
    app: FastAPI
    client: httpx.AsyncClient
    clock: Clock
    accounts: LocalAccounts
    pool: asyncpg.Pool
    schema: str

    async def sign_in(self, staff_id: str, password: str) -> httpx.Response:
        form = await self.client.get("/sign-in")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token
        return await self.client.post(
            "/sign-in",
            data={"csrf_token": token.group(1), "staff_id": staff_id, "password": password},
        )

    async def csrf(self) -> str:
        """The session's token, as a signed-in page carries it."""
        row = await self.pool.fetchrow(f"SELECT csrf_token FROM {self.schema}.sessions")
        assert row is not None
        return str(row["csrf_token"])


@pytest.fixture
async def web(database_url: str) -> AsyncIterator[Web]:
    schema = fresh_schema("web")
    clock = Clock(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    settings = WebSettings(database_url=database_url, db_schema=schema)
    app = create_app(settings, now=clock)
    async with app.router.lifespan_context(app):
        state: WebState = app.state.web
        assert state.accounts is not None and state.pool is not None
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://web.test") as client:
            yield Web(app, client, clock, state.accounts, state.pool, schema)


async def test_passwords_are_kept_as_argon2id_hashes_only(web: Web) -> None:
    assert await web.accounts.add("cso-0101", Role.CASE_MANAGER, PASSWORD)
    assert not await web.accounts.add("cso-0101", Role.MANAGER, PASSWORD)  # nothing changed
    stored = await web.pool.fetchval(
        f"SELECT password_hash FROM {web.schema}.accounts WHERE staff_id = 'cso-0101'"
    )
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    with pytest.raises(AccountError, match="at least"):
        await web.accounts.add("cso-0102", Role.CASE_MANAGER, "short")
    with pytest.raises(AccountError, match="role"):
        await web.accounts.add("cso-0102", "public", PASSWORD)
    with pytest.raises(AccountError, match="staff id"):
        await web.accounts.add("cso 0102", Role.CASE_MANAGER, PASSWORD)


async def test_a_session_keeps_only_a_hash_and_ends_on_sign_out(web: Web) -> None:
    await web.accounts.add("cso-0103", Role.CASE_MANAGER, PASSWORD)
    signed = await web.sign_in("cso-0103", PASSWORD)
    assert signed.status_code == 303 and signed.headers["location"] == "/"
    set_cookie = signed.headers["set-cookie"]
    assert f"{COOKIE}=" in set_cookie
    for attribute in ("HttpOnly", "Path=/", "SameSite=strict", "Secure"):
        assert attribute.lower() in set_cookie.lower()
    session_id = web.client.cookies[COOKIE]
    [row] = await web.pool.fetch(f"SELECT id_hash, staff_id FROM {web.schema}.sessions")
    assert bytes(row["id_hash"]) == hashlib.sha256(session_id.encode()).digest()
    assert (await web.client.get("/")).headers["location"] == "/cases"

    # Sign-out wants the session's CSRF token: without it nothing happens.
    refused = await web.client.post("/sign-out", data={"csrf_token": "not-it"})
    assert refused.status_code == 403
    assert await web.pool.fetchval(f"SELECT count(*) FROM {web.schema}.sessions") == 1
    out = await web.client.post("/sign-out", data={"csrf_token": await web.csrf()})
    assert out.status_code == 303
    assert await web.pool.fetchval(f"SELECT count(*) FROM {web.schema}.sessions") == 0
    web.client.cookies.set(COOKIE, session_id, domain="web.test")
    again = await web.client.get("/")
    assert again.status_code == 303 and again.headers["location"] == "/sign-in"


async def test_the_idle_timeout_and_the_lifetime_are_decided_on_the_server(web: Web) -> None:
    await web.accounts.add("cso-0104", Role.CASE_MANAGER, PASSWORD)
    await web.sign_in("cso-0104", PASSWORD)
    web.clock.now += timedelta(minutes=14)
    assert (await web.client.get("/")).headers["location"] == "/cases"  # used: kept
    web.clock.now += timedelta(minutes=15, seconds=1)
    idle = await web.client.get("/cases/abc")
    assert idle.headers["location"] == "/sign-in?ended=idle&next=%2Fcases%2Fabc"
    assert await web.pool.fetchval(f"SELECT count(*) FROM {web.schema}.sessions") == 0
    page = await web.client.get(idle.headers["location"])
    assert "not used for a while" in page.text

    # However busy, a session ends eight hours after sign-in.
    await web.sign_in("cso-0104", PASSWORD)
    for _ in range(8 * 6 - 1):
        web.clock.now += timedelta(minutes=10)
        assert (await web.client.get("/")).headers["location"] == "/cases"
    web.clock.now += timedelta(minutes=10)
    assert (await web.client.get("/")).headers["location"] == "/sign-in?ended=expired"


async def test_wrong_passwords_lock_the_account_for_a_while_with_the_same_answer(
    web: Web,
) -> None:
    await web.accounts.add("cso-0105", Role.CASE_MANAGER, PASSWORD)
    unknown = await web.sign_in("nobody-here", PASSWORD)
    assert unknown.status_code == 401
    for _ in range(5):
        wrong = await web.sign_in("cso-0105", "not the right one at all")
        assert wrong.status_code == 401
    assert _message(wrong.text) == _message(unknown.text)
    locked = await web.sign_in("cso-0105", PASSWORD)
    assert locked.status_code == 401 and _message(locked.text) == _message(unknown.text)
    web.clock.now += timedelta(minutes=16)
    assert (await web.sign_in("cso-0105", PASSWORD)).status_code == 303


async def test_disabling_or_a_new_password_signs_them_out_everywhere(web: Web) -> None:
    await web.accounts.add("cso-0106", Role.CASE_MANAGER, PASSWORD)
    await web.sign_in("cso-0106", PASSWORD)
    assert await web.accounts.set_password("cso-0106", PASSWORD + " two")
    assert (await web.client.get("/")).headers["location"] == "/sign-in"
    assert (await web.sign_in("cso-0106", PASSWORD)).status_code == 401
    assert (await web.sign_in("cso-0106", PASSWORD + " two")).status_code == 303
    # The sign-in page of a signed-in browser leads on: no second session.
    assert (await web.client.get("/sign-in")).status_code == 303
    assert await web.accounts.set_disabled("cso-0106", True)
    assert (await web.client.get("/")).headers["location"] == "/sign-in"
    assert (await web.sign_in("cso-0106", PASSWORD + " two")).status_code == 401


async def test_sign_in_wants_its_own_form_token_and_goes_only_to_local_paths(web: Web) -> None:
    await web.accounts.add("cso-0107", Role.CASE_MANAGER, PASSWORD)
    forged = await web.client.post(
        "/sign-in", data={"csrf_token": "guess", "staff_id": "cso-0107", "password": PASSWORD}
    )
    assert forged.status_code == 403
    form = await web.client.get("/sign-in?next=//evil.example/x")
    assert 'name="next" value="/"' in form.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token
    cross = await web.client.post(
        "/sign-in",
        data={"csrf_token": token.group(1), "staff_id": "cso-0107", "password": PASSWORD},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert cross.status_code == 403
    other_origin = await web.client.post(
        "/sign-in",
        data={"csrf_token": token.group(1), "staff_id": "cso-0107", "password": PASSWORD},
        headers={"Origin": "https://evil.example"},
    )
    assert other_origin.status_code == 403


async def test_probes_answer(web: Web) -> None:
    assert (await web.client.get("/healthz")).json() == {"status": "ok", "service": "web"}
    ready = await web.client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {"database": "ok"}


async def test_development_accounts_are_made_once_with_passwords_kept_private(
    web: Web, tmp_path: Path
) -> None:
    file = tmp_path / "run" / "web-accounts"
    assert await dev_accounts(web.accounts, file) == 0
    assert stat.S_IMODE(os.stat(file).st_mode) == 0o600
    first = file.read_text()
    assert await dev_accounts(web.accounts, file) == 0
    assert file.read_text() == first  # the same passwords on every `make up`
    lines = [line.split("\t") for line in first.splitlines()]
    assert {staff_id for staff_id, _, _ in lines} == set(DEV_STAFF_IDS.values())
    staff_id, role, password = lines[0]
    identity = await web.accounts.authenticate(staff_id, password, web.clock.now)
    assert identity is not None and identity.role.value == role


def _message(html: str) -> str:
    found = re.search(r'role="alert".*?<p>(.*?)</p>', html, re.S)
    assert found, "the page says why"
    return found.group(1)


async def test_a_checked_form_reaches_its_handler_and_a_flash_shows_once(web: Web) -> None:
    """The interface the form pages use: checked_form, then redirect_with_flash."""
    received: list[FormData] = []

    async def post(request: Request, form: Annotated[FormData, Depends(checked_form)]) -> Any:
        received.append(form)
        return redirect_with_flash(request, "/test-page", "Contact recorded.")

    async def get(request: Request, user: Annotated[SignedIn, Depends(signed_in)]) -> Any:
        return render(request, "error.html", title="Test", message=f"as {user.staff_id}")

    web.app.add_api_route("/test-form", post, methods=["POST"])
    web.app.add_api_route("/test-page", get, methods=["GET"])
    await web.accounts.add("cso-0108", Role.CASE_MANAGER, PASSWORD)
    await web.sign_in("cso-0108", PASSWORD)
    token = await web.csrf()
    sent = await web.client.post(
        "/test-form",
        data={"csrf_token": token, "outcome": "spoke", "ways": ["call", "text"]},
        headers={"Sec-Fetch-Site": "same-origin"},
    )
    assert sent.status_code == 303 and sent.headers["location"] == "/test-page"
    assert received == [{"outcome": "spoke", "ways": ["call", "text"]}]
    page = await web.client.get("/test-page")
    assert "Contact recorded." in page.text and "as cso-0108" in page.text
    assert "Contact recorded." not in (await web.client.get("/test-page")).text  # once
    refused = await web.client.post("/test-form", data={"outcome": "spoke"})
    assert refused.status_code == 403 and len(received) == 1


async def test_a_role_without_case_pages_gets_a_home_page_not_a_refusal(web: Web) -> None:
    await web.accounts.add("intake-0108", Role.INTAKE, PASSWORD)
    signed = await web.sign_in("intake-0108", PASSWORD)
    assert signed.headers["location"] == "/"
    home = await web.client.get("/")
    assert home.status_code == 200 and "This role has no case pages" in home.text
    cases = await web.client.get("/cases")
    assert cases.status_code == 403 and "does not give you this page" in cases.text
