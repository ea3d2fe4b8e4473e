"""Publishing another service's events in a test, sealed as that service's relay would."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from aiokafka import AIOKafkaProducer

from hearth.contracts.envelope import GENESIS_HASH, Actor, Envelope
from hearth.contracts.events.base import DomainEvent


@dataclass
class StreamPublisher:
    """Seals events into streams of another service and publishes them on `topic`.

    Versions and the hash chain carry on per stream, so what a consumer receives is a
    valid history; events published together share a correlation id and each names
    the one before it as its cause.
    """

    producer: AIOKafkaProducer
    topic: str
    service: str
    actor: Actor
    heads: dict[str, tuple[int, str]] = field(default_factory=dict)

    async def publish(
        self,
        stream: str,
        subject: uuid.UUID | str,
        *events: DomainEvent,
        at: datetime | None = None,
    ) -> list[Envelope]:
        version, prev_hash = self.heads.get(stream, (0, GENESIS_HASH))
        moment = at or datetime.now(UTC)
        correlation = uuid.uuid4()
        sealed: list[Envelope] = []
        for event in events:
            version += 1
            envelope = Envelope.seal(
                event_id=uuid.uuid4(),
                type=event.event_type(),
                source=f"hearth.{self.service}",
                subject=str(subject),
                stream_id=stream,
                stream_version=version,
                occurred_at=moment,
                recorded_at=moment,
                correlation_id=correlation,
                causation_id=sealed[-1].event_id if sealed else None,
                actor=self.actor,
                prev_hash=prev_hash,
                payload=event.model_dump(mode="json"),
            )
            prev_hash = envelope.hash
            record = envelope.to_kafka()
            await self.producer.send_and_wait(
                self.topic, value=record.value, key=record.key, headers=record.headers
            )
            sealed.append(envelope)
        self.heads[stream] = (version, prev_hash)
        return sealed
