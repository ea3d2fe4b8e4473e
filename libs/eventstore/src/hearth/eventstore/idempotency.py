"""Idempotency keys: a retried request gets the first answer, for a limited time.

A client sends an `Idempotency-Key` with a command; the service claims the key in the
same transaction as the events the command appends, and saves the answer there too. A
retry with the key finds the answer; the same key with a different body is refused; a
concurrent retry waits on the row until the first transaction ends.

Keys expire `HEARTH_IDEMPOTENCY_DAYS` (7 by default, `ServiceSettings.idempotency_days`)
after their first use. An expired
key counts as unused: a retry after that is a new request. Expired rows are deleted on
the way, with no background task: each new answer saved deletes up to `SWEEP_BATCH` of
them, oldest first, skipping rows another transaction holds. The table therefore holds
the keys of one period plus a bounded backlog, whatever the traffic.

The table is created in every service's schema by the event store's migrations
(`migrations/0002_idempotency_keys.sql`).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

import structlog

from hearth.contracts.envelope import Actor, canonical_json
from hearth.eventstore.db import Conn
from hearth.eventstore.errors import DomainError
from hearth.eventstore.settings import DEFAULT_IDEMPOTENCY_DAYS

__all__ = [
    "DEFAULT_DAYS",
    "SWEEP_BATCH",
    "Idempotency",
    "IdempotencyKeyReused",
    "StoredResponse",
    "caller_scope",
    "claim",
    "earlier_answer",
    "expired_before",
    "is_expired",
    "request_hash",
    "save_response",
]

log = structlog.get_logger(__name__)

DEFAULT_DAYS: Final = DEFAULT_IDEMPOTENCY_DAYS
SWEEP_BATCH: Final = 100
"""Expired keys deleted with each new answer: more than one, so a backlog shrinks."""


class IdempotencyKeyReused(DomainError):
    """The idempotency key was used before with a different request."""

    code = "idempotency_key_reused"


@dataclass(frozen=True, slots=True)
class Idempotency:
    """A client's idempotency key, where it applies (scope) and what it was sent with."""

    scope: str
    key: str
    request_hash: str


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """What an earlier request with the same idempotency key was answered."""

    request_hash: str
    status_code: int
    response: dict[str, Any]


# --- pure helpers ----------------------------------------------------------------------


def caller_scope(endpoint: str, actor: Actor) -> str:
    """Keys belong to the caller who used them, per endpoint: two callers never meet."""
    return f"{endpoint}:{actor.role.value}:{actor.id}"


def request_hash(secret: bytes, body: Any) -> str:
    """A keyed hash of a request: spots a changed body without keeping what it said."""
    return hmac.new(secret, b"request\x1f" + canonical_json(body), hashlib.sha256).hexdigest()


def expired_before(now: datetime, keep_for: timedelta) -> datetime:
    """Keys first used at or before this moment have expired."""
    return now - keep_for


def is_expired(created_at: datetime, now: datetime, keep_for: timedelta) -> bool:
    """True when a key first used at `created_at` counts as unused at `now`."""
    return created_at <= expired_before(now, keep_for)


# --- the table -------------------------------------------------------------------------


async def claim(
    conn: Conn,
    schema: str,
    idempotency: Idempotency,
    *,
    status_code: int,
    now: datetime,
    keep_for: timedelta,
) -> StoredResponse | None:
    """Claim the key for this transaction; or, if it is in use, what was answered then.

    An expired key is claimed afresh, as if it had never been used. The row's response
    is filled in by `save_response` before commit.
    """
    claimed = await conn.fetchval(
        f"""INSERT INTO {schema}.idempotency_keys AS used
                (scope, key, request_hash, status_code, response, created_at)
            VALUES ($1, $2, $3, $4, '{{}}'::jsonb, $5)
            ON CONFLICT (scope, key) DO UPDATE SET
                request_hash = EXCLUDED.request_hash,
                status_code = EXCLUDED.status_code,
                response = EXCLUDED.response,
                created_at = EXCLUDED.created_at
            WHERE used.created_at <= $6
            RETURNING true""",
        idempotency.scope,
        idempotency.key,
        idempotency.request_hash,
        status_code,
        now,
        expired_before(now, keep_for),
    )
    if claimed:
        return None
    # The conflict left the row locked by this transaction: it cannot change under us.
    row = await conn.fetchrow(
        f"""SELECT request_hash, status_code, response FROM {schema}.idempotency_keys
            WHERE scope = $1 AND key = $2""",
        idempotency.scope,
        idempotency.key,
    )
    assert row is not None, "an idempotency key that conflicted must exist"
    return StoredResponse(row["request_hash"], row["status_code"], row["response"])


async def earlier_answer(
    conn: Conn,
    schema: str,
    idempotency: Idempotency,
    *,
    status_code: int,
    now: datetime,
    keep_for: timedelta,
) -> dict[str, Any] | None:
    """The answer to replay for a retry, or None when this request claimed the key.

    Raises IdempotencyKeyReused when the key was used with a different request.
    """
    stored = await claim(
        conn, schema, idempotency, status_code=status_code, now=now, keep_for=keep_for
    )
    if stored is None:
        return None
    if not hmac.compare_digest(stored.request_hash, idempotency.request_hash):
        raise IdempotencyKeyReused(
            "this Idempotency-Key was already used with a different request; "
            "use a new key for a new request"
        )
    log.info("idempotent retry answered", idempotency_scope=idempotency.scope.split(":", 1)[0])
    return stored.response


async def save_response(
    conn: Conn,
    schema: str,
    idempotency: Idempotency,
    response: dict[str, Any],
    *,
    now: datetime,
    keep_for: timedelta,
    sweep: int = SWEEP_BATCH,
) -> None:
    """Keep the answer for retries, and delete up to `sweep` expired keys on the way.

    One statement: the sweep costs no extra round trip, and it runs last in the
    transaction, so the rows it deletes are locked only for the moment before commit.
    Rows another transaction holds (a key being claimed again) are skipped, never
    waited for.
    """
    await conn.execute(
        f"""WITH expired AS (
                SELECT scope, key FROM {schema}.idempotency_keys
                WHERE created_at <= $4
                ORDER BY created_at
                LIMIT $5
                FOR UPDATE SKIP LOCKED
            ), swept AS (
                DELETE FROM {schema}.idempotency_keys AS k USING expired AS e
                WHERE k.scope = e.scope AND k.key = e.key
            )
            UPDATE {schema}.idempotency_keys SET response = $3
            WHERE scope = $1 AND key = $2""",
        idempotency.scope,
        idempotency.key,
        response,
        expired_before(now, keep_for),
        sweep,
    )
