"""PostgreSQL connections and SQL migrations, applied at start-up, idempotently."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import asyncpg
import structlog

if TYPE_CHECKING:
    from asyncpg.pool import PoolConnectionProxy

    Conn = asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]
    """A connection, dedicated or borrowed from a pool."""
else:
    Conn = Any

log = structlog.get_logger(__name__)

EVENTSTORE_MIGRATIONS = Path(__file__).parent / "migrations"
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def check_schema_name(schema: str) -> str:
    """Schema names are spliced into SQL, so only plain lowercase identifiers pass."""
    if not _SCHEMA_NAME.fullmatch(schema):
        raise ValueError(f"invalid schema name {schema!r}: use lowercase letters, digits, _")
    return schema


def advisory_key(*parts: str) -> int:
    """A stable signed 64-bit advisory lock key for a name."""
    digest = hashlib.sha256("/".join(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


async def _init_connection(conn: Conn) -> None:
    for type_name in ("jsonb", "json"):
        await conn.set_type_codec(
            type_name, encoder=json.dumps, decoder=json.loads, schema="pg_catalog"
        )


async def connect(dsn: str, **kwargs: Any) -> asyncpg.Connection:
    """A dedicated connection (for LISTEN and session locks), with JSON codecs and keepalives."""
    conn: asyncpg.Connection = await asyncpg.connect(
        dsn,
        server_settings={
            "tcp_keepalives_idle": "10",
            "tcp_keepalives_interval": "5",
            "tcp_keepalives_count": "3",
        },
        **kwargs,
    )
    await _init_connection(conn)
    return conn


class PooledConnection(asyncpg.Connection):
    """A pooled connection: handed back without a reset statement.

    asyncpg's default sends `SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET
    ALL` each time a connection goes back to the pool: a round trip after every command
    (about a tenth of an append's time). Hearth keeps no session state on pooled
    connections: LISTEN and session advisory locks use a dedicated connection (`connect`),
    advisory locks on pooled ones are transaction locks, and nothing issues a session
    `SET`. asyncpg still ends an open transaction when a connection is released."""

    def get_reset_query(self) -> str:
        return ""


async def create_pool(dsn: str, *, min_size: int = 1, max_size: int = 10) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        init=_init_connection,
        connection_class=PooledConnection,
    )
    assert pool is not None
    return pool


def migration_files(directories: Iterable[Path]) -> list[tuple[str, Path]]:
    """The migrations in `directories`, in order, each named `<parent>/<file>`."""
    files: list[tuple[str, Path]] = []
    for directory in directories:
        for path in sorted(directory.glob("*.sql")):
            files.append((f"{directory.parent.name}/{path.name}", path))
    return files


async def migrate(
    pool: asyncpg.Pool,
    schema: str,
    directories: Iterable[Path] = (),
    *,
    eventstore_tables: bool = True,
) -> list[str]:
    """Apply the event store's migrations, then the service's own, each once, in order.

    Files may use `{schema}` for the service's schema. Runs under an advisory lock so
    two instances starting together do not race. Returns the names newly applied.
    `eventstore_tables=False` applies only `directories`: a schema that holds no events
    (the key store of `hearth.eventstore.personal_data`).
    """
    check_schema_name(schema)
    applied_now: list[str] = []
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", advisory_key("migrate", schema))
        await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        await conn.execute(
            f"""CREATE TABLE IF NOT EXISTS {schema}.schema_migrations (
                    name text PRIMARY KEY,
                    checksum text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now())"""
        )
        done = {
            r["name"]: r["checksum"]
            for r in await conn.fetch(f"SELECT name, checksum FROM {schema}.schema_migrations")
        }
        base = [EVENTSTORE_MIGRATIONS] if eventstore_tables else []
        for name, path in migration_files([*base, *directories]):
            sql = path.read_text().replace("{schema}", schema)
            checksum = hashlib.sha256(sql.encode()).hexdigest()
            if name in done:
                if done[name] != checksum:
                    log.warning("migration changed after it was applied", migration=name)
                continue
            await conn.execute(sql)
            await conn.execute(
                f"INSERT INTO {schema}.schema_migrations (name, checksum) VALUES ($1, $2)",
                name,
                checksum,
            )
            applied_now.append(name)
    if applied_now:
        log.info("migrations applied", schema=schema, migrations=applied_now)
    return applied_now
