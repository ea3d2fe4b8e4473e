"""Shared plumbing of the `subject-access <case_id> <person_id>` operator command.

Each service decides what a person gets in its own pure domain code; this module holds
what they share: the answer's common parts (`erased_answer`, `entry`, `held`) and turning
event fields into JSON-ready values (`json_value`, `pick`). Pure: domain code imports it.
The operator command itself is `hearth.eventstore.subject_access_command`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime
from enum import Enum
from typing import Any, Final

from pydantic import BaseModel

from hearth.eventstore.decider import Recorded
from hearth.eventstore.errors import NotFound

SURVIVOR: Final = "survivor"
ALLEGED_PERPETRATOR: Final = "alleged_perpetrator"
CHILD: Final = "child"
REPORTER: Final = "reporter"


class PersonNotOnCase(NotFound):
    code = "person_not_on_case"

    def __init__(self) -> None:
        super().__init__("no such person on this case")


def erased_answer(case_id: uuid.UUID, person_id: uuid.UUID, erased_at: datetime) -> dict[str, Any]:
    """An erased case's answer: only that it was erased, and when."""
    return {
        "case_id": str(case_id),
        "person_id": str(person_id),
        "erased": True,
        "erased_at": erased_at.isoformat(),
    }


def json_value(value: Any) -> Any:
    """A field's value as JSON-ready data (models as objects, enums as their values)."""
    if isinstance(value, BaseModel):
        return {
            name: json_value(getattr(value, name))
            for name in type(value).model_fields
            if getattr(value, name) is not None
        }
    if isinstance(value, list | tuple | frozenset | set):
        return [json_value(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value if isinstance(value, str | int | float | bool) else str(value)


def pick(model: BaseModel, names: Iterable[str]) -> dict[str, Any]:
    """The named fields of `model` (those set), JSON-ready: an allowlist, never the rest."""
    out: dict[str, Any] = {}
    for name in names:
        value = getattr(model, name)
        if value is not None and value != ():
            out[name] = json_value(value)
    return out


def entry(one: Recorded, names: Iterable[str]) -> dict[str, Any]:
    """One event in the answer: when it was recorded, its type and the named fields."""
    return {
        "recorded_at": one.recorded_at.isoformat(),
        "event": type(one.event).__name__,
        **pick(one.event, names),
    }


def held(one: Recorded, names: Iterable[str]) -> list[dict[str, Any]]:
    """Free-text fields of the event that are set, listed for review (never their text)."""
    return [
        {"recorded_at": one.recorded_at.isoformat(), "event": type(one.event).__name__, "field": n}
        for n in names
        if getattr(one.event, n, None) not in (None, (), "")
    ]
