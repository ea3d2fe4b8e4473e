"""Subject access in risk: given a case's DASH assessments, when a person asks, then the
survivor gets their assessments (free text held for review) and anyone else only that
risk holds assessments in which they may be mentioned."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from hearth.contracts.events import cases as cases_ev
from hearth.contracts.events.case_values import ErasureBasis, ErasureReason
from hearth.contracts.events.common import (
    AllegedPerpetrator,
    PersonDetails,
    Relationship,
    RiskLevel,
)
from hearth.contracts.events.risk import AnswerSource, DashAnswerValue
from hearth.eventstore.case_access import CaseAccess, follow
from hearth.eventstore.decider import Recorded
from hearth.eventstore.errors import NotFound
from hearth.risk.domain.commands import GivenAnswer, GivenJudgement
from hearth.risk.domain.instruments import Instrument
from hearth.risk.domain.subject_access import MAY_BE_MENTIONED, subject_access

SURVIVOR = uuid.uuid4()
PERPETRATOR = uuid.uuid4()
COMMENT = "He said he would find her at her sister's on Planted Road"
REASON = "Planted reason naming the neighbour"


@pytest.fixture
def case(kit: SimpleNamespace) -> CaseAccess:
    access: CaseAccess = replace(
        kit.open_case,
        people=(
            PersonDetails(person_id=SURVIVOR, name="Alex Example", phone="07700 900123"),
            AllegedPerpetrator(
                person_id=PERPETRATOR,
                name="Sam Sample",
                relationship_to_survivor=Relationship.INTIMATE_PARTNER,
            ),
        ),
    )
    return access


def _history(scenario: Any, kit: SimpleNamespace, dash: Instrument, case: CaseAccess) -> Any:
    """One DASH with a comment from the police, raised by professional judgement."""
    answers = list(kit.answers_with(dash, 3))
    answers[0] = GivenAnswer(
        answers[0].question, DashAnswerValue.YES, source=AnswerSource.POLICE, comment=COMMENT
    )
    command = kit.assessment(
        dash,
        3,
        access=case,
        answers=tuple(answers),
        judgement=GivenJudgement(raised_to=RiskLevel.HIGH, reason=REASON),
    )
    events = scenario.when(command, kit.now)
    return [
        Recorded(event=e, actor=kit.case_manager, version=i + 1, recorded_at=kit.now)
        for i, e in enumerate(events)
    ]


def test_the_survivor_gets_their_assessments_with_free_text_held_for_review(
    scenario: Any, kit: SimpleNamespace, dash: Instrument, case: CaseAccess
) -> None:
    # Given a completed DASH with a comment and a professional judgement
    history = _history(scenario, kit, dash, case)
    # When the survivor asks
    answer = subject_access(case, history, SURVIVOR)
    # Then the answers, levels and dates, never the free text or the answer's source
    assert answer["role"] == "survivor"
    [assessed] = [e for e in answer["events"] if e["event"] == "DashCompleted"]
    assert len(assessed["answers"]) == dash.question_count
    assert assessed["answers"][0]["answer"] == "yes"
    assert assessed["risk_level"] == "high"
    assert assessed["professional_judgement"] == {"raised_to": "high"}
    printed = json.dumps(answer)
    for secret in (COMMENT, REASON, '"source"', "Sam Sample"):
        assert secret not in printed, secret
    first = answer["events"][0]["answers"][0]["question"]
    assert {h["field"] for h in answer["held_for_review"]} >= {
        "professional_judgement.reason",
        f"answers[question={first}].comment",
        f"answers[question={first}].source",
    }


def test_the_perpetrator_gets_nothing_of_the_assessment_but_that_it_exists(
    scenario: Any, kit: SimpleNamespace, dash: Instrument, case: CaseAccess
) -> None:
    # Given the same DASH
    history = _history(scenario, kit, dash, case)
    # When the alleged perpetrator asks
    answer = subject_access(case, history, PERPETRATOR)
    # Then only the statement, and the assessment listed for review
    assert answer["role"] == "other"
    assert answer["note"] == MAY_BE_MENTIONED
    assert answer["events"] == []
    assert [h["field"] for h in answer["held_for_review"]] == ["answers"]
    printed = json.dumps(answer)
    for secret in (COMMENT, REASON, "Alex Example", "07700 900123", '"high"', '"yes"'):
        assert secret not in printed, secret


def test_an_unknown_case_is_not_found(kit: SimpleNamespace) -> None:
    with pytest.raises(NotFound) as unknown:
        subject_access(None, [], SURVIVOR)
    assert unknown.value.code == "case_not_found"
    with pytest.raises(NotFound):
        subject_access(CaseAccess(), [], SURVIVOR)


def test_an_erased_case_answers_only_that_it_was_erased_and_when(
    scenario: Any, kit: SimpleNamespace, dash: Instrument, case: CaseAccess
) -> None:
    history = _history(scenario, kit, dash, case)
    at = datetime(2031, 3, 10, tzinfo=UTC)
    closed = follow(case, cases_ev.CaseClosed.model_construct(case_id=kit.case_id))
    erased = follow(
        closed,
        cases_ev.CaseErased(
            case_id=kit.case_id,
            erased_at=at,
            basis=ErasureBasis.RETENTION_EXPIRED,
            reason=ErasureReason.RETENTION_PERIOD_ENDED,
            retention_policy="west-kent-2024",
            retention_years=6,
            closed_at=at - timedelta(days=7 * 365),
        ),
    )
    assert subject_access(erased, history, SURVIVOR, erased_at=at) == {
        "case_id": str(kit.case_id),
        "person_id": str(SURVIVOR),
        "erased": True,
        "erased_at": at.isoformat(),
    }
