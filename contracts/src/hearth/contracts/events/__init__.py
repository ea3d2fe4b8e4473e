"""Every Hearth event model, and reading an event of any version from its wire form.

Importing this package registers every event type. `parse_event` is how a consumer
turns a type and JSON payload into a model: older versions are upcast first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from hearth.contracts.events import cases, intake, referrals, risk
from hearth.contracts.events.base import RECORDED, DomainEvent, model_for, registry
from hearth.contracts.upcasters import upcast

__all__ = [
    "DomainEvent",
    "InvalidEvent",
    "cases",
    "event_types",
    "intake",
    "parse_event",
    "referrals",
    "risk",
]


class InvalidEvent(ValueError):
    """A payload that does not match its event type. Names fields, never their values."""

    def __init__(self, event_type: str, fields: list[str]) -> None:
        self.event_type = event_type
        self.fields = fields
        super().__init__(f"invalid {event_type} payload: {', '.join(fields) or 'unknown'}")


def parse_event(event_type: str, payload: Mapping[str, Any]) -> DomainEvent:
    """The event as its current model, after upcasting. Raises KeyError or InvalidEvent.

    A stored event is read as it was written: its text is not checked again (`RECORDED`),
    so history written before a check was added still loads."""
    current_type, current_payload = upcast(event_type, dict(payload))
    model = model_for(current_type)
    try:
        return model.model_validate(current_payload, context=RECORDED)
    except ValidationError as exc:
        # The default message quotes input values, which may be personal data.
        fields = [
            f"{'.'.join(map(str, e['loc'])) or '(event)'} ({e['type']})" for e in exc.errors()
        ]
        raise InvalidEvent(current_type, fields) from None


def event_types() -> list[str]:
    """Every registered wire type, older retained versions included, sorted."""
    return sorted(registry())
