"""Logging never writes personal data, however it is handed to the logger."""

from __future__ import annotations

import io
import json
import uuid
from datetime import UTC, datetime

import pytest
import structlog
from pydantic import BaseModel, Field, ValidationError

from hearth.contracts.envelope import GENESIS_HASH, Envelope
from hearth.contracts.events.base import REDACTED
from hearth.eventstore.logs import bind_event, configure_logging, describe_error, operator_logger
from hearth.eventstore.testing.events import ACTOR, NoteAdded

NAME = "Jane Example"
ACCOUNT = "He hit me"


@pytest.fixture
def output() -> io.StringIO:
    stream = io.StringIO()
    configure_logging("testing", "DEBUG", stream=stream)
    yield stream
    structlog.reset_defaults()


def _lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def _event() -> NoteAdded:
    return NoteAdded(case_id=str(uuid.uuid4()), seq=1, survivor_name=NAME, narrative=ACCOUNT)


def test_an_event_logged_whole_shows_its_shape_but_none_of_its_personal_data(
    output: io.StringIO,
) -> None:
    event = _event()
    envelope = Envelope.seal(
        event_id=uuid.uuid4(),
        type=event.event_type(),
        source="hearth.testing",
        subject=event.case_id,
        stream_id=event.case_id,
        stream_version=1,
        occurred_at=datetime.now(UTC),
        recorded_at=datetime.now(UTC),
        correlation_id=uuid.uuid4(),
        causation_id=None,
        actor=ACTOR,
        prev_hash=GENESIS_HASH,
        payload=event.model_dump(mode="json"),
    )
    bind_event(envelope)
    log = structlog.get_logger("test")

    log.info("event", event_model=event)
    log.info("envelope", envelope=envelope)
    log.info("payload", payload=event.model_dump(mode="json"))
    log.info("flat", survivor_name=NAME, narrative=ACCOUNT, phone="07700 900123")

    text = output.getvalue()
    assert NAME not in text and ACCOUNT not in text and "07700" not in text
    lines = _lines(output)
    assert len(lines) == 4
    assert lines[0]["event_model"] == {
        "case_id": event.case_id,
        "seq": 1,
        "survivor_name": "[personal]",
        "narrative": "[personal]",
    }
    assert lines[1]["envelope"]["payload"]["survivor_name"] == "[personal]"  # type: ignore[index]
    assert all(line["case_id"] == event.case_id for line in lines)
    assert all(line["service"] == "testing" for line in lines)
    assert all(line["event_id"] == str(envelope.event_id) for line in lines)


def test_an_exception_is_logged_without_the_message_that_could_quote_data(
    output: io.StringIO,
) -> None:
    log = structlog.get_logger("test")
    try:
        raise RuntimeError(f"duplicate key: ({NAME})")
    except RuntimeError as exc:
        log.error("handler failed", exc_info=exc)

    text = output.getvalue()
    assert NAME not in text
    line = _lines(output)[0]
    assert line["error"] == "RuntimeError"
    assert any("test_logs.py" in frame for frame in line["frames"])  # type: ignore[union-attr]


def test_a_validation_error_is_described_by_field_and_kind_only() -> None:
    class Form(BaseModel):
        phone: str = Field(pattern=r"^\d+$")

    with pytest.raises(ValidationError) as raised:
        Form(phone=f"call {NAME}")

    described = describe_error(raised.value)
    assert described == "ValidationError: phone (string_pattern_mismatch)"
    assert NAME not in described


def test_a_published_report_logged_as_model_and_as_envelope_leaks_nothing(
    output: io.StringIO,
) -> None:
    import contract_examples as ex

    report = ex.examples()["hearth.intake.ReportReceived.v1"]
    envelope = Envelope.seal(
        event_id=uuid.uuid4(),
        type=report.event_type(),
        source="hearth.intake",
        subject=str(ex.CASE_ID),
        stream_id=str(ex.REPORT_ID),
        stream_version=1,
        occurred_at=ex.REPORTED_AT,
        recorded_at=ex.REPORTED_AT,
        correlation_id=uuid.uuid4(),
        causation_id=None,
        actor=ACTOR,
        prev_hash=GENESIS_HASH,
        payload=report.model_dump(mode="json"),
    )
    log = structlog.get_logger("test")

    log.info("report", report=report)
    log.info("envelope", envelope=envelope)
    log.warning("raw payload", payload=envelope.payload)

    text = output.getvalue()
    secrets = [
        ex.SURVIVOR_NAME,
        "Sam Sample",
        "Jo Example",
        "07700 900123",
        "07700 900456",
        "1 Example Street",
        "ZZ1 1ZZ",
        "1990-05-17",
        ex.ACCOUNT,
        "Chris Example",
        "he checks her mobile",
    ]
    for secret in secrets:
        assert secret not in text, f"{secret!r} reached the log"
    first = _lines(output)[0]["report"]
    assert first["survivor"]["name"] == "[personal]"  # type: ignore[index]
    assert first["channel"] == report.channel.value  # type: ignore[index,attr-defined]


def test_a_library_logging_an_exception_through_stdlib_leaks_no_message(
    output: io.StringIO,
) -> None:
    """uvicorn and aiokafka log through `logging`; their lines get the same treatment."""
    import logging

    try:
        raise ValueError(f"could not store {NAME}, {ACCOUNT}")
    except ValueError:
        logging.getLogger("uvicorn.error").exception("Exception in ASGI application")

    text = output.getvalue()
    assert NAME not in text
    assert ACCOUNT not in text
    line = _lines(output)[0]
    assert line["event"] == "Exception in ASGI application"
    assert line["error"] == "ValueError"
    assert line["service"] == "testing"


def test_an_operator_commands_lines_are_masked_like_the_logs() -> None:
    """An operator command's line on stdout: key=value, a personal field masked."""
    stream = io.StringIO()
    operator_logger(stream).info("written", case_id="c-1", name="Zoë Example", bytes=12)
    line = stream.getvalue()
    assert line.startswith("event='written'")
    assert "case_id='c-1'" in line and "bytes=12" in line
    assert "Zoë" not in line and REDACTED in line
