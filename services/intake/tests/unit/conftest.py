"""Given/when/then for intake's decider: pure, no database, no clock, every id named."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from types import MappingProxyType
from typing import Any
from uuid import UUID

import pytest

from hearth.contracts.envelope import Actor, Role
from hearth.contracts.events.common import (
    AbuseType,
    AllegedPerpetrator,
    Channel,
    Child,
    Relationship,
    ReporterKind,
    Survivor,
)
from hearth.contracts.events.intake import (
    LinkBasis,
    RelatedCase,
    RepeatReason,
    Reporter,
    ReportLinkedToCase,
    ReportReceived,
)
from hearth.eventstore.testing.scenario import Scenario as GenericScenario
from hearth.intake.domain.commands import Command, SubmitReport
from hearth.intake.domain.decider import intake_decider, receive_report
from hearth.intake.domain.disclosure import ReportAnswer, RestrictionFacts
from hearth.intake.domain.linking import CaseStatus, IndexEntry
from hearth.intake.domain.matching import PersonRole, people_keys
from hearth.intake.domain.policy import IntakePolicy
from hearth.intake.domain.state import IntakeState
from hearth.intake.domain.submission import ReportSubmission
from hearth.intake.settings import DEFAULT_POLICY_FILE, load_policy

MATCH_KEY = b"intake-unit-tests-match-key"
FRIDAY_1630 = datetime(2025, 3, 7, 16, 30, tzinfo=UTC)
STAFF = Actor(id="staff-0042", role=Role.INTAKE)


def uid(n: int) -> UUID:
    """A readable, fixed id: uid(0xA1) is ...0a1."""
    return UUID(int=n, version=4)


REPORT_ID = uid(0xA1)
NEW_CASE_ID = uid(0xC0)
STAND_IN_ID = uid(0xD0)
"""The case id a submitter is given in place of a restricted case they may not know of."""
FRESH_IDS = (uid(0xF1), uid(0xF2), uid(0xF3), uid(0xF4))


@pytest.fixture(scope="session")
def policy() -> IntakePolicy:
    return load_policy(DEFAULT_POLICY_FILE)


class Scenario(GenericScenario[Command, IntakeState]):
    """What intake knows, built from stated facts or its own events, with report builders."""

    def __init__(self, policy: IntakePolicy) -> None:
        super().__init__(intake_decider(policy), actor=STAFF, at=FRIDAY_1630)
        self.policy = policy
        self.staff = STAFF
        """Who submits, unless a test says otherwise."""
        self.report_id = REPORT_ID
        self.new_case_id = NEW_CASE_ID
        """The case a report opens when it joins none."""
        self.stand_in_id = STAND_IN_ID
        self.fresh_ids = FRESH_IDS
        """Fresh person ids, given out in order to the people the case does not know."""

    # --- commands ----------------------------------------------------------------------

    def submission(self, **changes: Any) -> ReportSubmission:
        """Alex, reported by phone by a neighbour; Sam named as her partner; one child."""
        data: dict[str, Any] = {
            "channel": "phone",
            "reporter": {"kind": "third_party", "relationship": "neighbour"},
            "survivor": {
                "name": "Alex Example",
                "date_of_birth": "1990-05-17",
                "phone": "07700 900123",
            },
            "alleged_perpetrators": [
                {
                    "name": "Sam Sample",
                    "phone": "07700 900456",
                    "relationship_to_survivor": "intimate_partner",
                }
            ],
            "children": [{"age_band": "under_16", "affected_by_abuse": True}],
            "tenancy_reference": "T-000123",
            "abuse_types": ["physical"],
            "immediate_danger": False,
        }
        data.update(changes)
        return ReportSubmission.model_validate(data)

    def submit(
        self, submission: ReportSubmission | None = None, actor: Actor = STAFF
    ) -> SubmitReport:
        """The command for a submission, with the ids the edge would have generated."""
        submission = submission or self.submission()
        return SubmitReport(
            actor=actor,
            submission=submission,
            people=tuple(
                people_keys(
                    MATCH_KEY,
                    survivor=submission.survivor,
                    alleged_perpetrators=submission.alleged_perpetrators,
                    tenancy_reference=submission.tenancy_reference,
                )
            ),
            report_id=REPORT_ID,
            new_case_id=NEW_CASE_ID,
            fresh_person_ids=FRESH_IDS,
            stand_in_case_id=STAND_IN_ID,
        )

    # --- facts -------------------------------------------------------------------------

    def given_case(
        self,
        status: CaseStatus,
        about: ReportSubmission | None = None,
        roles: tuple[PersonRole, ...] = tuple(PersonRole),
        person_ids: dict[PersonRole, UUID] | None = None,
    ) -> Scenario:
        """A case intake knows, found in the index by `about`'s people in `roles`."""
        entries = list(self.state.entries)
        if about is not None:
            for keys in self.submit(about).people:
                if keys.ref.role in roles:
                    person_id = (person_ids or {}).get(keys.ref.role)
                    entries += [
                        IndexEntry(d, keys.ref.role, status.case_id, person_id)
                        for d in sorted(keys.digests)
                    ]
                    entries += [
                        IndexEntry(d, keys.ref.role, status.case_id, person_id, detail=kind)
                        for kind, d in sorted(keys.details)
                    ]
        statuses = MappingProxyType({**self.state.statuses, status.case_id: status})
        return self.given_state(replace(self.state, entries=tuple(entries), statuses=statuses))

    # --- expected events ---------------------------------------------------------------

    def received(
        self,
        case_id: UUID,
        survivor_id: UUID = FRESH_IDS[0],
        perpetrator_id: UUID = FRESH_IDS[1],
        child_id: UUID = FRESH_IDS[2],
        **changes: Any,
    ) -> ReportReceived:
        """`ReportReceived` for the default submission, written out field by field."""
        fields: dict[str, Any] = {
            "report_id": REPORT_ID,
            "case_id": case_id,
            "received_at": self.at,
            "channel": Channel.PHONE,
            "reporter": Reporter(kind=ReporterKind.THIRD_PARTY, relationship="neighbour"),
            "survivor": Survivor(
                person_id=survivor_id,
                name="Alex Example",
                date_of_birth=date(1990, 5, 17),
                phone="07700 900123",
            ),
            "alleged_perpetrators": (
                AllegedPerpetrator(
                    person_id=perpetrator_id,
                    name="Sam Sample",
                    phone="07700 900456",
                    relationship_to_survivor=Relationship.INTIMATE_PARTNER,
                ),
            ),
            "children": (
                Child(
                    person_id=child_id,
                    age_band="under_16",
                    lives_in_household=True,
                    affected_by_abuse=True,
                ),
            ),
            "tenancy_reference": "T-000123",
            "abuse_types": (AbuseType.PHYSICAL,),
            "immediate_danger": False,
            "advised_to_call_999": False,
        }
        fields.update(changes)
        return ReportReceived(**fields)

    def linked(
        self,
        case_id: UUID,
        basis: LinkBasis,
        repeat_reasons: tuple[RepeatReason, ...] = (),
        previous_case_id: UUID | None = None,
        related: tuple[RelatedCase, ...] = (),
    ) -> ReportLinkedToCase:
        return ReportLinkedToCase(
            report_id=REPORT_ID,
            case_id=case_id,
            linked_at=self.at,
            basis=basis,
            repeat_reasons=repeat_reasons,
            previous_case_id=previous_case_id,
            related_cases=related,
        )

    def given_restriction(self, facts: RestrictionFacts) -> Scenario:
        """What intake knows of a case's restriction (from cases, and its own mark)."""
        restrictions = MappingProxyType({**self.state.restrictions, facts.case_id: facts})
        return self.given_state(replace(self.state, restrictions=restrictions))

    # --- what the submitter is told ----------------------------------------------------

    def answer(self, command: SubmitReport, now: datetime) -> ReportAnswer:
        """What the report's submitter is told (the report is decided as usual)."""
        return receive_report(command, self.state, now, self.policy).answer


@pytest.fixture
def scenario(policy: IntakePolicy) -> Scenario:
    return Scenario(policy)


@pytest.fixture
def scenario_under() -> Callable[[IntakePolicy], Scenario]:
    """A scenario under another landlord's policy."""
    return Scenario
