"""Idempotency keys: the pure helpers, and claiming, replaying and expiring on PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from hearth.contracts.envelope import Actor, Role
from hearth.eventstore.idempotency import (
    DEFAULT_DAYS,
    Idempotency,
    IdempotencyKeyReused,
    caller_scope,
    earlier_answer,
    is_expired,
    request_hash,
    save_response,
)
from hearth.eventstore.settings import ServiceSettings

NOW = datetime(2025, 3, 7, 16, 30, tzinfo=UTC)
WEEK = timedelta(days=7)
SECRET = b"idempotency-tests-secret"


# --- pure helpers ----------------------------------------------------------------------


def test_a_request_hash_ignores_key_order_and_spots_any_change() -> None:
    first = request_hash(SECRET, {"a": 1, "b": [1, 2]})
    assert first == request_hash(SECRET, {"b": [1, 2], "a": 1})
    assert first != request_hash(SECRET, {"a": 1, "b": [2, 1]})
    assert first != request_hash(b"another-secret", {"a": 1, "b": [1, 2]})
    assert len(first) == 64  # hex SHA-256: nothing of the body itself


def test_keys_are_scoped_to_the_caller_and_the_endpoint() -> None:
    one = Actor(id="staff-1", role=Role.INTAKE)
    two = Actor(id="staff-2", role=Role.INTAKE)
    assert caller_scope("reports", one) == "reports:intake:staff-1"
    assert caller_scope("reports", one) != caller_scope("reports", two)
    assert caller_scope("reports", one) != caller_scope("asb-reports", one)


def test_a_key_expires_once_the_whole_period_has_passed() -> None:
    assert not is_expired(NOW - WEEK + timedelta(seconds=1), NOW, WEEK)
    assert is_expired(NOW - WEEK, NOW, WEEK)


def test_keys_are_kept_seven_days_unless_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HEARTH_IDEMPOTENCY_DAYS", raising=False)
    assert ServiceSettings().idempotency_keep_for == timedelta(days=DEFAULT_DAYS) == WEEK
    monkeypatch.setenv("HEARTH_IDEMPOTENCY_DAYS", "30")
    assert ServiceSettings().idempotency_keep_for == timedelta(days=30)
    monkeypatch.setenv("HEARTH_IDEMPOTENCY_DAYS", "0")
    with pytest.raises(ValueError, match="idempotency_days"):
        ServiceSettings()


# --- on PostgreSQL ---------------------------------------------------------------------


@pytest.fixture
async def keys_table(pool: asyncpg.Pool, schema: str) -> str:
    """The table every service schema gets from the event store's migrations."""
    assert await pool.fetchval("SELECT to_regclass($1)", f"{schema}.idempotency_keys")
    return schema


def _key(key: str, body: object = "body") -> Idempotency:
    return Idempotency("reports:intake:staff-1", key, request_hash(SECRET, body))


async def _first_use(
    pool: asyncpg.Pool, schema: str, idem: Idempotency, at: datetime, answer: dict[str, str]
) -> None:
    async with pool.acquire() as conn, conn.transaction():
        assert (
            await earlier_answer(conn, schema, idem, status_code=202, now=at, keep_for=WEEK) is None
        )
        await save_response(conn, schema, idem, answer, now=at, keep_for=WEEK)


async def _retry(pool: asyncpg.Pool, schema: str, idem: Idempotency, at: datetime) -> object:
    async with pool.acquire() as conn, conn.transaction():
        return await earlier_answer(conn, schema, idem, status_code=202, now=at, keep_for=WEEK)


async def _stored_keys(pool: asyncpg.Pool, schema: str) -> set[str]:
    rows = await pool.fetch(f"SELECT key FROM {schema}.idempotency_keys")
    return {r["key"] for r in rows}


@pytest.mark.integration
async def test_a_retry_within_the_period_gets_the_first_answer(
    pool: asyncpg.Pool, keys_table: str
) -> None:
    idem = _key("k-1")
    await _first_use(pool, keys_table, idem, NOW, {"report_id": "r-1"})
    later = NOW + WEEK - timedelta(seconds=1)
    assert await _retry(pool, keys_table, idem, later) == {"report_id": "r-1"}


@pytest.mark.integration
async def test_the_same_key_with_another_request_is_refused(
    pool: asyncpg.Pool, keys_table: str
) -> None:
    await _first_use(pool, keys_table, _key("k-1", "body"), NOW, {"report_id": "r-1"})
    with pytest.raises(IdempotencyKeyReused):
        await _retry(pool, keys_table, _key("k-1", "another body"), NOW + timedelta(hours=1))


@pytest.mark.integration
async def test_an_expired_key_is_a_new_request_whatever_it_carries(
    pool: asyncpg.Pool, keys_table: str
) -> None:
    await _first_use(pool, keys_table, _key("k-1", "body"), NOW, {"report_id": "r-1"})
    later = NOW + WEEK
    # Claimed afresh: no answer replayed, and another body is no misuse any more.
    assert await _retry(pool, keys_table, _key("k-1", "another body"), later) is None
    row = await pool.fetchrow(f"SELECT created_at, response FROM {keys_table}.idempotency_keys")
    assert row is not None
    assert row["created_at"] == later


@pytest.mark.integration
async def test_saving_an_answer_deletes_expired_keys_in_bounded_batches(
    pool: asyncpg.Pool, keys_table: str
) -> None:
    for n in range(5):
        await _first_use(pool, keys_table, _key(f"old-{n}"), NOW + timedelta(minutes=n), {})
    await _first_use(pool, keys_table, _key("recent"), NOW + timedelta(days=3), {})
    later = NOW + WEEK + timedelta(minutes=2)  # old-0, old-1 and old-2 have expired
    async with pool.acquire() as conn, conn.transaction():
        idem = _key("new")
        await earlier_answer(conn, keys_table, idem, status_code=202, now=later, keep_for=WEEK)
        await save_response(conn, keys_table, idem, {}, now=later, keep_for=WEEK, sweep=2)
    assert await _stored_keys(pool, keys_table) == {"old-2", "old-3", "old-4", "recent", "new"}


@pytest.mark.integration
async def test_the_sweep_skips_a_key_being_claimed_again_without_waiting(
    pool: asyncpg.Pool, keys_table: str
) -> None:
    await _first_use(pool, keys_table, _key("old"), NOW, {})
    later = NOW + WEEK + timedelta(days=1)
    async with pool.acquire() as reclaiming, reclaiming.transaction():
        # Someone retries "old" after it expired and has not committed yet.
        await earlier_answer(
            reclaiming, keys_table, _key("old"), status_code=202, now=later, keep_for=WEEK
        )
        async with pool.acquire() as conn, conn.transaction():
            idem = _key("new")
            await earlier_answer(conn, keys_table, idem, status_code=202, now=later, keep_for=WEEK)
            await asyncio.wait_for(
                save_response(conn, keys_table, idem, {}, now=later, keep_for=WEEK), timeout=5
            )
    assert await _stored_keys(pool, keys_table) == {"old", "new"}


@pytest.mark.integration
async def test_concurrent_first_uses_of_one_key_make_one_claim(
    pool: asyncpg.Pool, keys_table: str
) -> None:
    idem = _key("double-click")

    async def use() -> object:
        async with pool.acquire() as conn, conn.transaction():
            earlier = await earlier_answer(
                conn, keys_table, idem, status_code=202, now=NOW, keep_for=WEEK
            )
            if earlier is not None:
                return earlier
            await asyncio.sleep(0.05)
            await save_response(
                conn, keys_table, idem, {"report_id": "only"}, now=NOW, keep_for=WEEK
            )
            return None

    answers = await asyncio.gather(*(use() for _ in range(5)))
    assert answers.count(None) == 1
    assert [a for a in answers if a is not None] == [{"report_id": "only"}] * 4
