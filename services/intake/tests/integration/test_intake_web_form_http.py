"""The confidential web form over HTTP: headers, POST-redirect-GET, double submits, errors."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from hearth.contracts.envelope import Role
from hearth.eventstore.testing.service import RunningService

pytestmark = pytest.mark.integration


def _token(html: str) -> str:
    match = re.search(r'name="idempotency_token" value="([0-9a-f]{32})"', html)
    assert match, "the form carries an idempotency token"
    return match.group(1)


def _answers(token: str, **overrides: Any) -> dict[str, Any]:
    answers: dict[str, Any] = {
        "idempotency_token": token,
        "reporter": "self",
        "survivor_name": "Robin Example",
        "account": "My partner checks my phone and will not let me see my family.",
        "abuse_types": ["controlling_or_coercive", "psychological_emotional_or_other"],
        "immediate_danger": "no",
        "contact_methods": ["call", "text"],
        "safe_phone": "07700 900 321",
        "safe_days": ["monday", "wednesday"],
        "safe_from": "09:30",
        "safe_to": "11:30",
        "voicemail": "no",
        "consent": "yes",
        "case_manager_gender": "woman",
        "children": "yes",
        "children_count": "2",
    }
    answers.update(overrides)
    return answers


async def _report_count(intake: RunningService) -> int:
    runtime = intake.runtime
    assert runtime.pool is not None
    return int(
        await runtime.pool.fetchval(
            f"SELECT count(*) FROM {runtime.schema}.events WHERE type LIKE '%ReportReceived%'"
        )
    )


async def test_the_form_page_is_private_self_contained_and_labelled(intake: RunningService) -> None:
    response = await intake.client.get("/report")

    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "form-action 'self'" in csp
    assert "unsafe-inline" not in csp
    html = response.text
    assert "If you are in immediate danger call 999" in html
    for number in ("0808 2000 247", "0808 8010 327", "0800 999 5428"):
        assert number in html
    assert 'id="quick-exit"' in html and "Leave this site quickly" in html
    # Nothing is loaded from anywhere else.
    assert not re.findall(r'<(?:script|link|img|iframe)[^>]+(?:src|href)="(?:https?:)?//', html)
    ids = re.findall(r'<(?:input|textarea|select)(?![^>]*type="hidden")[^>]*\bid="([^"]+)"', html)
    labelled = set(re.findall(r'<label[^>]*for="([^"]+)"', html))
    assert ids and set(ids) <= labelled
    assert "<fieldset" in html and "<legend" in html


async def test_a_report_from_the_form_redirects_to_a_confirmation_with_its_reference(
    intake: RunningService,
) -> None:
    token = _token((await intake.client.get("/report")).text)
    response = await intake.client.post("/report", data=_answers(token, home_damaged="yes"))

    assert response.status_code == 303
    location = response.headers["location"]
    report_id = location.rsplit("/", 1)[1]
    assert location == f"/report/received/{report_id}"
    [received, linked] = await intake.runtime.event_store.read_stream(f"report-{report_id}")
    assert received.actor.id == "web-form" and received.actor.role is Role.PUBLIC
    payload = received.payload
    assert payload["channel"] == "web_form"
    assert payload["reporter"]["kind"] == "survivor"
    assert payload["survivor"]["name"] == "Robin Example"
    assert payload["advised_to_call_999"] is True
    assert payload["consent_to_contact"] is True
    assert payload["preferred_case_manager_gender"] == "woman"
    assert payload["safe_contact"]["safe_phone_numbers"] == ["07700 900 321"]
    assert payload["safe_contact"]["never_leave_voicemail"] is True
    assert [w["day"] for w in payload["safe_contact"]["safe_times"]] == ["monday", "wednesday"]
    assert len(payload["children"]) == 2
    assert payload["home_damaged_safety_at_risk"] is True
    assert linked.payload["basis"] == "new_case"

    confirmation = await intake.client.get(location)
    assert confirmation.status_code == 200
    assert confirmation.headers["cache-control"] == "no-store"
    assert report_id in confirmation.text
    assert received.subject not in confirmation.text  # the case id is not shown
    assert "Robin Example" not in confirmation.text
    assert "What happens next" in confirmation.text


async def test_a_double_submit_of_one_form_is_one_report(intake: RunningService) -> None:
    token = _token((await intake.client.get("/report")).text)
    first = await intake.client.post("/report", data=_answers(token))
    second = await intake.client.post("/report", data=_answers(token))

    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert await _report_count(intake) == 1


async def test_each_blank_form_gets_its_own_token(intake: RunningService) -> None:
    one = _token((await intake.client.get("/report")).text)
    two = _token((await intake.client.get("/report")).text)
    assert one != two
    await intake.client.post("/report", data=_answers(one))
    await intake.client.post("/report", data=_answers(two))
    assert await _report_count(intake) == 2


async def test_errors_are_summarised_linked_to_their_fields_and_what_was_typed_is_kept(
    intake: RunningService,
) -> None:
    token = _token((await intake.client.get("/report")).text)
    response = await intake.client.post(
        "/report",
        data=_answers(
            token,
            reporter="someone_else",
            account="   ",
            immediate_danger="",
            safe_phone="",
            survivor_name="Robin <Example>",
        ),
    )

    assert response.status_code == 422
    html = response.text
    assert "<title>Error:" in html
    summary = html.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    links = re.findall(r'<a href="#([^"]+)">', summary)
    assert links == ["relationship", "account", "immediate_danger", "safe_phone"]
    for field in links:
        assert f'id="{field}"' in html
    assert 'value="Robin &lt;Example&gt;"' in html  # kept, and escaped
    assert f'value="{token}"' in html
    assert await _report_count(intake) == 0


async def test_a_confirmation_for_an_unknown_reference_is_not_found(
    intake: RunningService,
) -> None:
    assert (await intake.client.get(f"/report/received/{uuid.uuid4()}")).status_code == 404
    assert (await intake.client.get("/report/received/not-a-reference")).status_code == 404


async def test_the_stylesheet_and_script_come_from_the_service_itself(
    intake: RunningService,
) -> None:
    css = await intake.client.get("/report/assets/report.css")
    js = await intake.client.get("/report/assets/quick-exit.js")
    missing = await intake.client.get("/report/assets/../settings.py")
    assert css.status_code == js.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert js.headers["content-type"].startswith("text/javascript")
    assert missing.status_code == 404


async def test_when_the_report_cannot_be_stored_the_resident_keeps_what_they_typed(
    intake: RunningService, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hearth.intake import web

    async def database_unavailable(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionRefusedError("database unavailable")

    monkeypatch.setattr(web, "submit_report", database_unavailable)
    token = _token((await intake.client.get("/report")).text)
    response = await intake.client.post("/report", data=_answers(token))

    assert response.status_code == 503
    assert "Sorry, your report has not been sent" in response.text
    assert "My partner checks my phone and will not let me see my family." in response.text
    assert f'value="{token}"' in response.text
    assert response.headers["cache-control"] == "no-store"
