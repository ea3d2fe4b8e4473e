"""Upcasters: read events stored in an older version as the current version.

Events are kept forever, so an old version is never rewritten; it is lifted on read.
An upcaster takes the payload of `(event name, version n)` and returns a later version
number and the payload in that version's shape; `upcast` applies them in a chain until
no upcaster applies, which is the current version. Every retained older version keeps
its model (for its committed JSON Schema) and gains an upcaster here.

Worked example, `hearth.risk.DashCompleted.v1` -> `v2`: v1 was published when Hearth
assessed risk only with the SafeLives DASH RIC for non-police agencies, so it named no
question set and its score was simply its yes count. v2 records which versioned
question set was used (police DASH-27, the young people's RIC and DARA score
differently) and keeps the score apart from the yes count. Every v1 event was a
24-question `dash-ric-24` assessment whose score is its yes count, so the upcaster adds
exactly that and changes nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Final

Payload = dict[str, Any]
Upcaster = Callable[[Payload], tuple[int, Payload]]

EVENT_TYPE_PATTERN: Final = re.compile(r"^hearth\.([a-z]+)\.([A-Za-z]+)\.v(\d+)$")

_UPCASTERS: dict[tuple[str, int], Upcaster] = {}


def upcaster(event_name: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
    """Register the function that lifts `event_name` from `from_version` to a later one."""

    def register(function: Upcaster) -> Upcaster:
        key = (event_name, from_version)
        if key in _UPCASTERS:
            raise ValueError(f"{event_name} v{from_version} already has an upcaster")
        _UPCASTERS[key] = function
        return function

    return register


def registered() -> dict[tuple[str, int], Upcaster]:
    """Every upcaster, by (event name, version it reads)."""
    return dict(_UPCASTERS)


def split_event_type(event_type: str) -> tuple[str, str, int]:
    """`hearth.risk.DashCompleted.v1` -> `("risk", "DashCompleted", 1)`."""
    match = EVENT_TYPE_PATTERN.fullmatch(event_type)
    if match is None:
        raise ValueError(f"{event_type!r} is not a Hearth event type")
    service, name, version = match.groups()
    return service, name, int(version)


def upcast(event_type: str, payload: Payload) -> tuple[str, Payload]:
    """The event type and payload lifted to the newest version; the input is not changed."""
    service, name, version = split_event_type(event_type)
    current = dict(payload)
    while (step := _UPCASTERS.get((name, version))) is not None:
        next_version, current = step(dict(current))
        if next_version <= version:
            raise RuntimeError(f"the upcaster for {name} v{version} does not move forward")
        version = next_version
    return f"hearth.{service}.{name}.v{version}", current


# --- the upcasters ---------------------------------------------------------------------

DASH_RIC_24: Final = "dash-ric-24"
"""The only question set v1 of DashCompleted was ever written for."""


@upcaster("DashCompleted", 1)
def dash_completed_v1_to_v2(payload: Payload) -> tuple[int, Payload]:
    """Name the question set v1 always used, and give the score v1 kept as its yes count."""
    return 2, {
        **payload,
        "question_set_id": DASH_RIC_24,
        "question_count": 24,
        "score": payload.get("yes_count"),
    }
