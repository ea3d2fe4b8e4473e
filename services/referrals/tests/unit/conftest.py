"""Given/when/then for the referrals decider: pure, no database, no clock.

`Case` builds what referrals knows of a case from cases' and risk's events (as the
consumers do, with `learn`), and a Scenario on the referrals stream; each command is
given that known case, as the handler gives it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from hearth.contracts.envelope import Actor, Role
from hearth.contracts.events import cases as ev
from hearth.contracts.events import risk
from hearth.contracts.events.base import DomainEvent
from hearth.contracts.events.common import (
    AllegedPerpetrator,
    Channel,
    Child,
    Relationship,
    ReporterKind,
    RiskLevel,
    Survivor,
)
from hearth.eventstore.testing.scenario import Scenario
from hearth.referrals.domain.commands import Command
from hearth.referrals.domain.decider import referrals_decider
from hearth.referrals.domain.known import KnownCase, learn
from hearth.referrals.domain.policy import Policy
from hearth.referrals.domain.state import ReferralsState
from hearth.referrals.settings import DEFAULT_POLICY_FILE, load_policy

MONDAY = datetime(2025, 3, 10, 10, 0, tzinfo=UTC)
QUESTIONS = 24  # the question set's size, as risk publishes it with each assessment

SYSTEM = Actor(id="hearth.referrals", role=Role.SYSTEM)
CM = Actor(id="cso-0001", role=Role.CASE_MANAGER)
MANAGER = Actor(id="dalead-0001", role=Role.MANAGER)


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy(DEFAULT_POLICY_FILE)


@pytest.fixture(scope="session")
def actors() -> SimpleNamespace:
    return SimpleNamespace(system=SYSTEM, cm=CM, manager=MANAGER)


def case_opened(
    case_id: uuid.UUID, reported_at: datetime = MONDAY, **changes: Any
) -> ev.CaseOpened:
    fields: dict[str, Any] = {
        "case_id": case_id,
        "report_id": uuid.uuid4(),
        "opened_at": reported_at,
        "reported_at": reported_at,
        "channel": Channel.PHONE,
        "reporter_kind": ReporterKind.SURVIVOR,
        "survivor": Survivor(person_id=uuid.uuid4(), name="Alex Example"),
        "alleged_perpetrators": (
            AllegedPerpetrator(
                person_id=uuid.uuid4(),
                name="Sam Sample",
                relationship_to_survivor=Relationship.INTIMATE_PARTNER,
                phone="07700 900123",
            ),
        ),
        "children": (
            Child(
                person_id=uuid.uuid4(), name="Kit", lives_in_household=True, affected_by_abuse=True
            ),
        ),
        "immediate_danger": False,
        "contact_due_at": reported_at + timedelta(days=1),
        "dash_due_at": reported_at + timedelta(days=2),
        "timescale_policy": "west-kent-2024",
    }
    fields.update(changes)
    return ev.CaseOpened(**fields)


def dash(
    case_id: uuid.UUID,
    yes: int,
    at: datetime = MONDAY,
    *,
    question_set_id: str = "dash-ric-24",
    judgement: risk.ProfessionalJudgement | None = None,
    criteria: tuple[Any, ...] = (),
    wording: Callable[[int], str | None] = lambda q: None,
) -> risk.DashCompleted:
    """A DASH as risk publishes it; `wording` gives each question's text (none: as
    published before risk sent the wording)."""
    answers = tuple(
        risk.DashAnswer(
            question=q,
            answer=risk.DashAnswerValue.YES if q <= yes else risk.DashAnswerValue.NO,
            wording=wording(q),
        )
        for q in range(1, QUESTIONS + 1)
    )
    scored = RiskLevel.HIGH if criteria else RiskLevel.MEDIUM
    return risk.DashCompleted(
        case_id=case_id,
        assessment_id=uuid.uuid4(),
        question_set_id=question_set_id,
        question_count=QUESTIONS,
        completed_at=at,
        answers=answers,
        score=yes,
        yes_count=yes,
        dont_know_count=0,
        scored_level=scored,
        professional_judgement=judgement,
        risk_level=judgement.raised_to if judgement else scored,
        marac_criteria_met=criteria,
    )


def report_added(case_id: uuid.UUID, at: datetime) -> ev.ReportAddedToCase:
    return ev.ReportAddedToCase(
        case_id=case_id,
        report_id=uuid.uuid4(),
        added_at=at,
        reported_at=at,
        channel=Channel.PHONE,
        reporter_kind=ReporterKind.SURVIVOR,
        immediate_danger=False,
        contact_due_at=at + timedelta(days=1),
        dash_due_at=at + timedelta(days=2),
    )


@dataclass
class Case:
    """One case: what referrals knows of it, and its referrals stream."""

    policy: Policy
    case_id: uuid.UUID = field(default_factory=uuid.uuid4)
    known: KnownCase = field(default_factory=KnownCase)

    def __post_init__(self) -> None:
        self.scenario: Scenario[Command, ReferralsState] = Scenario(
            referrals_decider(self.policy), actor=CM, at=MONDAY
        )

    def learn(self, *events: DomainEvent, visible_high_risk_at: int | None = None) -> Case:
        for event in events:
            self.known = learn(self.known, event, visible_high_risk_at=visible_high_risk_at)
        return self

    def opened(self, at: datetime = MONDAY, **changes: Any) -> Case:
        return self.learn(case_opened(self.case_id, at, **changes))

    def given(self, *events: DomainEvent, at: datetime = MONDAY) -> Case:
        self.scenario.given(list(events), at=at)
        return self

    def command(self, command: Command) -> Command:
        return replace(command, known=self.known)

    def when(self, command: Command, now: datetime) -> list[DomainEvent]:
        return self.scenario.when(self.command(command), now)

    def apply(self, command: Command, now: datetime) -> list[DomainEvent]:
        return self.scenario.apply(self.command(command), now)

    def refused(self, command: Command, now: datetime) -> Any:
        return self.scenario.then_refused(self.command(command), now)

    @property
    def state(self) -> ReferralsState:
        return self.scenario.state

    @property
    def survivor_id(self) -> uuid.UUID:
        assert self.known.survivor is not None
        return self.known.survivor.person_id

    @property
    def perpetrator_id(self) -> uuid.UUID:
        return self.known.perpetrators[0].person_id


@pytest.fixture
def case(policy: Policy) -> Case:
    return Case(policy).opened()


@pytest.fixture(scope="session")
def kit() -> SimpleNamespace:
    """The builders above, for the test modules (a conftest is not importable)."""
    return SimpleNamespace(
        Case=Case, dash=dash, report_added=report_added, case_opened=case_opened, CM=CM
    )
