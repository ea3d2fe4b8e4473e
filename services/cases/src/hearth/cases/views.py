"""What the caseworkers' API answers with: a case as a caseworker needs it, and a list row."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel

from hearth.cases.domain.deadlines import Deadline
from hearth.cases.domain.state import CaseState, Flag, IdentifyTask
from hearth.cases.handlers import CaseRead, Outcome
from hearth.contracts.envelope import Envelope
from hearth.contracts.events import cases as ev
from hearth.contracts.events.intake import RelatedCaseBasis


def command_answer(case_id: object, outcome: Outcome, **extra: Any) -> dict[str, Any]:
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


def deadline_view(deadline: Deadline, now: datetime) -> dict[str, Any]:
    return {
        "kind": deadline.kind.value,
        "ref": deadline.ref,
        "starts_at": deadline.starts_at.isoformat(),
        "due_at": deadline.due_at.isoformat(),
        "met_at": _iso(deadline.met_at),
        "late": deadline.late,
        "overdue_recorded_at": _iso(deadline.overdue_at),
        "cancelled_at": _iso(deadline.cancelled_at),
        "status": deadline.status(now).value,
    }


def case_view(
    read: CaseRead, now: datetime, visible_cases: Collection[UUID] = frozenset()
) -> dict[str, Any]:
    """The case's current state, its deadlines and its whole timeline (who, when, what).

    Linked cases appear (in `linked_cases` and the timeline) only when they are among
    `visible_cases`, those the reader may see: a restricted case stays unknown to others.
    """
    s = read.state
    hidden = {str(c) for c in s.links if c not in visible_cases}
    assert s.opened is not None
    opened = s.opened
    deadlines = sorted(s.deadlines.values(), key=lambda d: (d.due_at, d.kind.value, d.ref))
    return {
        "case_id": str(s.case_id),
        "version": s.version,
        "status": s.status.value,
        "episode": s.episode,
        "opened_at": opened.opened_at.isoformat(),
        "reported_at": opened.reported_at.isoformat(),
        "channel": opened.channel.value,
        "reporter_kind": opened.reporter_kind.value,
        "immediate_danger": opened.immediate_danger,
        "abuse_types": [a.value for a in opened.abuse_types],
        "tenancy_reference": opened.tenancy_reference,
        "timescale_policy": opened.timescale_policy,
        "repeat": _dump(s.repeat),
        "repeats": [_dump(r) for r in s.repeats],
        "linked_cases": [
            _link_view(link) for link in s.links.values() if link.related_case_id in visible_cases
        ],
        "survivor": _dump(s.survivor),
        "alleged_perpetrators": [_dump(p) for p in s.perpetrators],
        "children": [_dump(c) for c in s.children],
        "erased_people": [
            {"person_id": str(p.person_id), "erased_at": p.erased_at.isoformat()}
            for p in s.erased_people.values()
        ],
        "case_manager": _dump(s.case_manager),
        "preferred_case_manager_gender": s.preferred_gender.value if s.preferred_gender else None,
        "preference_met": s.preference_met,
        "preference_unmet": s.preference_unmet,
        "restriction": _dump(s.restriction),
        "safe_contact": _dump(s.safe_contact),
        "safe_contact_survivors_own": s.arrangements.survivors_own if s.arrangements else None,
        "safe_contact_unconfirmed_because": (
            s.arrangements.unconfirmed_because.value
            if s.arrangements and s.arrangements.unconfirmed_because
            else None
        ),
        "overdue": any(d.is_overdue(now) for d in deadlines),
        "deadlines": [deadline_view(d, now) for d in deadlines],
        "identify_survivor": _identify_task_view(s.identify_survivor),
        "report_ids": [str(r) for r in s.report_ids],
        "further_reports": [_dump(r) for r in s.further_reports],
        "contact_attempts": [_dump(a) for a in s.attempts],
        "contacts": [_dump(c) for c in s.contacts],
        "dash": [_dump(d) for d in s.dash_outcomes],
        "emergency_repairs": [
            {**_dump(r.raised), "completion": _dump(r.completed)} for r in s.repairs.values()
        ],
        "reported_damage": [
            {"report_id": str(report), "repair_id": str(repair), "raised": repair in s.repairs}
            for repair, report in s.reported_damage.items()
        ],
        "security_measures": [
            {**_dump(w.requested), "installations": [_dump(i) for i in w.installed]}
            for w in s.security.values()
        ],
        "flags": [_flag_view(f) for f in s.flags.values()],
        "survivor_wishes": _dump(s.wishes),
        "perpetrator_actions": [_dump(a) for a in s.actions],
        "reviews": [_dump(r) for r in s.reviews],
        "closure": _closure_view(s),
        "timeline": [
            _timeline_entry(e)
            for e in read.history
            if not (e.event_name == "CasesLinked" and e.payload.get("related_case_id") in hidden)
        ],
    }


_CLOSURE_REQUEST_COLUMNS = {
    "closure_requested_by": "requested_by",
    "closure_requested_at": "requested_at",
    "closure_request_reason": "reason",
    "closure_request_has_notes": "has_notes",
}


def summary_view(row: dict[str, Any]) -> dict[str, Any]:
    """One row of the case list (no personal data: ids, dates, deadlines, flags of state).
    `closure_request`: who asked to close the case, when, why (the reason's code) and
    whether notes came with it (they are on the case), while a request waits; else null
    (also for a request the summary has not taken in yet: see migration 0009)."""
    out = {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in row.items()}
    out["case_id"] = str(row["case_id"])
    request = {name: out.pop(column, None) for column, name in _CLOSURE_REQUEST_COLUMNS.items()}
    waiting = row.get("closure_requested") and request["requested_at"] is not None
    out["closure_request"] = request if waiting else None
    return out


def _identify_task_view(task: IdentifyTask | None) -> dict[str, Any] | None:
    """The DA lead's task to identify a survivor nothing on the case identifies or reaches."""
    if task is None:
        return None
    return {
        "for_role": "da_lead",
        "status": task.status.value,
        "opened_at": task.opened_at.isoformat(),
        "done_at": _iso(task.done_at),
        "cancelled_at": _iso(task.cancelled_at),
    }


def _link_view(link: ev.CasesLinked) -> dict[str, Any]:
    """A linked case: another survivor's sharing the perpetrator or the household, or a
    possible same survivor that staff need to confirm."""
    return {
        "case_id": str(link.related_case_id),
        "basis": link.basis.value,
        "needs_confirming": link.basis is RelatedCaseBasis.POSSIBLY_SAME_SURVIVOR,
        "conflicting_details": [d.value for d in link.conflicting_details],
        "linked_at": link.linked_at.isoformat(),
        "report_id": str(link.report_id),
    }


def _flag_view(flag: Flag) -> dict[str, Any]:
    return {
        **_dump(flag.raised),
        "raised_by": flag.raised_by.model_dump(mode="json"),
        "active": flag.active,
        "removed_at": _iso(flag.removed.removed_at) if flag.removed else None,
        "removal_reason": flag.removed.reason if flag.removed else None,
        "removed_by": flag.removed_by.model_dump(mode="json") if flag.removed_by else None,
    }


def _closure_view(s: CaseState) -> dict[str, Any]:
    pending = s.pending_closure
    return {
        "requested": None
        if pending is None
        else {
            **_dump(pending.request),
            "requested_by": pending.requested_by.model_dump(mode="json"),
        },
        "closed": _dump(s.closure),
    }


def _timeline_entry(e: Envelope) -> dict[str, Any]:
    return {
        "stream_version": e.stream_version,
        "event_id": str(e.event_id),
        "type": e.type,
        "event": e.event_name,
        "occurred_at": e.occurred_at.isoformat(),
        "recorded_at": e.recorded_at.isoformat(),
        "actor": e.actor.model_dump(mode="json"),
        "causation_id": str(e.causation_id) if e.causation_id else None,
        "data": {k: v for k, v in e.payload.items() if k != "case_id"},
    }


def _dump(model: BaseModel | None) -> Any:
    if model is None:
        return None
    data = model.model_dump(mode="json")
    data.pop("case_id", None)
    return data


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
