"""Given/when/then for the risk decider: pure, no database, no clock."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from hearth.contracts.envelope import Actor, Role
from hearth.contracts.events.base import DomainEvent
from hearth.contracts.events.risk import DashAnswerValue
from hearth.eventstore.case_access import CaseAccess
from hearth.eventstore.testing.scenario import Scenario as GenericScenario
from hearth.risk.domain.commands import Command, GivenAnswer, GivenJudgement, RecordAssessment
from hearth.risk.domain.decider import risk_decider
from hearth.risk.domain.instruments import Instrument
from hearth.risk.domain.rules import RiskRules
from hearth.risk.domain.state import RiskState
from hearth.risk.settings import load_config

CASE_ID = uuid.UUID("6f1c2a5e-3b7d-4c1e-9a2f-0d8e7b6c5a41")
OPENED_AT = datetime(2025, 3, 7, 16, 30, tzinfo=UTC)
NOW = datetime(2025, 3, 10, 11, 0, tzinfo=UTC)
CASE_MANAGER = Actor(id="cso-0001", role=Role.CASE_MANAGER)
OPEN_CASE = CaseAccess(case_id=CASE_ID, opened=True, open=True)


@pytest.fixture(scope="session")
def rules() -> RiskRules:
    return load_config().rules


@pytest.fixture(scope="session")
def dash(rules: RiskRules) -> Instrument:
    """The default instrument (the SafeLives DASH RIC as shipped)."""
    return rules.catalogue.default


def answers_with(instrument: Instrument, yes: int, dont_know: int = 0) -> tuple[GivenAnswer, ...]:
    """Every question answered: `yes` yes, then `dont_know` don't know, the rest no."""
    values = (
        [DashAnswerValue.YES] * yes
        + [DashAnswerValue.DONT_KNOW] * dont_know
        + [DashAnswerValue.NO] * (instrument.question_count - yes - dont_know)
    )
    numbers = [q.number for q in instrument.questions]
    return tuple(GivenAnswer(n, v) for n, v in zip(numbers, values, strict=True))


def assessment(
    instrument: Instrument,
    yes: int,
    dont_know: int = 0,
    *,
    judgement: GivenJudgement | None = None,
    completed_at: datetime = NOW - timedelta(hours=1),
    **changes: Any,
) -> RecordAssessment:
    command = RecordAssessment(
        CASE_MANAGER,
        CASE_ID,
        assessment_id=uuid.uuid4(),
        instrument_id=None,
        answers=answers_with(instrument, yes, dont_know),
        completed_at=completed_at,
        judgement=judgement,
        access=OPEN_CASE,
        case_opened_at=OPENED_AT,
    )
    return replace(command, **changes)


class Scenario(GenericScenario[Command, RiskState]):
    """The risk decider's scenarios."""

    def given(
        self,
        events: Sequence[DomainEvent],
        actor: Actor | None = None,
        at: datetime | None = None,
    ) -> Scenario:
        super().given(events, actor, at)
        return self


@pytest.fixture
def scenario(rules: RiskRules) -> Scenario:
    return Scenario(risk_decider(rules), actor=CASE_MANAGER, at=NOW)


@pytest.fixture(scope="session")
def kit() -> SimpleNamespace:
    """What the tests build with: the case, the moments, the actors and the builders."""
    return SimpleNamespace(
        case_id=CASE_ID,
        opened_at=OPENED_AT,
        now=NOW,
        case_manager=CASE_MANAGER,
        open_case=OPEN_CASE,
        answers_with=answers_with,
        assessment=assessment,
    )
