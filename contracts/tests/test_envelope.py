"""The envelope: sealing, the hash chain and the CloudEvents binary-mode Kafka record."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from contract_examples import CASE_ID, examples

from hearth.contracts.envelope import (
    GENESIS_HASH,
    REQUIRED_HEADERS,
    Actor,
    Envelope,
    EnvelopeError,
    KafkaRecord,
    Role,
)

CASE_OPENED = examples()["hearth.cases.CaseOpened.v1"]
OCCURRED_AT = datetime(2025, 3, 7, 16, 42, 5, 123456, tzinfo=UTC)
CAUSATION_ID = UUID(int=98, version=4)


def _seal(
    version: int = 1,
    prev_hash: str = GENESIS_HASH,
    occurred_at: datetime = OCCURRED_AT,
    causation_id: UUID | None = CAUSATION_ID,
) -> Envelope:
    return Envelope.seal(
        event_id=UUID(int=version, version=4),
        type=CASE_OPENED.event_type(),
        source="hearth.cases",
        subject=str(CASE_ID),
        stream_id=f"case-{CASE_ID}",
        stream_version=version,
        occurred_at=occurred_at,
        recorded_at=occurred_at + timedelta(milliseconds=3),
        correlation_id=UUID(int=99, version=4),
        causation_id=causation_id,
        actor=Actor(id="staff-0007", role=Role.CASE_MANAGER),
        prev_hash=prev_hash,
        payload=CASE_OPENED.model_dump(mode="json"),
    )


def _headers(record: KafkaRecord) -> dict[str, bytes]:
    return dict(record.headers)


def _read(record: KafkaRecord, headers: dict[str, bytes] | None = None) -> Envelope:
    chosen = _headers(record) if headers is None else headers
    return Envelope.from_kafka(record.key, record.value, list(chosen.items()))


def test_a_sealed_envelope_survives_the_round_trip_through_kafka() -> None:
    envelope = _seal()
    read = _read(envelope.to_kafka())
    assert read == envelope
    assert read.hash_is_valid()


def test_the_record_is_keyed_by_the_case_id() -> None:
    assert _seal().to_kafka().key == str(CASE_ID).encode()


def test_headers_are_cloudevents_binary_mode() -> None:
    envelope = _seal()
    headers = _headers(envelope.to_kafka())
    assert headers["ce_specversion"] == b"1.0"
    assert headers["ce_id"] == str(envelope.event_id).encode()
    assert headers["ce_type"] == b"hearth.cases.CaseOpened.v1"
    assert headers["ce_source"] == b"hearth.cases"
    assert headers["ce_subject"] == str(CASE_ID).encode()
    assert headers["ce_time"] == b"2025-03-07T16:42:05.123456Z"
    assert headers["content-type"] == b"application/json"
    assert headers["ce_hash"] == envelope.hash.encode()
    assert headers["ce_prevhash"] == GENESIS_HASH.encode()
    assert headers["ce_actorrole"] == b"case_manager"
    assert set(REQUIRED_HEADERS) <= set(headers)
    assert all(name.startswith("ce_") or name == "content-type" for name in headers)


def test_the_value_is_the_json_payload() -> None:
    envelope = _seal()
    assert json.loads(envelope.to_kafka().value) == envelope.payload


def test_the_time_header_keeps_its_canonical_form_on_a_whole_second() -> None:
    whole_second = OCCURRED_AT.replace(microsecond=0)
    headers = _headers(_seal(occurred_at=whole_second).to_kafka())
    assert headers["ce_time"] == b"2025-03-07T16:42:05.000000Z"


def test_a_hash_chain_links_each_event_to_the_one_before() -> None:
    first = _seal(1)
    second = _seal(2, prev_hash=first.hash)
    assert second.prev_hash == first.hash
    assert first.hash_is_valid() and second.hash_is_valid()
    assert first.hash != second.hash


def test_sealing_is_deterministic() -> None:
    assert _seal().hash == _seal().hash


def test_ids_given_as_text_seal_the_same_envelope_as_uuids() -> None:
    """The hash is worked out before the model reads the ids and the actor: text ids (even
    in capitals) and the actor as a dict must hash as the envelope holds them."""
    sealed = _seal()
    as_text = Envelope.seal(
        **{
            **sealed.model_dump(exclude={"hash"}),
            "event_id": str(sealed.event_id).upper(),
            "correlation_id": str(sealed.correlation_id).upper(),
            "causation_id": str(sealed.causation_id),
        }
    )
    assert as_text == sealed and as_text.hash_is_valid()


def test_a_tampered_payload_is_detected() -> None:
    record = _seal().to_kafka()
    payload = json.loads(record.value)
    payload["immediate_danger"] = True
    tampered = KafkaRecord(record.key, json.dumps(payload).encode(), record.headers)
    assert not _read(tampered).hash_is_valid()


def test_a_tampered_prev_hash_is_detected() -> None:
    record = _seal().to_kafka()
    headers = _headers(record)
    headers["ce_prevhash"] = ("1" * 64).encode()
    assert not _read(record, headers).hash_is_valid()


def test_a_tampered_actor_is_detected() -> None:
    record = _seal().to_kafka()
    headers = _headers(record)
    headers["ce_actorid"] = b"staff-0001"
    assert not _read(record, headers).hash_is_valid()


@pytest.mark.parametrize("header", [h for h in REQUIRED_HEADERS if h != "ce_specversion"])
def test_a_missing_header_is_named(header: str) -> None:
    record = _seal().to_kafka()
    headers = _headers(record)
    del headers[header]
    with pytest.raises(EnvelopeError, match=header):
        _read(record, headers)


def test_a_record_without_specversion_is_not_a_cloudevent() -> None:
    record = _seal().to_kafka()
    headers = _headers(record)
    del headers["ce_specversion"]
    with pytest.raises(EnvelopeError, match="ce_specversion"):
        _read(record, headers)


def test_the_causation_id_is_optional() -> None:
    envelope = _seal(causation_id=None)
    record = envelope.to_kafka()
    assert "ce_causationid" not in _headers(record)
    assert _read(record) == envelope


def test_a_record_keyed_other_than_by_its_subject_is_refused() -> None:
    record = _seal().to_kafka()
    misrouted = KafkaRecord(b"another-case", record.value, record.headers)
    with pytest.raises(EnvelopeError, match="key"):
        _read(misrouted)


def test_an_invalid_field_is_named_without_its_value() -> None:
    record = _seal().to_kafka()
    headers = _headers(record)
    headers["ce_prevhash"] = b"not-a-hash"
    with pytest.raises(EnvelopeError, match="prev_hash") as caught:
        _read(record, headers)
    assert "not-a-hash" not in str(caught.value)


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"data": 0, "note": '"data":0', "nested": {"data": [1, '"data":0']}},
        {"name": "Zoë Ünïcode ☂", "quote": 'he said "data":0', "n": None, "f": 1.5},
        CASE_OPENED.model_dump(mode="json"),
    ],
)
@pytest.mark.parametrize("causation_id", [CAUSATION_ID, None])
def test_the_hash_covers_exactly_the_canonical_json_of_the_whole_envelope(
    payload: dict[str, object], causation_id: UUID | None
) -> None:
    """The hash's bytes, built with the payload's JSON put in its place, are the canonical
    JSON of the whole envelope (what an auditor recomputes from the record alone)."""
    envelope = Envelope.seal(
        event_id=UUID(int=7, version=4),
        type=CASE_OPENED.event_type(),
        source="hearth.cases",
        subject=str(CASE_ID),
        stream_id='case-"data":0',
        stream_version=3,
        occurred_at=OCCURRED_AT,
        recorded_at=OCCURRED_AT,
        correlation_id=UUID(int=99, version=4),
        causation_id=causation_id,
        actor=Actor(id="staff-0007", role=Role.CASE_MANAGER),
        prev_hash=GENESIS_HASH,
        payload=payload,
    )
    whole = {
        "id": str(envelope.event_id),
        "type": envelope.type,
        "source": envelope.source,
        "subject": envelope.subject,
        "streamid": envelope.stream_id,
        "streamversion": envelope.stream_version,
        "time": "2025-03-07T16:42:05.123456Z",
        "recordedtime": "2025-03-07T16:42:05.123456Z",
        "correlationid": str(envelope.correlation_id),
        "causationid": str(causation_id) if causation_id else None,
        "actor": {"id": "staff-0007", "role": "case_manager"},
        "data": payload,
    }
    expected = json.dumps(
        whole, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode()
    assert envelope.canonical_bytes() == expected
    assert envelope.hash_is_valid()
    assert envelope.hash == hashlib.sha256(GENESIS_HASH.encode() + expected).hexdigest()
