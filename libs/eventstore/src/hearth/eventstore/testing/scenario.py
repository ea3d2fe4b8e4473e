"""Given/when/then for any decider: pure, no database, no clock.

    scenario = Scenario(decider, actor=SYSTEM, at=MONDAY_0900)
    scenario.given([CaseOpened(...)])            # events already on the stream
    events = scenario.when(command, now)         # what the command decides (not applied)
    scenario.then(command, now, expected_event)  # exactly these events
    scenario.then_refused(command, now, CaseClosed)  # a DomainError, and nothing decided

A service's tests subclass it to add builders for their own events.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Generic, TypeVar

import pytest

from hearth.contracts.envelope import Actor
from hearth.contracts.events.base import DomainEvent
from hearth.eventstore.decider import Decider, Recorded
from hearth.eventstore.errors import DomainError

__all__ = ["Scenario"]

C = TypeVar("C")
S = TypeVar("S")
Self = TypeVar("Self", bound="Scenario[Any, Any]")


class Scenario(Generic[C, S]):
    """A stream built up from events; `when` decides a command against it without applying."""

    def __init__(self, decider: Decider[C, S], *, actor: Actor, at: datetime) -> None:
        self.decider = decider
        self.actor = actor
        """Who caused the given events, unless `given` names someone else."""
        self.at = at
        """When the given events were recorded, unless `given` says otherwise."""
        self.state: S = decider.initial_state()
        self.version = 0

    def given(
        self: Self,
        events: Sequence[DomainEvent],
        actor: Actor | None = None,
        at: datetime | None = None,
    ) -> Self:
        """These events are already on the stream."""
        for event in events:
            self.version += 1
            recorded = Recorded(event, actor or self.actor, self.version, at or self.at)
            self.state = self.decider.evolve(self.state, recorded)
        return self

    def given_state(self: Self, state: S) -> Self:
        """Start from a state built elsewhere (a decision whose inputs are not a stream)."""
        self.state = state
        return self

    def when(self, command: C, now: datetime) -> list[DomainEvent]:
        """The events `command` decides at `now`; the stream is left as it was."""
        return list(self.decider.decide(command, self.state, now))

    def apply(self, command: C, now: datetime) -> list[DomainEvent]:
        """Decide and evolve: the events become part of the stream."""
        events = self.when(command, now)
        self.given(events, getattr(command, "actor", None), now)
        return events

    def then(self, command: C, now: datetime, *expected: DomainEvent) -> list[DomainEvent]:
        """The command decides exactly `expected`, in order."""
        events = self.when(command, now)
        assert events == list(expected)
        return events

    def then_refused(
        self, command: C, now: datetime, refusal: type[DomainError] = DomainError
    ) -> DomainError:
        """The command is refused with `refusal` (or a subclass) and decides nothing."""
        with pytest.raises(refusal) as raised:
            self.when(command, now)
        return raised.value
