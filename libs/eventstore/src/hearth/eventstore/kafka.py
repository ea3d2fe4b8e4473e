"""Kafka wiring: topics with Hearth's settings, partition look-ups, end offsets."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

import structlog
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError, KafkaError, TopicAlreadyExistsError

from hearth.contracts.topics import ALL_SERVICES, EVENT_TOPICS, dlq_topic

log = structlog.get_logger(__name__)

TOPIC_CONFIG = {"retention.ms": "-1", "cleanup.policy": "delete"}

# Relays publish each batch as a Kafka transaction and abort a failed attempt, so
# every reader of Hearth's topics reads committed records only: an aborted attempt
# may hold later events that were written ahead of earlier ones.
ISOLATION = "read_committed"


def namespaced(topic: str, namespace: str = "") -> str:
    """The topic's name in an environment's namespace (unchanged when there is none)."""
    return f"{namespace}.{topic}" if namespace else topic


def hearth_topics(namespace: str = "") -> list[str]:
    """Every topic Hearth uses: the four event topics and one DLQ per service."""
    return [namespaced(t, namespace) for t in (*EVENT_TOPICS, *map(dlq_topic, ALL_SERVICES))]


async def admin_client(bootstrap_servers: str, timeout: float = 30) -> AIOKafkaAdminClient:
    """A started admin client, retrying until the broker answers or `timeout` passes."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=10_000)
        try:
            await admin.start()
            return admin
        except (KafkaConnectionError, KafkaError, OSError):
            await admin.close()
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.5)


async def ensure_topics(
    bootstrap_servers: str,
    topics: Iterable[str],
    *,
    partitions: int = 3,
    replication: int = 1,
    min_insync_replicas: int | None = None,
) -> list[str]:
    """Create the topics that do not exist yet (idempotent). Returns those created."""
    wanted = list(dict.fromkeys(topics))
    admin = await admin_client(bootstrap_servers)
    try:
        existing = set(await admin.list_topics())
        config = dict(TOPIC_CONFIG)
        if min_insync_replicas is not None:
            config["min.insync.replicas"] = str(min_insync_replicas)
        missing = [t for t in wanted if t not in existing]
        created: list[str] = []
        for name in missing:
            try:
                await admin.create_topics(
                    [NewTopic(name, partitions, replication, topic_configs=config)]
                )
                created.append(name)
            except TopicAlreadyExistsError:
                pass
        if created:
            log.info("topics created", topics=created, partitions=partitions)
        await _wait_for_metadata(admin, wanted)
        return created
    finally:
        await admin.close()


async def _wait_for_metadata(admin: AIOKafkaAdminClient, topics: list[str]) -> None:
    for _ in range(100):
        if set(topics) <= set(await admin.list_topics()):
            return
        await asyncio.sleep(0.1)
    raise RuntimeError("topics were created but do not show in the broker's metadata")


async def partitions_of(bootstrap_servers: str, topic: str) -> list[TopicPartition]:
    admin = await admin_client(bootstrap_servers)
    try:
        described = await admin.describe_topics([topic])
    finally:
        await admin.close()
    for entry in described:
        if entry["topic"] == topic and entry["partitions"]:
            return sorted(TopicPartition(topic, p["partition"]) for p in entry["partitions"])
    raise LookupError(f"topic {topic} does not exist")


async def end_offsets(bootstrap_servers: str, topics: Iterable[str]) -> dict[TopicPartition, int]:
    """Every partition's last stable offset: the end a `read_committed` reader reaches."""
    tps = [tp for t in topics for tp in await partitions_of(bootstrap_servers, t)]
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers, enable_auto_commit=False, isolation_level=ISOLATION
    )
    await consumer.start()
    try:
        offsets: dict[TopicPartition, int] = await consumer.end_offsets(tps)
        return offsets
    finally:
        await consumer.stop()
