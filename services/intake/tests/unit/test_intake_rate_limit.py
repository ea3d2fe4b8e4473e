"""The web form's rate limit (issue 10, point 20): per client and overall, and who the
client is (the connecting address unless proxies are trusted)."""

from __future__ import annotations

from starlette.requests import Request

from hearth.intake.rate_limit import WebFormLimiter, client_address


def _request(client: str, forwarded: str | None = None) -> Request:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    return Request({"type": "http", "client": (client, 50000), "headers": headers})


async def test_given_a_client_over_its_limit_then_its_next_post_is_refused_but_not_others() -> None:
    limiter = WebFormLimiter("2/minute", "100/minute")
    assert await limiter.refuse("198.51.100.7") is None
    assert await limiter.refuse("198.51.100.7") is None
    refusal = await limiter.refuse("198.51.100.7")
    assert refusal is not None
    assert refusal.limit == "client"
    assert 1 <= refusal.retry_after_seconds <= 60
    assert await limiter.refuse("203.0.113.9") is None


async def test_given_many_clients_then_the_overall_limit_refuses_past_it() -> None:
    limiter = WebFormLimiter("5/minute", "3/minute")
    answers = [await limiter.refuse(f"198.51.100.{n}") for n in range(4)]
    assert answers[:3] == [None, None, None]
    assert answers[3] is not None and answers[3].limit == "overall"


async def test_given_several_limits_then_each_one_counts() -> None:
    limiter = WebFormLimiter("5/minute;2/hour", "100/minute")
    assert await limiter.refuse("198.51.100.7") is None
    assert await limiter.refuse("198.51.100.7") is None
    refusal = await limiter.refuse("198.51.100.7")
    assert refusal is not None and refusal.retry_after_seconds > 60


def test_without_trusted_proxies_the_client_is_the_connecting_address() -> None:
    # Anyone can write X-Forwarded-For: trusting it by default would let one client
    # pose as many and post without limit.
    request = _request("198.51.100.7", forwarded="203.0.113.1")
    assert client_address(request, trusted_proxy_hops=0) == "198.51.100.7"


def test_behind_trusted_proxies_the_client_is_the_address_the_outermost_one_saw() -> None:
    request = _request("10.0.0.5", forwarded="203.0.113.1, 198.51.100.7")
    assert client_address(request, trusted_proxy_hops=1) == "198.51.100.7"
    assert client_address(request, trusted_proxy_hops=2) == "203.0.113.1"
    assert client_address(request, trusted_proxy_hops=3) == "10.0.0.5"
    assert client_address(_request("10.0.0.5"), trusted_proxy_hops=1) == "10.0.0.5"
