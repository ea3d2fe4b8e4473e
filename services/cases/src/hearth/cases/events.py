"""A case's stored events as the domain reads them, and where a case's stream lives."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from hearth.contracts.envelope import Envelope
from hearth.contracts.events import parse_event

from .domain.state import CaseState, Recorded, fold


def stream_id(case_id: UUID) -> str:
    """One stream per case."""
    return f"case-{case_id}"


def recorded(envelope: Envelope) -> Recorded:
    return Recorded(
        event=parse_event(envelope.type, envelope.payload),
        actor=envelope.actor,
        version=envelope.stream_version,
        recorded_at=envelope.recorded_at,
    )


def fold_envelopes(history: Iterable[Envelope], state: CaseState | None = None) -> CaseState:
    """The case's state after its stored events (continuing from `state` if given)."""
    return fold((recorded(e) for e in history), state)
