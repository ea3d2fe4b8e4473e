"""Risk and cases together on real Kafka and PostgreSQL: a report opens a case in cases,
risk learns of it from cases' events, an assessment recorded in risk meets the case's
DASH deadline in cases (on time, or late once overdue), as cases' API shows."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer

from hearth.cases.service import SPEC as CASES
from hearth.contracts.envelope import Actor, Role
from hearth.contracts.events.common import Channel, ReporterKind, Survivor
from hearth.contracts.events.intake import LinkBasis, Reporter, ReportLinkedToCase, ReportReceived
from hearth.contracts.topics import INTAKE_EVENTS
from hearth.eventstore.clock import ControllableClock
from hearth.eventstore.testing import waiting
from hearth.eventstore.testing.publish import StreamPublisher
from hearth.eventstore.testing.service import RunningService, running_service
from hearth.risk.service import SPEC as RISK

pytestmark = pytest.mark.integration

FRIDAY_1630 = datetime(2025, 3, 7, 16, 30, tzinfo=UTC)
"""Reported on a Friday afternoon: the DASH is due Tuesday 16:30 (two working days)."""
LEAD = ("dalead-0001", Role.MANAGER)


@pytest.fixture(autouse=True)
def _fast_scheduler(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEARTH_CASES_SCHEDULER_POLL_SECONDS", "0.1")


@pytest.fixture
def clock() -> ControllableClock:
    return ControllableClock(FRIDAY_1630 + timedelta(minutes=1))


@pytest.fixture
async def both(
    kafka_bootstrap: str, database_url: str, clock: ControllableClock, topic_namespace: str
) -> AsyncIterator[tuple[RunningService, RunningService]]:
    servers = {
        "kafka_bootstrap": kafka_bootstrap,
        "database_url": database_url,
        "clock": clock,
        "topic_namespace": topic_namespace,
    }
    async with running_service(CASES, **servers) as cases, running_service(RISK, **servers) as risk:
        yield cases, risk


async def _report(producer: AIOKafkaProducer, topic: Callable[[str], str]) -> uuid.UUID:
    report = ReportReceived(
        report_id=uuid.uuid4(),
        case_id=uuid.uuid4(),
        received_at=FRIDAY_1630,
        channel=Channel.PHONE,
        reporter=Reporter(kind=ReporterKind.SURVIVOR),
        survivor=Survivor(person_id=uuid.uuid4(), name="Alex Example"),
        immediate_danger=False,
        advised_to_call_999=True,
    )
    linked = ReportLinkedToCase(
        report_id=report.report_id,
        case_id=report.case_id,
        linked_at=FRIDAY_1630,
        basis=LinkBasis.NEW_CASE,
    )
    intake = StreamPublisher(
        producer, topic(INTAKE_EVENTS), "intake", Actor(id="intake-0001", role=Role.INTAKE)
    )
    await intake.publish(
        f"report-{report.report_id}", report.case_id, report, linked, at=FRIDAY_1630
    )
    return report.case_id


async def _dash_deadline(cases: RunningService, case_id: uuid.UUID) -> dict[str, Any] | None:
    answer = await cases.client.get(f"/cases/{case_id}", headers=cases.auth(*LEAD))
    if answer.status_code != 200:
        return None
    return next(d for d in answer.json()["deadlines"] if d["kind"] == "dash")


async def _deadline_status(
    cases: RunningService,
    case_id: uuid.UUID,
    kind: str,
    status: str,
    ref: str | None = None,
    *,
    recorded: bool = False,
) -> dict[str, Any]:
    """The deadline once it has that status (and, with `recorded`, the scheduler has
    recorded it overdue)."""

    async def reached() -> dict[str, Any] | None:
        answer = await cases.client.get(f"/cases/{case_id}", headers=cases.auth(*LEAD))
        return next(
            (
                d
                for d in answer.json()["deadlines"]
                if d["kind"] == kind
                and d["status"] == status
                and ref in (None, d["ref"])
                and (not recorded or d["overdue_recorded_at"])
            ),
            None,
        )

    found: dict[str, Any] = await waiting.eventually(
        reached, timeout=60, what=f"cases to show the {kind} deadline {status}"
    )
    return found


async def _risk_knows(risk: RunningService, case_id: uuid.UUID) -> None:
    async def known() -> bool:
        answer = await risk.client.get(f"/cases/{case_id}/risk", headers=risk.auth(*LEAD))
        return answer.status_code == 200

    await waiting.eventually(known, timeout=60, what="risk to learn of the case from cases")


def _answers(yes: int) -> list[dict[str, Any]]:
    return [{"question": n, "answer": "yes" if n <= yes else "no"} for n in range(1, 25)]


async def _assess(risk: RunningService, case_id: uuid.UUID, at: datetime) -> dict[str, Any]:
    answer = await risk.client.post(
        f"/cases/{case_id}/assessments",
        json={"completed_at": at.isoformat(), "answers": _answers(11)},
        headers=risk.auth(*LEAD),
    )
    assert answer.status_code == 201, answer.text
    made: dict[str, Any] = answer.json()
    return made


async def _met(cases: RunningService, case_id: uuid.UUID, status: str) -> dict[str, Any]:
    async def met() -> dict[str, Any] | None:
        deadline = await _dash_deadline(cases, case_id)
        return deadline if deadline and deadline["status"] == status else None

    deadline: dict[str, Any] = await waiting.eventually(
        met, timeout=60, what=f"cases to show the DASH deadline {status}"
    )
    return deadline


async def test_an_assessment_in_risk_meets_the_dash_deadline_in_cases(
    both, producer, topic, clock
) -> None:
    cases, risk = both
    case_id = await _report(producer, topic)
    await _risk_knows(risk, case_id)
    deadline = await _dash_deadline(cases, case_id)
    assert deadline is not None and deadline["status"] == "due"
    # Monday morning, before it is due: met on time.
    monday = datetime(2025, 3, 10, 10, 0, tzinfo=UTC)
    clock.set(monday)
    made = await _assess(risk, case_id, monday - timedelta(minutes=30))
    met = await _met(cases, case_id, "met")
    assert met["met_at"] == (monday - timedelta(minutes=30)).isoformat()
    case = (await cases.client.get(f"/cases/{case_id}", headers=cases.auth(*LEAD))).json()
    assert case["dash"][0]["assessment_id"] == made["assessment_id"]
    assert case["dash"][0]["outcome"] == "completed"
    # The instrument's reassessment interval raised a reassessment deadline in cases.
    [reassessment] = [d for d in case["deadlines"] if d["kind"] == "reassessment"]
    assert reassessment["ref"] == made["assessment_id"]
    assert reassessment["due_at"] == made["reassessment_due_at"]
    assert reassessment["status"] == "due"
    # Unmet past due, the scheduler records it overdue; the next assessment meets it late.
    due = datetime.fromisoformat(made["reassessment_due_at"])
    clock.set(due + timedelta(days=1))
    overdue = await _deadline_status(cases, case_id, "reassessment", "overdue", recorded=True)
    assert overdue["overdue_recorded_at"] is not None
    second = await _assess(risk, case_id, due + timedelta(hours=20))
    late = await _deadline_status(
        cases, case_id, "reassessment", "met_late", ref=made["assessment_id"]
    )
    assert late["late"] is True
    case = (await cases.client.get(f"/cases/{case_id}", headers=cases.auth(*LEAD))).json()
    refs = {d["ref"]: d["status"] for d in case["deadlines"] if d["kind"] == "reassessment"}
    assert refs == {made["assessment_id"]: "met_late", second["assessment_id"]: "due"}


async def test_an_assessment_after_the_deadline_meets_it_late_once_overdue(
    both, producer, topic, clock
) -> None:
    cases, risk = both
    case_id = await _report(producer, topic)
    await _risk_knows(risk, case_id)
    wednesday = datetime(2025, 3, 12, 10, 0, tzinfo=UTC)
    clock.set(wednesday)
    await _met(cases, case_id, "overdue")
    await _assess(risk, case_id, wednesday - timedelta(minutes=5))
    met = await _met(cases, case_id, "met_late")
    assert met["late"] is True


async def test_a_decline_in_risk_meets_the_dash_deadline_too(both, producer, topic, clock) -> None:
    cases, risk = both
    case_id = await _report(producer, topic)
    await _risk_knows(risk, case_id)
    clock.set(datetime(2025, 3, 10, 10, 0, tzinfo=UTC))
    declined = await risk.client.post(
        f"/cases/{case_id}/dash-declined",
        json={"declined_at": "2025-03-10T09:00:00+00:00", "reason": "Not ready yet."},
        headers=risk.auth(*LEAD),
    )
    assert declined.status_code == 201, declined.text
    await _met(cases, case_id, "met")
    case = (await cases.client.get(f"/cases/{case_id}", headers=cases.auth(*LEAD))).json()
    assert case["dash"][0]["outcome"] == "declined"


async def test_an_assessment_by_another_agency_meets_the_dash_deadline_too(
    both, producer, topic, clock
) -> None:
    cases, risk = both
    case_id = await _report(producer, topic)
    await _risk_knows(risk, case_id)
    clock.set(datetime(2025, 3, 10, 10, 0, tzinfo=UTC))
    elsewhere = await risk.client.post(
        f"/cases/{case_id}/dash-elsewhere",
        json={"agency": "police", "completed_on": "2025-03-08", "risk_level": "medium"},
        headers=risk.auth(*LEAD),
    )
    assert elsewhere.status_code == 201, elsewhere.text
    met = await _met(cases, case_id, "met")
    assert met["met_at"] == "2025-03-10T10:00:00+00:00"  # when risk recorded it
    case = (await cases.client.get(f"/cases/{case_id}", headers=cases.auth(*LEAD))).json()
    assert case["dash"][0]["outcome"] == "completed_elsewhere"
