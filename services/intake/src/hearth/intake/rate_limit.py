"""The public web form's rate limit: per client and overall (issue 10, point 20).

Without it, one client sent 300 valid reports in 3.6 s and each opened a case. Every
`POST /report` counts against two limits (`limits`, moving windows): the client's own
(its connecting address, or the address a trusted proxy forwarded) and the form's
overall. A refused post is never stored and never dropped silently: the resident sees
the form again with what they typed, told plainly that it was NOT sent, when to try
again, and the helplines and 999 (see `web.py`).

The windows are kept in memory by default, so each instance counts on its own (with two
replicas the overall limit is twice the figure); `HEARTH_INTAKE_WEB_FORM_LIMIT_STORAGE`
can point every instance at one shared store (e.g. `async+redis://…`, see the `limits`
documentation). Addresses are kept only in that store, for the length of a window, and
never logged.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Final, Literal

import structlog
from limits import RateLimitItem, parse_many
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string
from prometheus_client import Counter
from starlette.requests import Request

log = structlog.get_logger(__name__)

SCOPE: Final = "hearth-intake-web-form"

REFUSED = Counter(
    "hearth_web_form_rate_limited_total",
    "Web form posts refused by the rate limit (never stored), by which limit refused them",
    ["limit"],
)


@dataclass(frozen=True)
class Refusal:
    """A post over a limit: which limit, and in how many seconds to try again."""

    limit: Literal["client", "overall"]
    retry_after_seconds: int


def client_address(request: Request, trusted_proxy_hops: int) -> str:
    """Who is posting: the connecting address, or, behind `trusted_proxy_hops` proxies
    that each append to `X-Forwarded-For`, the address the outermost of them saw.

    With no trusted proxy (the default) the header is ignored: anyone can write it.
    """
    connecting = request.client.host if request.client else "unknown"
    if trusted_proxy_hops <= 0:
        return connecting
    forwarded = [
        part.strip()
        for header in request.headers.getlist("x-forwarded-for")
        for part in header.split(",")
        if part.strip()
    ]
    if len(forwarded) < trusted_proxy_hops:
        return connecting
    return forwarded[-trusted_proxy_hops]


class WebFormLimiter:
    """Counts each post against the client's limits and the overall limits."""

    def __init__(self, per_client: str, overall: str, storage: str = "async+memory://") -> None:
        self.per_client: list[RateLimitItem] = parse_many(per_client)
        self.overall: list[RateLimitItem] = parse_many(overall)
        self._limiter = MovingWindowRateLimiter(storage_from_string(storage))

    async def refuse(self, client: str) -> Refusal | None:
        """Count one post from `client`; a Refusal when it is over a limit."""
        for limit, items, keys in (
            ("client", self.per_client, (SCOPE, "client", client)),
            ("overall", self.overall, (SCOPE, "overall")),
        ):
            for item in items:
                if not await self._limiter.hit(item, *keys):
                    stats = await self._limiter.get_window_stats(item, *keys)
                    wait = max(1, math.ceil(stats.reset_time - time.time()))
                    REFUSED.labels(limit=limit).inc()
                    log.warning("web form post refused by the rate limit", limit=limit)
                    return Refusal(limit, wait)  # type: ignore[arg-type]
        return None
