"""Personal data is marked in the models and the schemas, and `redact` removes all of it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from contract_examples import ACCOUNT, SURVIVOR_NAME, examples

from hearth.contracts.events import InvalidEvent, event_types, parse_event
from hearth.contracts.events.base import (
    REDACTED,
    DomainEvent,
    model_for,
    personal_field_names,
    personal_paths,
    redact,
)
from hearth.contracts.events.intake import ReportReceived
from hearth.contracts.schemas import event_schema

EXAMPLES = examples()

NON_PERSONAL_TEXT = {
    "staff_id",
    "previous_staff_id",
    "approved_by",
    "owner_staff_id",
    "permitted_staff_ids",
    "organisation",
    "agency_name",
    "recipients",
    "owner_agency",
    "marac_area",
    "interpreter_language",
    "question_set_id",
    "question_set_version",
    "wording",
    "timescale_policy",
    "works_order_reference",
    "asb_case_reference",
    "asb_category",
    "partner_reference",
    "agency_reference",
    "retention_policy",
    "requested_by",
    "data_protection_reference",
}
"""Free-form strings that are deliberately not personal: staff ids, agencies, references."""


def _values_at(data: Any, path: list[str]) -> list[Any]:
    if isinstance(data, list):
        return [v for item in data for v in _values_at(item, path)]
    if not path:
        return [data]
    if not isinstance(data, dict) or data.get(path[0]) is None:
        return []
    return _values_at(data[path[0]], path[1:])


def _strings(value: Any) -> list[str]:
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return [str(value)] if value is not None else []


def test_report_received_marks_every_detail_a_caseworker_records() -> None:
    paths = set(personal_paths(model_for("hearth.intake.ReportReceived.v1")))
    for person in ("survivor", "alleged_perpetrators"):
        for detail in ("name", "date_of_birth", "phone", "email", "address.lines"):
            assert f"{person}.{detail}" in paths
    assert {"reporter.name", "reporter.phone", "reporter.email"} <= paths
    assert {"children.name", "children.date_of_birth", "tenancy_reference", "account"} <= paths
    assert {"safe_contact.safe_phone_numbers", "safe_contact.safe_people_to_speak_to"} <= paths


def test_personal_field_names_cover_names_and_free_text() -> None:
    names = personal_field_names()
    assert {"name", "date_of_birth", "phone", "email", "account", "notes", "comment"} <= names
    assert not names & {"case_id", "staff_id", "channel", "risk_level", "age_band", "sex"}


def _unmarked_text(schema: dict[str, Any], node: Any, path: str) -> list[str]:
    """Paths of plain strings (no enum, format or const) that are not marked personal."""
    if not isinstance(node, dict):
        return []
    if "$ref" in node:
        target = schema["$defs"][node["$ref"].rsplit("/", 1)[1]]
        siblings = {key: value for key, value in node.items() if key != "$ref"}
        return _unmarked_text(schema, {**target, **siblings}, path)
    found: list[str] = []
    for branch in node.get("anyOf", []):
        found += _unmarked_text(schema, {**branch, "x-personal": node.get("x-personal")}, path)
    if "items" in node:
        items = {**node["items"], "x-personal": node.get("x-personal")}
        found += _unmarked_text(schema, items, f"{path}[]")
    for name, child in node.get("properties", {}).items():
        found += _unmarked_text(schema, child, f"{path}.{name}" if path else name)
    plain = node.get("type") == "string" and not {"enum", "format", "const"} & set(node)
    leaf = path.replace("[]", "").rsplit(".", 1)[-1]
    if plain and not node.get("x-personal") and leaf not in NON_PERSONAL_TEXT:
        found.append(path)
    return found


@pytest.mark.parametrize("event_type", event_types())
def test_no_free_text_is_left_unmarked(event_type: str) -> None:
    schema = event_schema(model_for(event_type))
    assert _unmarked_text(schema, schema, "") == []


@pytest.mark.parametrize("event_type", event_types())
def test_the_schema_lists_and_marks_the_personal_paths(event_type: str) -> None:
    model = model_for(event_type)
    schema = event_schema(model)
    assert schema["x-personal-paths"] == sorted(personal_paths(model))
    for path in personal_paths(model):
        if "." not in path:
            assert schema["properties"][path]["x-personal"] is True, path


@pytest.mark.parametrize("event_type", event_types())
def test_redact_leaves_no_personal_value(event_type: str) -> None:
    event: DomainEvent = EXAMPLES[event_type]
    data = event.model_dump(mode="json")
    redacted = redact(event)
    text = json.dumps(redacted)
    for path in personal_paths(type(event)):
        for value in _values_at(data, path.split(".")):
            for secret in _strings(value):
                assert secret not in text, f"{path} leaked"
        for value in _values_at(redacted, path.split(".")):
            assert value == REDACTED, path


def test_nothing_personal_is_left_in_a_redacted_report() -> None:
    report = EXAMPLES["hearth.intake.ReportReceived.v1"]
    assert isinstance(report, ReportReceived)
    redacted = redact(report)
    text = json.dumps(redacted)
    for secret in (
        SURVIVOR_NAME,
        "Sam Sample",
        "Pat Neighbour",
        "Jo Example",
        "07700",
        "Example Street",
        "ZZ1 1ZZ",
        "1990-05-17",
        "T-000123",
        ACCOUNT,
    ):
        assert secret not in text
    assert redacted["survivor"]["name"] == REDACTED
    assert redacted["account"] == REDACTED
    # What reporting counts survives redaction.
    assert redacted["channel"] == "phone"
    assert redacted["survivor"]["equality"]["age_band"] == "35_44"
    assert redacted["report_id"] == str(report.report_id)


def test_the_free_text_check_catches_an_unmarked_string() -> None:
    schema = {
        "properties": {
            "notes": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            "people": {"type": "array", "items": {"$ref": "#/$defs/P"}},
            "case_id": {"type": "string", "format": "uuid"},
        },
        "$defs": {"P": {"properties": {"nickname": {"type": "string"}}}},
    }
    assert _unmarked_text(schema, schema, "") == ["notes", "people[].nickname"]


# --- recorded events whose personal values cannot be read --------------------------------

_CIPHERTEXT = "hearth:enc:v1:0123456789abcdef0123456789abcdef:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"


def _report_with(value: str) -> dict[str, Any]:
    data = EXAMPLES["hearth.intake.ReportReceived.v1"].model_dump(mode="json")
    data["account"] = value
    data["survivor"].update(name=value, phone=value, date_of_birth=value)
    data["reporter"]["phone"] = value
    data["children"][0]["date_of_birth"] = value
    return data


@pytest.mark.parametrize("value", [REDACTED, _CIPHERTEXT], ids=["redacted", "encrypted"])
def test_a_recorded_event_loads_with_unreadable_personal_values(value: str) -> None:
    event = parse_event("hearth.intake.ReportReceived.v1", _report_with(value))

    assert isinstance(event, ReportReceived) and event.survivor is not None
    assert event.account == value and event.survivor.name == value
    assert event.survivor.phone == value and event.reporter.phone == value
    # A date nobody can read is unknown: None, never a string where a date is expected.
    assert event.survivor.date_of_birth is None and event.children[0].date_of_birth is None
    # Everything else is read as usual.
    example = EXAMPLES["hearth.intake.ReportReceived.v1"]
    assert isinstance(example, ReportReceived)
    assert event.abuse_types == example.abuse_types and event.case_id == example.case_id
    assert event.survivor.equality == example.survivor.equality if example.survivor else True


@pytest.mark.parametrize("value", [REDACTED, _CIPHERTEXT], ids=["redacted", "encrypted"])
def test_a_new_event_never_accepts_unreadable_personal_values(value: str) -> None:
    with pytest.raises(ValueError, match="phone"):
        ReportReceived.model_validate(_report_with(value))


def test_a_recorded_event_with_another_fault_is_still_refused() -> None:
    data = _report_with(REDACTED)
    data["abuse_types"] = ["not-a-type"]
    with pytest.raises(InvalidEvent, match="abuse_types"):
        parse_event("hearth.intake.ReportReceived.v1", data)
