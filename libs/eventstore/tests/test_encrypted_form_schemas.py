"""The published JSON Schemas describe events as they are published: every personal value
encrypted. Every contract example, encrypted as the event store stores it, validates; so
does its plain form (and a value in neither form does not)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import jsonschema_rs
import pytest
from contract_examples import CASE_ID, examples

from hearth.contracts.events import parse_event
from hearth.contracts.schemas import CONTRACTS_DIR, SCHEMA_DIR_NAME
from hearth.eventstore.personal_data import (
    encrypt_personal,
    is_encrypted,
    new_data_key,
    subjects_for,
)

EXAMPLES = examples()


def _validator(event_type: str) -> Any:
    path = CONTRACTS_DIR / SCHEMA_DIR_NAME / f"{event_type}.json"
    return jsonschema_rs.validator_for(json.loads(path.read_text("utf-8")))


def _encrypted(event_type: str) -> dict[str, Any]:
    event = EXAMPLES[event_type]
    model = type(event)
    payload = event.model_dump(mode="json")
    subjects = subjects_for(model, payload, case_id=CASE_ID)
    keys = {subject: new_data_key(subject) for subject in subjects}
    return encrypt_personal(model, payload, case_id=CASE_ID, event_id=uuid.uuid4(), keys=keys)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


@pytest.mark.parametrize("event_type", sorted(EXAMPLES))
def test_an_encrypted_event_validates_against_its_published_schema(event_type: str) -> None:
    validator = _validator(event_type)
    plain = EXAMPLES[event_type].model_dump(mode="json")
    encrypted = _encrypted(event_type)

    validator.validate(plain)
    validator.validate(encrypted)
    # A consumer without keys can load it too (personal values as ciphertext).
    parse_event(event_type, encrypted)


def test_the_examples_do_carry_encrypted_values() -> None:
    carrying = [t for t in EXAMPLES if any(map(is_encrypted, _strings(_encrypted(t))))]
    assert "hearth.intake.ReportReceived.v1" in carrying
    assert "hearth.cases.CaseOpened.v1" in carrying
    # Every example whose model has personal paths and fills one of them.
    assert len(carrying) >= 20


def test_a_personal_value_in_neither_form_is_refused() -> None:
    validator = _validator("hearth.intake.ReportReceived.v1")
    encrypted = _encrypted("hearth.intake.ReportReceived.v1")
    encrypted["survivor"]["phone"] = "hearth:enc:v1:not base64!"
    assert not validator.is_valid(encrypted)
