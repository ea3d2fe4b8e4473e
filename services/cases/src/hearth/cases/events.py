"""A case's stored events as the domain reads them, and where a case's stream lives."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from hearth.contracts.envelope import Envelope
from hearth.eventstore.decider import recorded

from .domain.state import CaseState, fold

__all__ = ["fold_envelopes", "recorded", "stream_id"]


def stream_id(case_id: UUID) -> str:
    """One stream per case."""
    return f"case-{case_id}"


def fold_envelopes(history: Iterable[Envelope], state: CaseState | None = None) -> CaseState:
    """The case's state after its stored events (continuing from `state` if given)."""
    return fold((recorded(e) for e in history), state)
