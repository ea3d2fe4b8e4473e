"""Fixtures for intake's tests: the service on the real servers, report bodies, Kafka reads."""

from __future__ import annotations

import asyncio
import json
import os
import random
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer, ConsumerRecord

from hearth.contracts.envelope import Actor, Envelope, Role
from hearth.contracts.events.base import DomainEvent
from hearth.eventstore.clock import ControllableClock
from hearth.eventstore.testing.kafka import read_topic
from hearth.eventstore.testing.publish import StreamPublisher
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


@pytest.fixture
def read_records(kafka_bootstrap: str, topic: Callable[[str], str]) -> ReadRecords:
    """`await read_records(TOPIC, match, expect=n)`: the records that match, on that topic
    in this test's namespace."""

    async def read(
        name: str, match: Callable[[ConsumerRecord], bool], *, expect: int, timeout: float = 30
    ) -> list[ConsumerRecord]:
        return await read_topic(
            kafka_bootstrap, topic(name), expect=expect, match=match, timeout=timeout
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

    publishers: dict[str, StreamPublisher] = {}
    actor = Actor(id="staff-manager-1", role=Role.MANAGER)

    async def send(event: DomainEvent, name: str) -> Envelope:
        publisher = publishers.setdefault(
            name, StreamPublisher(producer, topic(name), event.service, actor)
        )
        case_id = str(event.case_id)  # type: ignore[attr-defined]
        [envelope] = await publisher.publish(f"case-{case_id}", case_id, event)
        return envelope

    try:
        yield send
    finally:
        await producer.stop()


RebuildCaseStatus = Callable[[str, str], Awaitable[None]]


@pytest.fixture
def rebuild_case_status(
    kafka_bootstrap: str, database_url: str, topic_namespace: str
) -> RebuildCaseStatus:
    """`await rebuild_case_status(schema, match_key)`: the operator's `python -m hearth.intake
    rebuild <case status consumer>`, as a process of its own, on the test's servers."""
    from hearth.intake.consumers import CASE_STATUS_CONSUMER

    async def rebuild(schema: str, match_key: str) -> None:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "hearth.intake",
            "rebuild",
            CASE_STATUS_CONSUMER,
            env={
                **os.environ,
                "HEARTH_KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
                "HEARTH_DATABASE_URL": database_url,
                "HEARTH_DB_SCHEMA": schema,
                "HEARTH_TOPIC_NAMESPACE": topic_namespace,
                "HEARTH_INTAKE_MATCH_KEY": match_key,
            },
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output, _ = await asyncio.wait_for(process.communicate(), timeout=120)
        assert process.returncode == 0, output.decode(errors="replace")[-2000:]

    return rebuild
