"""A form sent twice (a double click, a resend after a slow answer) is one command.

Each form page carries a token of its own. Before a form goes to its API, the web app
claims its token in PostgreSQL (`sent_forms`: one `INSERT ... ON CONFLICT DO NOTHING`,
atomic across requests and replicas), keyed by the session (its id's SHA-256) and the
token, with a hash of the body as sent. Only the request that claimed it sends it; the
same form again while it is being sent waits briefly for the first to finish, then is
answered as the first was (the same redirect, the form's own flash words), or "already
sent" if the first is still going. A refused form is released, so that corrected it may
be sent again with its token; a form sent successfully and then changed (back button,
new values) is a new command. Rows end after `keep` (a day), deleted as new ones are
claimed. Never a value from the form is kept: the token, hashes, where to go next.

The token also goes to the API as its `Idempotency-Key`, for the services that honour
one (today only intake does: cases, risk and referrals ignore the header, hence this).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from hearth.eventstore.db import check_schema_name


def body_hash(body: Any, path: str = "") -> bytes:
    """A hash of the body as sent to `path`: the same values give the same hash."""
    canonical = json.dumps([path, body], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).digest()


@dataclass(frozen=True)
class Claimed:
    """This request sends the form (and must call `sent` or `release`)."""


@dataclass(frozen=True)
class AlreadySent:
    """The same form was sent already: answer as it was answered."""

    redirect_to: str
    flash: str


@dataclass(frozen=True)
class StillSending:
    """The same form is being sent by another request that has not finished yet."""


Claim = Claimed | AlreadySent | StillSending


class SentForms:
    """The `sent_forms` table of the web schema."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        schema: str,
        *,
        keep: timedelta = timedelta(days=1),
        wait_seconds: float = 10.0,
        poll_seconds: float = 0.1,
    ) -> None:
        self._pool = pool
        self._table = f"{check_schema_name(schema)}.sent_forms"
        self.keep = keep
        self.wait_seconds = wait_seconds
        self.poll_seconds = poll_seconds

    async def claim(
        self, session_hash: bytes, token: uuid.UUID, digest: bytes, now: datetime
    ) -> Claim:
        """Claim the form for sending, or learn how its earlier send went."""
        deadline = time.monotonic() + self.wait_seconds
        t = self._table
        while True:
            async with self._pool.acquire() as conn:
                # Cheap (an index on expires_at): the table keeps only a day of forms.
                await conn.execute(f"DELETE FROM {t} WHERE expires_at < $1", now)
                claims = (
                    # New: no form with this token yet.
                    f"INSERT INTO {t} (session_hash, token, body_hash, state, claimed_at,"
                    f" expires_at) VALUES ($1, $2, $3, 'sending', $4, $5)"
                    f" ON CONFLICT DO NOTHING RETURNING true",
                    # Sent already with other values (changed after the back button): new.
                    f"UPDATE {t} SET body_hash = $3, state = 'sending', redirect_to = NULL,"
                    f" flash = NULL, claimed_at = $4, expires_at = $5"
                    f" WHERE session_hash = $1 AND token = $2 AND state = 'sent'"
                    f" AND body_hash <> $3 RETURNING true",
                )
                for claim in claims:
                    if await conn.fetchval(
                        claim, session_hash, token, digest, now, now + self.keep
                    ):
                        return Claimed()
                found = await conn.fetchrow(
                    f"SELECT state, redirect_to, flash FROM {t}"
                    f" WHERE session_hash = $1 AND token = $2",
                    session_hash,
                    token,
                )
            if found is not None and found["state"] == "sent":
                return AlreadySent(str(found["redirect_to"]), str(found["flash"]))
            if found is not None and time.monotonic() >= deadline:
                return StillSending()
            if found is not None:
                await asyncio.sleep(self.poll_seconds)
            # None: released meanwhile (the first was refused): claim it again.

    async def sent(
        self, session_hash: bytes, token: uuid.UUID, redirect_to: str, flash: str
    ) -> None:
        """The form was sent: a later send of it is answered with this redirect."""
        await self._pool.execute(
            f"UPDATE {self._table} SET state = 'sent', redirect_to = $3, flash = $4"
            f" WHERE session_hash = $1 AND token = $2",
            session_hash,
            token,
            redirect_to,
            flash,
        )

    async def release(self, session_hash: bytes, token: uuid.UUID) -> None:
        """The form was refused: it may be sent again (corrected) with the same token."""
        await self._pool.execute(
            f"DELETE FROM {self._table}"
            f" WHERE session_hash = $1 AND token = $2 AND state = 'sending'",
            session_hash,
            token,
        )
