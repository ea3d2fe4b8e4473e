"""Counting what a piece of code sends to PostgreSQL, to show a cost does not grow."""

from __future__ import annotations

from typing import Any

__all__ = ["CountingConn"]

_STATEMENTS = frozenset({"fetch", "fetchrow", "fetchval", "execute", "executemany"})


class CountingConn:
    """A connection that counts its round trips; pass it wherever a `conn` goes.

    Each statement counts one (`executemany` too: asyncpg pipelines it), and each
    `transaction()` inside the caller's transaction two: SAVEPOINT, then RELEASE or
    ROLLBACK TO.
    """

    def __init__(self, conn: Any) -> None:
        self._conn = conn
        self.round_trips = 0

    def transaction(self, **options: Any) -> Any:
        self.round_trips += 2
        return self._conn.transaction(**options)

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._conn, name)
        if name not in _STATEMENTS:
            return method

        async def counted(*args: Any, **kwargs: Any) -> Any:
            self.round_trips += 1
            return await method(*args, **kwargs)

        return counted
