"""What referrals knows of a case from other services' events: a projection, kept as a
fact beside the referrals stream and handed to each decision.

From cases: the people, children, safe contact, the survivor's wishes about the
perpetrator, whether the case is open and who may see it, and every report as an
incident (the first at the case's `reported_at`, each further one at its own). From
risk: the latest completed assessment. `learn` is pure: the same events give the same
known case, so the projection can be rebuilt from the topics.

After cases' `CaseErased` the known case keeps nothing personal (`erased`): no people,
children, safe contact, wishes, restriction, DASH answers or professional judgement;
only ids, dates, statuses, criteria and levels, which counts need. What arrives about it
afterwards (a DASH risk published before it heard) is learnt the same way and stripped
again, so the order cases' and risk's topics are read in does not change the result: a
projection rebuilt after the erasure equals the one kept up as events came.

After cases' `PersonErased` that one person's details (the survivor, an alleged
perpetrator or a child) lose their personal values (`erased_copy`), so the known case
holds no plaintext of them, and a rebuild (whose events give REDACTED for them, which
`erased_copy` drops the same way) equals it.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from hearth.contracts.envelope import Actor
from hearth.contracts.events import cases as ev
from hearth.contracts.events import risk
from hearth.contracts.events.base import DomainEvent, erased_copy
from hearth.contracts.events.case_values import Restriction
from hearth.contracts.events.common import (
    AllegedPerpetrator,
    Child,
    Code,
    MaracCriterion,
    PerpetratorActionKind,
    RiskLevel,
    SafeContact,
    Survivor,
)
from hearth.eventstore.case_access import CASE_ACCESS_EVENTS, CaseAccess, follow


class _Fact(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class KnownIncident(_Fact):
    """A report on the case: an incident between the survivor and the alleged perpetrator."""

    report_id: UUID
    occurred_at: datetime


class KnownWishes(_Fact):
    """What the survivor wants done about the perpetrator (cases' `SurvivorWishesRecorded`)."""

    wishes_id: UUID
    wanted_actions: tuple[PerpetratorActionKind, ...] = ()
    unwanted_actions: tuple[PerpetratorActionKind, ...] = ()


class KnownAssessment(_Fact):
    """The latest completed risk assessment, as risk published it."""

    assessment_id: UUID
    question_set_id: Code
    question_count: int
    completed_at: datetime
    answers: tuple[risk.DashAnswer, ...]
    score: int
    yes_count: int
    dont_know_count: int
    scored_level: RiskLevel
    risk_level: RiskLevel
    professional_judgement: risk.ProfessionalJudgement | None = None
    marac_criteria_met: tuple[MaracCriterion, ...] = ()
    visible_high_risk_at: int | None = None
    """The instrument's threshold as risk applied it, when risk published one."""


class KnownCase(_Fact):
    """Everything referrals knows of one case from cases' and risk's events."""

    case_id: UUID | None = None
    opened: bool = False
    open: bool = False
    restriction: Restriction | None = None
    survivor: Survivor | None = None
    perpetrators: tuple[AllegedPerpetrator, ...] = ()
    children: tuple[Child, ...] = ()
    safe_contact: SafeContact | None = None
    wishes: KnownWishes | None = None
    incidents: tuple[KnownIncident, ...] = Field(default=())
    repeat_of_case_id: UUID | None = None
    """An earlier case about the same people (cases' `repeat_of_case_id` on opening, or
    the `previous_case_id` of its latest `RepeatCaseIdentified`)."""
    assessment: KnownAssessment | None = None
    erased: bool = False
    """Cases erased the case: nothing personal is kept, nobody sees it, nothing is done."""
    erased_at: datetime | None = None
    """When cases erased it (what a subject access request on it is told)."""

    @property
    def access(self) -> CaseAccess:
        people = tuple(p for p in (self.survivor, *self.perpetrators) if p is not None)
        return CaseAccess(
            case_id=self.case_id,
            opened=self.opened,
            open=self.open,
            restriction=self.restriction,
            people=people,
            erased=self.erased,
        )

    def may_see(self, actor: Actor) -> bool:
        return self.access.may_see(actor)

    def is_perpetrator(self, person_id: UUID) -> bool:
        return any(p.person_id == person_id for p in self.perpetrators)

    def is_on_case(self, person_id: UUID) -> bool:
        people = [self.survivor, *self.perpetrators, *self.children]
        return any(p is not None and p.person_id == person_id for p in people)


TRIGGERS: frozenset[type[DomainEvent]] = frozenset(
    {
        ev.CaseOpened,
        ev.ReportAddedToCase,
        ev.CaseReopened,
        ev.RepeatCaseIdentified,
        risk.DashCompleted,
    }
)
"""Events after which the MARAC criteria are decided again (a new report, a new DASH)."""


def learn(
    known: KnownCase, event: DomainEvent, *, visible_high_risk_at: int | None = None
) -> KnownCase:
    """The known case after one more event from cases or risk (others leave it as it is)."""
    after = _learn(known, event, visible_high_risk_at)
    return stripped(after) if after.erased else after


def stripped(known: KnownCase) -> KnownCase:
    """An erased case as referrals keeps it: ids, dates, statuses, criteria and levels,
    nothing about the people on it (what a DASH answer or a judgement said included)."""
    assessment = known.assessment
    if assessment is not None:
        assessment = assessment.model_copy(update={"answers": (), "professional_judgement": None})
    return KnownCase(
        case_id=known.case_id,
        opened=known.opened,
        open=False,
        incidents=known.incidents,
        repeat_of_case_id=known.repeat_of_case_id,
        assessment=assessment,
        erased=True,
        erased_at=known.erased_at,
    )


def _learn(known: KnownCase, event: DomainEvent, visible_high_risk_at: int | None) -> KnownCase:
    if type(event) in CASE_ACCESS_EVENTS:
        known = _follow_access(known, event)
    match event:
        case ev.CaseOpened():
            first = KnownIncident(report_id=event.report_id, occurred_at=event.reported_at)
            return known.model_copy(
                update={
                    "children": event.children,
                    "incidents": _with_incident(known.incidents, first),
                    "repeat_of_case_id": event.repeat_of_case_id or known.repeat_of_case_id,
                }
            )
        case ev.PeopleUpdated():
            if event.children is None:
                return known
            return known.model_copy(update={"children": event.children})
        case ev.ReportAddedToCase():
            incident = KnownIncident(report_id=event.report_id, occurred_at=event.reported_at)
            return known.model_copy(update={"incidents": _with_incident(known.incidents, incident)})
        case ev.RepeatCaseIdentified():
            earlier = event.previous_case_id
            if earlier is None or earlier == known.case_id:
                return known
            return known.model_copy(update={"repeat_of_case_id": earlier})
        case ev.SafeContactUpdated():
            return known.model_copy(update={"safe_contact": event.safe_contact})
        case ev.CaseErased():
            return known.model_copy(update={"erased_at": event.erased_at})
        case ev.PersonErased():
            return _person_erased(known, event.person_id)
        case ev.SurvivorWishesRecorded():
            wishes = KnownWishes(
                wishes_id=event.wishes_id,
                wanted_actions=event.wanted_actions,
                unwanted_actions=event.unwanted_actions,
            )
            return known.model_copy(update={"wishes": wishes})
        case risk.DashCompleted():
            if known.assessment and known.assessment.completed_at > event.completed_at:
                return known  # an older assessment arriving late does not replace a newer one
            return known.model_copy(update={"assessment": _assessment(event, visible_high_risk_at)})
    return known


def _person_erased(known: KnownCase, person_id: UUID) -> KnownCase:
    survivor = known.survivor
    if survivor is not None and survivor.person_id == person_id:
        survivor = erased_copy(survivor)
    return known.model_copy(
        update={
            "survivor": survivor,
            "perpetrators": tuple(
                erased_copy(p) if p.person_id == person_id else p for p in known.perpetrators
            ),
            "children": tuple(
                erased_copy(c) if c.person_id == person_id else c for c in known.children
            ),
        }
    )


def _follow_access(known: KnownCase, event: DomainEvent) -> KnownCase:
    access = follow(known.access, event)
    survivor = next((p for p in access.people if isinstance(p, Survivor)), known.survivor)
    perpetrators = tuple(p for p in access.people if isinstance(p, AllegedPerpetrator))
    return known.model_copy(
        update={
            "case_id": access.case_id,
            "opened": access.opened,
            "open": access.open,
            "restriction": access.restriction,
            "survivor": survivor,
            "perpetrators": perpetrators,
            "erased": access.erased,
        }
    )


def _with_incident(
    incidents: tuple[KnownIncident, ...], incident: KnownIncident
) -> tuple[KnownIncident, ...]:
    if any(i.report_id == incident.report_id for i in incidents):
        return incidents
    return (*incidents, incident)


def _assessment(event: risk.DashCompleted, visible_high_risk_at: int | None) -> KnownAssessment:
    return KnownAssessment(
        assessment_id=event.assessment_id,
        question_set_id=event.question_set_id,
        question_count=event.question_count,
        completed_at=event.completed_at,
        answers=event.answers,
        score=event.score,
        yes_count=event.yes_count,
        dont_know_count=event.dont_know_count,
        scored_level=event.scored_level,
        risk_level=event.risk_level,
        professional_judgement=event.professional_judgement,
        marac_criteria_met=event.marac_criteria_met,
        visible_high_risk_at=visible_high_risk_at,
    )
