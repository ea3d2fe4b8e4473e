"""A form sent twice (a double click, a resend after a slow answer) is one command.

Each form page carries a token of its own; the web app remembers, for a while, which
tokens it has already sent successfully and with what body (a hash: never the values).
The same token with the same body again is answered as the first time, without a
second command; a second request while the first is still being sent waits for it.
The token also goes to the API as its `Idempotency-Key`, for the services that honour
one (today only intake does: cases, risk and referrals ignore the header, hence this).

Memory of one web process: enough for one browser's double submit, which goes to the
same process behind a sticky or single-replica deployment; a shared store would be
needed for more replicas without sticky sessions.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any


def body_hash(body: Any) -> str:
    """A hash of the body as sent: the same values give the same hash."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


class SentForms:
    """Tokens of forms sent successfully, kept `keep_seconds` (at most `limit` of them)."""

    def __init__(
        self,
        keep_seconds: float = 15 * 60,
        limit: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._keep = keep_seconds
        self._limit = limit
        self._clock = clock
        self._sent: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    def _forget_old(self) -> None:
        now = self._clock()
        while self._sent:
            key, (at, _) = next(iter(self._sent.items()))
            if now - at < self._keep and len(self._sent) <= self._limit:
                break
            del self._sent[key]

    def already_sent(self, key: str, digest: str) -> bool:
        """True when this token was sent successfully with this very body."""
        self._forget_old()
        found = self._sent.get(key)
        return found is not None and found[1] == digest

    def record(self, key: str, digest: str) -> None:
        self._sent[key] = (self._clock(), digest)
        self._sent.move_to_end(key)
        self._forget_old()

    @asynccontextmanager
    async def one_at_a_time(self, key: str) -> AsyncIterator[None]:
        """Hold the token while its form is sent: a second send of it waits."""
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)
