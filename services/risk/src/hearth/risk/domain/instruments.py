"""Risk instruments as data: a question set, its answer options, scoring and bands.

An instrument (the SafeLives DASH RIC, the police DASH, the young people's RIC) is a
versioned data file the service ships (`hearth/risk/instruments/*.toml`), loaded into an
`Instrument` at start-up and checked there: questions numbered 1 to N, bands starting at
0 and rising, every threshold within what N questions can score. Nothing in code knows
how many questions a set has or where its bands fall.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hearth.contracts.events.common import RISK_ORDER, Code, RiskLevel
from hearth.contracts.events.risk import DashAnswerValue


class _DataModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Question(_DataModel):
    """One question, by its position in the set, in the short wording staff see."""

    number: int = Field(ge=1, le=100)
    text: Annotated[str, Field(min_length=1, max_length=300)]


class Instrument(_DataModel):
    """A versioned risk checklist: what is asked, what may be answered, how it scores."""

    id: Code
    version: Code
    title: Annotated[str, Field(min_length=1, max_length=200)]
    applies_to: Annotated[str, Field(min_length=1, max_length=300)]
    """Who the checklist is for (e.g. adults, by non-police agencies)."""
    source: Annotated[str, Field(min_length=1, max_length=300)]
    """Where the questions come from (publisher and edition)."""
    answer_options: Annotated[tuple[DashAnswerValue, ...], Field(min_length=2)]
    scoring: Literal["count_yes"]
    """How the score is made; `count_yes`: the number of "yes" answers."""
    bands: Mapping[RiskLevel, int]
    """The lowest score of each level; every level is named, `standard` from 0."""
    visible_high_risk_at: int = Field(ge=1)
    """The score at or above which the case meets the MARAC "visible high risk" criterion."""
    reassessment_interval_days: int = Field(ge=0, le=366)
    """Calendar days after an assessment when the next one is due; 0: none is due."""
    questions: Annotated[tuple[Question, ...], Field(min_length=1, max_length=100)]

    @model_validator(mode="after")
    def _consistent(self) -> Instrument:
        numbers = [q.number for q in self.questions]
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError("questions must be numbered 1, 2, 3 ... in order")
        if DashAnswerValue.YES not in self.answer_options:
            raise ValueError("answer_options must include yes: the score counts them")
        if len(set(self.answer_options)) != len(self.answer_options):
            raise ValueError("answer_options must not repeat")
        if set(self.bands) != set(RISK_ORDER):
            raise ValueError("bands must give the lowest score of every level")
        lows = [self.bands[level] for level in RISK_ORDER]
        if lows[0] != 0:
            raise ValueError("bands: the lowest level starts at a score of 0")
        if any(a >= b for a, b in pairwise(lows)):
            raise ValueError("bands must rise from level to level")
        if lows[-1] > self.question_count:
            raise ValueError("bands: a level starts beyond the highest possible score")
        if self.visible_high_risk_at > self.question_count:
            raise ValueError("visible_high_risk_at is beyond the highest possible score")
        return self

    @property
    def question_count(self) -> int:
        return len(self.questions)

    def question(self, number: int) -> Question | None:
        return self.questions[number - 1] if 1 <= number <= self.question_count else None

    def score(self, answers: Iterable[DashAnswerValue]) -> int:
        """The score of a whole set of answers (`count_yes`: how many are yes)."""
        return sum(answer is DashAnswerValue.YES for answer in answers)

    def level(self, score: int) -> RiskLevel:
        """The level a score falls in: the highest whose lowest score it reaches."""
        return max(
            (level for level in RISK_ORDER if score >= self.bands[level]),
            key=RISK_ORDER.index,
        )

    def visibly_high_risk(self, score: int) -> bool:
        return score >= self.visible_high_risk_at


@dataclass(frozen=True)
class Catalogue:
    """The instruments the service offers, by id, and the one used when none is named."""

    instruments: Mapping[str, Instrument]
    default_id: str

    def __post_init__(self) -> None:
        if self.default_id not in self.instruments:
            raise ValueError(f"the default instrument {self.default_id!r} is not loaded")

    def get(self, instrument_id: str | None) -> Instrument | None:
        return self.instruments.get(instrument_id or self.default_id)

    @property
    def default(self) -> Instrument:
        return self.instruments[self.default_id]
