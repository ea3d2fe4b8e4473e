"""The MARAC referral criteria (SafeLives), decided from what is known of a case.

Any one is enough:

- visible high risk: the latest assessment's score reaches the instrument's threshold
  (the policy's figure for its question set, else the threshold risk published with it,
  else risk's own `marac_criteria_met`);
- professional judgement: the practitioner raised the level to high, with a reason;
- potential escalation: at least `escalation_incidents` incidents within the last
  `escalation_window_months`, every incident known counted, not only police ones;
- repeat: any new incident between the same people within `repeat_window_months` of the
  last MARAC referral (after that window a referral is a new one, not a repeat).

After a MARAC referral only what is newer than it counts again: an assessment completed
after it, incidents that happened after it. What was referred is not referred twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from uuid import UUID
from zoneinfo import ZoneInfo

from hearth.contracts.events.common import MaracCriterion, RiskLevel
from hearth.eventstore.calendar import within_months
from hearth.referrals.domain.known import KnownAssessment, KnownCase
from hearth.referrals.domain.policy import Policy


@dataclass(frozen=True, slots=True)
class EarlierReferral:
    """The last MARAC referral about the same survivor and perpetrator."""

    referral_id: UUID
    referred_at: datetime


@dataclass(frozen=True, slots=True)
class CriteriaMet:
    """Which criteria a case meets now, and the figures behind them."""

    criteria: tuple[MaracCriterion, ...]
    assessment_id: UUID | None
    incidents_in_window: int
    previous_referral_id: UUID | None


def start_of_day(day: date, policy: Policy) -> datetime:
    """A date (an incident's, a due date) as the start of that day in the landlord's zone."""
    return datetime.combine(day, time(0, 0), tzinfo=ZoneInfo(policy.timezone))


def local_date(moment: datetime, policy: Policy) -> date:
    return moment.astimezone(ZoneInfo(policy.timezone)).date()


def visible_high_risk(assessment: KnownAssessment, policy: Policy) -> bool:
    threshold = policy.marac.visible_high_risk.get(
        assessment.question_set_id, assessment.visible_high_risk_at
    )
    if threshold is None:
        return MaracCriterion.VISIBLE_HIGH_RISK in assessment.marac_criteria_met
    return assessment.score >= threshold


def professional_judgement(assessment: KnownAssessment) -> bool:
    judgement = assessment.professional_judgement
    if judgement is not None and judgement.raised_to is RiskLevel.HIGH:
        return True
    return MaracCriterion.PROFESSIONAL_JUDGEMENT in assessment.marac_criteria_met


def criteria_met(
    known: KnownCase,
    incidents: tuple[datetime, ...],
    last_referral: EarlierReferral | None,
    now: datetime,
    policy: Policy,
) -> CriteriaMet:
    """The criteria the case meets at `now`. `incidents` are those referrals recorded
    itself (`IncidentRecorded`); the case's reports are in `known`."""
    since = last_referral.referred_at if last_referral else None
    criteria: list[MaracCriterion] = []
    assessment = known.assessment
    fresh = assessment is not None and (since is None or assessment.completed_at > since)
    if assessment is not None and fresh:
        if visible_high_risk(assessment, policy):
            criteria.append(MaracCriterion.VISIBLE_HIGH_RISK)
        if professional_judgement(assessment):
            criteria.append(MaracCriterion.PROFESSIONAL_JUDGEMENT)
    every = sorted({*incidents, *(i.occurred_at for i in known.incidents)})
    happened = [moment for moment in every if moment <= now]
    new = [moment for moment in happened if since is None or moment > since]
    window = policy.marac.escalation_window_months
    in_window = [moment for moment in new if within_months(moment, now, window)]
    if len(in_window) >= policy.marac.escalation_incidents:
        criteria.append(MaracCriterion.POTENTIAL_ESCALATION)
    previous = None
    if last_referral is not None and any(
        within_months(last_referral.referred_at, moment, policy.marac.repeat_window_months)
        for moment in new
    ):
        criteria.append(MaracCriterion.REPEAT)
        previous = last_referral.referral_id
    return CriteriaMet(
        criteria=tuple(criteria),
        assessment_id=assessment.assessment_id if assessment is not None and fresh else None,
        incidents_in_window=len([m for m in happened if within_months(m, now, window)]),
        previous_referral_id=previous,
    )
