"""A consumer's inbox (event ids already handled) and checkpoints, in the service's schema.

Both are written on the connection of the transaction that runs the handlers, so an
event's effects, its inbox row and the partition's next offset commit together or not
at all. The checkpoint is the truth about where a partition resumes.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import asyncpg
from aiokafka import ConsumerRecord

from hearth.contracts.envelope import Envelope
from hearth.eventstore.db import Conn, check_schema_name

Checkpoints = dict[tuple[str, int], int]
"""(topic, partition) -> the next offset to handle."""


class Inbox:
    """The inbox and checkpoints of one named consumer."""

    def __init__(self, pool: asyncpg.Pool, schema: str, consumer: str) -> None:
        self.pool = pool
        self.schema = check_schema_name(schema)
        self.consumer = consumer

    async def checkpoints(self, consumer: str | None = None) -> Checkpoints:
        """Where each partition resumes (for `consumer`, by default this inbox's own)."""
        rows = await self.pool.fetch(
            f"""SELECT topic, partition, next_offset FROM {self.schema}.consumer_offsets
                WHERE consumer = $1""",
            consumer or self.consumer,
        )
        return {(r["topic"], r["partition"]): r["next_offset"] for r in rows}

    async def save_checkpoint(
        self,
        conn: Conn,
        topic: str,
        partition: int,
        next_offset: int,
        consumer: str | None = None,
    ) -> None:
        await conn.execute(
            f"""INSERT INTO {self.schema}.consumer_offsets (consumer, topic, partition, next_offset)
                VALUES ($1, $2, $3, $4)
                ON CONFLICT (consumer, topic, partition)
                DO UPDATE SET next_offset = EXCLUDED.next_offset, updated_at = now()""",
            consumer or self.consumer,
            topic,
            partition,
            next_offset,
        )

    async def admit_all(
        self, conn: Conn, envelopes: Sequence[Envelope], records: Sequence[ConsumerRecord]
    ) -> set[uuid.UUID]:
        """Record a batch's event ids in one statement; returns the ids that were new."""
        rows = await conn.fetch(
            f"""INSERT INTO {self.schema}.inbox (consumer, event_id, topic, partition, "offset")
                SELECT $1, * FROM unnest($2::uuid[], $3::text[], $4::int[], $5::bigint[])
                ON CONFLICT DO NOTHING RETURNING event_id""",
            self.consumer,
            [e.event_id for e in envelopes],
            [r.topic for r in records],
            [r.partition for r in records],
            [r.offset for r in records],
        )
        return {row["event_id"] for row in rows}

    async def admit(self, conn: Conn, envelope: Envelope, record: ConsumerRecord) -> bool:
        """Record one event id; False when it was handled before."""
        first_time = await conn.fetchval(
            f"""INSERT INTO {self.schema}.inbox (consumer, event_id, topic, partition, "offset")
                VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING true""",
            self.consumer,
            envelope.event_id,
            record.topic,
            record.partition,
            record.offset,
        )
        return bool(first_time)

    async def forget(self, conn: Conn) -> None:
        """Forget every event handled, every record parked and every checkpoint (before a
        replay from offset 0: a record that fails again is parked again)."""
        await conn.execute(f"DELETE FROM {self.schema}.inbox WHERE consumer = $1", self.consumer)
        await conn.execute(
            f"DELETE FROM {self.schema}.dead_lettered WHERE consumer = $1", self.consumer
        )
        await conn.execute(
            f"DELETE FROM {self.schema}.consumer_offsets WHERE consumer = $1", self.consumer
        )
