"""Reading what is on a topic, for tests that check what really reached Kafka."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection

from aiokafka import AIOKafkaConsumer, ConsumerRecord

from hearth.eventstore.kafka import ISOLATION, admin_client, partitions_of, read_committed


async def read_topic(
    bootstrap_servers: str,
    topic: str,
    *,
    expect: int,
    match: Callable[[ConsumerRecord], bool] | None = None,
    timeout: float = 30,
) -> list[ConsumerRecord]:
    """The topic's records (those that `match`), from offset 0, once `expect` arrived.

    Having found `expect` (or at `timeout`), it reads on to each partition's end as it
    is then, so a duplicate would be seen too. Partition by partition, in offset order.
    """
    keep = match or (lambda _: True)
    tps = await partitions_of(bootstrap_servers, topic)
    # Assigned without a group, the reader starts where `auto_offset_reset` says: the
    # first offset. (With the default, "latest", that reset could win over a
    # `seek_to_beginning` and the reader found nothing; with both, the seek could land
    # after the first fetch and hand the same records over twice.)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        enable_auto_commit=False,
        isolation_level=ISOLATION,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    records: list[ConsumerRecord] = []
    try:
        consumer.assign(tps)
        deadline = time.monotonic() + timeout
        while len(records) < expect and time.monotonic() < deadline:
            for batch in (await consumer.getmany(timeout_ms=200)).values():
                records.extend(r for r in batch if keep(r))
        ends = await consumer.end_offsets(tps)
        while behind := [tp for tp in tps if await consumer.position(tp) < ends[tp]]:
            if time.monotonic() > deadline + timeout:
                break
            for batch in (await consumer.getmany(*behind, timeout_ms=200)).values():
                records.extend(r for r in batch if keep(r))
    finally:
        await consumer.stop()
    return _in_order(records)


def _in_order(records: list[ConsumerRecord]) -> list[ConsumerRecord]:
    """Partition by partition in offset order, each offset once: a duplicate the topic
    really holds is a record of its own (another offset) and stays."""
    unique = {(r.partition, r.offset): r for r in records}
    return [unique[key] for key in sorted(unique)]


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
