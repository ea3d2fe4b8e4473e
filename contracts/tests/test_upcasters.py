"""Upcasting: a DashCompleted stored as v1 years ago is read today as v2."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest
from contract_examples import CASE_ID, examples

from hearth.contracts import upcasters
from hearth.contracts.envelope import GENESIS_HASH, Actor, Envelope, Role
from hearth.contracts.events import parse_event
from hearth.contracts.events.common import RiskLevel
from hearth.contracts.events.risk import DashCompleted
from hearth.contracts.upcasters import upcast

V1 = "hearth.risk.DashCompleted.v1"
V2 = "hearth.risk.DashCompleted.v2"


def _stored_v1() -> dict[str, Any]:
    return examples()[V1].model_dump(mode="json")


def test_a_v1_dash_is_lifted_to_v2_with_the_question_set_it_always_used() -> None:
    stored = _stored_v1()
    event_type, payload = upcast(V1, stored)
    assert event_type == V2
    assert payload["question_set_id"] == "dash-ric-24"
    assert payload["question_count"] == 24
    assert payload["score"] == stored["yes_count"] == 12
    assert {k: v for k, v in payload.items() if k in stored} == stored


def test_upcasting_leaves_the_stored_payload_untouched() -> None:
    stored = _stored_v1()
    before = copy.deepcopy(stored)
    upcast(V1, stored)
    assert stored == before


def test_parse_event_reads_a_v1_dash_as_the_current_model() -> None:
    event = parse_event(V1, _stored_v1())
    assert isinstance(event, DashCompleted)
    assert event.event_type() == V2
    assert event.scored_level is RiskLevel.MEDIUM
    assert event.risk_level is RiskLevel.HIGH
    assert event.professional_judgement is not None
    assert len(event.answers) == 12


def test_a_current_event_is_not_changed() -> None:
    payload = examples()[V2].model_dump(mode="json")
    assert upcast(V2, payload) == (V2, payload)


def test_an_old_event_on_the_log_still_verifies_and_reads_as_current() -> None:
    at = datetime(2023, 11, 2, 10, 15, tzinfo=UTC)
    stored = Envelope.seal(
        event_id=UUID(int=1, version=4),
        type=V1,
        source="hearth.risk",
        subject=str(CASE_ID),
        stream_id=f"assessment-{CASE_ID}",
        stream_version=1,
        occurred_at=at,
        recorded_at=at,
        correlation_id=UUID(int=2, version=4),
        causation_id=None,
        actor=Actor(id="staff-0007", role=Role.CASE_MANAGER),
        prev_hash=GENESIS_HASH,
        payload=_stored_v1(),
    )
    record = stored.to_kafka()
    read = Envelope.from_kafka(record.key, record.value, record.headers)
    assert read.hash_is_valid()
    assert isinstance(parse_event(read.type, read.payload), DashCompleted)
    assert read.payload == stored.payload


def test_an_upcaster_that_does_not_move_forward_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(upcasters._UPCASTERS, ("CaseClosed", 1), lambda p: (1, p))
    with pytest.raises(RuntimeError, match="does not move forward"):
        upcast("hearth.cases.CaseClosed.v1", {})


def test_an_event_version_has_at_most_one_upcaster() -> None:
    with pytest.raises(ValueError, match="already has an upcaster"):
        upcasters.upcaster("DashCompleted", 1)(upcasters.dash_completed_v1_to_v2)


def test_a_malformed_event_type_is_refused() -> None:
    with pytest.raises(ValueError, match="not a Hearth event type"):
        upcast("com.example.Thing", {})
