"""The stream's state and what is known of the case → the API's answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from hearth.referrals.domain.consent import withdrawn_for_referral
from hearth.referrals.domain.criteria import local_date
from hearth.referrals.domain.policy import Policy
from hearth.referrals.domain.state import ActionState, MaracState, ReferralsState
from hearth.referrals.handlers import Outcome


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def command_answer(case_id: UUID, outcome: Outcome, **extra: Any) -> dict[str, Any]:
    """Ids and versions of what a command wrote."""
    return {
        "case_id": str(case_id),
        "version": outcome.state.version,
        "events": [
            {"event_id": str(e.event_id), "type": e.type, "stream_version": e.stream_version}
            for e in outcome.appended
        ],
        **extra,
    }


def action_view(action: ActionState, today: date) -> dict[str, Any]:
    a = action.action
    return {
        "action_id": str(a.action_id),
        "referral_id": str(action.referral_id),
        "description": a.description,
        "owner_agency": a.owner_agency,
        "owner_staff_id": a.owner_staff_id,
        "landlord_action": a.landlord_action,
        "due_on": a.due_on.isoformat(),
        "completed_at": _iso(action.completed_at),
        "overdue": action.is_open and (action.overdue_at is not None or today > a.due_on),
        "overdue_recorded_at": _iso(action.overdue_at),
    }


def marac_view(marac: MaracState, today: date) -> dict[str, Any]:
    r = marac.referred
    return {
        "referral_id": str(r.referral_id),
        "status": marac.status.value,
        "referred_at": r.referred_at.isoformat(),
        "marac_area": r.marac_area,
        "criteria": [c.value for c in r.criteria],
        "assessment_id": str(r.assessment_id) if r.assessment_id else None,
        "incidents_in_last_12_months": r.incidents_in_last_12_months,
        "previous_marac_referral_id": (
            str(r.previous_marac_referral_id) if r.previous_marac_referral_id else None
        ),
        "survivor_informed": r.survivor_informed,
        "survivor_not_informed_reason": r.survivor_not_informed_reason,
        "survivor_consented": r.survivor_consented,
        "information_shared": [i.value for i in r.information_shared],
        "meeting_dates": [d.isoformat() for d in marac.meeting_dates],
        "next_meeting_date": (
            marac.meeting_dates[-1].isoformat()
            if marac.meeting_dates and (marac.listed_since_heard or not marac.heard_on)
            else None
        ),
        "heard_on": [d.isoformat() for d in marac.heard_on],
        "actions": [action_view(a, today) for a in marac.actions.values()],
        "actions_for_next_meeting": [action_view(a, today) for a in marac.open_actions],
        "document": f"/cases/{r.case_id}/marac-referrals/{r.referral_id}/document",
    }


def referrals_view(
    case_id: UUID, state: ReferralsState, now: datetime, policy: Policy
) -> dict[str, Any]:
    """Everything about the case's referrals: MARAC due and referred, other referrals
    (with "consent withdrawn" on open ones), consents and incidents recorded here."""
    today = local_date(now, policy)
    due = state.due
    return {
        "case_id": str(case_id),
        "version": state.version,
        "marac_referral_due": (
            {
                "criteria": [c.value for c in due.criteria],
                "decided_at": due.decided_at.isoformat(),
                "assessment_id": str(due.assessment_id) if due.assessment_id else None,
                "incidents_in_last_12_months": due.incidents_in_last_12_months,
                "previous_marac_referral_id": (
                    str(due.previous_marac_referral_id) if due.previous_marac_referral_id else None
                ),
            }
            if due is not None
            else None
        ),
        "marac_referrals": [marac_view(m, today) for m in state.marac.values()],
        "actions_for_next_meeting": [
            action_view(a, today) for m in state.marac.values() for a in m.open_actions
        ],
        "overdue_actions": [
            action_view(a, today)
            for m in state.marac.values()
            for a in m.open_actions
            if a.overdue_at is not None or today > a.action.due_on
        ],
        "referrals": [
            {
                "referral_id": str(r.made.referral_id),
                "referral_type": r.made.referral_type.value,
                "agency_name": r.made.agency_name,
                "status": r.status.value,
                "made_at": r.made.made_at.isoformat(),
                "about_person_id": str(r.made.about_person_id) if r.made.about_person_id else None,
                "specialist_focus": [f.value for f in r.made.specialist_focus],
                "sharing_basis": r.made.sharing_basis.value,
                "consent_id": str(r.made.consent_id) if r.made.consent_id else None,
                "safeguarding_reason": r.made.safeguarding_reason,
                "approved_by": r.made.approved_by,
                "survivor_agreed": r.made.survivor_agreed,
                "wishes_overridden": r.made.wishes_override is not None,
                "information_shared": [i.value for i in r.made.information_shared],
                "agency_reference": r.agency_reference,
                "decline_reason": r.declined.reason.value if r.declined else None,
                "outcome": r.closed.outcome.value if r.closed else None,
                "consent_withdrawn": r.is_open and withdrawn_for_referral(state, r.made),
            }
            for r in state.referrals.values()
        ],
        "consents": [
            {
                "consent_id": str(c.recorded.consent_id),
                "given": c.recorded.given,
                "scope": [t.value for t in c.recorded.scope],
                "recipients": list(c.recorded.recipients),
                "method": c.recorded.method.value,
                "recorded_at": c.recorded.recorded_at.isoformat(),
                "expires_on": _iso(c.recorded.expires_on),
                "expired": c.recorded.expires_on is not None and c.recorded.expires_on < today,
                "withdrawn": sorted(t.value for t in c.withdrawn),
                "withdrawn_at": _iso(c.withdrawn_at),
            }
            for c in state.consents.values()
        ],
        "incidents": [
            {
                "incident_id": str(i.incident_id),
                "occurred_on": i.occurred_on.isoformat(),
                "source": i.source.value,
                "recorded_at": i.recorded_at.isoformat(),
            }
            for i in state.incidents
        ],
    }
