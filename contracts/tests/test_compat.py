"""The compatibility checker: each breaking change is caught, the harmless ones pass."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from hearth.contracts.compat import check_backward_compatible
from hearth.contracts.schemas import CONTRACTS_DIR

Schema = dict[str, Any]


def _event(**properties: Any) -> Schema:
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": properties,
        "required": ["case_id"],
        "$defs": {
            "Channel": {"type": "string", "enum": ["phone", "email", "web_form"]},
            "Person": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "name": {"type": "string", "maxLength": 200, "x-personal": True},
                    "gender": {"anyOf": [{"$ref": "#/$defs/Gender"}, {"type": "null"}]},
                },
                "required": [],
            },
            "Gender": {"type": "string", "enum": ["woman", "man", "non_binary"]},
        },
    }


def _base() -> Schema:
    return _event(
        case_id={"type": "string", "format": "uuid"},
        channel={"$ref": "#/$defs/Channel"},
        survivor={"$ref": "#/$defs/Person"},
        notes={"anyOf": [{"type": "string", "maxLength": 2000}, {"type": "null"}]},
        abuse_types={"type": "array", "items": {"$ref": "#/$defs/Channel"}},
        score={"type": "integer", "minimum": 0},
    )


def _changed(change: Any) -> list[str]:
    new = copy.deepcopy(_base())
    change(new)
    return check_backward_compatible(_base(), new)


def test_an_identical_schema_is_compatible() -> None:
    assert check_backward_compatible(_base(), _base()) == []


def test_adding_an_optional_property_is_fine() -> None:
    assert _changed(lambda s: s["properties"].update(extra={"type": "string"})) == []


def test_adding_an_enum_value_is_fine() -> None:
    assert _changed(lambda s: s["$defs"]["Channel"]["enum"].append("visit")) == []


def test_loosening_limits_and_widening_types_is_fine() -> None:
    def loosen(s: Schema) -> None:
        s["$defs"]["Person"]["properties"]["name"]["maxLength"] = 500
        s["properties"]["score"] = {"type": "number"}
        s["properties"]["channel"] = {"anyOf": [{"$ref": "#/$defs/Channel"}, {"type": "null"}]}

    assert _changed(loosen) == []


def test_a_removed_property_is_caught() -> None:
    assert _changed(lambda s: s["properties"].pop("notes")) == ["notes: property removed"]


def test_a_changed_type_is_caught() -> None:
    problems = _changed(lambda s: s["properties"].update(score={"type": "string"}))
    assert problems == ["score: type changed from integer to string"]


def test_narrowing_number_to_integer_is_caught() -> None:
    old = _event(case_id={"type": "string"}, amount={"type": "number"})
    new = _event(case_id={"type": "string"}, amount={"type": "integer"})
    assert check_backward_compatible(old, new) == ["amount: type changed from number to integer"]


def test_an_enum_value_removed_behind_a_ref_is_caught() -> None:
    problems = _changed(lambda s: s["$defs"]["Channel"]["enum"].remove("email"))
    assert "channel: enum value 'email' removed" in problems
    assert "abuse_types[]: enum value 'email' removed" in problems


def test_a_change_inside_a_nested_model_is_caught_with_its_path() -> None:
    def change(s: Schema) -> None:
        s["$defs"]["Person"]["properties"].pop("name")
        s["$defs"]["Gender"]["enum"].remove("non_binary")

    assert _changed(change) == [
        "survivor.name: property removed",
        "survivor.gender: enum value 'non_binary' removed",
    ]


def test_a_changed_format_is_caught() -> None:
    problems = _changed(lambda s: s["properties"]["case_id"].update(format="date-time"))
    assert problems == ["case_id: format changed from uuid to date-time"]


def test_a_newly_required_existing_property_is_caught() -> None:
    assert _changed(lambda s: s["required"].append("notes")) == ["notes: now required"]


def test_a_new_required_property_is_caught() -> None:
    def change(s: Schema) -> None:
        s["properties"]["question_set_id"] = {"type": "string"}
        s["required"].append("question_set_id")

    assert _changed(change) == ["question_set_id: new required property"]


def test_an_optional_value_that_no_longer_accepts_null_is_caught() -> None:
    problems = _changed(lambda s: s["properties"].update(notes={"type": "string"}))
    assert problems == ["notes: no longer accepts null"]


def test_a_union_that_drops_an_alternative_is_caught() -> None:
    old = _event(
        case_id={"type": "string"}, at={"anyOf": [{"type": "string"}, {"type": "integer"}]}
    )
    new = _event(case_id={"type": "string"}, at={"type": "string"})
    assert check_backward_compatible(old, new) == ["at: no longer accepts integer"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"maxLength": 100}, "survivor.name: maxLength tightened to 100"),
        ({"minLength": 2}, "survivor.name: minLength tightened to 2"),
        ({"pattern": "^[A-Z]"}, "survivor.name: pattern changed to '^[A-Z]'"),
    ],
)
def test_a_tightened_string_constraint_is_caught(change: Schema, expected: str) -> None:
    problems = _changed(lambda s: s["$defs"]["Person"]["properties"]["name"].update(change))
    assert problems == [expected]


def test_a_tightened_number_constraint_is_caught() -> None:
    problems = _changed(lambda s: s["properties"]["score"].update(minimum=1))
    assert problems == ["score: minimum tightened to 1"]


def test_dropping_the_personal_marking_is_caught() -> None:
    problems = _changed(lambda s: s["$defs"]["Person"]["properties"]["name"].pop("x-personal"))
    assert problems == ["survivor.name: no longer marked personal (x-personal)"]


def test_recursive_schemas_terminate() -> None:
    node = {
        "type": "object",
        "properties": {"child": {"anyOf": [{"$ref": "#/$defs/Node"}, {"type": "null"}]}},
    }
    schema = {"$ref": "#/$defs/Node", "$defs": {"Node": node}}
    assert check_backward_compatible(schema, copy.deepcopy(schema)) == []


def test_a_real_schema_change_is_reported_in_the_event_terms() -> None:
    text = (CONTRACTS_DIR / "schemas" / "hearth.cases.CaseOpened.v1.json").read_text("utf-8")
    old = json.loads(text)
    new = copy.deepcopy(old)
    new["$defs"]["Channel"]["enum"].remove("web_form")
    new["$defs"]["PostalAddress"]["properties"].pop("postcode")
    problems = check_backward_compatible(old, new)
    assert "channel: enum value 'web_form' removed" in problems
    assert "survivor.address.postcode: property removed" in problems
    assert "alleged_perpetrators[].address.postcode: property removed" in problems
