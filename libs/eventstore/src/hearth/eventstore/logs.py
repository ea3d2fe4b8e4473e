"""structlog JSON logging, set up once per process, that never writes personal data.

- Context (service, event id, case id, correlation id) is bound with contextvars.
- `mask_personal` replaces every field the contracts mark as personal, at any depth,
  and renders event models through `redact`.
- Exceptions are logged as their type and stack frames only: messages from libraries
  (a validation error, a database constraint) can quote the data that caused them.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Mapping
from functools import cache
from typing import Any

import structlog
from pydantic import BaseModel, ValidationError
from structlog.typing import EventDict, WrappedLogger

from hearth.contracts.envelope import Envelope
from hearth.contracts.events.base import (
    REDACTED,
    DomainEvent,
    personal_field_names,
    redact,
    registry,
)

# Names that hold personal data wherever they appear, whether or not an event uses them.
ALWAYS_PERSONAL = frozenset(
    {
        "name",
        "full_name",
        "first_name",
        "last_name",
        "date_of_birth",
        "dob",
        "phone",
        "phone_number",
        "email",
        "address",
        "postcode",
        "narrative",
        "account",
        "free_text",
        "comment",
        "notes",
    }
)


def personal_keys() -> frozenset[str]:
    _load_contracts()
    return ALWAYS_PERSONAL | personal_field_names()


@cache
def _load_contracts() -> None:
    import hearth.contracts.events  # noqa: F401  (defines every published event model)


def _mask(value: Any, keys: frozenset[str]) -> Any:
    if isinstance(value, DomainEvent):
        return redact(value)
    if isinstance(value, Envelope):
        data = value.model_dump(mode="json")
        # A payload of a type this process does not know is masked whole: fail safe.
        known = value.type in registry() or value.type in _known_unregistered()
        data["payload"] = _mask(data["payload"], keys) if known else REDACTED
        return data
    if isinstance(value, BaseModel):
        return _mask(value.model_dump(mode="json"), keys)
    if isinstance(value, Mapping):
        return {
            k: (REDACTED if k in keys and v is not None else _mask(v, keys))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple | set | frozenset):
        return [_mask(v, keys) for v in value]
    return value


def _known_unregistered() -> set[str]:
    """Event types defined but deliberately not published (tests' own events)."""
    found: set[str] = set()
    stack: list[type[DomainEvent]] = [DomainEvent]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if getattr(cls, "service", None):
            found.add(cls.event_type())
    return found


def mask_personal(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """structlog processor: mask personal fields anywhere in the log entry."""
    keys = personal_keys()
    return {
        k: (REDACTED if k in keys and v is not None else _mask(v, keys))
        for k, v in event_dict.items()
    }


def describe_error(exc: BaseException) -> str:
    """A description of an error that is safe to log, publish or answer with.

    Hearth's own errors set `message_is_safe = True` and keep personal data out of their
    messages; for validation errors only the field locations and error kinds are kept;
    for anything else only the exception's type.
    """
    if isinstance(exc, ValidationError):
        parts = [f"{'.'.join(str(p) for p in e['loc'])} ({e['type']})" for e in exc.errors()]
        return f"ValidationError: {'; '.join(parts)}"
    if getattr(exc, "message_is_safe", False) or type(exc).__module__.startswith("hearth."):
        return f"{type(exc).__name__}: {exc}"
    return type(exc).__name__


def safe_exception(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """structlog processor: render exc_info as type, safe description and frames."""
    exc_info = event_dict.pop("exc_info", None)
    if not exc_info:
        return event_dict
    if exc_info is True:
        exc_info = sys.exc_info()
    exc = exc_info[1] if isinstance(exc_info, tuple) else exc_info
    if isinstance(exc, BaseException):
        frames = traceback.extract_tb(exc.__traceback__)
        event_dict["error"] = describe_error(exc)
        event_dict["frames"] = [f"{f.filename}:{f.lineno} {f.name}" for f in frames[-8:]]
    return event_dict


def configure_logging(service: str, level: str = "INFO", stream: Any = None) -> None:
    """Set up JSON logging for the process, with `service` bound on every line.

    Lines from the standard library's loggers (uvicorn, aiokafka) go through the same
    processors, so they are JSON and masked too.
    """
    out = stream or sys.stdout
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        safe_exception,
        mask_personal,
    ]
    handler = logging.StreamHandler(out)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[structlog.stdlib.add_logger_name, *shared],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.JSONRenderer(sort_keys=True),
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # aiokafka reports every reconnection attempt at ERROR; its outcome is what matters.
    logging.getLogger("aiokafka").setLevel(max(logging.WARNING, root.level))
    structlog.configure(
        processors=[*shared, structlog.processors.JSONRenderer(sort_keys=True)],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping()[level.upper()]
        ),
        logger_factory=structlog.PrintLoggerFactory(file=out),
        cache_logger_on_first_use=False,
    )
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(service=service)


def operator_logger(stream: Any) -> Any:
    """A logger for an operator command's own lines, on `stream` (stdout for what it did,
    stderr for a refusal): one `event=... key=...` line each, through the same masking
    as the service's logs, so a personal field handed to it never reaches the terminal or
    a job's log collector. Made per call, on the stream as it is then."""
    return structlog.wrap_logger(
        structlog.PrintLogger(stream),
        processors=[
            safe_exception,
            mask_personal,
            structlog.processors.KeyValueRenderer(key_order=["event"], drop_missing=True),
        ],
    )


def bind_event(envelope: Envelope) -> None:
    """Bind an event's ids to the log context of the task handling it."""
    structlog.contextvars.bind_contextvars(
        event_id=str(envelope.event_id),
        case_id=envelope.subject,
        correlation_id=str(envelope.correlation_id),
    )


def unbind_event() -> None:
    structlog.contextvars.unbind_contextvars("event_id", "case_id", "correlation_id")
