"""Scoring and banding at every boundary, "don't know", and professional judgement.

The figures (24 questions, bands at 10 and 14) are the shipped DASH RIC's data: the
tests read them from the instrument, and check the data says what SafeLives publishes.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from hearth.contracts.events import risk as ev
from hearth.contracts.events.common import MaracCriterion, RiskLevel
from hearth.eventstore.errors import InvalidCommand
from hearth.risk.domain.commands import GivenJudgement
from hearth.risk.domain.instruments import Instrument


def test_the_shipped_dash_is_the_safelives_checklist(dash: Instrument) -> None:
    assert dash.id == "dash-ric-24"
    assert dash.question_count == 24
    assert dash.bands == {RiskLevel.STANDARD: 0, RiskLevel.MEDIUM: 10, RiskLevel.HIGH: 14}
    assert dash.visible_high_risk_at == 14


@pytest.mark.parametrize(
    ("yes", "level"),
    [
        (0, RiskLevel.STANDARD),
        (9, RiskLevel.STANDARD),
        (10, RiskLevel.MEDIUM),
        (13, RiskLevel.MEDIUM),
        (14, RiskLevel.HIGH),
        (24, RiskLevel.HIGH),
    ],
)
def test_given_yes_answers_when_assessed_then_banded_at_each_boundary(
    scenario: Any, kit: SimpleNamespace, dash: Instrument, yes: int, level: RiskLevel
) -> None:
    # given an open case with no assessment; when one is recorded with `yes` yes answers
    command = kit.assessment(dash, yes)
    completed, changed = scenario.when(command, kit.now)
    # then it is scored as that many yes, banded, and the level is set from none
    assert isinstance(completed, ev.DashCompleted)
    assert (completed.score, completed.yes_count, completed.dont_know_count) == (yes, yes, 0)
    assert completed.scored_level is level and completed.risk_level is level
    assert completed.question_count == dash.question_count
    assert completed.question_set_id == dash.id
    assert completed.question_set_version == dash.version
    assert completed.visible_high_risk_at == dash.visible_high_risk_at
    visible = MaracCriterion.VISIBLE_HIGH_RISK in completed.marac_criteria_met
    assert visible is (yes >= dash.visible_high_risk_at)
    assert changed == ev.RiskLevelChanged(
        case_id=kit.case_id,
        changed_at=kit.now,
        previous_level=None,
        new_level=level,
        basis=ev.RiskChangeBasis.ASSESSMENT,
        assessment_id=command.assessment_id,
    )


def test_given_mostly_dont_know_then_the_score_is_low_and_the_unknowns_are_counted(
    scenario: Any, kit: SimpleNamespace, dash: Instrument
) -> None:
    # given answers of which all but two are "don't know" (two yes)
    unknown = dash.question_count - 2
    command = kit.assessment(dash, yes=2, dont_know=unknown)
    completed, _ = scenario.when(command, kit.now)
    # then they score 0 each, and the count of them is shown beside the score
    assert completed.score == 2
    assert completed.dont_know_count == unknown
    assert completed.risk_level is RiskLevel.STANDARD


def test_given_a_medium_score_when_judgement_raises_it_to_high_then_high_with_the_reason(
    scenario: Any, kit: SimpleNamespace, dash: Instrument
) -> None:
    judgement = GivenJudgement(RiskLevel.HIGH, "Strangulation disclosed; escalating.")
    command = kit.assessment(dash, dash.bands[RiskLevel.MEDIUM], judgement=judgement)
    completed, changed = scenario.when(command, kit.now)
    assert completed.scored_level is RiskLevel.MEDIUM
    assert completed.risk_level is RiskLevel.HIGH
    assert completed.professional_judgement == ev.ProfessionalJudgement(
        raised_to=RiskLevel.HIGH, reason="Strangulation disclosed; escalating."
    )
    assert completed.marac_criteria_met == (MaracCriterion.PROFESSIONAL_JUDGEMENT,)
    assert changed.basis is ev.RiskChangeBasis.PROFESSIONAL_JUDGEMENT
    assert changed.reason == "Strangulation disclosed; escalating."


@pytest.mark.parametrize("to", [RiskLevel.STANDARD, RiskLevel.MEDIUM, RiskLevel.HIGH])
def test_given_a_high_score_when_judgement_tries_to_lower_or_keep_it_then_refused(
    scenario: Any, kit: SimpleNamespace, dash: Instrument, to: RiskLevel
) -> None:
    judgement = GivenJudgement(to, "The survivor seemed calm today.")
    command = kit.assessment(dash, dash.bands[RiskLevel.HIGH], judgement=judgement)
    refusal = scenario.then_refused(command, kit.now, InvalidCommand)
    assert refusal.field == "professional_judgement.raised_to"
    assert refusal.code == "judgement_cannot_lower"


def test_given_a_medium_score_when_judgement_tries_standard_then_refused(
    scenario: Any, kit: SimpleNamespace, dash: Instrument
) -> None:
    judgement = GivenJudgement(RiskLevel.STANDARD, "Seems fine.")
    command = kit.assessment(dash, dash.bands[RiskLevel.MEDIUM], judgement=judgement)
    refusal = scenario.then_refused(command, kit.now, InvalidCommand)
    assert refusal.field == "professional_judgement.raised_to"


@pytest.mark.parametrize("reason", [None, "", "   \n"])
def test_given_judgement_without_a_written_reason_then_refused(
    scenario: Any, kit: SimpleNamespace, dash: Instrument, reason: str | None
) -> None:
    command = kit.assessment(dash, 3, judgement=GivenJudgement(RiskLevel.HIGH, reason))
    refusal = scenario.then_refused(command, kit.now, InvalidCommand)
    assert refusal.field == "professional_judgement.reason"
    assert refusal.code == "reason_required"


def test_the_police_dash_bands_by_its_own_data(
    scenario: Any, kit: SimpleNamespace, rules: Any
) -> None:
    police = rules.catalogue.get("police-dash-27")
    assert police.question_count == 27
    high = police.bands[RiskLevel.HIGH]
    command = kit.assessment(police, high, instrument_id="police-dash-27")
    completed, _ = scenario.when(command, kit.now)
    assert completed.question_set_id == "police-dash-27"
    assert completed.question_count == police.question_count
    assert completed.risk_level is RiskLevel.HIGH
    below = kit.assessment(police, high - 1, instrument_id="police-dash-27")
    completed, _ = scenario.when(below, kit.now)
    assert completed.risk_level is RiskLevel.MEDIUM
