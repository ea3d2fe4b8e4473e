"""What an auditor without keys sees of every published event type: no personal value in
the one-line summary, and every personal value `[encrypted]` in the payload shown."""

from __future__ import annotations

import json

import pytest
from contract_examples import examples

from hearth.audit.personal import ENCRYPTED, masked, personal_values
from hearth.audit.summaries import SUMMARIES, summary
from hearth.contracts.events.base import DomainEvent, is_unreadable_personal

EXAMPLES = examples()


def _plain_personal(event: DomainEvent) -> list[str]:
    """The example's personal values, as text long enough to be recognised."""
    payload = event.model_dump(mode="json")
    return [
        str(value)
        for _path, value in personal_values(event.event_type(), payload)
        if isinstance(value, str) and len(value) >= 4 and not is_unreadable_personal(value)
    ]


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_no_personal_value_reaches_the_summary_or_the_masked_payload(name: str) -> None:
    event = EXAMPLES[name]
    payload = event.model_dump(mode="json")
    line = summary(type(event).event_name(), event.event_type(), payload)
    shown = json.dumps(masked(event.event_type(), payload, decrypted=False), ensure_ascii=False)
    for value in _plain_personal(event):
        assert value not in line, f"{name}: summary shows a personal value"
        assert value not in shown, f"{name}: payload shows a personal value"


def test_examples_with_personal_values_exist_to_check() -> None:
    assert sum(1 for e in EXAMPLES.values() if _plain_personal(e)) >= 10


@pytest.mark.parametrize("name", sorted(SUMMARIES))
def test_every_hand_written_summary_names_a_published_event(name: str) -> None:
    assert any(type(e).event_name() == name for e in EXAMPLES.values())


def test_masked_values_read_encrypted_and_decrypted_ones_stay() -> None:
    event = next(e for e in EXAMPLES.values() if type(e).event_name() == "ReportReceived")
    payload = event.model_dump(mode="json")
    hidden = personal_values(
        event.event_type(), masked(event.event_type(), payload, decrypted=False)
    )
    assert hidden
    assert {value for _path, value in hidden} == {ENCRYPTED}
    assert "survivor.name" in {path for path, _value in hidden}
    kept = masked(event.event_type(), payload, decrypted=True)
    assert personal_values(event.event_type(), kept) == personal_values(event.event_type(), payload)


def test_ciphertext_anywhere_reads_encrypted_even_for_an_unknown_type() -> None:
    payload = {"note": "hearth:enc:v1:abc:AAAA", "n": 1, "list": ["hearth:enc:v1:k:BBBB"]}
    assert masked("hearth.elsewhere.Unknown.v1", payload, decrypted=True) == {
        "note": ENCRYPTED,
        "n": 1,
        "list": [ENCRYPTED],
    }
