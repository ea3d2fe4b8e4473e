"""Reading what is on a topic, for tests that check what really reached Kafka."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Collection

from aiokafka import ConsumerRecord

from hearth.eventstore.kafka import admin_client, read_committed


async def read_topic(
    bootstrap_servers: str,
    topic: str,
    *,
    expect: int,
    match: Callable[[ConsumerRecord], bool] | None = None,
    timeout: float = 30,
) -> list[ConsumerRecord]:
    """The topic's records (those that `match`), from offset 0, once `expect` arrived.

    Each look reads the topic to its end as it is then (`read_committed`), so a duplicate
    would be seen too; it looks again until `expect` are there or `timeout` has passed.
    Partition by partition, in offset order."""
    deadline = time.monotonic() + timeout
    while True:
        records = await read_committed(
            bootstrap_servers, topic, keep=match, timeout=max(1.0, deadline - time.monotonic())
        )
        if len(records) >= expect or time.monotonic() >= deadline:
            return records
        await asyncio.sleep(0.2)


async def read_to_end(
    bootstrap_servers: str, topic: str, *, timeout: float = 60
) -> list[ConsumerRecord]:
    """Every record on the topic now: from offset 0 up to each partition's end offset."""
    return await read_committed(bootstrap_servers, topic, timeout=timeout)


async def delete_topics_named(bootstrap_servers: str, prefixes: Collection[str]) -> int:
    """Delete every topic whose name starts with one of `prefixes`; how many went."""
    if not prefixes:
        return 0
    admin = await admin_client(bootstrap_servers, timeout=10)
    try:
        doomed = sorted(t for t in await admin.list_topics() if t.startswith(tuple(prefixes)))
        for start in range(0, len(doomed), 100):
            await admin.delete_topics(doomed[start : start + 100], timeout_ms=30_000)
    finally:
        await admin.close()
    return len(doomed)
