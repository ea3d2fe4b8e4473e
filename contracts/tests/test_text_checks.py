"""No control characters in any text of the contract (issue 10, point 15).

A NUL in a report's account made PostgreSQL refuse the event and write part of it into
its own log; other control characters are invisible and have no place in a record. Every
model is built on `TextChecked`: the refusal names the field and never echoes the value.
"""

from __future__ import annotations

from typing import Any

import pytest
from contract_examples import examples
from pydantic import BaseModel, ValidationError

from hearth.contracts.events import parse_event
from hearth.contracts.events.base import (
    CONTROL_CHARACTER,
    ContractModel,
    TextChecked,
    has_control_character,
    remove_control_characters,
)
from hearth.contracts.events.common import SafeContact, Survivor
from hearth.contracts.events.intake import ReportReceived

EXAMPLES = examples()


def _report(**changes: Any) -> dict[str, Any]:
    example = EXAMPLES[ReportReceived.event_type()]
    payload = example.model_dump(mode="json")
    payload.update(changes)
    return payload


def _refused(model: type[BaseModel], data: dict[str, Any]) -> list[tuple[Any, ...]]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    errors = caught.value.errors()
    assert all(e["type"] == CONTROL_CHARACTER for e in errors), errors
    for error in errors:
        assert "\x00" not in error["msg"]
    return [e["loc"] for e in errors]


@pytest.mark.parametrize("bad", ["a\x00b", "\x07", "bell\x1b[31m", "\x7f", "c1\x85", "\x9b"])
def test_given_a_report_whose_account_holds_a_control_character_then_it_is_refused_naming_it(
    bad: str,
) -> None:
    assert _refused(ReportReceived, _report(account=bad)) == [("account",)]


def test_given_a_name_with_a_nul_deep_in_the_report_then_the_refusal_names_that_field() -> None:
    report = _report()
    report["survivor"]["name"] = "Alex\x00Example"
    assert _refused(ReportReceived, report) == [("survivor", "name")]


def test_given_a_list_of_text_with_a_control_character_then_its_place_is_named() -> None:
    contact = {
        "safe_to_call": True,
        "safe_to_text": False,
        "safe_to_email": False,
        "safe_to_write": False,
        "safe_to_visit": False,
        "safe_phone_numbers": ["07700 900 123"],
        "withheld_number_only": False,
        "never_leave_voicemail": True,
        "interpreter_needed": False,
        "safe_people_to_speak_to": ["Sam", "Jo\x00"],
    }
    assert _refused(SafeContact, contact) == [("safe_people_to_speak_to", 1)]


def test_given_free_text_then_line_breaks_and_tabs_are_kept() -> None:
    account = "First line.\r\nSecond line,\tindented.\n"
    event = ReportReceived.model_validate(_report(account=account))
    assert event.account == account


@pytest.mark.parametrize("bad", ["Alex\nExample", "Alex\tExample", "Alex\rExample"])
def test_given_a_one_line_field_then_line_breaks_and_tabs_are_refused(bad: str) -> None:
    survivor = {"person_id": "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d", "name": bad}
    assert _refused(Survivor, survivor) == [("name",)]


def test_given_an_event_read_back_from_the_store_then_its_text_is_not_checked_again() -> None:
    # History written before the check existed must still load (PostgreSQL never held a
    # NUL in JSON, but other control characters may have been stored).
    event = parse_event(ReportReceived.event_type(), _report(account="old\x07account"))
    assert isinstance(event, ReportReceived)
    assert event.account == "old\x07account"


def test_every_model_of_the_contract_checks_its_text() -> None:
    assert issubclass(ContractModel, TextChecked)


def test_the_characters_refused_and_removed() -> None:
    assert not has_control_character("Zoë — “quoted” 🏠 ok")
    assert has_control_character("\x00")
    assert has_control_character("\n")
    assert not has_control_character("\n\r\t", multi_line=True)
    assert has_control_character("\x0b", multi_line=True)
    assert remove_control_characters("a\x00b\tc\nd") == "abcd"
    assert remove_control_characters("a\x00b\tc\nd", multi_line=True) == "ab\tc\nd"
