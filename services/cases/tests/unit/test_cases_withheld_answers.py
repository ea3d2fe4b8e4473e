"""Point 17 (issue 10): when intake keeps a restricted case from a member of staff not named
on it (a report about its people, or naming it), cases records it as their refused read."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from hearth.cases.consumers import intake_command
from hearth.cases.domain import commands as c
from hearth.contracts.envelope import GENESIS_HASH, Actor, Envelope, Role
from hearth.contracts.events import cases as ev
from hearth.contracts.events.case_values import RestrictedView
from hearth.contracts.events.intake import CaseWithheldFromSubmitter

NOW = datetime(2025, 3, 7, 16, 45, tzinfo=UTC)
PROBER = Actor(id="cso-w2", role=Role.INTAKE)


def test_a_withheld_answer_is_recorded_as_a_refused_read_by_who_asked(scenario) -> None:
    scenario.opened()
    scenario.then(
        c.RecordWithheldAnswer(PROBER, NOW),
        NOW,
        ev.RestrictedCaseRead(
            case_id=scenario.case_id,
            read_at=NOW,
            staff_id="cso-w2",
            view=RestrictedView.INTAKE_ANSWER,
            access_granted=False,
        ),
    )


def test_nothing_is_recorded_on_a_case_this_service_does_not_know(scenario) -> None:
    assert scenario.when(c.RecordWithheldAnswer(PROBER, NOW), NOW) == []


def test_intakes_event_becomes_that_command_for_the_restricted_case() -> None:
    case_id = uuid.uuid4()
    withheld = CaseWithheldFromSubmitter(case_id=case_id, withheld_at=NOW, report_id=uuid.uuid4())
    envelope = Envelope.seal(
        event_id=uuid.uuid4(),
        type=withheld.event_type(),
        source="hearth.intake",
        subject=str(case_id),
        stream_id=f"withheld-{uuid.uuid4()}-{case_id}",
        stream_version=1,
        occurred_at=NOW,
        recorded_at=NOW,
        correlation_id=uuid.uuid4(),
        causation_id=None,
        actor=PROBER,
        prev_hash=GENESIS_HASH,
        payload=withheld.model_dump(mode="json"),
    )
    assert intake_command(envelope) == [(case_id, c.RecordWithheldAnswer(PROBER, NOW))]
