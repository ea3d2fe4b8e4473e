"""The risk decider: `decide(command, state, now, rules)` for a case's risk record.

A case's risk record is one event stream. `decide` returns the events a command causes,
or raises a DomainError (409), InvalidCommand (422), NotFound (404) and causes nothing.
Time is passed in; what risk knows of the case (open, who may see it) comes with the
command.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from hearth.contracts.envelope import Actor
from hearth.contracts.events import risk as ev
from hearth.contracts.events.common import RiskLevel
from hearth.eventstore.case_access import CaseAccess
from hearth.eventstore.decider import Decider
from hearth.eventstore.errors import InvalidCommand
from hearth.risk.domain import commands as c
from hearth.risk.domain.assessment import score_answers
from hearth.risk.domain.guards import CaseNotFound, check_when, require_open_case
from hearth.risk.domain.rules import RiskRules
from hearth.risk.domain.state import RiskState, elsewhere_as_of, evolve, fold

__all__ = ["RiskState", "decide", "evolve", "fold", "initial_state", "risk_decider"]


def initial_state() -> RiskState:
    """A case with no risk record yet."""
    return RiskState()


def risk_decider(rules: RiskRules) -> Decider[c.Command, RiskState]:
    """The risk decider under one landlord's rules."""

    def decide_under_rules(
        command: c.Command, state: RiskState, now: datetime
    ) -> list[ev.RiskEvent]:
        return decide(command, state, now, rules)

    return Decider(initial_state=initial_state, evolve=evolve, decide=decide_under_rules)


def decide(
    command: c.Command, state: RiskState, now: datetime, rules: RiskRules
) -> list[ev.RiskEvent]:
    """The events `command` causes on the risk record in `state` at `now`."""
    if isinstance(command, c.RecordRead):
        return record_read(command, now)
    require_open_case(command.access, command.actor)
    command.check()
    match command:
        case c.RecordAssessment():
            return record_assessment(command, state, now, rules)
        case c.RecordDecline():
            return record_decline(command, now, rules)
        case c.RecordElsewhere():
            return record_elsewhere(command, state, now, rules)
    raise TypeError(f"unknown command {type(command).__name__}")


def record_read(command: c.RecordRead, now: datetime) -> list[ev.RiskEvent]:
    """Recorded before anything is shown, and for refused reads before the 404."""
    if not command.access.opened:
        raise CaseNotFound()
    return [
        ev.RestrictedRiskRecordRead(
            case_id=command.case_id,
            read_at=now,
            staff_id=command.actor.id,
            view=command.view,
            access_granted=command.granted,
        )
    ]


def staff_read(
    access: CaseAccess, case_id: UUID, actor: Actor, view: ev.RiskRecordView, now: datetime
) -> ev.RiskRecordRead | None:
    """The record of a granted read to keep on the case's reads stream, or None when this
    read is recorded on the risk record itself (`record_read`: a restricted case) or is
    not a member of staff's. The actor must be allowed to see the case."""
    if not access.opened or not access.visibility.read_is_recorded_apart(actor):
        return None
    return ev.RiskRecordRead(case_id=case_id, read_at=now, staff_id=actor.id, view=view)


def record_assessment(
    command: c.RecordAssessment, state: RiskState, now: datetime, rules: RiskRules
) -> list[ev.RiskEvent]:
    """A completed checklist, scored and banded; the level moves if it is the latest."""
    instrument = rules.catalogue.get(command.instrument_id)
    if instrument is None:
        raise InvalidCommand(
            f"no instrument {command.instrument_id}; GET /instruments lists them",
            field="instrument_id",
            code="unknown_instrument",
        )
    if state.assessment(command.assessment_id) is not None:
        raise InvalidCommand(
            "this assessment is already recorded", field="assessment_id", code="duplicate"
        )
    check_when(
        command.completed_at,
        "completed_at",
        now,
        command.case_opened_at,
        rules.policy.recording.max_days_back,
    )
    scored = score_answers(instrument, command.answers, command.judgement)
    completed = ev.DashCompleted(
        case_id=command.case_id,
        assessment_id=command.assessment_id,
        question_set_id=instrument.id,
        question_set_version=instrument.version,
        question_count=instrument.question_count,
        completed_at=command.completed_at,
        answers=scored.answers,
        score=scored.score,
        yes_count=scored.yes_count,
        dont_know_count=scored.dont_know_count,
        scored_level=scored.scored_level,
        professional_judgement=scored.judgement,
        risk_level=scored.risk_level,
        marac_criteria_met=scored.marac_criteria_met,
        visible_high_risk_at=instrument.visible_high_risk_at,
        reassessment_due_at=rules.reassessment_due(instrument, command.completed_at),
    )
    events: list[ev.RiskEvent] = [completed]
    if state.sets_level(command.completed_at):
        basis = (
            ev.RiskChangeBasis.PROFESSIONAL_JUDGEMENT
            if scored.judgement is not None
            else ev.RiskChangeBasis.ASSESSMENT
        )
        events += _level_change(
            state,
            command.case_id,
            scored.risk_level,
            now,
            basis,
            command.assessment_id,
            scored.judgement.reason if scored.judgement else None,
        )
    return events


def record_decline(command: c.RecordDecline, now: datetime, rules: RiskRules) -> list[ev.RiskEvent]:
    """The survivor declined: recorded with the reason, and the level stays as it was."""
    check_when(
        command.declined_at,
        "declined_at",
        now,
        command.case_opened_at,
        rules.policy.recording.max_days_back,
    )
    return [
        ev.DashDeclined(
            case_id=command.case_id,
            declined_at=command.declined_at,
            reason=command.reason,
            notes=command.notes,
        )
    ]


def record_elsewhere(
    command: c.RecordElsewhere, state: RiskState, now: datetime, rules: RiskRules
) -> list[ev.RiskEvent]:
    """Another agency's assessment: the landlord need not repeat it. With a level, it sets
    the case's level if it is the latest assessment (it may predate the case) and does not
    lower it (only the landlord's own assessment, whose answers it has, may do that)."""
    if command.completed_on > rules.calendar.local(now).date():
        raise InvalidCommand(
            "completed_on is in the future", field="completed_on", code="in_the_future"
        )
    events: list[ev.RiskEvent] = [
        ev.DashCompletedElsewhere(
            case_id=command.case_id,
            recorded_at=now,
            completed_on=command.completed_on,
            agency=command.agency,
            agency_name=command.agency_name,
            agency_reference=command.agency_reference,
            question_set_id=command.question_set_id,
            score=command.score,
            risk_level=command.risk_level,
            referred_to_marac=command.referred_to_marac,
        )
    ]
    as_of = elsewhere_as_of(command.completed_on)
    if command.risk_level is not None and state.elsewhere_sets_level(command.risk_level, as_of):
        events += _level_change(
            state,
            command.case_id,
            command.risk_level,
            now,
            ev.RiskChangeBasis.ASSESSMENT_BY_OTHER_AGENCY,
            None,
            None,
        )
    return events


def _level_change(
    state: RiskState,
    case_id: UUID,
    level: RiskLevel,
    now: datetime,
    basis: ev.RiskChangeBasis,
    assessment_id: UUID | None,
    reason: str | None,
) -> list[ev.RiskEvent]:
    if level == state.level:
        return []
    return [
        ev.RiskLevelChanged(
            case_id=case_id,
            changed_at=now,
            previous_level=state.level,
            new_level=level,
            basis=basis,
            assessment_id=assessment_id,
            reason=reason,
        )
    ]
