"""`python -m hearth.eventstore.personal_data COMMAND`: the key store's own job.

Run by the role that owns the key store's schema (deploy/k8s/jobs/key-store.yaml), before
the services start and whenever a service's role changes: `migrate` creates or updates the
schema, `grant ROLE read|write` lets a service's role use it, `status` and `rewrap` are
rotation. Settings: `HEARTH_DATABASE_URL` (or `DATABASE_URL`), `HEARTH_KEY_STORE_SCHEMA`
(default `hearth_keys`), and the master keys (`HEARTH_MASTER_KEYS` or `_FILE`; only
`status` and `rewrap` use them).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence

from hearth.eventstore.db import create_pool
from hearth.eventstore.personal_data import admin
from hearth.eventstore.personal_data.errors import MasterKeyError
from hearth.eventstore.personal_data.key_store import DEFAULT_SCHEMA, KeyStore
from hearth.eventstore.personal_data.keys import (
    development_master_keys,
    load_master_keys,
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m hearth.eventstore.personal_data", description=__doc__
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("migrate", help="create or update the key store's schema (its owner)")
    sub.add_parser("status", help="which master keys wrap how many live keys")
    sub.add_parser("rewrap", help="re-wrap every live key with the current master key")
    grant = sub.add_parser("grant", help="let a role read (decrypt) or write (encrypt, erase)")
    grant.add_argument("role")
    grant.add_argument("access", choices=["read", "write"])
    revoke = sub.add_parser("revoke", help="take a role's access away")
    revoke.add_argument("role")
    return parser


async def _run(args: argparse.Namespace) -> int:
    url = os.environ.get("HEARTH_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if not url:
        print("set HEARTH_DATABASE_URL (the key store owner's login)", file=sys.stderr)
        return 2
    needs_masters = args.command in ("status", "rewrap")
    try:
        masters = load_master_keys() if needs_masters else development_master_keys()
    except MasterKeyError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    schema = os.environ.get("HEARTH_KEY_STORE_SCHEMA", DEFAULT_SCHEMA)
    pool = await create_pool(url, min_size=1, max_size=2)
    try:
        keys = KeyStore(pool, masters, schema=schema)
        if args.command == "migrate":
            applied = await keys.migrate()
            print(f"key store {keys.schema}: {len(applied)} migrations applied")
            return 0
        if args.command == "status":
            return await admin.status(keys, masters)
        if args.command == "rewrap":
            return await admin.rewrap(keys, masters)
        if args.command == "grant":
            return await admin.grant(keys, args.role, args.access)
        return await admin.revoke(keys, args.role)
    finally:
        await pool.close()


def main(argv: Sequence[str] | None = None) -> int:
    return asyncio.run(_run(_parser().parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
