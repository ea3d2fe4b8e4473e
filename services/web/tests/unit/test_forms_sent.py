"""A form sent twice is one command: the same token with the same body, even at once."""

from __future__ import annotations

import asyncio

from hearth.web.forms.sent import SentForms, body_hash


async def send_once(sent: SentForms, key: str, body: dict[str, str], commands: list[str]) -> None:
    digest = body_hash(body)
    async with sent.one_at_a_time(key):
        if sent.already_sent(key, digest):
            return
        await asyncio.sleep(0.01)  # the API's answer takes a while
        commands.append(key)
        sent.record(key, digest)


async def test_a_double_click_sends_one_command() -> None:
    sent = SentForms()
    commands: list[str] = []
    body = {"method": "call"}
    await asyncio.gather(*(send_once(sent, "cso-1:/x:t1", body, commands) for _ in range(3)))
    await send_once(sent, "cso-1:/x:t1", body, commands)
    assert commands == ["cso-1:/x:t1"]


async def test_other_tokens_other_people_and_changed_values_are_commands_of_their_own() -> None:
    sent = SentForms()
    commands: list[str] = []
    await send_once(sent, "cso-1:/x:t1", {"method": "call"}, commands)
    await send_once(sent, "cso-1:/x:t2", {"method": "call"}, commands)
    await send_once(sent, "cso-2:/x:t1", {"method": "call"}, commands)
    # The same page, back and changed: what was sent differs, so it is sent.
    await send_once(sent, "cso-1:/x:t1", {"method": "text"}, commands)
    assert len(commands) == 4


def test_a_token_is_forgotten_after_a_while() -> None:
    now = [0.0]
    sent = SentForms(keep_seconds=60, clock=lambda: now[0])
    sent.record("k", body_hash({"a": 1}))
    assert sent.already_sent("k", body_hash({"a": 1}))
    now[0] = 61.0
    assert not sent.already_sent("k", body_hash({"a": 1}))


def test_at_most_the_limit_is_kept() -> None:
    sent = SentForms(limit=2)
    for key in ("a", "b", "c"):
        sent.record(key, "h")
    assert not sent.already_sent("a", "h")
    assert sent.already_sent("c", "h")
