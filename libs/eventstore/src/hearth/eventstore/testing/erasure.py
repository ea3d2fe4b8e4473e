"""Test helpers for personal data: where a string still lies, and a subject-access answer.

`tables_holding` searches every row of every table of a schema, as text and case
insensitively: after an erasure, no table but the event log (which keeps its ciphertext,
unreadable once the keys are gone) may hold a planted name or number.
"""

from __future__ import annotations

import io
import json
import tempfile
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import asyncpg

from hearth.eventstore.db import check_schema_name
from hearth.eventstore.runtime import OperatorCommand, Runtime


async def schema_tables(pool: asyncpg.Pool, schema: str) -> list[str]:
    """The base tables of `schema`."""
    rows = await pool.fetch(
        """SELECT table_name FROM information_schema.tables
           WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY table_name""",
        schema,
    )
    return [r["table_name"] for r in rows]


async def tables_holding(
    pool: asyncpg.Pool, schema: str, text: str, *, skip: tuple[str, ...] = ("events",)
) -> list[str]:
    """The tables of `schema` (but `skip`) with a row whose text holds `text`."""
    checked = check_schema_name(schema)
    tables = [t for t in await schema_tables(pool, checked) if t not in skip]
    assert tables, f"schema {checked} has tables to search"
    found = []
    for table in tables:
        hits = await pool.fetchval(
            f'SELECT count(*) FROM {checked}."{table}" t WHERE t::text ILIKE $1', f"%{text}%"
        )
        if hits:
            found.append(table)
    return found


async def subject_access(
    command: OperatorCommand, runtime: Runtime[Any], case_id: Any, person_id: Any
) -> tuple[dict[str, Any], str]:
    """What `python -m hearth.<service> subject-access <case> <person> <out>` writes: the
    answer parsed, and its JSON text. Stdout carries ids only, never the answer."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "answer.json"
        out = io.StringIO()
        with redirect_stdout(out):
            code = await command.run(
                runtime, {"case_id": str(case_id), "person_id": str(person_id), "out": str(path)}
            )
        assert code == 0
        assert path.stat().st_mode & 0o777 == 0o600
        text = path.read_text()
    answer = json.loads(text)
    assert json.dumps(answer, indent=2, ensure_ascii=False) not in out.getvalue()
    return answer, text
