"""The key store as the cases service uses it: destroying a case's keys when it is erased.

`CaseKeys` builds the `KeyStore` (`hearth.eventstore.personal_data`) on the service's
pool the first time an erasure needs it, with the master keys from `HEARTH_MASTER_KEYS`
(or `HEARTH_MASTER_KEYS_FILE`) and the key store's schema from
`HEARTH_CASES_KEY_STORE_SCHEMA`, and makes sure its table exists (idempotent). Destroying
runs in the caller's transaction, so the keys go with the `CaseErased` event and the read
model's update, or not at all. Without master keys, an erasure is refused with a message
naming the setting, and nothing is written.
"""

from __future__ import annotations

import asyncio
from uuid import UUID

import asyncpg

from hearth.eventstore.db import Conn
from hearth.eventstore.personal_data import KeyStore, load_master_keys


class CaseKeys:
    """One per running service (kept in its context): the key store, made when first used."""

    def __init__(self, schema: str) -> None:
        self.schema = schema
        self._stores: dict[int, KeyStore] = {}
        self._lock = asyncio.Lock()

    async def store(self, pool: asyncpg.Pool) -> KeyStore:
        """The key store on `pool`, its table created if it has none yet."""
        key = id(pool)
        found = self._stores.get(key)
        if found is not None:
            return found
        async with self._lock:
            found = self._stores.get(key)
            if found is None:
                found = KeyStore(pool, load_master_keys(), schema=self.schema)
                await found.migrate()
                self._stores[key] = found
        return found

    async def destroy_case(
        self, pool: asyncpg.Pool, conn: Conn, case_id: UUID, *, reason: str
    ) -> int:
        """Destroy the case's key and every person's key on it, in `conn`'s transaction."""
        store = await self.store(pool)
        return await store.destroy_case(case_id, reason=reason, conn=conn)
