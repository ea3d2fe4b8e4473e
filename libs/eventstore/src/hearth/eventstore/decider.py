"""The decider: an aggregate as three pure functions, the shape every service's domain has.

`initial_state()` is a stream before its first event; `evolve(state, recorded)` is the
state after one more stored event; `decide(command, state, now)` is the events a command
causes, or a DomainError and nothing. No I/O and no clock: the edge loads the stream,
folds it once, decides and appends (`hearth.eventstore.commands.run_command`), and tests
read as given events / when command / then events (`hearth.eventstore.testing.scenario`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from hearth.contracts.envelope import Actor, Envelope
from hearth.contracts.events import parse_event
from hearth.contracts.events.base import DomainEvent

__all__ = ["Decider", "Recorded", "recorded"]

C = TypeVar("C")
S = TypeVar("S")


@dataclass(frozen=True, slots=True)
class Recorded:
    """An event as stored: who caused it, its place in the stream and when it was recorded."""

    event: DomainEvent
    actor: Actor
    version: int
    recorded_at: datetime


def recorded(envelope: Envelope) -> Recorded:
    """A stored envelope as `evolve` reads it: its payload parsed (and upcast) to its event."""
    return Recorded(
        event=parse_event(envelope.type, envelope.payload),
        actor=envelope.actor,
        version=envelope.stream_version,
        recorded_at=envelope.recorded_at,
    )


@dataclass(frozen=True, slots=True)
class Decider(Generic[C, S]):
    """One kind of stream's rules: how its state is built and what a command decides."""

    initial_state: Callable[[], S]
    evolve: Callable[[S, Recorded], S]
    decide: Callable[[C, S, datetime], Sequence[DomainEvent]]

    def fold(self, history: Iterable[Recorded], state: S | None = None) -> S:
        """The state after `history`, continuing from `state` (a new stream by default)."""
        current = self.initial_state() if state is None else state
        for recorded in history:
            current = self.evolve(current, recorded)
        return current
