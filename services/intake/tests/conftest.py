"""Fixtures for intake's tests: the service on the real servers, report bodies, Kafka reads."""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord

from hearth.contracts.envelope import GENESIS_HASH, Actor, Envelope, Role
from hearth.contracts.events.base import DomainEvent
from hearth.eventstore.clock import ControllableClock
from hearth.eventstore.kafka import partitions_of
from hearth.eventstore.testing.service import RunningService, running_service
from hearth.intake.service import build_spec
from hearth.intake.settings import IntakeSettings

MATCH_KEY = "intake-tests-match-key-0123456789"

ReadRecords = Callable[..., Awaitable[list[ConsumerRecord]]]
Publish = Callable[[DomainEvent, str], Awaitable[Envelope]]


@pytest.fixture
def intake_settings() -> IntakeSettings:
    return IntakeSettings(match_key=MATCH_KEY)


@pytest.fixture
def clock() -> ControllableClock:
    return ControllableClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
async def intake(
    kafka_bootstrap: str,
    database_url: str,
    clock: ControllableClock,
    intake_settings: IntakeSettings,
    topic_namespace: str,
) -> AsyncIterator[RunningService]:
    """The whole intake service in its own schema and topic namespace, on real servers."""
    async with running_service(
        build_spec(intake_settings),
        kafka_bootstrap=kafka_bootstrap,
        database_url=database_url,
        clock=clock,
        topic_namespace=topic_namespace,
    ) as service:
        yield service


def _phone() -> str:
    # A fresh number per call: the topics are shared, so tests must not meet each other.
    return f"07700 9{random.randint(0, 99_999):05d}"


def _birthday() -> str:
    # With a name, a date of birth is a match key: fresh ones keep reports apart.
    return f"19{random.randint(40, 99)}-{random.randint(1, 12):02d}-{random.randint(1, 28):02d}"


@pytest.fixture
def new_phone() -> Callable[[], str]:
    """A phone number no other test uses."""
    return _phone


@pytest.fixture
def report_body() -> Callable[..., dict[str, Any]]:
    """A valid staff report body (phone channel, third-party reporter); override any part."""

    def make(**overrides: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "channel": "phone",
            "reporter": {
                "kind": "third_party",
                "relationship": "neighbour",
                "name": "Pat Neighbour",
                "phone": "07700 900789",
            },
            "survivor": {
                "name": "Alex Example",
                "date_of_birth": _birthday(),
                "phone": _phone(),
                "address": {"lines": ["Flat 2", "1 Example Street"], "postcode": "ZZ1 1ZZ"},
                "gender": "woman",
            },
            "alleged_perpetrators": [
                {"name": "Sam Sample", "relationship_to_survivor": "intimate_partner"}
            ],
            "children": [{"age_band": "under_16", "affected_by_abuse": True}],
            "abuse_types": ["physical", "controlling_or_coercive"],
            "immediate_danger": False,
            "account": "I heard something smash and screaming next door again last night.",
        }
        body.update(overrides)
        return body

    return make


async def _read_matching(
    bootstrap: str,
    topic: str,
    match: Callable[[ConsumerRecord], bool],
    *,
    expect: int,
    timeout: float = 30,
) -> list[ConsumerRecord]:
    """Records on a shared topic that `match`, waiting until `expect` of them arrived."""
    tps = await partitions_of(bootstrap, topic)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    found: list[ConsumerRecord] = []
    try:
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=200)
            for batch in batches.values():
                found.extend(r for r in batch if match(r))
            if len(found) >= expect:
                # Anything beyond what was expected (a duplicate, say) should be seen too.
                await asyncio.sleep(0.5)
                for batch in (await consumer.getmany(timeout_ms=300)).values():
                    found.extend(r for r in batch if match(r))
                break
    finally:
        await consumer.stop()
    return sorted(found, key=lambda r: (r.partition, r.offset))


@pytest.fixture
def read_records(kafka_bootstrap: str, topic: Callable[[str], str]) -> ReadRecords:
    """`await read_records(TOPIC, match, expect=n)`: the records that match, on that topic
    in this test's namespace."""

    async def read(
        name: str, match: Callable[[ConsumerRecord], bool], *, expect: int, timeout: float = 30
    ) -> list[ConsumerRecord]:
        return await _read_matching(
            kafka_bootstrap, topic(name), match, expect=expect, timeout=timeout
        )

    return read


def payload_of(record: ConsumerRecord) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(record.value)
    return value


@pytest.fixture
def payload() -> Callable[[ConsumerRecord], dict[str, Any]]:
    return payload_of


@pytest.fixture
async def publish(kafka_bootstrap: str, topic: Callable[[str], str]) -> AsyncIterator[Publish]:
    """Publish an event of another service (`source` e.g. "cases"), sealed as that service does."""
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, enable_idempotence=True)
    await producer.start()

    async def send(event: DomainEvent, name: str) -> Envelope:
        case_id = str(event.case_id)  # type: ignore[attr-defined]
        now = datetime.now(UTC)
        envelope = Envelope.seal(
            event_id=uuid.uuid4(),
            type=event.event_type(),
            source=f"hearth.{event.service}",
            subject=case_id,
            stream_id=f"case-{case_id}",
            stream_version=1,
            occurred_at=now,
            recorded_at=now,
            correlation_id=uuid.uuid4(),
            causation_id=None,
            actor=Actor(id="staff-manager-1", role=Role.MANAGER),
            prev_hash=GENESIS_HASH,
            payload=event.model_dump(mode="json"),
        )
        record = envelope.to_kafka()
        await producer.send_and_wait(
            topic(name), value=record.value, key=record.key, headers=record.headers
        )
        return envelope

    try:
        yield send
    finally:
        await producer.stop()
