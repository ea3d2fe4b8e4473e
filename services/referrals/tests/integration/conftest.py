"""The referrals service on real Kafka and PostgreSQL, driven by a controllable clock.

`start_referrals` runs the whole service (consumers, relay, scheduler, HTTP) in a fresh
schema, or an existing one to restart it; `cases` and `risk` publish sealed events onto
`hearth.cases.events` and `hearth.risk.events` as those services would. Waiting helpers
poll the service's own event store, never sleep for a fixed time.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer

from hearth.contracts.envelope import Actor, Envelope, Role
from hearth.contracts.events import cases as ev
from hearth.contracts.events import risk
from hearth.contracts.events.common import (
    AllegedPerpetrator,
    Channel,
    Child,
    Relationship,
    ReporterKind,
    RiskLevel,
    SafeContact,
    Survivor,
)
from hearth.contracts.topics import CASES_EVENTS, RISK_EVENTS
from hearth.eventstore.clock import ControllableClock
from hearth.eventstore.testing import waiting
from hearth.eventstore.testing.publish import StreamPublisher
from hearth.eventstore.testing.service import RunningService
from hearth.referrals.service import SPEC
from hearth.referrals.settings import DEFAULT_POLICY_FILE, load_policy

pytestmark = pytest.mark.integration

MONDAY = datetime(2025, 3, 10, 10, 0, tzinfo=UTC)
QUESTIONS = 24  # the size of the question set risk publishes with each assessment


@pytest.fixture(autouse=True)
def _fast_scheduler(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEARTH_REFERRALS_SCHEDULER_POLL_SECONDS", "0.1")


@pytest.fixture
def clock() -> ControllableClock:
    return ControllableClock(MONDAY)


@pytest.fixture
def start_referrals(
    start_service: Callable[..., AbstractAsyncContextManager[RunningService]],
    clock: ControllableClock,
) -> Callable[..., AbstractAsyncContextManager[RunningService]]:
    """Start (another) referrals service; pass `schema=` to run on an existing one."""

    def start(schema: str | None = None) -> AbstractAsyncContextManager[RunningService]:
        return start_service(SPEC, clock, schema)

    return start


@pytest.fixture
async def referrals(start_referrals: Callable[..., Any]) -> AsyncIterator[RunningService]:
    async with start_referrals() as service:
        yield service


@pytest.fixture(scope="session")
async def producer(kafka_bootstrap: str) -> AsyncIterator[AIOKafkaProducer]:
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, enable_idempotence=True)
    await producer.start()
    yield producer
    await producer.stop()


class Cases:
    """Cases' events about one case, as cases publishes them."""

    def __init__(self, publisher: StreamPublisher) -> None:
        self.publisher = publisher

    def opened(self, case_id: uuid.UUID | None = None, **changes: Any) -> ev.CaseOpened:
        fields: dict[str, Any] = {
            "case_id": case_id or uuid.uuid4(),
            "report_id": uuid.uuid4(),
            "opened_at": MONDAY,
            "reported_at": MONDAY,
            "channel": Channel.PHONE,
            "reporter_kind": ReporterKind.SURVIVOR,
            "survivor": Survivor(person_id=uuid.uuid4(), name="Alex Example"),
            "alleged_perpetrators": (
                AllegedPerpetrator(
                    person_id=uuid.uuid4(),
                    name="Sam Sample",
                    relationship_to_survivor=Relationship.INTIMATE_PARTNER,
                    phone="07700 900123",
                ),
            ),
            "children": (
                Child(
                    person_id=uuid.uuid4(),
                    name="Kit Example",
                    lives_in_household=True,
                    affected_by_abuse=True,
                ),
            ),
            "immediate_danger": False,
            "contact_due_at": MONDAY + timedelta(days=1),
            "dash_due_at": MONDAY + timedelta(days=2),
            "timescale_policy": "west-kent-2024",
        }
        fields.update(changes)
        return ev.CaseOpened(**fields)

    def safe_contact(self, case_id: uuid.UUID) -> ev.SafeContactUpdated:
        return ev.SafeContactUpdated(
            case_id=case_id,
            updated_at=MONDAY,
            safe_contact=SafeContact(
                safe_to_call=True,
                safe_to_text=False,
                safe_to_email=False,
                safe_to_write=False,
                safe_to_visit=False,
                safe_phone_numbers=("07700 900456",),
                withheld_number_only=True,
                never_leave_voicemail=True,
                interpreter_needed=False,
            ),
        )

    async def send(self, case_id: uuid.UUID, *events: Any) -> list[Envelope]:
        return await self.publisher.publish(f"case-{case_id}", case_id, *events, at=MONDAY)


def wording(question: int) -> str:
    """A question as risk words it with the answer (markup in it must come out escaped)."""
    return f"Question {question}: has the abuser's behaviour <got> worse & more frequent?"


class Risk:
    """Completed assessments, as risk publishes them."""

    def __init__(self, publisher: StreamPublisher) -> None:
        self.publisher = publisher

    def dash(self, case_id: uuid.UUID, yes: int, at: datetime = MONDAY) -> risk.DashCompleted:
        answers = tuple(
            risk.DashAnswer(
                question=q,
                answer=risk.DashAnswerValue.YES if q <= yes else risk.DashAnswerValue.NO,
                wording=wording(q),
            )
            for q in range(1, QUESTIONS + 1)
        )
        return risk.DashCompleted(
            case_id=case_id,
            assessment_id=uuid.uuid4(),
            question_set_id="dash-ric-24",
            question_count=QUESTIONS,
            completed_at=at,
            answers=answers,
            score=yes,
            yes_count=yes,
            dont_know_count=0,
            scored_level=RiskLevel.HIGH,
            risk_level=RiskLevel.HIGH,
        )

    async def send(self, event: risk.DashCompleted) -> list[Envelope]:
        return await self.publisher.publish(
            f"assessment-{event.assessment_id}", event.case_id, event, at=event.completed_at
        )


@pytest.fixture
def cases(producer: AIOKafkaProducer, topic: Callable[[str], str]) -> Cases:
    actor = Actor(id="hearth.cases", role=Role.SYSTEM)
    return Cases(StreamPublisher(producer, topic(CASES_EVENTS), "cases", actor))


@pytest.fixture
def risk_service(producer: AIOKafkaProducer, topic: Callable[[str], str]) -> Risk:
    actor = Actor(id="cso-0001", role=Role.CASE_MANAGER)
    return Risk(StreamPublisher(producer, topic(RISK_EVENTS), "risk", actor))


@pytest.fixture(scope="session")
def high_risk_yes() -> int:
    """The policy's visible-high-risk threshold for the DASH RIC."""
    return load_policy(DEFAULT_POLICY_FILE).marac.visible_high_risk["dash-ric-24"]


@pytest.fixture
def stream() -> Callable[[RunningService, uuid.UUID], Awaitable[list[Envelope]]]:
    async def read(service: RunningService, case_id: uuid.UUID) -> list[Envelope]:
        return await service.runtime.event_store.read_stream(f"referrals-{case_id}")

    return read


@pytest.fixture
def eventually() -> Callable[..., Awaitable[Any]]:
    return waiting.eventually


@pytest.fixture
def known_case(
    eventually: Callable[..., Awaitable[Any]],
) -> Callable[[RunningService, uuid.UUID, dict[str, str]], Awaitable[Any]]:
    """Wait until the service knows the case (its referrals answer 200)."""

    async def wait(service: RunningService, case_id: uuid.UUID, headers: dict[str, str]) -> Any:
        async def known() -> Any:
            answer = await service.client.get(f"/cases/{case_id}/referrals", headers=headers)
            return answer.json() if answer.status_code == 200 else None

        return await eventually(known, what="the case to be known to referrals")

    return wait
