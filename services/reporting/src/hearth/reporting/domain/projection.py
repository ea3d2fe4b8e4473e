"""One event of any service → the facts it changes (`changes`), pure.

Reporting reads the topics without key access: every personal value it meets is
ciphertext, and nothing here reads one. It keeps only what is plain in the contract
(ids, times, codes, equality-monitoring categories, counts), so erasing a case's keys
leaves its facts as they were: counts of cases, never people's details.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from hearth.contracts.events import cases as ev
from hearth.contracts.events import intake, referrals, risk
from hearth.contracts.events.base import DomainEvent
from hearth.contracts.events.common import AllegedPerpetrator, Child, MaracCriterion, Survivor
from hearth.reporting.domain import changes as c
from hearth.reporting.domain.changes import Change, DeadlineKind


@dataclass(frozen=True)
class EventMeta:
    """What the envelope says about an event (never its payload)."""

    event_id: UUID
    service: str
    event_type: str
    occurred_at: datetime
    actor_role: str


def deadline_ref(due_at: datetime) -> str:
    """A contact or DASH deadline is known by its due time (the events that meet it or
    find it overdue give that time)."""
    return due_at.astimezone(UTC).isoformat()


def survivor_categories(survivor: Survivor) -> c.SurvivorCategories:
    e = survivor.equality
    if e is None:
        return c.SurvivorCategories()
    return c.SurvivorCategories(
        sex=_value(e.sex),
        age_band=_value(e.age_band),
        disability=_value(e.disability),
        gender_reassignment=_value(e.gender_reassignment),
        lgbtq_plus=_value(e.lgbtq_plus),
        sexual_orientation=_value(e.sexual_orientation),
        ethnicity=_value(e.ethnicity),
        religion=_value(e.religion),
    )


def perpetrator_age_bands(
    perpetrators: tuple[AllegedPerpetrator, ...],
) -> tuple[str | None, ...]:
    """Each alleged perpetrator's age band (plain in the contract), None where not given."""
    return tuple(_value(p.age_band) for p in perpetrators)


def children_count(children: tuple[Child, ...]) -> c.ChildrenCount:
    living = [child for child in children if child.lives_in_household]
    return c.ChildrenCount(
        in_household=len(living), affected=sum(child.affected_by_abuse for child in children)
    )


STAFF_READS: frozenset[type[DomainEvent]] = frozenset(
    {ev.CaseRecordRead, risk.RiskRecordRead, referrals.ReferralRecordRead}
)
"""Records of staff opening a case that is not restricted: not part of the case's history
(the case's timeline shows what happened to it, not every time someone looked), and
listed by `python -m hearth.audit access` instead. They change no figure either."""


def changes(event: DomainEvent, meta: EventMeta) -> list[Change]:
    """The facts this event changes, with its line on the case's timeline."""
    case_id = getattr(event, "case_id", None)
    timeline: list[Change] = []
    if isinstance(case_id, UUID) and type(event) not in STAFF_READS:
        timeline.append(
            c.TimelineEntry(
                meta.event_id,
                case_id,
                meta.occurred_at,
                meta.service,
                meta.event_type,
                meta.actor_role,
            )
        )
    project = _PROJECTIONS.get(type(event))
    return [*timeline, *(project(event, meta) if project else [])]


# --- cases ---------------------------------------------------------------------------


def _case_opened(e: ev.CaseOpened, meta: EventMeta) -> list[Change]:
    facts = c.CaseFacts(
        e.case_id,
        opened_at=e.opened_at,
        reported_at=e.reported_at,
        channel=e.channel.value,
        reporter_kind=e.reporter_kind.value,
        immediate_danger=e.immediate_danger,
        repeat=e.repeat_of_case_id is not None,
        survivor=survivor_categories(e.survivor),
        children=children_count(e.children),
        perpetrator_age_bands=perpetrator_age_bands(e.alleged_perpetrators),
    )
    out: list[Change] = [
        facts,
        c.ReportFacts(
            e.report_id, e.case_id, e.reported_at, e.channel.value, e.reporter_kind.value
        ),
        _started(e.case_id, DeadlineKind.DASH, e.reported_at, e.dash_due_at),
    ]
    if not e.survivor_to_identify:  # no first contact is due until someone identifies them
        out.append(_started(e.case_id, DeadlineKind.FIRST_CONTACT, e.reported_at, e.contact_due_at))
    if e.emergency_repair is not None:
        out.append(_repair_started(e.case_id, e.emergency_repair, e.reported_at))
    return out


def _report_added(e: ev.ReportAddedToCase, meta: EventMeta) -> list[Change]:
    out: list[Change] = [
        c.ReportFacts(e.report_id, e.case_id, e.reported_at, e.channel.value, e.reporter_kind.value)
    ]
    if e.contact_due_at is not None:
        out.append(_started(e.case_id, DeadlineKind.FIRST_CONTACT, e.reported_at, e.contact_due_at))
    if e.dash_due_at is not None:
        out.append(_started(e.case_id, DeadlineKind.DASH, e.reported_at, e.dash_due_at))
    if e.emergency_repair is not None:
        out.append(_repair_started(e.case_id, e.emergency_repair, e.reported_at))
    return out


def _people_updated(e: ev.PeopleUpdated, meta: EventMeta) -> list[Change]:
    return [
        c.CaseFacts(
            e.case_id,
            survivor=survivor_categories(e.survivor) if e.survivor is not None else None,
            children=children_count(e.children) if e.children is not None else None,
            perpetrator_age_bands=perpetrator_age_bands(e.alleged_perpetrators)
            if e.alleged_perpetrators is not None
            else None,
        )
    ]


def _case_reopened(e: ev.CaseReopened, meta: EventMeta) -> list[Change]:
    out: list[Change] = [c.CaseReopenedFacts(e.case_id, e.reopened_at)]
    for kind, due in (
        (DeadlineKind.FIRST_CONTACT, e.contact_due_at),
        (DeadlineKind.DASH, e.dash_due_at),
    ):
        if due is not None:
            out.append(_started(e.case_id, kind, e.reopened_at, due))
    return out


def _contacted(e: ev.SurvivorContacted, meta: EventMeta) -> list[Change]:
    if not e.first_contact or e.due_at is None:
        return []
    return [c.DeadlineMet(e.case_id, DeadlineKind.FIRST_CONTACT, deadline_ref(e.due_at), e.made_at)]


def _case_closed(e: ev.CaseClosed, meta: EventMeta) -> list[Change]:
    feedback = e.survivor_feedback
    return [
        c.CaseClosedFacts(
            e.case_id,
            e.closed_at,
            e.reason.value,
            approved_by=e.approved_by,
            feels_safer=feedback.feels_safer if feedback else None,
            rating=_value(feedback.rating) if feedback else None,
        ),
        c.DeadlinesCancelled(e.case_id, e.closed_at),
    ]


def _perpetrator_action(e: ev.PerpetratorActionTaken, meta: EventMeta) -> list[Change]:
    return [
        c.PerpetratorActionFacts(
            e.action_id,
            e.case_id,
            e.taken_at,
            e.kind.value,
            wishes_recorded=e.survivor_wishes_id is not None,
            survivor_agreed=e.survivor_agreed,
            override_reason=e.override.reason.value if e.override else None,
        )
    ]


def _repair_raised(e: ev.EmergencyRepairRaised, meta: EventMeta) -> list[Change]:
    # A repair for damage a report described continues the clock the report started
    # (the same repair id): starting it again changes nothing.
    return [
        c.DeadlineStarted(
            e.case_id, DeadlineKind.EMERGENCY_REPAIR, str(e.repair_id), e.raised_at, e.due_at
        )
    ]


_CASES: dict[type[DomainEvent], Callable[[Any, EventMeta], list[Change]]] = {
    ev.CaseOpened: _case_opened,
    ev.ReportAddedToCase: _report_added,
    ev.PeopleUpdated: _people_updated,
    ev.SurvivorIdentified: lambda e, m: [
        _started(e.case_id, DeadlineKind.FIRST_CONTACT, e.identified_at, e.contact_due_at)
    ],
    ev.CaseManagerAssigned: lambda e, m: [
        c.CaseFacts(e.case_id, case_manager_id=e.case_manager.staff_id)
    ],
    ev.SurvivorContacted: _contacted,
    ev.ContactOverdue: lambda e, m: [
        c.DeadlineOverdue(
            e.case_id, DeadlineKind.FIRST_CONTACT, deadline_ref(e.due_at), e.detected_at
        )
    ],
    ev.DashDeadlineMet: lambda e, m: [
        c.DeadlineMet(
            e.case_id, DeadlineKind.DASH, deadline_ref(e.due_at), e.met_at, e.outcome.value
        )
    ],
    ev.DashOverdue: lambda e, m: [
        c.DeadlineOverdue(e.case_id, DeadlineKind.DASH, deadline_ref(e.due_at), e.detected_at)
    ],
    ev.EmergencyRepairRaised: _repair_raised,
    ev.EmergencyRepairCompleted: lambda e, m: [
        c.DeadlineMet(e.case_id, DeadlineKind.EMERGENCY_REPAIR, str(e.repair_id), e.completed_at)
    ],
    ev.EmergencyRepairOverdue: lambda e, m: [
        c.DeadlineOverdue(e.case_id, DeadlineKind.EMERGENCY_REPAIR, str(e.repair_id), e.detected_at)
    ],
    ev.RepeatCaseIdentified: lambda e, m: [c.CaseFacts(e.case_id, repeat=True)],
    ev.CaseClosed: _case_closed,
    ev.SecurityMeasureRequested: lambda e, m: [
        c.SecurityRequested(e.request_id, e.case_id, e.requested_at, e.sanctuary_scheme)
    ],
    ev.SecurityMeasureInstalled: lambda e, m: [
        c.SecurityInstalled(e.request_id, e.case_id, e.installed_at)
    ],
    ev.PerpetratorActionTaken: _perpetrator_action,
    ev.SurvivorWishesRecorded: lambda e, m: [
        c.WishesRecorded(e.wishes_id, e.case_id, e.recorded_at)
    ],
    ev.SafeContactUpdated: lambda e, m: [
        c.SafeContactRecorded(m.event_id, e.case_id, e.updated_at, e.survivors_own)
    ],
    ev.CaseReviewed: lambda e, m: [
        c.ReviewFacts(e.review_id, e.case_id, e.reviewed_at, e.outcome.value)
    ],
    ev.CaseReopened: _case_reopened,
    ev.CaseErased: lambda e, m: [c.CaseFacts(e.case_id, erased_at=e.erased_at)],
}


def _started(case_id: UUID, kind: DeadlineKind, start: datetime, due: datetime) -> Change:
    return c.DeadlineStarted(case_id, kind, deadline_ref(due), start, due)


def _repair_started(case_id: UUID, due: Any, reported_at: datetime) -> Change:
    return c.DeadlineStarted(
        case_id, DeadlineKind.EMERGENCY_REPAIR, str(due.repair_id), reported_at, due.due_at
    )


# --- intake --------------------------------------------------------------------------


def _report_received(e: intake.ReportReceived, meta: EventMeta) -> list[Change]:
    if e.enquiry_id is None:
        return []
    return [c.EnquiryBecameCase(e.enquiry_id, e.case_id, e.received_at)]


_INTAKE: dict[type[DomainEvent], Callable[[Any, EventMeta], list[Change]]] = {
    intake.ReportReceived: _report_received,
    intake.EnquiryRaised: lambda e, m: [c.EnquiryFacts(e.enquiry_id, e.raised_at, e.trigger.value)],
}


# --- risk ----------------------------------------------------------------------------


def _elsewhere(e: risk.DashCompletedElsewhere, meta: EventMeta) -> list[Change]:
    level = e.risk_level.value if e.risk_level else None
    out: list[Change] = [
        c.AssessmentFacts(meta.event_id, e.case_id, e.recorded_at, "elsewhere", level)
    ]
    if e.referred_to_marac:
        out.append(
            c.MaracReferralFacts(
                meta.event_id, e.case_id, e.recorded_at, by_housing=False, repeat=False
            )
        )
    return out


_RISK: dict[type[DomainEvent], Callable[[Any, EventMeta], list[Change]]] = {
    risk.DashCompleted: lambda e, m: [
        c.AssessmentFacts(
            e.assessment_id, e.case_id, e.completed_at, "completed", e.risk_level.value
        )
    ],
    risk.DashDeclined: lambda e, m: [
        c.AssessmentFacts(m.event_id, e.case_id, e.declined_at, "declined", None)
    ],
    risk.DashCompletedElsewhere: _elsewhere,
    risk.RiskLevelChanged: lambda e, m: [
        c.RiskLevelSet(e.case_id, e.changed_at, e.new_level.value),
        c.CaseFacts(e.case_id, risk_level=e.new_level.value),
    ],
}


# --- referrals -----------------------------------------------------------------------


def _marac_referred(e: referrals.MaracReferred, meta: EventMeta) -> list[Change]:
    repeat = MaracCriterion.REPEAT in e.criteria or e.previous_marac_referral_id is not None
    return [
        c.MaracReferralFacts(
            e.referral_id,
            e.case_id,
            e.referred_at,
            by_housing=True,
            repeat=repeat,
            criteria=tuple(x.value for x in e.criteria),
        ),
        c.ReferralFacts(e.referral_id, e.case_id, "marac", made_at=e.referred_at),
    ]


def _marac_heard(e: referrals.MaracHeard, meta: EventMeta) -> list[Change]:
    out: list[Change] = [c.MaracHeardFacts(e.referral_id, e.heard_on)]
    out += [
        c.MaracActionFacts(a.action_id, e.referral_id, e.case_id, a.due_on, a.landlord_action)
        for a in e.actions
    ]
    return out


_REFERRALS: dict[type[DomainEvent], Callable[[Any, EventMeta], list[Change]]] = {
    referrals.MaracReferred: _marac_referred,
    referrals.MaracListed: lambda e, m: [
        c.MaracListedFacts(e.referral_id, e.listed_at, e.meeting_date)
    ],
    referrals.MaracHeard: _marac_heard,
    referrals.MaracActionCompleted: lambda e, m: [c.MaracActionDone(e.action_id, e.completed_at)],
    referrals.MaracActionOverdue: lambda e, m: [c.MaracActionLate(e.action_id, e.detected_at)],
    referrals.ReferralMade: lambda e, m: [
        c.ReferralFacts(e.referral_id, e.case_id, e.referral_type.value, made_at=e.made_at)
    ],
    referrals.ReferralAccepted: lambda e, m: [
        c.ReferralFacts(e.referral_id, e.case_id, e.referral_type.value, accepted_at=e.accepted_at)
    ],
    referrals.ReferralDeclined: lambda e, m: [
        c.ReferralFacts(
            e.referral_id,
            e.case_id,
            e.referral_type.value,
            declined_at=e.declined_at,
            decline_reason=e.reason.value,
        )
    ],
    referrals.ReferralClosed: lambda e, m: [
        c.ReferralFacts(
            e.referral_id,
            e.case_id,
            e.referral_type.value,
            closed_at=e.closed_at,
            outcome=e.outcome.value,
        )
    ],
    referrals.ConsentRecorded: lambda e, m: [
        c.ConsentFacts(
            e.consent_id, e.case_id, e.recorded_at, e.given, tuple(s.value for s in e.scope)
        )
    ],
    referrals.ConsentWithdrawn: lambda e, m: [
        c.ConsentWithdrawnFacts(e.consent_id, e.case_id, e.withdrawn_at)
    ],
    referrals.IncidentRecorded: lambda e, m: [
        c.IncidentFacts(e.incident_id, e.case_id, e.occurred_on, e.recorded_at, e.source.value)
    ],
}

_PROJECTIONS: dict[type[DomainEvent], Callable[[Any, EventMeta], list[Change]]] = {
    **_CASES,
    **_INTAKE,
    **_RISK,
    **_REFERRALS,
}


def _value(value: Any) -> str | None:
    return None if value is None else str(value.value)
