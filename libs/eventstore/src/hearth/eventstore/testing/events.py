"""Events for tests of the plumbing itself, kept out of the published registry."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import ClassVar

from hearth.contracts.envelope import Actor, Envelope, Role
from hearth.contracts.events.base import DomainEvent, PersonalStr
from hearth.eventstore.decider import Recorded
from hearth.eventstore.store import NewEvent


class _TestingEvent(DomainEvent):
    service: ClassVar[str] = "testing"
    abstract: ClassVar[bool] = True


class NoteAdded(_TestingEvent):
    """A caseworker's note on a case: carries personal data on purpose."""

    abstract: ClassVar[bool] = True
    case_id: str
    seq: int
    survivor_name: PersonalStr
    narrative: PersonalStr


class PlainNoteAdded(_TestingEvent):
    """`NoteAdded` with nothing marked personal: what the store does without encryption
    (the benchmark's baseline for its cost)."""

    abstract: ClassVar[bool] = True
    case_id: str
    seq: int
    survivor_name: str
    narrative: str


class Poisoned(_TestingEvent):
    """An event the test handlers always refuse until told otherwise."""

    abstract: ClassVar[bool] = True
    case_id: str
    seq: int


ACTOR = Actor(id="staff-0042", role=Role.CASE_MANAGER)


def note(case_id: str, seq: int, *, name: str = "Jane Example") -> NewEvent:
    """A NoteAdded ready to append, carrying a survivor's name and account."""
    return NewEvent(
        event=NoteAdded(case_id=case_id, seq=seq, survivor_name=name, narrative="He hit me"),
        actor=ACTOR,
        occurred_at=datetime.now(UTC),
        correlation_id=uuid.uuid4(),
    )


def plain_note(case_id: str, seq: int, *, name: str = "Jane Example") -> NewEvent:
    """`note`'s event with the same values, none of them marked personal."""
    return NewEvent(
        event=PlainNoteAdded(case_id=case_id, seq=seq, survivor_name=name, narrative="He hit me"),
        actor=ACTOR,
        occurred_at=datetime.now(UTC),
        correlation_id=uuid.uuid4(),
    )


def recorded_testing(envelope: Envelope) -> Recorded:
    """A stored testing event as `evolve` reads it (these events are not in the registry)."""
    models: dict[str, type[_TestingEvent]] = {"NoteAdded": NoteAdded, "Poisoned": Poisoned}
    model = models[envelope.event_name]
    return Recorded(
        model.model_validate(envelope.payload),
        envelope.actor,
        envelope.stream_version,
        envelope.recorded_at,
    )
