"""Given/when/then for the cases decider: pure, no database, no clock."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from hearth.cases.domain.commands import Command, ReceiveReport
from hearth.cases.domain.decider import case_decider
from hearth.cases.domain.rules import CaseRules
from hearth.cases.domain.staff import Roster, StaffMember, StaffRole
from hearth.cases.domain.state import CaseState
from hearth.cases.settings import DEFAULT_POLICY_FILE, load_policy
from hearth.contracts.envelope import Actor, Role
from hearth.contracts.events import cases as ev
from hearth.contracts.events.common import (
    AllegedPerpetrator,
    Channel,
    Child,
    Gender,
    Relationship,
    ReporterKind,
    Survivor,
)
from hearth.contracts.events.intake import Reporter, ReportReceived
from hearth.eventstore.testing.scenario import Scenario as GenericScenario

FRIDAY_1630 = datetime(2025, 3, 7, 16, 30, tzinfo=UTC)


def _member(staff_id: str, role: StaffRole, gender: Gender, active: bool = True) -> StaffMember:
    return StaffMember(staff_id=staff_id, role=role, gender=gender, active=active)


ROSTER = Roster(
    staff=(
        _member("cso-w1", StaffRole.CASE_MANAGER, Gender.WOMAN),
        _member("cso-w2", StaffRole.CASE_MANAGER, Gender.WOMAN),
        _member("cso-m1", StaffRole.CASE_MANAGER, Gender.MAN),
        _member("cso-away", StaffRole.CASE_MANAGER, Gender.MAN, active=False),
        _member("lead-1", StaffRole.DA_LEAD, Gender.WOMAN),
    )
)


@pytest.fixture(scope="session")
def rules() -> CaseRules:
    return CaseRules.of(load_policy(DEFAULT_POLICY_FILE), ROSTER)


@pytest.fixture(scope="session")
def actors() -> SimpleNamespace:
    return SimpleNamespace(
        system=Actor(id="hearth.cases", role=Role.SYSTEM),
        cm=Actor(id="cso-m1", role=Role.CASE_MANAGER),
        other_cm=Actor(id="cso-w2", role=Role.CASE_MANAGER),
        manager=Actor(id="lead-1", role=Role.MANAGER),
        second_manager=Actor(id="lead-2", role=Role.MANAGER),
        auditor=Actor(id="audit-1", role=Role.AUDITOR),
    )


class Scenario(GenericScenario[Command, CaseState]):
    """A case built up from events, with builders for the events every case test needs."""

    def __init__(self, rules: CaseRules, system: Actor) -> None:
        super().__init__(case_decider(rules), actor=system, at=FRIDAY_1630)
        self.rules = rules
        self.system = system
        self.case_id = uuid.uuid4()
        self.survivor_id = uuid.uuid4()
        self.perpetrator_id = uuid.uuid4()
        self.child_id = uuid.uuid4()

    def report(self, received_at: datetime = FRIDAY_1630, **changes: Any) -> ReportReceived:
        survivor = changes.pop("survivor", None) or Survivor(
            person_id=self.survivor_id, name="Alex Example", gender=Gender.WOMAN
        )
        perpetrators = changes.pop("alleged_perpetrators", None)
        if perpetrators is None:
            perpetrators = (
                AllegedPerpetrator(
                    person_id=self.perpetrator_id,
                    name="Sam Sample",
                    relationship_to_survivor=Relationship.INTIMATE_PARTNER,
                ),
            )
        fields: dict[str, Any] = {
            "report_id": uuid.uuid4(),
            "case_id": self.case_id,
            "received_at": received_at,
            "channel": Channel.PHONE,
            "reporter": Reporter(kind=ReporterKind.SURVIVOR),
            "survivor": survivor,
            "alleged_perpetrators": perpetrators,
            "children": (
                Child(
                    person_id=self.child_id,
                    name="Jo Example",
                    lives_in_household=True,
                    affected_by_abuse=True,
                ),
            ),
            "immediate_danger": False,
            "advised_to_call_999": True,
        }
        fields.update(changes)
        return ReportReceived(**fields)

    def opened(
        self, now: datetime | None = None, caseloads: dict[str, int] | None = None, **report: Any
    ) -> Scenario:
        received = self.report(**report)
        self.apply(
            ReceiveReport(self.system, received, caseloads or {}), now or received.received_at
        )
        return self

    def of_type(self, events: Sequence[ev.CasesEvent], kind: type[ev.CasesEvent]) -> list[Any]:
        return [e for e in events if isinstance(e, kind)]


@pytest.fixture
def scenario(rules: CaseRules, actors: SimpleNamespace) -> Scenario:
    return Scenario(rules, actors.system)
