"""The cases service on real Kafka and PostgreSQL, driven by a controllable clock.

`cases` runs the whole service (consumers, relay, scheduler, HTTP) in a fresh schema;
`intake` publishes sealed intake events onto `hearth.intake.events` as intake would;
`risk` does the same for `hearth.risk.events`. Waiting helpers poll the service's own
event store, never sleep for a fixed time.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer, ConsumerRecord

from hearth.cases.service import SPEC
from hearth.contracts.envelope import Actor, Envelope, Role
from hearth.contracts.events.common import (
    AllegedPerpetrator,
    Channel,
    Relationship,
    ReporterKind,
    Survivor,
)
from hearth.contracts.events.intake import (
    LinkBasis,
    Reporter,
    ReportLinkedToCase,
    ReportReceived,
)
from hearth.contracts.topics import INTAKE_EVENTS, RISK_EVENTS
from hearth.eventstore.clock import ControllableClock
from hearth.eventstore.testing import waiting
from hearth.eventstore.testing.kafka import read_topic
from hearth.eventstore.testing.publish import StreamPublisher
from hearth.eventstore.testing.service import RunningService

pytestmark = pytest.mark.integration

FRIDAY_1630 = datetime(2025, 3, 7, 16, 30, tzinfo=UTC)
"""Reports arrive on a Friday afternoon: contact due Monday 16:30, DASH Tuesday 16:30."""


@pytest.fixture(autouse=True)
def _fast_scheduler(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEARTH_CASES_SCHEDULER_POLL_SECONDS", "0.1")


@pytest.fixture
def clock() -> ControllableClock:
    return ControllableClock(datetime(2025, 3, 7, 16, 31, tzinfo=UTC))


@pytest.fixture
def start_cases(
    start_service: Callable[..., AbstractAsyncContextManager[RunningService]],
    clock: ControllableClock,
) -> Callable[..., AbstractAsyncContextManager[RunningService]]:
    """Start (another) cases service; pass `schema=` to run on an existing one.

    Every cases service a test starts hears the test's own topic namespace."""

    def start(schema: str | None = None) -> AbstractAsyncContextManager[RunningService]:
        return start_service(SPEC, clock, schema)

    return start


@pytest.fixture
async def cases(start_cases: Callable[..., Any]) -> AsyncIterator[RunningService]:
    async with start_cases() as service:
        yield service


@pytest.fixture(scope="session")
async def producer(kafka_bootstrap: str) -> AsyncIterator[AIOKafkaProducer]:
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, enable_idempotence=True)
    await producer.start()
    yield producer
    await producer.stop()


Publisher = StreamPublisher


@dataclass
class Intake:
    """Reports as intake publishes them: ReportReceived then ReportLinkedToCase."""

    publisher: Publisher

    def report(self, case_id: uuid.UUID | None = None, **changes: Any) -> ReportReceived:
        fields: dict[str, Any] = {
            "report_id": uuid.uuid4(),
            "case_id": case_id or uuid.uuid4(),
            "received_at": FRIDAY_1630,
            "channel": Channel.PHONE,
            "reporter": Reporter(kind=ReporterKind.SURVIVOR),
            "survivor": Survivor(person_id=uuid.uuid4(), name="Alex Example"),
            "alleged_perpetrators": (
                AllegedPerpetrator(
                    person_id=uuid.uuid4(),
                    name="Sam Sample",
                    relationship_to_survivor=Relationship.INTIMATE_PARTNER,
                ),
            ),
            "immediate_danger": False,
            "advised_to_call_999": True,
        }
        fields.update(changes)
        return ReportReceived(**fields)

    async def send(
        self, report: ReportReceived, basis: LinkBasis = LinkBasis.NEW_CASE, **link: Any
    ) -> list[Envelope]:
        linked = ReportLinkedToCase(
            report_id=report.report_id,
            case_id=report.case_id,
            linked_at=report.received_at,
            basis=basis,
            **link,
        )
        return await self.publisher.publish(
            f"report-{report.report_id}", report.case_id, report, linked, at=report.received_at
        )


@pytest.fixture
def intake(producer: AIOKafkaProducer, topic: Callable[[str], str]) -> Intake:
    actor = Actor(id="intake-0001", role=Role.INTAKE)
    return Intake(Publisher(producer, topic(INTAKE_EVENTS), "intake", actor))


@pytest.fixture
def risk_service(producer: AIOKafkaProducer, topic: Callable[[str], str]) -> Publisher:
    actor = Actor(id="cso-0001", role=Role.CASE_MANAGER)
    return Publisher(producer, topic(RISK_EVENTS), "risk", actor)


@pytest.fixture
def eventually() -> Callable[..., Awaitable[Any]]:
    """`await eventually(async_check, timeout=30, what="...")`: the first truthy result."""

    return waiting.eventually


@pytest.fixture
def case_events() -> Callable[[RunningService, uuid.UUID], Awaitable[list[Envelope]]]:
    """The case's stream in the service's event store."""

    async def read(service: RunningService, case_id: uuid.UUID) -> list[Envelope]:
        return await service.runtime.event_store.read_stream(f"case-{case_id}")

    return read


@pytest.fixture
def opened_case(
    eventually: Callable[..., Awaitable[Any]], case_events: Callable[..., Awaitable[Any]]
) -> Callable[..., Awaitable[list[Envelope]]]:
    """Wait until the service has opened the case; its events so far."""

    async def wait(service: RunningService, case_id: uuid.UUID) -> list[Envelope]:
        async def opened() -> list[Envelope]:
            history = await case_events(service, case_id)
            return history if history else []

        return await eventually(opened, what="the case to open")

    return wait


@pytest.fixture
def topic_records(
    kafka_bootstrap: str, topic: Callable[[str], str]
) -> Callable[..., Awaitable[list[ConsumerRecord]]]:
    """Records on a topic (in the test's namespace) keyed by `key`, waiting until `expect`
    of them have arrived."""

    async def read(name: str, key: str, expect: int, timeout: float = 30) -> list[ConsumerRecord]:
        return await read_topic(
            kafka_bootstrap,
            topic(name),
            expect=expect,
            match=lambda r: r.key == key.encode(),
            timeout=timeout,
        )

    return read


@pytest.fixture
def new_case(
    intake: Intake, opened_case: Callable[..., Awaitable[list[Envelope]]]
) -> Callable[..., Awaitable[tuple[ReportReceived, str]]]:
    """Publish a report, wait for its case, and say who manages it."""

    async def open_one(service: RunningService, **report: Any) -> tuple[ReportReceived, str]:
        received = intake.report(**report)
        await intake.send(received)
        history = await opened_case(service, received.case_id)
        assigned = next(e for e in history if e.event_name == "CaseManagerAssigned")
        return received, assigned.payload["case_manager"]["staff_id"]

    return open_one


@pytest.fixture
def all_listed() -> Callable[..., Awaitable[list[dict[str, Any]]]]:
    """Every case `GET /cases` lists for these headers and query, page by page (the shared
    topics carry other tests' reports too, so a case may be past the first page)."""

    async def pages(
        service: RunningService, headers: dict[str, str], query: str = ""
    ) -> list[dict[str, Any]]:
        listed: list[dict[str, Any]] = []
        while True:
            sep = "&" if query else ""
            response = await service.client.get(
                f"/cases?{query}{sep}limit=200&offset={len(listed)}", headers=headers
            )
            assert response.status_code == 200, response.text
            page = response.json()["cases"]
            listed += page
            if len(page) < 200:
                return listed

    return pages
