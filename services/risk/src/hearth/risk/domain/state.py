"""A case's risk record: every assessment, decline and other agency's assessment, kept;
and the current risk level, set by the latest assessment (by when it was completed).

One stream per case (`risk-case-<case id>`); `evolve` folds its events.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from uuid import UUID

from hearth.contracts.envelope import Actor
from hearth.contracts.events import risk as ev
from hearth.contracts.events.common import RISK_ORDER, RiskLevel
from hearth.eventstore.decider import Recorded

__all__ = ["Recorded", "RiskState", "evolve", "fold", "stream_id"]


def stream_id(case_id: UUID) -> str:
    """The stream holding one case's risk record."""
    return f"risk-case-{case_id}"


@dataclass(frozen=True, slots=True)
class Kept:
    """An event of the record with who recorded it and when."""

    recorded_by: Actor
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class Assessment(Kept):
    event: ev.DashCompleted


@dataclass(frozen=True, slots=True)
class Decline(Kept):
    event: ev.DashDeclined


@dataclass(frozen=True, slots=True)
class Elsewhere(Kept):
    event: ev.DashCompletedElsewhere


@dataclass(frozen=True, slots=True)
class RiskState:
    """What the risk record holds."""

    case_id: UUID | None = None
    version: int = 0
    assessments: tuple[Assessment, ...] = ()
    """In the order recorded."""
    declines: tuple[Decline, ...] = ()
    elsewhere: tuple[Elsewhere, ...] = ()
    level: RiskLevel | None = None
    """The current level: that of the latest assessment, or of another agency's."""
    level_as_of: datetime | None = None
    """When the assessment that set the level was completed."""

    def assessment(self, assessment_id: UUID) -> Assessment | None:
        return next((a for a in self.assessments if a.event.assessment_id == assessment_id), None)

    def sets_level(self, as_of: datetime) -> bool:
        """Would an assessment completed at `as_of` be the latest, and so set the level?
        (One recorded late, older than the one that set it, is kept but sets nothing.)"""
        return self.level_as_of is None or as_of >= self.level_as_of

    def elsewhere_sets_level(self, level: RiskLevel | None, as_of: datetime) -> bool:
        """Would another agency's assessment at `level` set the case's level? When it is
        the latest, and it does not lower the level: the landlord has not seen its
        answers, so only its own (re)assessment may bring the level down."""
        if level is None or not self.sets_level(as_of):
            return False
        return self.level is None or RISK_ORDER.index(level) >= RISK_ORDER.index(self.level)


def elsewhere_as_of(completed_on: date) -> datetime:
    """Another agency's assessment is dated by day: it counts from the start of it (UTC)."""
    return datetime.combine(completed_on, time(), UTC)


def evolve(state: RiskState, recorded: Recorded) -> RiskState:
    """The record after one more stored event."""
    event = recorded.event
    state = replace(state, version=recorded.version)
    if state.case_id is None and isinstance(event, ev.RiskEvent):
        state = replace(state, case_id=event.case_id)
    kept = (recorded.actor, recorded.recorded_at)
    match event:
        case ev.DashCompleted():
            state = replace(state, assessments=(*state.assessments, Assessment(*kept, event)))
            if state.sets_level(event.completed_at):
                return replace(state, level=event.risk_level, level_as_of=event.completed_at)
        case ev.DashDeclined():
            return replace(state, declines=(*state.declines, Decline(*kept, event)))
        case ev.DashCompletedElsewhere():
            state = replace(state, elsewhere=(*state.elsewhere, Elsewhere(*kept, event)))
            as_of = elsewhere_as_of(event.completed_on)
            if event.risk_level is not None and state.elsewhere_sets_level(event.risk_level, as_of):
                return replace(state, level=event.risk_level, level_as_of=as_of)
    return state


def fold(history: Iterable[Recorded], state: RiskState | None = None) -> RiskState:
    current = state or RiskState()
    for recorded in history:
        current = evolve(current, recorded)
    return current
