"""The services' refusals in plain words, each field by its form name."""

from __future__ import annotations

import httpx
import pytest

from hearth.contracts.envelope import Role
from hearth.eventstore.auth import actor_from_token
from hearth.web.client import ApiClient, ApiRefusal, refusal_from


def _answer(status: int, body: object) -> httpx.Response:
    return httpx.Response(status, json=body)


def test_a_422_names_each_field_in_plain_words() -> None:
    refusal = refusal_from(
        _answer(
            422,
            {
                "detail": "invalid request",
                "errors": [
                    {"field": "outcome", "problem": "Field required", "kind": "missing"},
                    {
                        "field": "body.notes",
                        "problem": "text must not contain control characters",
                        "kind": "control_character",
                    },
                    {
                        "field": "reason",
                        "problem": "a declined closure needs a reason",
                        "kind": "invalid_command",
                    },
                ],
            },
        )
    )
    assert refusal.status == 422
    assert refusal.fields == {
        "outcome": "This is required.",
        "notes": "Use plain text: no line breaks or control characters here.",
        "reason": "A declined closure needs a reason.",
    }
    assert "outcome: This is required." in refusal.message


def test_a_rule_s_refusal_is_its_own_message() -> None:
    refusal = refusal_from(
        _answer(409, {"detail": "it is not safe to call at this time", "code": "refused"})
    )
    assert (refusal.status, refusal.message, refusal.fields) == (
        409,
        "It is not safe to call at this time.",
        {},
    )
    assert refusal.code == "refused"
    forbidden = refusal_from(_answer(403, {"detail": "role auditor may not do this"}))
    assert forbidden.status == 403 and forbidden.message == "Role auditor may not do this."
    assert forbidden.code is None


def test_a_refusal_carries_the_services_code_and_nothing_else_as_one() -> None:
    unsafe = refusal_from(
        _answer(
            409,
            {
                "detail": "that number is not one of the survivor's safe numbers",
                "code": "unsafe_number",
            },
        )
    )
    assert unsafe.code == "unsafe_number"
    for odd in ("Not A Code", "x" * 100, 42, None, "unsafe number"):
        assert refusal_from(_answer(409, {"detail": "refused", "code": odd})).code is None
    assert refusal_from(_answer(409, ["not", "an", "object"])).code is None


def test_not_found_and_failures_reveal_nothing() -> None:
    assert refusal_from(_answer(404, {"detail": "no case c-1 here"})).message == "Not found."
    broken = refusal_from(httpx.Response(500, text="Traceback ..."))
    assert broken.status == 502 and "Traceback" not in broken.message


async def test_the_client_calls_as_the_signed_in_actor_with_a_short_lived_token() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.method == "POST":
            return httpx.Response(409, json={"detail": "already closed", "code": "refused"})
        return httpx.Response(200, json={"cases": []})

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        client = ApiClient(http, {"cases": "http://cases"}, "cso-0001", Role.CASE_MANAGER)
        assert await client.get("cases", "/cases", {"overdue": True, "offset": None}) == {
            "cases": []
        }
        with pytest.raises(ApiRefusal) as refused:
            await client.post("cases", "/cases/x/reviews", {"a": 1}, idempotency_key="k-1")
    assert refused.value.status == 409
    assert str(seen[0].url) == "http://cases/cases?overdue=true"
    token = seen[0].headers["authorization"].removeprefix("Bearer ")
    actor = actor_from_token(token)
    assert (actor.id, actor.role) == ("cso-0001", Role.CASE_MANAGER)
    assert seen[1].headers["idempotency-key"] == "k-1"
    with pytest.raises(ValueError, match="unknown service"):
        await client.get("nowhere", "/x")
