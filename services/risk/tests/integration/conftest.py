"""The risk service on real Kafka and PostgreSQL, driven by a controllable clock.

`risk` runs the whole service (its consumer of cases' events, relay, HTTP) in a fresh
schema; `cases_topic` publishes sealed cases events onto `hearth.cases.events` as the
cases service would, so a test says exactly what risk knows of a case. Waiting helpers
poll the service's own tables, never sleep for a fixed time.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer

from hearth.contracts.envelope import Actor, Envelope, Role
from hearth.contracts.events import cases as cev
from hearth.contracts.events.case_values import (
    ClosureReason,
    ReopenReason,
    Restriction,
    RestrictionReason,
)
from hearth.contracts.events.common import (
    AllegedPerpetrator,
    Channel,
    Relationship,
    ReporterKind,
    Survivor,
)
from hearth.contracts.topics import CASES_EVENTS
from hearth.eventstore.clock import ControllableClock
from hearth.eventstore.testing import waiting
from hearth.eventstore.testing.publish import StreamPublisher
from hearth.eventstore.testing.service import RunningService, running_service
from hearth.risk.service import SPEC

pytestmark = pytest.mark.integration

OPENED_AT = datetime(2025, 3, 7, 16, 30, tzinfo=UTC)
NOW = datetime(2025, 3, 10, 11, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> ControllableClock:
    return ControllableClock(NOW)


@pytest.fixture
async def risk(
    kafka_bootstrap: str, database_url: str, clock: ControllableClock, topic_namespace: str
) -> AsyncIterator[RunningService]:
    async with running_service(
        SPEC,
        kafka_bootstrap=kafka_bootstrap,
        database_url=database_url,
        clock=clock,
        topic_namespace=topic_namespace,
    ) as service:
        yield service


@pytest.fixture(scope="session")
async def producer(kafka_bootstrap: str) -> AsyncIterator[AIOKafkaProducer]:
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, enable_idempotence=True)
    await producer.start()
    yield producer
    await producer.stop()


@dataclass
class CasesTopic:
    """Cases' events about a case, as the cases service publishes them."""

    publisher: StreamPublisher
    history: dict[uuid.UUID, list[Envelope]] = field(default_factory=dict)
    """Every envelope published about each case, in order (to replay them in a test)."""

    async def open(
        self,
        *,
        restricted_to: tuple[str, ...] = (),
        perpetrator_staff_id: str | None = None,
    ) -> uuid.UUID:
        case_id = uuid.uuid4()
        restriction = (
            Restriction(
                reason=RestrictionReason.ALLEGED_PERPETRATOR_IS_STAFF
                if perpetrator_staff_id
                else RestrictionReason.OTHER_SENSITIVITY,
                permitted_staff_ids=restricted_to,
            )
            if restricted_to
            else None
        )
        perpetrators = (
            (
                AllegedPerpetrator(
                    person_id=uuid.uuid4(),
                    relationship_to_survivor=Relationship.INTIMATE_PARTNER,
                    is_staff_member=True,
                    staff_id=perpetrator_staff_id,
                ),
            )
            if perpetrator_staff_id
            else ()
        )
        opened = cev.CaseOpened(
            case_id=case_id,
            report_id=uuid.uuid4(),
            opened_at=OPENED_AT,
            reported_at=OPENED_AT,
            channel=Channel.PHONE,
            reporter_kind=ReporterKind.SURVIVOR,
            survivor=Survivor(person_id=uuid.uuid4(), name="Alex Example"),
            alleged_perpetrators=perpetrators,
            immediate_danger=False,
            contact_due_at=OPENED_AT + timedelta(days=3),
            dash_due_at=OPENED_AT + timedelta(days=4),
            timescale_policy="west-kent-2024",
            restriction=restriction,
        )
        await self.send(case_id, opened)
        return case_id

    async def close(self, case_id: uuid.UUID) -> None:
        closed = cev.CaseClosed(
            case_id=case_id,
            closed_at=NOW - timedelta(hours=1),
            reason=ClosureReason.SURVIVOR_MOVED,
            approved_by="dalead-0001",
        )
        await self.send(case_id, closed)

    async def reopen(self, case_id: uuid.UUID) -> None:
        reopened = cev.CaseReopened(
            case_id=case_id, reopened_at=NOW, reason=ReopenReason.NEW_INCIDENT
        )
        await self.send(case_id, reopened)

    async def send(self, case_id: uuid.UUID, *events: cev.CasesEvent) -> list[Envelope]:
        sent = await self.publisher.publish(f"case-{case_id}", case_id, *events, at=OPENED_AT)
        self.history.setdefault(case_id, []).extend(sent)
        return sent


@pytest.fixture
def cases_topic(producer: AIOKafkaProducer, topic: Callable[[str], str]) -> CasesTopic:
    actor = Actor(id="hearth.cases", role=Role.SYSTEM)
    return CasesTopic(StreamPublisher(producer, topic(CASES_EVENTS), "cases", actor))


@pytest.fixture
def known() -> Callable[..., Awaitable[Any]]:
    """Wait until risk's projection holds the case (open or closed as asked)."""

    async def wait(service: RunningService, case_id: uuid.UUID, *, open: bool = True) -> Any:
        store = service.runtime.event_store

        async def seen() -> bool:
            value = await store.pool.fetchval(
                f"SELECT open FROM {store.schema}.case_access WHERE case_id = $1", case_id
            )
            return value is open

        return await waiting.eventually(seen, timeout=30, what="risk to know the case")

    return wait


@pytest.fixture
def risk_events() -> Callable[[RunningService, uuid.UUID], Awaitable[list[Envelope]]]:
    async def read(service: RunningService, case_id: uuid.UUID) -> list[Envelope]:
        return await service.runtime.event_store.read_stream(f"risk-case-{case_id}")

    return read


def answers(yes: int, dont_know: int = 0, count: int = 24) -> list[dict[str, Any]]:
    """Every question of a `count`-question set: `yes` yes, `dont_know` don't know, rest no."""
    values = ["yes"] * yes + ["dont_know"] * dont_know + ["no"] * (count - yes - dont_know)
    return [{"question": n, "answer": v} for n, v in enumerate(values, start=1)]


@pytest.fixture
def dash_answers() -> Callable[..., list[dict[str, Any]]]:
    return answers
