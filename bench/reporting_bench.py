"""The figures for a period (what the manager's dashboard asks reporting for) with a long
history of closed cases present, against the same with none.

Two read models are seeded straight into PostgreSQL (reporting's own tables, by SQL):
both hold `--open` cases opened over the last year and still open, with a risk level
each; one also holds `--closed` cases opened and closed over the five years before the
current month (each with its closure and risk level), as a landlord's history does. The
figures for the current month (every report kind, read as `GET /figures` reads them:
`load_period_facts`, then `report`) are timed on each in turn, nine times a round (the
median counts), the order alternating; the raw baseline (asyncpg fetching one case row
by its key) is timed right beside them. Old closed cases count in no figure of a later
period, so the two must cost the same: the verdict is the median ratio of the rounds,
within 20% (`--tolerance`).

Run with `make bench` (servers from DATABASE_URL, defaulting to the local stack)."""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import asyncpg

from hearth.eventstore.db import create_pool, migrate
from hearth.reporting import read_model
from hearth.reporting.domain.figures import ReportKind, report
from hearth.reporting.domain.periods import parse_period
from hearth.reporting.settings import load_policy

DSN = os.environ.get("DATABASE_URL", "postgresql://hearth@127.0.0.1:15432/hearth")
MIGRATIONS = Path(read_model.__file__).parent / "migrations"


async def seed(pool: asyncpg.Pool, schema: str, *, open_cases: int, closed_cases: int) -> None:
    """Open cases over the last year; closed ones over the five years before this month."""
    await pool.execute(
        f"""INSERT INTO {schema}.case_facts (case_id, opened_at, reported_at, channel,
                reporter_kind, case_manager_id, risk_level, open, survivor_sex)
            SELECT gen_random_uuid(), t, t, 'phone', 'survivor', 'cso-000' || (n % 9),
                   (ARRAY['standard', 'medium', 'high'])[n % 3 + 1], true, 'female'
            FROM generate_series(1, $1) AS n,
                 LATERAL (SELECT date_trunc('month', now()) - n * interval '7 minutes'
                                 - (n % 365) * interval '1 day' AS t) AS at""",
        open_cases,
    )
    await pool.execute(
        f"""WITH made AS (
                INSERT INTO {schema}.case_facts (case_id, opened_at, reported_at, channel,
                    reporter_kind, case_manager_id, risk_level, open, closed_at,
                    closure_reason, survivor_sex)
                SELECT gen_random_uuid(), t, t, 'web_form', 'third_party',
                       'cso-000' || (n % 9), (ARRAY['standard', 'medium', 'high'])[n % 3 + 1],
                       false, t + interval '60 days', 'survivor_safe_support_in_place',
                       'female'
                FROM generate_series(1, $1) AS n,
                     LATERAL (SELECT date_trunc('month', now()) - interval '61 days'
                                     - (n % 1765) * interval '1 day'
                                     - n * interval '1 second' AS t) AS at
                RETURNING case_id, opened_at, closed_at, risk_level)
            , closed AS (
                INSERT INTO {schema}.closures (case_id, closed_at, reason)
                SELECT case_id, closed_at, 'survivor_safe_support_in_place' FROM made)
            INSERT INTO {schema}.risk_levels (case_id, at, level)
            SELECT case_id, opened_at + interval '1 day', risk_level FROM made""",
        closed_cases,
    )
    await pool.execute(
        f"""INSERT INTO {schema}.risk_levels (case_id, at, level)
            SELECT case_id, opened_at + interval '1 day', risk_level
            FROM {schema}.case_facts WHERE open"""
    )
    # As a history long kept would be: vacuumed and analysed (else autovacuum works on
    # the new rows of one side while the rounds run, and the machine has two cores).
    for table in ("case_facts", "closures", "risk_levels"):
        await pool.execute(f"VACUUM (ANALYZE) {schema}.{table}")


async def main(open_cases: int, closed_cases: int, rounds: int, tolerance: float) -> bool:
    pool = await create_pool(DSN, min_size=1, max_size=2)
    policy = load_policy()
    schemas = {size: f"bench_reporting_{size}_{uuid.uuid4().hex[:8]}" for size in ("few", "many")}
    try:
        for size, schema in schemas.items():
            await migrate(pool, schema, [MIGRATIONS])
            await seed(
                pool, schema, open_cases=open_cases, closed_cases=closed_cases * (size == "many")
            )
        probe = await pool.fetchval(f"SELECT case_id FROM {schemas['few']}.case_facts LIMIT 1")
        period = parse_period(datetime.now(UTC).strftime("%Y-%m"), policy.working_days.timezone)
        print(
            f"open cases: {open_cases} in both; closed cases: {closed_cases} in 'many'; "
            f"period {period.start:%Y-%m}; rounds: {rounds}"
        )

        async def figures(schema: str) -> float:
            started = time.perf_counter()
            now = datetime.now(UTC)
            async with (
                pool.acquire() as conn,
                conn.transaction(isolation="repeatable_read", readonly=True),
            ):
                facts = await read_model.load_period_facts(
                    conn, schema, period.start, min(period.end, now)
                )
            for kind in ReportKind:
                report(kind, facts, period, now, policy)
            return time.perf_counter() - started

        async def raw() -> float:
            started = time.perf_counter()
            await pool.fetchrow(
                f"SELECT * FROM {schemas['few']}.case_facts WHERE case_id = $1", probe
            )
            return time.perf_counter() - started

        for schema in schemas.values():  # warm both caches alike
            await figures(schema)
        ratios: list[float] = []
        for round_ in range(rounds):
            # Each size timed in turn, the order turning each time, so the machine's noise
            # (it comes and goes within seconds) falls on both alike; medians of nine.
            times: dict[str, list[float]] = {size: [] for size in schemas}
            for turn in range(9):
                for size, schema in list(schemas.items())[:: 1 if (round_ + turn) % 2 else -1]:
                    times[size].append(await figures(schema))
            spent = {size: statistics.median(spent) for size, spent in times.items()}
            base = statistics.median([await raw() for _ in range(20)])
            for size in schemas:
                print(
                    f"figures for the month, {size:4} closed cases: {spent[size] * 1000:8.1f} ms"
                    f"   (raw one-row fetch: {base * 1000:.2f} ms, "
                    f"{spent[size] / base:6.0f}x baseline)"
                )
            ratios.append(spent["many"] / spent["few"])
        median = statistics.median(ratios)
        ok = median <= 1 + tolerance
        each = ", ".join(f"{r:.2f}" for r in ratios)
        print(
            f"with {closed_cases} closed cases / without: {median:.2f} (rounds: {each}; "
            f"{'within' if ok else 'NOT within'} {tolerance:.0%})"
        )
        return ok
    finally:
        for schema in schemas.values():
            await pool.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        await pool.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--open", type=int, default=1_000)
    parser.add_argument("--closed", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--tolerance", type=float, default=0.2)
    args = parser.parse_args()
    asyncio.run(main(args.open, args.closed, args.rounds, args.tolerance))
