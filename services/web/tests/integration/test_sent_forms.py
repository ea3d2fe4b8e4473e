"""A form sent twice at once is one command: the token is claimed in PostgreSQL, so two
quick clicks and two replicas of the web app alike send it once. Against the real
PostgreSQL and Kafka, with intake and cases running (a case from a resident's report)."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from hearth.cases.service import SPEC as CASES_SPEC
from hearth.contracts.envelope import Role
from hearth.eventstore.clock import ControllableClock
from hearth.eventstore.testing.service import RunningService, fresh_schema
from hearth.intake.service import SPEC as INTAKE_SPEC
from hearth.web.app import create_app
from hearth.web.forms.sent import AlreadySent, Claimed, SentForms, StillSending, body_hash
from hearth.web.identity import LocalAccounts
from hearth.web.settings import WebSettings
from hearth.web.state import WebState

pytestmark = pytest.mark.integration

PASSWORD = "correct horse battery staple"
MANAGER = "dalead-0001"


class ToCases(httpx.AsyncBaseTransport):
    """The web app's outgoing HTTP: the cases service's app, in this process."""

    def __init__(self, cases: FastAPI) -> None:
        self._cases = httpx.ASGITransport(app=cases)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert request.url.host == "cases.test", request.url
        return await self._cases.handle_async_request(request)


async def _a_case(intake: RunningService, cases: RunningService) -> str:
    """A case opened by a resident's report through intake's web form."""
    form = await intake.client.get("/report")
    token = re.search(r'name="idempotency_token" value="([0-9a-f]{32})"', form.text)
    assert token
    sent = await intake.client.post(
        "/report",
        data={
            "idempotency_token": token.group(1),
            "reporter": "self",
            "survivor_name": "Robin Example",
            "account": "My partner checks my phone.",
            "abuse_types": ["controlling_or_coercive"],
            "immediate_danger": "no",
            "contact_methods": ["call"],
            "safe_phone": "07700 900123",
            "voicemail": "no",
            "consent": "yes",
            "children": "no",
        },
    )
    assert sent.status_code == 303, sent.text[-1000:]
    report_id = sent.headers["location"].rsplit("/", 1)[-1]
    auth = cases.auth(MANAGER, Role.MANAGER)
    for _ in range(300):
        listed = (await cases.client.get("/cases", params={"limit": 200}, headers=auth)).json()
        for row in listed.get("cases", []):
            view = (await cases.client.get(f"/cases/{row['case_id']}", headers=auth)).json()
            if report_id in view.get("report_ids", []):
                return str(view["case_id"])
        await asyncio.sleep(0.2)
    raise AssertionError("cases did not open the reported case")


@pytest.fixture
async def services(
    start_service: Callable[..., AbstractAsyncContextManager[RunningService]],
) -> AsyncIterator[tuple[RunningService, RunningService]]:
    clock = ControllableClock(datetime.now(UTC))
    async with (
        start_service(INTAKE_SPEC, clock) as intake,
        start_service(CASES_SPEC, clock) as cases,
    ):
        yield intake, cases


async def test_the_same_form_posted_twice_at_once_to_two_replicas_is_one_command(
    services: tuple[RunningService, RunningService], database_url: str
) -> None:
    intake, cases = services
    case_id = await _a_case(intake, cases)
    schema = fresh_schema("web")
    settings = WebSettings.model_validate(
        {"database_url": database_url, "db_schema": schema, "cases_url": "http://cases.test"}
    )
    async with AsyncExitStack() as stack:
        replicas: list[httpx.AsyncClient] = []
        states: list[WebState] = []
        for _ in range(2):  # two replicas of the web app on one schema
            app = create_app(settings, transport=ToCases(cases.app))
            await stack.enter_async_context(app.router.lifespan_context(app))
            states.append(app.state.web)
            client = httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="https://web.test"
            )
            replicas.append(await stack.enter_async_context(client))
        pool = states[0].pool
        assert pool is not None
        await LocalAccounts(pool, schema).add(MANAGER, Role.MANAGER, PASSWORD)
        first = replicas[0]
        page = await first.get("/sign-in")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert csrf
        signed = await first.post(
            "/sign-in",
            data={"csrf_token": csrf.group(1), "staff_id": MANAGER, "password": PASSWORD},
        )
        assert signed.status_code == 303
        for other in replicas[1:]:
            other.cookies.update(first.cookies)
        session_csrf = await pool.fetchval(f"SELECT csrf_token FROM {schema}.sessions")

        form = {
            "csrf_token": session_csrf,
            "form_token": str(uuid.uuid4()),
            "kind": "locks",
            "description": "Change the front door locks",
        }
        path = f"/cases/{case_id}/repair"
        answers = await asyncio.gather(
            replicas[0].post(path, data=form),
            replicas[1].post(path, data=form),
            replicas[0].post(path, data=form),
        )
        # Each is answered as the first: to the case page, none refused.
        assert [a.status_code for a in answers] == [303, 303, 303]
        assert {a.headers["location"] for a in answers} == {f"/cases/{case_id}"}

        auth = cases.auth(MANAGER, Role.MANAGER)
        view = (await cases.client.get(f"/cases/{case_id}", headers=auth)).json()
        assert len(view["emergency_repairs"]) == 1
        raised = [e for e in view["timeline"] if e["event"] == "EmergencyRepairRaised"]
        assert len(raised) == 1

        # What is kept: the token, hashes and where to go; never a value of the form.
        rows = await pool.fetch(f"SELECT * FROM {schema}.sent_forms")
        assert len(rows) == 1
        kept = " ".join(str(v) for v in rows[0].values())
        assert "front door" not in kept and "locks" not in kept
        assert rows[0]["state"] == "sent" and rows[0]["redirect_to"] == f"/cases/{case_id}"

        # A new form (a new token) is a new command.
        again = await replicas[1].post(path, data={**form, "form_token": str(uuid.uuid4())})
        assert again.status_code == 303
        view = (await cases.client.get(f"/cases/{case_id}", headers=auth)).json()
        assert len(view["emergency_repairs"]) == 2


async def test_a_token_is_claimed_once_released_when_refused_and_forgotten_after_a_day(
    database_url: str,
) -> None:
    schema = fresh_schema("web")
    settings = WebSettings(database_url=database_url, db_schema=schema)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        pool: asyncpg.Pool = app.state.web.pool
        sent = SentForms(pool, schema, wait_seconds=0.5, poll_seconds=0.05)
        session, token = b"s" * 32, uuid.uuid4()
        digest = body_hash({"kind": "locks"}, "cases:/cases/x/repairs")
        now = datetime.now(UTC)

        claims = await asyncio.gather(*(sent.claim(session, token, digest, now) for _ in range(8)))
        assert claims.count(Claimed()) == 1
        assert all(isinstance(c, StillSending) for c in claims if c != Claimed())

        # Refused: released, the corrected form is claimed again with its token.
        await sent.release(session, token)
        assert await sent.claim(session, token, digest, now) == Claimed()
        await sent.sent(session, token, "/cases/x", "Emergency repair raised.")
        assert await sent.claim(session, token, digest, now) == AlreadySent(
            "/cases/x", "Emergency repair raised."
        )
        # Another session's same token is its own form.
        assert await sent.claim(b"t" * 32, token, digest, now) == Claimed()
        # The same form changed after it was sent (back button, new values): a new send.
        other = body_hash({"kind": "doors"}, "cases:/cases/x/repairs")
        assert await sent.claim(session, token, other, now) == Claimed()

        # A day later the rows go, as the next form is claimed.
        later = now + timedelta(days=1, seconds=1)
        assert await sent.claim(session, uuid.uuid4(), digest, later) == Claimed()
        assert await pool.fetchval(f"SELECT count(*) FROM {schema}.sent_forms") == 1
