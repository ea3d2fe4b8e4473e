"""What can be asked of a case's risk record. Each command names who is asking and the
case; ids are given by the edge.

`access` and `case_opened_at` are what risk knows of the case from cases' events (its
own projection): the edge fills them in from the read model before deciding, as cases
fills in caseloads, so the decision stays pure. A command that contradicts itself
(a decline without a reason) is refused by its own `check`: `InvalidCommand`, 422.
"""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass
from datetime import date, datetime
from uuid import UUID

from hearth.contracts.envelope import Actor
from hearth.contracts.events.common import RiskLevel
from hearth.contracts.events.risk import (
    AnswerSource,
    AssessingAgency,
    DashAnswerValue,
    RiskRecordView,
)
from hearth.eventstore.case_access import CaseAccess
from hearth.eventstore.errors import InvalidCommand

UNKNOWN_CASE = CaseAccess()
"""A case risk has not seen open (a command's access until the edge fills it in)."""


def _require_text(value: str | None, field: str, what: str) -> None:
    if value is None or not value.strip():
        raise InvalidCommand(f"{what} needs a written reason", field=field, code="reason_required")


@dataclass(frozen=True)
class RiskCommand:
    """What every command carries: who asks, about which case, and what risk knows of it."""

    actor: Actor
    case_id: UUID
    _: KW_ONLY
    access: CaseAccess = UNKNOWN_CASE
    """The case as risk's projection of cases' events knows it (filled in by the edge)."""
    case_opened_at: datetime | None = None
    """When the case opened, from its `CaseOpened` (filled in by the edge)."""

    def check(self) -> None:
        """Refuse a command inconsistent in itself (InvalidCommand); nothing by default."""


@dataclass(frozen=True)
class GivenAnswer:
    """One answer as given: the question's number, the answer, its source and a comment."""

    question: int
    answer: DashAnswerValue
    source: AnswerSource | None = None
    comment: str | None = None


@dataclass(frozen=True)
class GivenJudgement:
    """A practitioner's judgement that the risk is higher than the score says."""

    raised_to: RiskLevel
    reason: str | None


@dataclass(frozen=True)
class RecordAssessment(RiskCommand):
    """Answers to an instrument's questions (the default instrument when none is named)."""

    assessment_id: UUID
    instrument_id: str | None
    answers: tuple[GivenAnswer, ...]
    completed_at: datetime
    judgement: GivenJudgement | None = None
    """Checked with the score it raises (`assessment.judged_level`): it needs a reason."""


@dataclass(frozen=True)
class RecordDecline(RiskCommand):
    """The survivor declined the DASH: recorded with why, and not a failure to assess."""

    declined_at: datetime
    reason: str | None
    notes: str | None = None

    def check(self) -> None:
        _require_text(self.reason, "reason", "a declined DASH")


@dataclass(frozen=True)
class RecordElsewhere(RiskCommand):
    """Another agency already completed a risk assessment."""

    agency: AssessingAgency
    completed_on: date
    agency_name: str | None = None
    agency_reference: str | None = None
    question_set_id: str | None = None
    score: int | None = None
    risk_level: RiskLevel | None = None
    referred_to_marac: bool | None = None

    def check(self) -> None:
        if self.agency is AssessingAgency.OTHER and not (self.agency_name or "").strip():
            raise InvalidCommand(
                "an agency of kind other needs its name", field="agency_name", code="name_required"
            )


@dataclass(frozen=True)
class RecordRead(RiskCommand):
    """A member of staff opened (or was refused) a restricted case's risk record."""

    view: RiskRecordView
    granted: bool


Command = RecordAssessment | RecordDecline | RecordElsewhere | RecordRead
