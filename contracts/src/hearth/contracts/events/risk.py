"""Events published by risk on `hearth.risk.events`: risk assessments and the risk level.

Risk tools are versioned question sets (SafeLives DASH RIC `dash-ric-24`, police
DASH-27, the young people's RIC, DARA): nothing here assumes 24 questions or a
threshold of 14. Thresholds are the landlord's policy, applied by the risk service.
`DashCompletedV1` is kept so that events written before question sets existed
stay readable; `hearth.contracts.upcasters` lifts them to v2.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, ClassVar
from uuid import UUID

from pydantic import AwareDatetime, Field, model_validator

from hearth.contracts.events.base import ContractModel, DomainEvent
from hearth.contracts.events.common import (
    RISK_ORDER,
    Code,
    Distinct,
    ExternalReference,
    Label,
    MaracCriterion,
    RiskLevel,
    ShortText,
    StaffId,
)


class RiskEvent(DomainEvent):
    """Base of the events the risk service publishes."""

    service = "risk"
    abstract = True

    case_id: UUID


class DashAnswerValue(StrEnum):
    """An answer to one checklist question; `dont_know` scores 0 but is counted."""

    YES = "yes"
    NO = "no"
    DONT_KNOW = "dont_know"


class AnswerSource(StrEnum):
    """Where an answer came from when not from the survivor."""

    PROFESSIONAL_KNOWLEDGE = "professional_knowledge"
    POLICE = "police"
    OTHER_AGENCY = "other_agency"
    FAMILY_OR_FRIEND = "family_or_friend"
    CASE_RECORDS = "case_records"
    OTHER = "other"


QuestionWording = Annotated[str, Field(min_length=1, max_length=300)]
"""A checklist question as the instrument words it: the instrument's text, not personal."""


class DashAnswer(ContractModel):
    """The answer to one question, by its position in the question set."""

    question: int = Field(ge=1, le=100)
    answer: DashAnswerValue
    source: AnswerSource | None = None
    """Absent when the survivor gave the answer."""
    comment: ShortText | None = None
    wording: QuestionWording | None = None
    """The question as the instrument words it, so consumers need not know the instrument;
    absent on answers recorded before risk published it."""


class ProfessionalJudgement(ContractModel):
    """A practitioner raised the level above the score; judgement never lowers it."""

    raised_to: RiskLevel
    reason: ShortText


Answers = Annotated[tuple[DashAnswer, ...], Field(min_length=1, max_length=100)]


def _check_scoring(
    answers: tuple[DashAnswer, ...],
    yes_count: int,
    dont_know_count: int,
    scored_level: RiskLevel,
    judgement: ProfessionalJudgement | None,
    risk_level: RiskLevel,
) -> None:
    questions = [a.question for a in answers]
    if len(set(questions)) != len(questions):
        raise ValueError("each question is answered at most once")
    if yes_count != sum(a.answer is DashAnswerValue.YES for a in answers):
        raise ValueError("yes_count must equal the number of yes answers")
    if dont_know_count != sum(a.answer is DashAnswerValue.DONT_KNOW for a in answers):
        raise ValueError("dont_know_count must equal the number of dont_know answers")
    if judgement is None:
        if risk_level != scored_level:
            raise ValueError("without professional judgement risk_level is the scored level")
        return
    if RISK_ORDER.index(judgement.raised_to) <= RISK_ORDER.index(scored_level):
        raise ValueError("professional judgement can only raise the level")
    if risk_level != judgement.raised_to:
        raise ValueError("risk_level must be the level professional judgement raised it to")


class DashCompleted(RiskEvent):
    """A risk checklist was completed; each assessment is kept, risk being dynamic."""

    version: ClassVar[int] = 2

    assessment_id: UUID
    question_set_id: Code
    """The versioned question set, e.g. `dash-ric-24` (SafeLives, non-police)."""
    question_count: int = Field(ge=1, le=100)
    """How many questions the set has, so "answered N of M" can be shown."""
    completed_at: AwareDatetime
    answers: Answers
    score: int = Field(ge=0)
    """The set's score; for the DASH RIC, the number of yes answers."""
    yes_count: int = Field(ge=0)
    dont_know_count: int = Field(ge=0)
    """Shown beside the score: many unknowns make a low score less reassuring."""
    scored_level: RiskLevel
    """The level the score alone gives under the landlord's bands."""
    professional_judgement: ProfessionalJudgement | None = None
    risk_level: RiskLevel
    """The level that stands: the scored level, or higher by professional judgement."""
    marac_criteria_met: Distinct[MaracCriterion] = ()
    question_set_version: Code | None = None
    """The version of the question set (its questions, options and bands) answered."""
    visible_high_risk_at: int | None = Field(default=None, ge=1, le=100)
    """The score at or above which the set counts "visible high risk" (the MARAC
    criterion), so a consumer can judge it without knowing the question set."""
    reassessment_due_at: AwareDatetime | None = None
    """When the next assessment is due under the set's reassessment interval; None
    when the landlord's policy sets none."""

    @model_validator(mode="after")
    def _scoring_is_consistent(self) -> DashCompleted:
        if any(a.question > self.question_count for a in self.answers):
            raise ValueError("an answer refers to a question beyond question_count")
        threshold = self.visible_high_risk_at
        if threshold is not None and threshold > self.question_count:
            raise ValueError("visible_high_risk_at is beyond what question_count can score")
        if self.reassessment_due_at is not None and self.reassessment_due_at <= self.completed_at:
            raise ValueError("reassessment_due_at must be after completed_at")
        _check_scoring(
            self.answers,
            self.yes_count,
            self.dont_know_count,
            self.scored_level,
            self.professional_judgement,
            self.risk_level,
        )
        return self


class DashCompletedV1(RiskEvent):
    """DashCompleted as first published, for the SafeLives DASH RIC only; read as v2."""

    name: ClassVar[str | None] = "DashCompleted"
    version: ClassVar[int] = 1

    assessment_id: UUID
    completed_at: AwareDatetime
    answers: Annotated[tuple[DashAnswer, ...], Field(min_length=1, max_length=24)]
    yes_count: int = Field(ge=0, le=24)
    dont_know_count: int = Field(ge=0, le=24)
    scored_level: RiskLevel
    professional_judgement: ProfessionalJudgement | None = None
    risk_level: RiskLevel
    marac_criteria_met: Distinct[MaracCriterion] = ()


class DashDeclined(RiskEvent):
    """The survivor declined the DASH: recorded, and not a failure to assess."""

    declined_at: AwareDatetime
    notes: ShortText | None = None
    reason: ShortText | None = None
    """Why the survivor declined, in the caseworker's words (the risk API requires it)."""


class AssessingAgency(StrEnum):
    """Another agency that completed a risk assessment."""

    POLICE = "police"
    IDVA_SERVICE = "idva_service"
    SPECIALIST_DA_SERVICE = "specialist_da_service"
    CHILDRENS_SERVICES = "childrens_services"
    ADULT_SOCIAL_CARE = "adult_social_care"
    HEALTH = "health"
    PROBATION = "probation"
    OTHER = "other"


class DashCompletedElsewhere(RiskEvent):
    """Another agency already completed a DASH, so this landlord need not repeat it."""

    recorded_at: AwareDatetime
    completed_on: date
    agency: AssessingAgency
    agency_name: Label | None = None
    agency_reference: ExternalReference | None = None
    question_set_id: Code | None = None
    score: int | None = Field(default=None, ge=0)
    risk_level: RiskLevel | None = None
    referred_to_marac: bool | None = None
    """The other agency has referred the case to MARAC itself."""


class RiskChangeBasis(StrEnum):
    """What moved the case's risk level."""

    ASSESSMENT = "assessment"
    PROFESSIONAL_JUDGEMENT = "professional_judgement"
    ASSESSMENT_BY_OTHER_AGENCY = "assessment_by_other_agency"


class RiskLevelChanged(RiskEvent):
    """The case's current risk level changed; the first assessment sets it from nothing."""

    changed_at: AwareDatetime
    previous_level: RiskLevel | None = None
    new_level: RiskLevel
    basis: RiskChangeBasis
    assessment_id: UUID | None = None
    """The assessment behind the change, when there is one."""
    reason: ShortText | None = None

    @model_validator(mode="after")
    def _is_a_change(self) -> RiskLevelChanged:
        if self.previous_level == self.new_level:
            raise ValueError("new_level must differ from previous_level")
        if self.basis is RiskChangeBasis.PROFESSIONAL_JUDGEMENT and self.reason is None:
            raise ValueError("professional judgement needs a written reason")
        return self


class RiskRecordView(StrEnum):
    """What part of a restricted case's risk record someone opened (or acted on)."""

    RISK_RECORD = "risk_record"
    """The case's risk level and its list of assessments, declines and other agencies'."""
    ASSESSMENT = "assessment"
    """One assessment with its answers."""
    COMMAND = "command"
    """An attempt to record an assessment, a decline or another agency's assessment."""


class RestrictedRiskRecordRead(RiskEvent):
    """Someone opened a restricted case's risk record, or tried to: every read is recorded,
    as cases records `RestrictedCaseRead`."""

    read_at: AwareDatetime
    staff_id: StaffId
    view: RiskRecordView
    access_granted: bool
    """False when the reader was not one of the named staff and was refused."""


class RiskRecordRead(RiskEvent):
    """A member of staff opened the risk record of a case that is not restricted (a
    restricted case's reads are `RestrictedRiskRecordRead`, and only those). Kept on the
    case's reads stream (`reads-risk-<case id>`), never on the risk record's own stream;
    keyed on the topic by the case id. Who read it is the envelope's actor too."""

    read_at: AwareDatetime
    staff_id: StaffId
    view: RiskRecordView
