"""MARAC: the referral due, the referral filled from what is known, and its lifecycle
(listed for a meeting, heard with actions agreed, each action completed or overdue)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from uuid import UUID

from hearth.contracts.events import referrals as ev
from hearth.contracts.events.common import MaracCriterion
from hearth.eventstore.errors import DomainError, InvalidCommand, NotFound
from hearth.referrals.domain import commands as c
from hearth.referrals.domain.criteria import (
    CriteriaMet,
    EarlierReferral,
    criteria_met,
    local_date,
    start_of_day,
)
from hearth.referrals.domain.guards import require_case, require_open_case
from hearth.referrals.domain.known import KnownCase
from hearth.referrals.domain.policy import Policy
from hearth.referrals.domain.state import MaracState, ReferralsState


def last_referral(state: ReferralsState, command: c.Command) -> EarlierReferral | None:
    """This case's last MARAC referral, else the last one of the case it repeats."""
    last = state.last_marac
    if last is not None:
        return EarlierReferral(last.referral_id, last.referred.referred_at)
    return command.earlier_case_referral


def current_criteria(
    state: ReferralsState, command: c.Command, now: datetime, policy: Policy
) -> CriteriaMet:
    incidents = tuple(_incident_moment(i, policy) for i in state.incidents)
    return criteria_met(command.known, incidents, last_referral(state, command), now, policy)


def _incident_moment(incident: ev.IncidentRecorded, policy: Policy) -> datetime:
    return start_of_day(incident.occurred_on, policy)


def due(
    state: ReferralsState, known: KnownCase, met: CriteriaMet, now: datetime
) -> list[ev.ReferralsEvent]:
    """A MARAC referral due, once per new set of criteria, while none is open.

    Not repeated while the criteria stay those already shown (or fewer). None for a
    closed case: nobody is working it, so a due would wait unseen; a new report reopens
    it in cases, and `CaseReopened` has the criteria decided again."""
    if not met.criteria or not known.opened or known.case_id is None:
        return []
    if not known.open:
        return []
    if state.open_marac is not None:
        return []
    if state.due is not None and set(met.criteria) <= set(state.due.criteria):
        return []
    return [
        ev.MaracReferralDue(
            case_id=known.case_id,
            criteria=met.criteria,
            decided_at=now,
            assessment_id=met.assessment_id,
            incidents_in_last_12_months=met.incidents_in_window,
            previous_marac_referral_id=met.previous_referral_id,
        )
    ]


def reassess(
    command: c.Reassess, state: ReferralsState, now: datetime, policy: Policy
) -> list[ev.ReferralsEvent]:
    return due(state, command.known, current_criteria(state, command, now, policy), now)


def record_incident(
    command: c.RecordIncident, state: ReferralsState, now: datetime, policy: Policy
) -> list[ev.ReferralsEvent]:
    """An incident known from any source; the criteria are decided again with it."""
    known = command.known
    require_open_case(known, command.actor)
    assert known.case_id is not None
    if command.occurred_on > local_date(now, policy):
        raise InvalidCommand("an incident cannot be in the future", field="occurred_on")
    if any(i.incident_id == command.incident_id for i in state.incidents):
        return []
    incident = ev.IncidentRecorded(
        case_id=known.case_id,
        incident_id=command.incident_id,
        occurred_on=command.occurred_on,
        recorded_at=now,
        source=command.source,
        notes=command.notes,
    )
    after = replace(state, incidents=(*state.incidents, incident))
    return [incident, *due(after, known, current_criteria(after, command, now, policy), now)]


def _information_shared(known: KnownCase) -> tuple[ev.SharedInformation, ...]:
    shared = [ev.SharedInformation.CONTACT_DETAILS]
    if known.safe_contact is not None:
        shared.append(ev.SharedInformation.SAFE_CONTACT_ARRANGEMENTS)
    if known.assessment is not None:
        shared.append(ev.SharedInformation.RISK_ASSESSMENT)
    if known.children:
        shared.append(ev.SharedInformation.CHILDREN_DETAILS)
    if known.perpetrators:
        shared.append(ev.SharedInformation.PERPETRATOR_DETAILS)
    shared.append(ev.SharedInformation.CASE_HISTORY)
    return tuple(shared)


def refer(
    command: c.ReferToMarac, state: ReferralsState, now: datetime, policy: Policy
) -> list[ev.ReferralsEvent]:
    """The referral, filled from what is known: the criteria met now (and the caseworker's
    professional judgement, with its reason), the latest assessment, the incidents, the
    earlier referral it repeats. Refused while another is open, or with no criterion met."""
    known = command.known
    require_open_case(known, command.actor)
    assert known.case_id is not None
    if command.referral_id in state.marac:
        return []
    if state.open_marac is not None:
        raise DomainError(
            "a MARAC referral of this case is open (not yet heard)", code="marac_referral_open"
        )
    met = current_criteria(state, command, now, policy)
    criteria = list(met.criteria)
    judged = MaracCriterion.PROFESSIONAL_JUDGEMENT
    if command.professional_judgement_reason and judged not in criteria:
        criteria.append(judged)
    if not criteria:
        raise DomainError(
            "the case meets no MARAC criterion; give a professional judgement with its "
            "reason to refer it all the same",
            code="no_marac_criteria",
        )
    summary = command.risk_summary
    if command.professional_judgement_reason:
        judgement = f"Professional judgement: {command.professional_judgement_reason}"
        summary = f"{summary}\n\n{judgement}" if summary else judgement
    assessment = known.assessment
    return [
        ev.MaracReferred(
            case_id=known.case_id,
            referral_id=command.referral_id,
            referred_at=now,
            marac_area=command.marac_area,
            criteria=tuple(one for one in MaracCriterion if one in criteria),
            assessment_id=assessment.assessment_id if assessment else None,
            incidents_in_last_12_months=met.incidents_in_window,
            previous_marac_referral_id=met.previous_referral_id,
            survivor_consented=command.survivor_consented,
            survivor_informed=command.survivor_informed,
            survivor_not_informed_reason=command.survivor_not_informed_reason,
            information_shared=_information_shared(known),
            risk_summary=summary,
        )
    ]


def _referral(state: ReferralsState, command: c.Command, referral_id: UUID) -> MaracState:
    require_case(command.known, command.actor)
    marac = state.marac.get(referral_id)
    if marac is None:
        raise NotFound("no such MARAC referral on this case", code="referral_not_found")
    return marac


def list_for_meeting(
    command: c.ListForMeeting, state: ReferralsState, now: datetime, policy: Policy
) -> list[ev.ReferralsEvent]:
    """Listed for a meeting; a heard referral with actions still open is listed again for
    the next meeting, which takes those actions (the case stays open throughout)."""
    marac = _referral(state, command, command.referral_id)
    if marac.heard_on and not marac.open_actions:
        raise DomainError(
            "this MARAC referral was heard and all its actions are completed",
            code="marac_referral_completed",
        )
    if command.meeting_date < local_date(marac.referred.referred_at, policy):
        raise InvalidCommand("a meeting cannot be before the referral", field="meeting_date")
    if (
        marac.meeting_dates
        and marac.meeting_dates[-1] == command.meeting_date
        and (marac.listed_since_heard or not marac.heard_on)
    ):
        return []  # already listed for that meeting
    assert command.known.case_id is not None
    return [
        ev.MaracListed(
            case_id=command.known.case_id,
            referral_id=marac.referral_id,
            listed_at=now,
            meeting_date=command.meeting_date,
        )
    ]


def record_hearing(
    command: c.RecordHearing, state: ReferralsState, now: datetime, policy: Policy
) -> list[ev.ReferralsEvent]:
    marac = _referral(state, command, command.referral_id)
    if not marac.listed_since_heard:
        raise DomainError("list the referral for a meeting first", code="not_listed")
    if command.heard_on > local_date(now, policy):
        raise InvalidCommand("a hearing cannot be in the future", field="heard_on")
    if command.heard_on < local_date(marac.referred.referred_at, policy):
        raise InvalidCommand("a hearing cannot be before the referral", field="heard_on")
    taken = {a for m in state.marac.values() for a in m.actions}
    if any(a.action_id in taken for a in command.actions):
        raise DomainError("an action with that id exists already", code="action_exists")
    assert command.known.case_id is not None
    return [
        ev.MaracHeard(
            case_id=command.known.case_id,
            referral_id=marac.referral_id,
            heard_on=command.heard_on,
            actions=tuple(
                ev.MaracAction(
                    action_id=a.action_id,
                    description=a.description,
                    owner_agency=a.owner_agency,
                    landlord_action=a.landlord_action,
                    owner_staff_id=a.owner_staff_id,
                    due_on=a.due_on,
                )
                for a in command.actions
            ),
        )
    ]


def complete_action(
    command: c.CompleteAction, state: ReferralsState, now: datetime
) -> list[ev.ReferralsEvent]:
    marac = _referral(state, command, command.referral_id)
    action = marac.actions.get(command.action_id)
    if action is None:
        raise NotFound("no such action on this MARAC referral", code="action_not_found")
    if action.completed_at is not None:
        raise DomainError("the action is completed already", code="action_completed")
    assert command.known.case_id is not None
    return [
        ev.MaracActionCompleted(
            case_id=command.known.case_id,
            referral_id=marac.referral_id,
            action_id=command.action_id,
            completed_at=now,
            notes=command.notes,
        )
    ]


def record_action_overdue(
    command: c.RecordActionOverdue, state: ReferralsState, now: datetime, policy: Policy
) -> list[ev.ReferralsEvent]:
    """Overdue once: nothing if the action is unknown, completed, already recorded
    overdue, or its due date (the last day to do it, in the landlord's zone) not past."""
    marac = state.marac.get(command.referral_id)
    action = marac.actions.get(command.action_id) if marac else None
    if (
        action is None
        or state.case_id is None
        or action.completed_at is not None
        or action.overdue_at is not None
        or local_date(now, policy) <= action.action.due_on
    ):
        return []
    return [
        ev.MaracActionOverdue(
            case_id=state.case_id,
            referral_id=command.referral_id,
            action_id=command.action_id,
            due_on=action.action.due_on,
            detected_at=now,
        )
    ]
