"""Server-side sessions: a random id in the cookie, only its SHA-256 in the database.

A session ends on sign-out (its row is deleted), after `idle_timeout` without a request,
or `lifetime` after sign-in, whichever is first; all three are decided here, on the
server, whatever the cookie's own expiry says.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

import asyncpg

from hearth.contracts.envelope import Role
from hearth.eventstore.db import check_schema_name


@dataclass(frozen=True)
class Session:
    staff_id: str
    role: Role
    csrf_token: str
    created_at: datetime
    expires_at: datetime


class Ended(Enum):
    """Why there is no session: none was presented, or it ended."""

    NONE = "none"
    IDLE = "idle"
    EXPIRED = "expired"


def _hash(session_id: str) -> bytes:
    return hashlib.sha256(session_id.encode()).digest()


def session_hash(session_id: str) -> bytes:
    """The SHA-256 a session is kept under (and other tables refer to it by)."""
    return _hash(session_id)


def new_token() -> str:
    return secrets.token_urlsafe(32)


class SessionStore:
    def __init__(
        self,
        pool: asyncpg.Pool,
        schema: str,
        *,
        idle_timeout: timedelta,
        lifetime: timedelta,
    ) -> None:
        self._pool = pool
        self._schema = check_schema_name(schema)
        self.idle_timeout = idle_timeout
        self.lifetime = lifetime

    async def create(self, staff_id: str, role: Role, now: datetime) -> tuple[str, Session]:
        """A new session: the id for the cookie (never stored) and the session."""
        session_id = new_token()
        session = Session(staff_id, role, new_token(), now, now + self.lifetime)
        async with self._pool.acquire() as conn, conn.transaction():
            # Tidy up: sessions that have ended are deleted when anyone signs in.
            await conn.execute(
                f"DELETE FROM {self._schema}.sessions WHERE expires_at <= $1 OR last_seen_at <= $2",
                now,
                now - self.idle_timeout,
            )
            await conn.execute(
                f"INSERT INTO {self._schema}.sessions"
                f" (id_hash, staff_id, role, csrf_token, created_at, last_seen_at, expires_at)"
                f" VALUES ($1, $2, $3, $4, $5, $5, $6)",
                _hash(session_id),
                staff_id,
                role.value,
                session.csrf_token,
                now,
                session.expires_at,
            )
        return session_id, session

    async def touch(self, session_id: str | None, now: datetime) -> Session | Ended:
        """The live session for a cookie's id (its idle clock restarted), or why none."""
        if not session_id or len(session_id) > 200:
            return Ended.NONE
        key = _hash(session_id)
        row = await self._pool.fetchrow(
            f"UPDATE {self._schema}.sessions SET last_seen_at = $2"
            f" WHERE id_hash = $1 AND expires_at > $2 AND last_seen_at > $3"
            f" RETURNING staff_id, role, csrf_token, created_at, expires_at",
            key,
            now,
            now - self.idle_timeout,
        )
        if row is not None:
            return Session(
                row["staff_id"],
                Role(row["role"]),
                row["csrf_token"],
                row["created_at"],
                row["expires_at"],
            )
        ended = await self._pool.fetchrow(
            f"DELETE FROM {self._schema}.sessions WHERE id_hash = $1 RETURNING expires_at",
            key,
        )
        if ended is None:
            return Ended.NONE
        return Ended.EXPIRED if ended["expires_at"] <= now else Ended.IDLE

    async def end(self, session_id: str | None) -> None:
        if session_id and len(session_id) <= 200:
            await self._pool.execute(
                f"DELETE FROM {self._schema}.sessions WHERE id_hash = $1", _hash(session_id)
            )
