"""The key store: subjects' data keys on PostgreSQL, wrapped by a master key.

One table (`data_keys`, migrations in `personal_data/migrations/`) in a schema of its own,
`hearth_keys` by default, apart from every service's events: only roles granted access
(`grant_access`) can read it, and only the services that need plaintext get that grant.
A row holds ids (key, case, person), the wrapped key and the id of the master key that
wrapped it: never personal data, never a key in the clear.

- `keys_for(subjects)`: get or create the subjects' keys. Concurrency-safe (two callers
  creating one subject's key at once both get the same key: the unique subject and
  `ON CONFLICT DO NOTHING`), and it refuses subjects whose key was destroyed.
- `load(key_ids)`: the live keys among these ids, in one query, to decrypt events.
- `destroy_case` / `destroy_person`: erasure. The wrapped bytes are nulled and the row is
  kept as the record (when, why); a trigger keeps it destroyed. A destroyed case key
  stands for the whole case: no key of any person on it is made again.
- `rewrap()`: rotation. Every live key wrapped by an older master key is re-wrapped by
  the current one, in batches; events are never touched. `master_keys_in_use()` tells
  when an old master key may be retired.

No key is cached here: a destroyed key is gone for the next `load`. (PostgreSQL keeps the
old row version until VACUUM, and backups keep it until they expire; both hold the key
only wrapped, so retiring the master key that wrapped it after a rotation finishes it.)
"""

from __future__ import annotations

import functools
import re
import secrets
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final
from uuid import UUID

import asyncpg
import structlog

from hearth.contracts.events.base import has_control_character
from hearth.eventstore.db import Conn, check_schema_name, migrate, migration_files
from hearth.eventstore.personal_data.errors import PersonalDataError, SubjectErased
from hearth.eventstore.personal_data.keys import (
    DataKey,
    MasterKeys,
    Subject,
    new_data_key,
    unwrap,
    wrap,
)

log = structlog.get_logger(__name__)

DEFAULT_SCHEMA: Final = "hearth_keys"
KEY_STORE_MIGRATIONS: Final = Path(__file__).parent / "migrations"
MAX_REASON_LENGTH: Final = 200
DEFAULT_REWRAP_BATCH: Final = 500

_ROLE_NAME: Final = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _check_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason or len(reason) > MAX_REASON_LENGTH or has_control_character(reason):
        raise PersonalDataError(
            f"reason: give why the key is destroyed in 1-{MAX_REASON_LENGTH} characters on one "
            "line (a reference or a rule, never personal data)"
        )
    return reason


class KeyStore:
    """Data keys per subject, on PostgreSQL in their own schema (see the module's doc).

    Methods taking `conn` run on it when given (so key creation shares the caller's
    transaction: `keys_for` directly, the others inside a savepoint), else on a pooled
    connection in a transaction of their own.
    """

    def __init__(
        self, pool: asyncpg.Pool, master_keys: MasterKeys, *, schema: str = DEFAULT_SCHEMA
    ) -> None:
        self._pool = pool
        self._masters = master_keys
        self._schema = check_schema_name(schema)
        self._table = f"{self._schema}.data_keys"
        table = self._table
        # `prefetch`'s SQL (placeholders {p0}... for KeyPrefetch.sql): the case's key rows;
        # and, for a new stream, the keys it makes for a case new to the key store.
        self._read_ctes = f"""key_rows AS (
                SELECT key_id, person_id, wrapped_key, master_key_id
                FROM {table} WHERE case_id = {{p0}})"""
        # The case's key first: the persons' keys only when it was made here (a case new to
        # the key store has no key of anyone yet). Otherwise nothing is read or locked
        # here: `keys_from_prefetch` goes on as `keys_for` does (an existing case, or one
        # whose key was destroyed, is rare for a new stream: a second service's first
        # event about the case).
        case_made = f"""key_case_made AS (
                INSERT INTO {table} (key_id, case_id, person_id, wrapped_key, master_key_id)
                VALUES ({{p1}}, {{p0}}, NULL, {{p2}}, {{p3}})
                ON CONFLICT DO NOTHING
                RETURNING key_id, person_id, wrapped_key, master_key_id)"""
        self._make_case_ctes = f"""{case_made},
            key_rows AS (SELECT * FROM key_case_made)"""
        self._make_ctes = f"""{case_made},
            key_persons_made AS (
                INSERT INTO {table} (key_id, case_id, person_id, wrapped_key, master_key_id)
                SELECT k, {{p0}}, p, w, {{p3}}
                FROM unnest({{p4}}::text[], {{p5}}::uuid[], {{p6}}::bytea[])
                     WITH ORDINALITY AS s(k, p, w, n)
                WHERE EXISTS (SELECT 1 FROM key_case_made)
                ORDER BY n
                ON CONFLICT DO NOTHING
                RETURNING key_id, person_id, wrapped_key, master_key_id),
            key_rows AS (
                SELECT * FROM key_case_made UNION ALL SELECT * FROM key_persons_made)"""

    @property
    def schema(self) -> str:
        return self._schema

    async def migrate(self) -> list[str]:
        """Create or update the key store's schema (idempotent, safe at every start-up).

        When every migration is applied already it only reads which are (so a service
        role granted access, not owning the schema, starts without DDL rights); else it
        applies the missing ones, which needs the schema's owner (in production a
        key-store job runs first: deploy/k8s/README.md)."""
        names = {name for name, _ in migration_files([KEY_STORE_MIGRATIONS])}
        async with self._pool.acquire() as conn:
            table = await conn.fetchval(
                "SELECT to_regclass($1)::text", f"{self._schema}.schema_migrations"
            )
            if table is not None:
                try:
                    done = {r["name"] for r in await conn.fetch(f"SELECT name FROM {table}")}
                except asyncpg.InsufficientPrivilegeError:
                    done = set()
                if names <= done:
                    return []
        return await migrate(
            self._pool, self._schema, [KEY_STORE_MIGRATIONS], eventstore_tables=False
        )

    @asynccontextmanager
    async def _transaction(self, conn: Conn | None) -> AsyncIterator[Conn]:
        if conn is not None:
            async with conn.transaction():
                yield conn
            return
        async with self._pool.acquire() as pooled, pooled.transaction():
            yield pooled

    # --- get or create -------------------------------------------------------------

    async def keys_for(
        self, subjects: Iterable[Subject], *, conn: Conn | None = None
    ) -> dict[Subject, DataKey]:
        """Each subject's data key, created (wrapped by the current master key) where it has
        none yet. Every case involved gets its case key too. `SubjectErased` if a subject's
        key, or its case's key, was destroyed: nothing new is stored about them.

        With `conn` it runs in the caller's transaction (no savepoint of its own: what it
        writes is committed or rolled back with the caller's work). When every key exists
        it is one query."""
        wanted = sorted(set(subjects), key=Subject.sort_key)
        if not wanted:
            return {}
        cases = sorted({s.case_id for s in wanted}, key=str)
        if conn is not None:
            return await self._get_or_make(conn, wanted, cases, None)
        async with self._transaction(None) as c:
            return await self._get_or_make(c, wanted, cases, None)

    async def _get_or_make(
        self,
        c: Conn,
        wanted: list[Subject],
        cases: list[UUID],
        rows: dict[Subject, Any] | None,
        fresh: dict[str, DataKey] | None = None,
    ) -> dict[Subject, DataKey]:
        """The wanted subjects' keys: from `rows` (the cases' key rows, read if None),
        making the missing ones. `fresh`: keys this transaction made, by id, which need no
        unwrapping (the ones made here are added to it)."""
        fresh = {} if fresh is None else fresh
        if rows is None:
            rows = await self._rows_of_cases(c, cases)
        # In subject order, as every caller makes keys (so two never wait on each other).
        missing = sorted((s for s in wanted if s not in rows), key=Subject.sort_key)
        missing_cases = [Subject(case) for case in cases if Subject(case) not in rows]
        if missing or missing_cases:
            made = await self._insert(c, missing_cases, fresh)
            rows.update(made)
            # Lock the case keys this call did not make itself (shared) so a concurrent
            # destroy_case waits for this transaction, or is seen here if it committed
            # first. (Every such case row is locked, live or not: a row the WHERE left
            # out would not be locked.) A case key made just now is locked by its insert.
            others = [case for case in cases if Subject(case) not in made]
            if others:
                case_rows = await c.fetch(
                    f"""SELECT key_id, case_id, person_id, wrapped_key, master_key_id,
                               destroyed_at
                        FROM {self._table}
                        WHERE case_id = ANY($1::uuid[]) AND person_id IS NULL
                        ORDER BY case_id FOR SHARE""",
                    others,
                )
                for case_row in case_rows:
                    if case_row["destroyed_at"] is not None:
                        raise SubjectErased(
                            f"case {case_row['case_id']} was erased (its key is destroyed): "
                            "no new personal data is stored about anyone on it"
                        )
                    rows[Subject(case_row["case_id"])] = case_row
            persons = [s for s in missing if s.person_id is not None]
            rows.update(await self._insert(c, persons, fresh))
            if not _has_all(rows, wanted, cases):  # made by a concurrent caller, or earlier
                rows = await self._rows_of_cases(c, cases)
        return self._live_keys(wanted, rows, fresh)

    def _live_keys(
        self, wanted: list[Subject], rows: dict[Subject, Any], fresh: dict[str, DataKey]
    ) -> dict[Subject, DataKey]:
        """The wanted subjects' keys unwrapped (or, made by this transaction, as made:
        `fresh`); `SubjectErased` for a destroyed one."""
        keys: dict[Subject, DataKey] = {}
        for subject in wanted:
            row = rows.get(subject)
            if row is None:  # pragma: no cover - inserted above, in this transaction
                raise PersonalDataError(f"the data key of {subject} was not created")
            case_key = rows.get(Subject(subject.case_id))
            if case_key is not None and case_key["wrapped_key"] is None:
                raise SubjectErased(
                    f"case {subject.case_id} was erased (its key is destroyed): "
                    "no new personal data is stored about anyone on it"
                )
            if row["wrapped_key"] is None:
                raise SubjectErased(
                    f"the key of {subject} is destroyed: no new personal data is stored about them"
                )
            made = fresh.get(row["key_id"])
            if made is not None and made.subject == subject:
                # Its row is the one this transaction wrote (a random 128-bit id), so it
                # holds exactly this key, wrapped: unwrapping it again would only give it back.
                keys[subject] = made
            else:
                keys[subject] = self._unwrap(row)
        return keys

    async def _rows_of_cases(self, conn: Conn, cases: list[UUID]) -> dict[Subject, Any]:
        rows = await conn.fetch(
            f"""SELECT key_id, case_id, person_id, wrapped_key, master_key_id
                FROM {self._table} WHERE case_id = ANY($1::uuid[])""",
            cases,
        )
        return {Subject(r["case_id"], r["person_id"]): r for r in rows}

    async def _insert(
        self, conn: Conn, subjects: list[Subject], made_keys: dict[str, DataKey]
    ) -> dict[Subject, Any]:
        """Make keys for `subjects`; the rows this call made (not those a concurrent
        caller made first). The keys are added to `made_keys` by id."""
        if not subjects:
            return {}
        current = self._masters.current
        fresh = [new_data_key(subject) for subject in subjects]
        made_keys.update((key.key_id, key) for key in fresh)
        made = await conn.fetch(
            f"""INSERT INTO {self._table} (key_id, case_id, person_id, wrapped_key, master_key_id)
                SELECT k, c, p, w, $5
                FROM unnest($1::text[], $2::uuid[], $3::uuid[], $4::bytea[])
                     WITH ORDINALITY AS s(k, c, p, w, n)
                ORDER BY n
                ON CONFLICT DO NOTHING
                RETURNING key_id, case_id, person_id, wrapped_key, master_key_id""",
            [key.key_id for key in fresh],
            [key.subject.case_id for key in fresh],
            [key.subject.person_id for key in fresh],
            [wrap(current, key) for key in fresh],
            current.key_id,
        )
        return {Subject(r["case_id"], r["person_id"]): r for r in made}

    def _unwrap(self, row: Any) -> DataKey:
        subject = Subject(row["case_id"], row["person_id"])
        master = self._masters.get(row["master_key_id"])
        return unwrap(master, bytes(row["wrapped_key"]), key_id=row["key_id"], subject=subject)

    # --- in the append's first statement ------------------------------------------------

    def prefetch(self, case_id: UUID, subjects: Iterable[Subject], *, make: bool) -> KeyPrefetch:
        """SQL for the append's first statement (`EventStore`), so getting the keys costs no
        round trip of its own: `KeyPrefetch.sql` (top-level `WITH` items), `columns` and
        `join` give the case's key rows. With `make` (the stream is new, so its case most
        likely is too) it instead makes the keys of a case new to the key store: the case's
        key, and the persons' keys only if the case's was made (so nothing is made for a
        case whose key exists, or was destroyed). `keys_from_prefetch` turns the columns
        into keys, going on as `keys_for` does when the case was not new."""
        wanted = {s for s in subjects if s.case_id == case_id}
        if len(wanted) != len(set(subjects)):
            raise PersonalDataError("one append's subjects are all on its case")
        if not make:
            return KeyPrefetch(self._read_ctes, [case_id])
        current = self._masters.current
        case_key = new_data_key(Subject(case_id))
        persons = [
            new_data_key(subject)
            for subject in sorted(wanted, key=Subject.sort_key)  # the order keys are made in
            if subject.person_id is not None
        ]
        args: list[Any] = [case_id, case_key.key_id, wrap(current, case_key), current.key_id]
        if persons:
            args += [
                [key.key_id for key in persons],
                [key.subject.person_id for key in persons],
                [wrap(current, key) for key in persons],
            ]
        made = {key.key_id: key for key in (case_key, *persons)}
        return KeyPrefetch(self._make_ctes if persons else self._make_case_ctes, args, made)

    async def keys_from_prefetch(
        self,
        case_id: UUID,
        subjects: Iterable[Subject],
        row: Any,
        *,
        conn: Conn,
        prefetch: KeyPrefetch | None = None,
    ) -> dict[Subject, DataKey]:
        """The subjects' keys from the columns `prefetch` added to the append's first
        statement (`row`). When it made every key it was to make, they are those keys;
        otherwise (a case not new, a person new to the case, a key another transaction was
        making at that moment) it goes on as `keys_for` does, in the same transaction.
        `SubjectErased` for a destroyed key, as there. `prefetch` is what made the
        statement."""
        wanted = list(set(subjects))  # `_get_or_make` orders the ones it must make
        made = prefetch.made if prefetch is not None else {}
        if made:
            if prefetch is not None and self.made_all(row, prefetch):
                by_subject = {key.subject: key for key in made.values()}
                return {subject: by_subject[subject] for subject in wanted}
            # Not a new case: read its keys afresh (the rows made here, if any, among them).
            return await self._get_or_make(conn, wanted, [case_id], None, dict(made))
        rows: dict[Subject, Any] = {}
        for key_id, person_id, wrapped, master in zip(
            row["key_ids"] or (),
            row["key_person_ids"] or (),
            row["key_wrapped"] or (),
            row["key_masters"] or (),
            strict=True,
        ):
            rows[Subject(case_id, person_id)] = {
                "key_id": key_id,
                "case_id": case_id,
                "person_id": person_id,
                "wrapped_key": wrapped,
                "master_key_id": master,
            }
        if _has_all(rows, wanted, [case_id]):  # an existing stream's usual case: no query
            return self._live_keys(wanted, rows, {})
        return await self._get_or_make(conn, wanted, [case_id], rows, {})

    @staticmethod
    def made_all(row: Any, prefetch: KeyPrefetch) -> bool:
        """Whether the statement `prefetch` was part of (its `row`) made every key it was to
        make: the subjects' keys are then `prefetch.made`."""
        return bool(prefetch.made) and row["keys_made"] == len(prefetch.made)

    # --- reading ---------------------------------------------------------------------

    async def load(self, key_ids: Iterable[str], *, conn: Conn | None = None) -> dict[str, DataKey]:
        """The live keys among `key_ids`, by id, in one query. A destroyed or unknown id is
        simply absent (its values open as `REDACTED`)."""
        ids = sorted(set(key_ids))
        if not ids:
            return {}
        sql = f"""SELECT key_id, case_id, person_id, wrapped_key, master_key_id
                  FROM {self._table} WHERE key_id = ANY($1::text[]) AND wrapped_key IS NOT NULL"""
        if conn is not None:
            rows = await conn.fetch(sql, ids)
        else:
            async with self._pool.acquire() as pooled:
                rows = await pooled.fetch(sql, ids)
        return {row["key_id"]: self._unwrap(row) for row in rows}

    # --- erasure ---------------------------------------------------------------------

    async def destroy_case(self, case_id: UUID, *, reason: str, conn: Conn | None = None) -> int:
        """Destroy the case's key and the key of every person on it, for `reason` (a rule or
        a reference, never personal data). Also when the case has no key yet: the case is
        then marked erased, so no key is ever made for it. Returns how many live keys were
        destroyed."""
        reason = _check_reason(reason)
        async with self._transaction(conn) as c:
            # The case key first: its row lock makes a concurrent keys_for on this case
            # finish (or wait) before the persons' keys are destroyed.
            case_destroyed = await self._destroy_row(c, Subject(case_id), reason)
            persons = await c.fetch(
                f"""UPDATE {self._table}
                    SET wrapped_key = NULL, master_key_id = NULL,
                        destroyed_at = now(), destroyed_reason = $2
                    WHERE case_id = $1 AND person_id IS NOT NULL AND destroyed_at IS NULL
                    RETURNING key_id""",
                case_id,
                reason,
            )
        destroyed = int(case_destroyed) + len(persons)
        log.info("data keys destroyed", case_id=str(case_id), keys=destroyed)
        return destroyed

    async def destroy_person(
        self, case_id: UUID, person_id: UUID, *, reason: str, conn: Conn | None = None
    ) -> int:
        """Destroy one person's key on a case (their fields only: the others' stay readable),
        for `reason`. Also when they have no key yet, so none is made later. Returns 1 when
        a live key was destroyed, else 0."""
        reason = _check_reason(reason)
        async with self._transaction(conn) as c:
            destroyed = int(await self._destroy_row(c, Subject(case_id, person_id), reason))
        log.info(
            "data keys destroyed", case_id=str(case_id), person_id=str(person_id), keys=destroyed
        )
        return destroyed

    async def _destroy_row(self, conn: Conn, subject: Subject, reason: str) -> bool:
        row = await conn.fetchrow(
            f"""INSERT INTO {self._table} AS k
                    (key_id, case_id, person_id, wrapped_key, master_key_id,
                     destroyed_at, destroyed_reason)
                VALUES ($1, $2, $3, NULL, NULL, now(), $4)
                ON CONFLICT (case_id, person_id) DO UPDATE
                    SET wrapped_key = NULL, master_key_id = NULL,
                        destroyed_at = now(), destroyed_reason = EXCLUDED.destroyed_reason
                    WHERE k.destroyed_at IS NULL
                RETURNING (xmax <> 0) AS was_live""",
            secrets.token_hex(16),
            subject.case_id,
            subject.person_id,
            reason,
        )
        return bool(row is not None and row["was_live"])

    # --- rotation --------------------------------------------------------------------

    async def rewrap(self, *, batch_size: int = DEFAULT_REWRAP_BATCH) -> int:
        """Re-wrap every live key not wrapped by the current master key, `batch_size` per
        transaction; events are not touched. Needs the old master keys loaded until it has
        finished (`MasterKeyMissing` otherwise, with nothing of that batch changed). Keys a
        process still running with an older current key creates meanwhile are caught by
        running it again (as are keys made meanwhile below the batch reached). Returns how
        many keys were re-wrapped."""
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        current = self._masters.current
        total = 0
        after = ""  # key ids are walked in order, so each batch starts where the last ended
        while True:
            async with self._pool.acquire() as conn, conn.transaction():
                rows = await conn.fetch(
                    f"""SELECT key_id, case_id, person_id, wrapped_key, master_key_id
                        FROM {self._table}
                        WHERE key_id > $3 AND wrapped_key IS NOT NULL AND master_key_id <> $1
                        ORDER BY key_id LIMIT $2 FOR UPDATE""",
                    current.key_id,
                    batch_size,
                    after,
                )
                if not rows:
                    log.info("data keys re-wrapped", keys=total, master_key_id=current.key_id)
                    return total
                after = rows[-1]["key_id"]
                await conn.executemany(
                    f"""UPDATE {self._table} SET wrapped_key = $2, master_key_id = $3
                        WHERE key_id = $1 AND wrapped_key IS NOT NULL""",
                    [(r["key_id"], wrap(current, self._unwrap(r)), current.key_id) for r in rows],
                )
                total += len(rows)

    async def master_keys_in_use(self) -> dict[str, int]:
        """How many live keys each master key wraps: an old one may be retired at zero."""
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(
                f"""SELECT master_key_id, count(*) AS keys FROM {self._table}
                    WHERE wrapped_key IS NOT NULL GROUP BY master_key_id"""
            )
        return {r["master_key_id"]: r["keys"] for r in rows}

    # --- access ----------------------------------------------------------------------

    async def grant_access(self, role: str, *, write: bool = False) -> None:
        """Let `role` read the key store (a service that decrypts events), and with `write`
        also create and destroy keys (a service that encrypts, or runs erasure). Grant it
        only to the roles of services that need plaintext: every other role (reporting's,
        an analyst's) sees the events' ciphertext and cannot read a key."""
        quoted = _role(role)
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute(f"GRANT USAGE ON SCHEMA {self._schema} TO {quoted}")
            privileges = "SELECT, INSERT, UPDATE" if write else "SELECT"
            await conn.execute(f"GRANT {privileges} ON {self._table} TO {quoted}")
            # To see at start-up that the schema is migrated (`migrate`), without DDL.
            await conn.execute(f"GRANT SELECT ON {self._schema}.schema_migrations TO {quoted}")

    async def revoke_access(self, role: str) -> None:
        """Take back what `grant_access` gave `role`."""
        quoted = _role(role)
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute(f"REVOKE ALL ON {self._table} FROM {quoted}")
            await conn.execute(f"REVOKE ALL ON {self._schema}.schema_migrations FROM {quoted}")
            await conn.execute(f"REVOKE ALL ON SCHEMA {self._schema} FROM {quoted}")


_READ_COLUMNS: Final = "k.key_ids, k.key_person_ids, k.key_wrapped, k.key_masters"
_READ_JOIN: Final = """CROSS JOIN (
        SELECT array_agg(key_id) AS key_ids, array_agg(person_id) AS key_person_ids,
               array_agg(wrapped_key) AS key_wrapped, array_agg(master_key_id) AS key_masters
        FROM key_rows) AS k"""
_MADE_COLUMNS: Final = "k.keys_made"
_MADE_JOIN: Final = "CROSS JOIN (SELECT count(*) AS keys_made FROM key_rows) AS k"


@dataclass(frozen=True, slots=True)
class KeyPrefetch:
    """Key-store SQL to run inside another statement (see `KeyStore.prefetch`).

    `ctes` are `WITH` items defining `key_rows`, with placeholders `{p0}`, `{p1}`, ... for
    `args`; `sql(first)` numbers them from `$first`. `columns` and `join` add to the
    statement's single row the case's key rows, as arrays (reading), or how many keys
    were made (`made`: the keys the statement makes, by id, if no other transaction made
    their subjects' first)."""

    ctes: str
    args: list[Any]
    made: dict[str, DataKey] = field(default_factory=dict, repr=False)

    @property
    def columns(self) -> str:
        return _MADE_COLUMNS if self.made else _READ_COLUMNS

    @property
    def join(self) -> str:
        return _MADE_JOIN if self.made else _READ_JOIN

    def sql(self, first: int) -> str:
        return _numbered(self.ctes, len(self.args), first)


@functools.lru_cache(maxsize=64)
def _numbered(ctes: str, count: int, first: int) -> str:
    return ctes.format(**{f"p{i}": f"${first + i}" for i in range(count)})


def _has_all(rows: dict[Subject, Any], wanted: list[Subject], cases: list[UUID]) -> bool:
    """Every wanted subject's row and every case's key row are among `rows`."""
    return all(s in rows for s in wanted) and all(Subject(case) in rows for case in cases)


def _role(role: str) -> str:
    if not _ROLE_NAME.fullmatch(role):
        raise ValueError(f"invalid role name {role!r}: use lowercase letters, digits, _")
    return f'"{role}"'
