"""Scoring an assessment against its instrument: every answer checked, the score, the
band, and professional judgement (which may raise the level, never lower it).

    scored = score_answers(instrument, answers, judgement)

Checks name the question at fault: a question missing, one the instrument does not
have, one answered twice, an answer the instrument does not offer, each an
`InvalidCommand` (422) naming the field.
"""

from __future__ import annotations

from dataclasses import dataclass

from hearth.contracts.events.common import RISK_ORDER, MaracCriterion, RiskLevel
from hearth.contracts.events.risk import (
    DashAnswer,
    DashAnswerValue,
    ProfessionalJudgement,
)
from hearth.eventstore.errors import InvalidCommand
from hearth.risk.domain.commands import GivenAnswer, GivenJudgement
from hearth.risk.domain.instruments import Instrument


@dataclass(frozen=True, slots=True)
class Scored:
    """An assessment's answers as checked, and what they come to."""

    answers: tuple[DashAnswer, ...]
    score: int
    yes_count: int
    dont_know_count: int
    scored_level: RiskLevel
    judgement: ProfessionalJudgement | None
    risk_level: RiskLevel
    marac_criteria_met: tuple[MaracCriterion, ...]


def check_answers(instrument: Instrument, answers: tuple[GivenAnswer, ...]) -> None:
    """Every question of the instrument answered once, with an answer it offers."""
    seen: set[int] = set()
    for index, given in enumerate(answers):
        question = instrument.question(given.question)
        if question is None:
            raise InvalidCommand(
                f"question {given.question} is not one of the {instrument.question_count} "
                f"questions of {instrument.id} version {instrument.version}",
                field=f"answers.{index}.question",
                code="unknown_question",
            )
        if given.question in seen:
            raise InvalidCommand(
                f"question {given.question} is answered more than once",
                field=f"answers.{index}.question",
                code="answered_twice",
            )
        seen.add(given.question)
        if given.answer not in instrument.answer_options:
            offered = ", ".join(option.value for option in instrument.answer_options)
            raise InvalidCommand(
                f"question {given.question}: {given.answer.value} is not an answer "
                f"{instrument.id} offers ({offered})",
                field=f"answers.{index}.answer",
                code="invalid_answer",
            )
    missing = [q.number for q in instrument.questions if q.number not in seen]
    if missing:
        listed = ", ".join(str(n) for n in missing)
        raise InvalidCommand(
            f"question {listed} of {instrument.id} is not answered"
            if len(missing) == 1
            else f"questions {listed} of {instrument.id} are not answered",
            field="answers",
            code="unanswered_question",
        )


def judged_level(scored_level: RiskLevel, judgement: GivenJudgement | None) -> RiskLevel:
    """The level that stands: professional judgement may raise the scored level, never
    lower it (nor merely repeat it), and needs a written reason."""
    if judgement is None:
        return scored_level
    if not (judgement.reason or "").strip():
        raise InvalidCommand(
            "professional judgement needs a written reason",
            field="professional_judgement.reason",
            code="reason_required",
        )
    if RISK_ORDER.index(judgement.raised_to) <= RISK_ORDER.index(scored_level):
        raise InvalidCommand(
            f"professional judgement can only raise the level: the answers score "
            f"{scored_level.value}, and {judgement.raised_to.value} is not higher",
            field="professional_judgement.raised_to",
            code="judgement_cannot_lower",
        )
    return judgement.raised_to


def _wording(instrument: Instrument, number: int) -> str | None:
    """The question as the instrument words it, published with the answer."""
    question = instrument.question(number)
    return question.text if question is not None else None


def score_answers(
    instrument: Instrument,
    answers: tuple[GivenAnswer, ...],
    judgement: GivenJudgement | None,
) -> Scored:
    """Check the answers, score and band them, and apply professional judgement."""
    check_answers(instrument, answers)
    ordered = sorted(answers, key=lambda a: a.question)
    values = [a.answer for a in ordered]
    score = instrument.score(values)
    scored_level = instrument.level(score)
    risk_level = judged_level(scored_level, judgement)
    criteria: list[MaracCriterion] = []
    if instrument.visibly_high_risk(score):
        criteria.append(MaracCriterion.VISIBLE_HIGH_RISK)
    if judgement is not None and risk_level is RiskLevel.HIGH:
        criteria.append(MaracCriterion.PROFESSIONAL_JUDGEMENT)
    return Scored(
        answers=tuple(
            DashAnswer(
                question=a.question,
                answer=a.answer,
                source=a.source,
                comment=a.comment,
                wording=_wording(instrument, a.question),
            )
            for a in ordered
        ),
        score=score,
        yes_count=sum(v is DashAnswerValue.YES for v in values),
        dont_know_count=sum(v is DashAnswerValue.DONT_KNOW for v in values),
        scored_level=scored_level,
        judgement=(
            ProfessionalJudgement(raised_to=judgement.raised_to, reason=judgement.reason or "")
            if judgement is not None
            else None
        ),
        risk_level=risk_level,
        marac_criteria_met=tuple(criteria),
    )
