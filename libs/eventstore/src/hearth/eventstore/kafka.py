"""Kafka wiring: topics with Hearth's settings, partition look-ups, end offsets, and the
broker check behind a service's readiness."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterable

import structlog
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError, KafkaError, TopicAlreadyExistsError

from hearth.contracts.topics import ALL_SERVICES, EVENT_TOPICS, dlq_topic
from hearth.eventstore.logs import describe_error
from hearth.eventstore.tasks import sleep_or_stop

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


async def read_committed(
    bootstrap_servers: str,
    topic: str,
    *,
    keep: Callable[[ConsumerRecord], bool] | None = None,
    timeout: float = 60,
) -> list[ConsumerRecord]:
    """Every committed record on `topic` (those `keep` accepts) from each partition's first
    offset to its end offset as it is now, partition by partition in offset order, each
    offset once. `LookupError` when the topic does not exist; `TimeoutError` when a
    partition is not read to its end within `timeout` seconds.

    Each partition is put at its first offset with a plain `seek` before the first fetch:
    `seek_to_beginning` is applied later, so the reset that assigning starts could win
    over it (with "latest": nothing read) or come after a first fetch (the same records
    handed over twice)."""
    tps = await partitions_of(bootstrap_servers, topic)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        enable_auto_commit=False,
        isolation_level=ISOLATION,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    found: dict[tuple[int, int], ConsumerRecord] = {}
    try:
        consumer.assign(tps)
        ends: dict[TopicPartition, int] = await consumer.end_offsets(tps)
        starts: dict[TopicPartition, int] = await consumer.beginning_offsets(tps)
        for tp in tps:
            consumer.seek(tp, starts[tp])
        deadline = time.monotonic() + timeout

        async def behind() -> list[TopicPartition]:
            return [tp for tp in tps if await consumer.position(tp) < ends[tp]]

        while remaining := await behind():
            if time.monotonic() > deadline:
                raise TimeoutError(f"{topic}: {len(remaining)} partitions not read to the end")
            for tp, batch in (await consumer.getmany(*remaining, timeout_ms=500)).items():
                for record in batch:
                    if record.offset < ends[tp] and (keep is None or keep(record)):
                        found[(record.partition, record.offset)] = record
    finally:
        await consumer.stop()
    return [found[key] for key in sorted(found)]


class BrokerCheck:
    """Whether the broker answers, as a check every `interval` seconds last saw it.

    Readiness probes read `state()` and never talk to the broker themselves, however
    often they come. The check keeps one admin connection between rounds and asks it for
    metadata of no topics (dropping the connection after a failure, reopening it next
    round), each round bounded by `timeout` seconds.

    Staleness: a round starts at most `interval` seconds after the previous one ended and
    fails within `timeout` seconds, so `state()` turns from "ok" to failing at most
    `interval + timeout` seconds after the broker stops answering (8 s by default). If the
    rounds themselves stop (the task died, the loop is stuck), the last answer is treated
    as failing once it is older than `2 * (interval + timeout)` seconds.
    """

    def __init__(self, bootstrap_servers: str, *, interval: float = 5.0, timeout: float = 3.0):
        self.bootstrap_servers = bootstrap_servers
        self.interval = interval
        self.timeout = timeout
        self.rounds = 0
        self._admin: AIOKafkaAdminClient | None = None
        self._last: tuple[float, str] | None = None  # (monotonic time, state)

    @property
    def stale_after(self) -> float:
        return 2 * (self.interval + self.timeout)

    def state(self) -> str:
        """ "ok", or "failing: <why>", from the most recent round."""
        if self._last is None:
            return "failing: not checked yet"
        at, state = self._last
        age = time.monotonic() - at
        if age > self.stale_after:
            return f"failing: no broker check in the last {age:.0f}s"
        return state

    async def check(self) -> str:
        """One round: ask the broker, remember the answer and return it."""
        self.rounds += 1
        try:
            await asyncio.wait_for(self._ask(), timeout=self.timeout)
            state = "ok"
        except Exception as exc:
            await self.close()
            state = f"failing: {describe_error(exc)}"
        self._last = (time.monotonic(), state)
        return state

    async def run(self, stop: asyncio.Event) -> None:
        """Check every `interval` seconds until `stop` is set."""
        try:
            while not stop.is_set():
                await self.check()
                await sleep_or_stop(stop, self.interval)
        finally:
            await self.close()

    async def close(self) -> None:
        admin, self._admin = self._admin, None
        if admin is not None:
            with contextlib.suppress(Exception):
                await admin.close()

    async def _ask(self) -> None:
        if self._admin is None:
            admin = AIOKafkaAdminClient(
                bootstrap_servers=self.bootstrap_servers,
                request_timeout_ms=int(self.timeout * 1000),
            )
            try:
                await admin.start()
            except BaseException:
                with contextlib.suppress(Exception):
                    await admin.close()
                raise
            self._admin = admin
        await self._admin.describe_topics([])
