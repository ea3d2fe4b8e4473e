"""Opening events read raw from Kafka or the events table, as a service with key access
would: for tests that check what really reached the topic, then its plaintext.

Events are stored and published with their personal values encrypted, so a test that
reads a record itself sees ciphertext; these helpers decrypt with the key store (in
`hearth_keys`, master keys from the environment or the development key, as the
services run in tests).
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg
from aiokafka import ConsumerRecord

from hearth.contracts.envelope import Envelope
from hearth.eventstore.db import create_pool
from hearth.eventstore.personal_data.cipher import EventCipher
from hearth.eventstore.personal_data.key_store import KeyStore
from hearth.eventstore.personal_data.keys import master_keys_or_development


async def open_envelopes(
    database: str | asyncpg.Pool, envelopes: Sequence[Envelope]
) -> list[Envelope]:
    """The envelopes with their personal values decrypted (REDACTED where erased).
    `database` is a pool, or a URL for a short-lived one."""
    if isinstance(database, asyncpg.Pool):
        cipher = EventCipher(KeyStore(database, master_keys_or_development()))
        return await cipher.open_envelopes(envelopes)
    pool = await create_pool(database, min_size=1, max_size=2)
    try:
        return await open_envelopes(pool, envelopes)
    finally:
        await pool.close()


async def open_records(
    database: str | asyncpg.Pool, records: Sequence[ConsumerRecord]
) -> list[Envelope]:
    """Kafka records as envelopes, their hashes checked, then opened (`open_envelopes`)."""
    envelopes = [Envelope.from_kafka(r.key, r.value, list(r.headers)) for r in records]
    for envelope in envelopes:
        if not envelope.hash_is_valid():
            raise AssertionError(f"event {envelope.event_id} does not match its hash")
    return await open_envelopes(database, envelopes)
