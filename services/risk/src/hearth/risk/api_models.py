"""Request bodies of the risk API: their shape, checked at the door (422 naming each
field). Rules (every question answered, judgement only raises and needs a reason, when
an assessment may be dated) are the domain's, and answer 422 the same way."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AwareDatetime, ConfigDict, Field

from hearth.contracts.events.base import TextChecked
from hearth.contracts.events.common import (
    Code,
    ExternalReference,
    Label,
    Notes,
    RiskLevel,
    ShortText,
)
from hearth.contracts.events.risk import AnswerSource, AssessingAgency, DashAnswerValue


class Body(TextChecked):
    """Strict about unknown fields, so a misspelt field is a 422, not silently dropped;
    text with a control character is a 422 naming the field (`TextChecked`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class AnswerBody(Body):
    """The answer to one question, by its number in the instrument. `source` says where
    the answer came from when not from the survivor; leave it out when the survivor
    gave it."""

    question: int = Field(ge=1, le=100)
    answer: DashAnswerValue
    source: AnswerSource | None = None
    comment: ShortText | None = None


class JudgementBody(Body):
    """The practitioner's judgement that the risk is higher than the score: `raised_to`
    must be above the scored level, and `reason` (required) says why."""

    raised_to: RiskLevel
    reason: ShortText | None = None


class AssessmentBody(Body):
    """A completed risk checklist.

    `instrument_id` names the checklist (`GET /instruments`; the policy's default when
    left out). `answers` answers every one of its questions once, each with one of its
    answer options: a question missing, one it does not have, or an answer it does not
    offer is a 422 naming the question. `completed_at` (with its UTC offset) is when the
    assessment was done: not in the future, not before the case opened, and not further
    back than the policy allows (`recording.max_days_back`)."""

    completed_at: AwareDatetime
    answers: Annotated[tuple[AnswerBody, ...], Field(min_length=1, max_length=100)]
    instrument_id: Code | None = None
    professional_judgement: JudgementBody | None = None


class DeclineBody(Body):
    """The survivor declined the DASH: when, and why (required). Recorded, not a failure:
    it meets the case's DASH deadline."""

    declined_at: AwareDatetime
    reason: ShortText
    notes: Notes | None = None


class ElsewhereBody(Body):
    """Another agency already completed a risk assessment (which meets the case's DASH
    deadline). `agency_name` is required when `agency` is `other`. With a `risk_level`,
    it sets the case's level when it is the latest assessment, never lowering it."""

    agency: AssessingAgency
    completed_on: date
    agency_name: Label | None = None
    agency_reference: ExternalReference | None = None
    question_set_id: Code | None = None
    score: int | None = Field(default=None, ge=0, le=100)
    risk_level: RiskLevel | None = None
    referred_to_marac: bool | None = None
