"""Reading what is on a topic, for tests that check what really reached Kafka."""

from __future__ import annotations

import asyncio
import time

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from hearth.eventstore.kafka import partitions_of


async def read_topic(
    bootstrap_servers: str, topic: str, *, expect: int, timeout: float = 30
) -> list[ConsumerRecord]:
    """Every record on the topic from offset 0, waiting until at least `expect` arrived.

    Records come partition by partition, each partition in offset order.
    """
    tps = await partitions_of(bootstrap_servers, topic)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False)
    await consumer.start()
    records: list[ConsumerRecord] = []
    try:
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        deadline = time.monotonic() + timeout
        while len(records) < expect and time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=200)
            for batch in batches.values():
                records.extend(batch)
        # Anything beyond `expect` (a duplicate, say) should be seen too.
        await asyncio.sleep(0.3)
        for batch in (await consumer.getmany(timeout_ms=300)).values():
            records.extend(batch)
    finally:
        await consumer.stop()
    records.sort(key=lambda r: (r.partition, r.offset))
    return records


async def read_to_end(
    bootstrap_servers: str, topic: str, *, timeout: float = 60
) -> list[ConsumerRecord]:
    """Every record on the topic now: from offset 0 up to each partition's end offset."""
    tps = await partitions_of(bootstrap_servers, topic)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False)
    await consumer.start()
    records: list[ConsumerRecord] = []
    try:
        consumer.assign(tps)
        ends = await consumer.end_offsets(tps)
        await consumer.seek_to_beginning(*tps)
        deadline = time.monotonic() + timeout

        async def behind() -> list[TopicPartition]:
            return [tp for tp in tps if await consumer.position(tp) < ends[tp]]

        while remaining := await behind():
            if time.monotonic() > deadline:
                raise TimeoutError(f"{topic}: {len(remaining)} partitions not read to the end")
            for tp, batch in (await consumer.getmany(*remaining, timeout_ms=500)).items():
                records.extend(r for r in batch if r.offset < ends[tp])
    finally:
        await consumer.stop()
    records.sort(key=lambda r: (r.partition, r.offset))
    return records
