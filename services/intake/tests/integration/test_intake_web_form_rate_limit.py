"""Issue 10, point 20: the public web form is rate limited per client and overall.

300 valid posts from one client in 3.6 s were all accepted, each opening a case. A post
over a limit is refused with 429: never stored, never dropped silently (the page says it
was NOT sent and keeps what was typed), and it still shows the helplines and 999.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from hearth.eventstore.clock import ControllableClock
from hearth.eventstore.testing.service import RunningService, running_service
from hearth.intake.service import build_spec
from hearth.intake.settings import IntakeSettings

pytestmark = pytest.mark.integration

MATCH_KEY = "intake-tests-match-key-0123456789"
ACCOUNT = "My partner checks my phone and will not let me see my family."


async def _report_count(intake: RunningService) -> int:
    runtime = intake.runtime
    assert runtime.pool is not None
    return int(
        await runtime.pool.fetchval(
            f"SELECT count(*) FROM {runtime.schema}.events WHERE type LIKE '%ReportReceived%'"
        )
    )


def _answers(token: str) -> dict[str, Any]:
    return {
        "idempotency_token": token,
        "reporter": "self",
        "survivor_name": "Robin Example",
        "account": ACCOUNT,
        "immediate_danger": "no",
    }


async def _post(client: httpx.AsyncClient, **headers: str) -> httpx.Response:
    page = (await client.get("/report")).text
    match = re.search(r'name="idempotency_token" value="([0-9a-f]{32})"', page)
    assert match
    return await client.post("/report", data=_answers(match.group(1)), headers=headers)


@pytest.fixture
async def limited(
    kafka_bootstrap: str, database_url: str, topic_namespace: str, request: Any
) -> AsyncIterator[RunningService]:
    per_client, overall, hops = request.param
    settings = IntakeSettings(
        match_key=MATCH_KEY,
        web_form_limit_per_client=per_client,
        web_form_limit_overall=overall,
        web_form_trusted_proxy_hops=hops,
    )
    async with running_service(
        build_spec(settings),
        kafka_bootstrap=kafka_bootstrap,
        database_url=database_url,
        clock=ControllableClock(datetime.now(UTC).replace(microsecond=0)),
        topic_namespace=topic_namespace,
    ) as service:
        yield service


def _refused_plainly(response: httpx.Response) -> None:
    assert response.status_code == 429
    html = response.text
    assert "Your report has NOT been sent" in html
    assert ACCOUNT in html and 'value="Robin Example"' in html  # what was typed is kept
    assert "If you are in immediate danger call 999" in html
    assert "0808 2000 247" in html  # the helplines
    assert int(response.headers["retry-after"]) >= 1
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("limited", [("2/minute", "100/minute", 0)], indirect=True)
async def test_one_client_past_its_limit_is_told_plainly_and_nothing_is_stored(
    limited: RunningService,
) -> None:
    first = await _post(limited.client)
    second = await _post(limited.client)
    # X-Forwarded-For is not trusted by default: it does not make a new client.
    third = await _post(limited.client, **{"X-Forwarded-For": "203.0.113.50"})

    assert first.status_code == second.status_code == 303
    _refused_plainly(third)
    assert await _report_count(limited) == 2


@pytest.mark.parametrize("limited", [("5/minute", "2/minute", 1)], indirect=True)
async def test_all_clients_together_past_the_overall_limit_are_refused(
    limited: RunningService,
) -> None:
    answers = [
        await _post(limited.client, **{"X-Forwarded-For": f"203.0.113.{n}"}) for n in range(3)
    ]

    assert [a.status_code for a in answers[:2]] == [303, 303]
    _refused_plainly(answers[2])
    assert await _report_count(limited) == 2
