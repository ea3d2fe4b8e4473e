"""Which events make a case's history, and their order (pure: envelopes in)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from hearth.audit.log import Located
from hearth.audit.timeline import enquiry_ids, history, reads
from hearth.contracts.envelope import GENESIS_HASH, Actor, Envelope, Role

AT = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)
CASE = str(uuid.uuid4())
ENQUIRY = str(uuid.uuid4())
SYSTEM = Actor(id="hearth.cases", role=Role.SYSTEM)


def sealed(
    service: str,
    name: str,
    subject: str,
    *,
    at: datetime = AT,
    payload: dict[str, Any] | None = None,
    cause: Envelope | None = None,
    version: int = 1,
    prev: str = GENESIS_HASH,
) -> Envelope:
    return Envelope.seal(
        event_id=uuid.uuid4(),
        type=f"hearth.{service}.{name}.v1",
        source=f"hearth.{service}",
        subject=subject,
        stream_id=f"{service}-{subject}",
        stream_version=version,
        occurred_at=at,
        recorded_at=at,
        correlation_id=uuid.uuid4(),
        causation_id=cause.event_id if cause else None,
        actor=SYSTEM,
        prev_hash=prev,
        payload=payload or {},
    )


def located(*envelopes: Envelope, topic: str = "t") -> list[Located]:
    return [Located(topic, 0, i, e) for i, e in enumerate(envelopes)]


def test_a_report_from_an_enquiry_brings_the_enquiry_into_the_history() -> None:
    enquiry = sealed("intake", "EnquiryRaised", ENQUIRY, at=AT - timedelta(days=2))
    report = sealed(
        "intake", "ReportReceived", CASE, payload={"enquiry_id": ENQUIRY, "case_id": CASE}
    )
    other = sealed("intake", "EnquiryRaised", str(uuid.uuid4()))
    records = located(enquiry, report, other)
    assert enquiry_ids(records, CASE) == {ENQUIRY}
    found = history(records, [CASE, *enquiry_ids(records, CASE)])
    assert [e.envelope.event_name for e in found.entries] == ["EnquiryRaised", "ReportReceived"]


def test_order_is_recorded_time_then_service_then_cause_before_effect() -> None:
    completed = sealed("risk", "DashCompleted", CASE, at=AT + timedelta(hours=1))
    met = sealed("cases", "DashDeadlineMet", CASE, at=AT + timedelta(hours=1), cause=completed)
    opened = sealed("cases", "CaseOpened", CASE)
    received = sealed("intake", "ReportReceived", CASE)
    found = history(located(met, opened, completed, received), [CASE])
    assert [e.envelope.event_name for e in found.entries] == [
        "ReportReceived",
        "CaseOpened",
        "DashCompleted",
        "DashDeadlineMet",
    ]


def test_a_republished_record_shows_once_and_a_changed_one_is_flagged() -> None:
    opened = sealed("cases", "CaseOpened", CASE)
    changed = opened.model_copy(update={"payload": {"tampered": True}})
    found = history(located(opened, opened), [CASE])
    assert (len(found.entries), found.duplicates) == (1, 1)
    assert history(located(changed), [CASE]).invalid


def test_reads_are_the_restricted_reads_and_refused_intake_answers() -> None:
    names = ["RestrictedCaseRead", "CaseWithheldFromSubmitter", "CaseOpened"]
    services = ["cases", "intake", "cases"]
    found = history(
        located(*(sealed(s, n, CASE) for s, n in zip(services, names, strict=True))), [CASE]
    )
    assert {e.envelope.event_name for e in reads(found.entries)} == set(names[:2])
