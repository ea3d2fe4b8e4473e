"""`audit access`: one row per recorded read, restricted or not, in order (pure)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from hearth.audit.access import access_rows
from hearth.audit.log import Located
from hearth.audit.summaries import summary
from hearth.audit.timeline import history
from hearth.contracts.envelope import GENESIS_HASH, Actor, Envelope, Role, format_time

AT = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)
CASE = str(uuid.uuid4())
CASEWORKER = Actor(id="cso-0001", role=Role.CASE_MANAGER)
MANAGER = Actor(id="mgr-0001", role=Role.MANAGER)
SYSTEM = Actor(id="hearth.cases", role=Role.SYSTEM)


def sealed(
    service: str, name: str, actor: Actor, at: datetime, payload: dict[str, Any]
) -> Envelope:
    return Envelope.seal(
        event_id=uuid.uuid4(),
        type=f"hearth.{service}.{name}.v1",
        source=f"hearth.{service}",
        subject=CASE,
        stream_id=f"reads-{service}-{CASE}",
        stream_version=1,
        occurred_at=at,
        recorded_at=at,
        correlation_id=uuid.uuid4(),
        causation_id=None,
        actor=actor,
        prev_hash=GENESIS_HASH,
        payload={"case_id": CASE, **payload},
    )


def read(service: str, name: str, actor: Actor, hours: float, view: str, **more: Any) -> Envelope:
    at = AT + timedelta(hours=hours)
    payload = {"read_at": format_time(at), "staff_id": actor.id, "view": view, **more}
    return sealed(service, name, actor, at, payload)


def test_every_read_is_a_row_in_order_with_who_what_and_whether_granted() -> None:
    records = [
        read("referrals", "ReferralRecordRead", CASEWORKER, 3, "summary"),
        read("cases", "CaseRecordRead", CASEWORKER, 1, "timeline"),
        sealed("cases", "CaseOpened", SYSTEM, AT, {}),
        read("risk", "RiskRecordRead", CASEWORKER, 2, "risk_record"),
        read("cases", "CaseRecordRead", MANAGER, 4, "timeline"),
        read("cases", "RestrictedCaseRead", MANAGER, 5, "timeline", access_granted=True),
        read("risk", "RestrictedRiskRecordRead", CASEWORKER, 6, "command", access_granted=False),
    ]
    found = history([Located("t", 0, i, e) for i, e in enumerate(records)], [CASE])
    rows = access_rows(found.entries)
    assert [
        (r["service"], r["staff_id"], r["role"], r["view"], r["access_granted"], r["restricted"])
        for r in rows
    ] == [
        ("cases", "cso-0001", "case_manager", "timeline", True, False),
        ("risk", "cso-0001", "case_manager", "risk_record", True, False),
        ("referrals", "cso-0001", "case_manager", "summary", True, False),
        ("cases", "mgr-0001", "manager", "timeline", True, False),
        ("cases", "mgr-0001", "manager", "timeline", True, True),
        ("risk", "cso-0001", "case_manager", "command", False, True),
    ]
    assert rows[0]["read_at"] == format_time(AT + timedelta(hours=1))
    assert rows[0]["event"] == "CaseRecordRead"


def test_a_read_of_a_case_not_restricted_is_summarised_as_granted() -> None:
    payload = {"read_at": format_time(AT), "staff_id": "cso-0001", "view": "assessment"}
    assert summary("RiskRecordRead", "hearth.risk.RiskRecordRead.v1", payload) == (
        "cso-0001 opened assessment: granted"
    )
