"""Consuming events from Kafka with effects exactly once: the inbox and projections.

For each record a consumer, in one PostgreSQL transaction, records the event id in
its inbox, runs the handler (which may write read models and append events through
the same connection) and moves its checkpoint (topic, partition, next offset). A
redelivered event finds its id in the inbox and is skipped. The checkpoint in
PostgreSQL is the truth: on assignment the consumer seeks to it; offsets are also
committed to Kafka so operators see consumer lag with standard tools.

An event whose handler keeps failing is retried a bounded number of times, then
published with the error to the service's DLQ topic and the consumer moves on.
`replay_dead_letters` hands parked events to the handler again once it is fixed.

The parts: `loop` (the Kafka loop and a batch's transaction), `inbox` (inbox and
checkpoints), `dead_letters` (the DLQ and its replay), `records` (what handlers get).
"""

from hearth.eventstore.consumer.dead_letters import (
    DLQ_AT,
    DLQ_ATTEMPTS,
    DLQ_CONSUMER,
    DLQ_ERROR,
    DLQ_OFFSET,
    DLQ_PARTITION,
    DLQ_TOPIC,
    ReplayReport,
)
from hearth.eventstore.consumer.inbox import Inbox
from hearth.eventstore.consumer.loop import EventConsumer
from hearth.eventstore.consumer.records import Handler, PoisonEvent, Prepare, Reset

__all__ = [
    "DLQ_AT",
    "DLQ_ATTEMPTS",
    "DLQ_CONSUMER",
    "DLQ_ERROR",
    "DLQ_OFFSET",
    "DLQ_PARTITION",
    "DLQ_TOPIC",
    "EventConsumer",
    "Handler",
    "Inbox",
    "PoisonEvent",
    "Prepare",
    "ReplayReport",
    "Reset",
]
