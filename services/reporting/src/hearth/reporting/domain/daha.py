"""DAHA evidence: what an assessor checks in a sampled case file, and drawing the sample.

A case's evidence (`evidence`) is facts only, in the order an assessor reads a file:
first contact (when, against the target), the DASH (deadlines and assessments), the
safe-contact record (when arrangements were recorded, the survivor's own or not), the
survivor's wishes before any action about the perpetrator, the referral trail, manager
oversight (reviews, who approved the closure) and the closure with the survivor's
feedback (its answers; their own words are personal and not kept).

`sample` draws N cases reproducibly: the same seed and the same cases give the same
sample, whoever draws it and whenever, in whatever order the cases come: they are taken
in the order of `draw_key` (md5 of "<seed>:<case id>", then the id). The read model
draws in SQL in exactly that order (`read_model.daha_sample`), so no request loads
every closed case.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from hearth.reporting.domain import facts as f
from hearth.reporting.domain.changes import DeadlineKind
from hearth.reporting.domain.figures import deadline_targets
from hearth.reporting.domain.policy import Policy


def draw_key(seed: int, case_id: UUID) -> tuple[str, UUID]:
    """Where a case comes in the draw for `seed`: a hash that no one chooses, then the id."""
    return hashlib.md5(f"{seed}:{case_id}".encode(), usedforsecurity=False).hexdigest(), case_id


def sample(case_ids: Iterable[UUID], size: int, seed: int) -> list[UUID]:
    """`size` of the cases (all of them if fewer), drawn with `seed`, in the order drawn."""
    return sorted(set(case_ids), key=lambda case_id: draw_key(seed, case_id))[:size]


def evidence(case_id: UUID, facts: f.Facts, policy: Policy) -> dict[str, Any]:
    """What the case file shows an assessor, as JSON-ready facts."""
    targets = deadline_targets(policy)
    [case] = [c for c in facts.cases if c.case_id == case_id]
    wishes = sorted(w.recorded_at for w in facts.wishes if w.case_id == case_id)
    closures = sorted((c for c in facts.closures if c.case_id == case_id), key=_closed_at)
    return {
        "case_id": str(case_id),
        "opened_at": _iso(case.opened_at),
        "reported_at": _iso(case.reported_at),
        "channel": case.channel,
        "reporter_kind": case.reporter_kind,
        "case_manager_id": case.case_manager_id,
        "first_contact": _deadlines(facts, case_id, DeadlineKind.FIRST_CONTACT, targets),
        "dash": {
            "deadlines": _deadlines(facts, case_id, DeadlineKind.DASH, targets),
            "assessments": [
                {"at": _iso(a.at), "kind": a.kind, "risk_level": a.level}
                for a in sorted(facts.assessments, key=_at)
                if a.case_id == case_id
            ],
        },
        "emergency_repairs": _deadlines(facts, case_id, DeadlineKind.EMERGENCY_REPAIR, targets),
        "safe_contact": [
            {"recorded_at": _iso(r.recorded_at), "survivors_own": r.survivors_own}
            for r in sorted(facts.safe_contact, key=lambda r: r.recorded_at)
            if r.case_id == case_id
        ],
        "wishes_recorded": [_iso(at) for at in wishes],
        "perpetrator_actions": [
            {
                "taken_at": _iso(a.taken_at),
                "kind": a.kind,
                "wishes_recorded_before": a.wishes_recorded
                and any(at <= a.taken_at for at in wishes),
                "survivor_agreed": a.survivor_agreed,
                "override_reason": a.override_reason,
            }
            for a in sorted(facts.perpetrator_actions, key=lambda a: a.taken_at)
            if a.case_id == case_id
        ],
        "referrals": [
            {
                "type": r.referral_type,
                "made_at": _iso(r.made_at),
                "accepted_at": _iso(r.accepted_at),
                "declined_at": _iso(r.declined_at),
                "decline_reason": r.decline_reason,
                "closed_at": _iso(r.closed_at),
                "outcome": r.outcome,
            }
            for r in sorted(facts.referrals, key=lambda r: (r.made_at is None, r.made_at))
            if r.case_id == case_id
        ],
        "marac": [
            {
                "referred_at": _iso(m.referred_at),
                "repeat": m.repeat,
                "criteria": list(m.criteria),
                "heard_on": m.heard_on.isoformat() if m.heard_on else None,
            }
            for m in sorted(facts.marac_referrals, key=lambda m: m.referred_at)
            if m.case_id == case_id and m.by_housing
        ],
        "manager_oversight": {
            "reviews": [
                {"reviewed_at": _iso(r.reviewed_at), "outcome": r.outcome}
                for r in sorted(facts.reviews, key=lambda r: r.reviewed_at)
                if r.case_id == case_id
            ],
            "closures_approved_by": [c.approved_by for c in closures],
        },
        "closures": [
            {
                "closed_at": _iso(c.closed_at),
                "reason": c.reason,
                "days_open": round((c.closed_at - case.opened_at).total_seconds() / 86_400, 1),
                "feels_safer": c.feels_safer,
                "rating": c.rating,
                "reopened_at": _iso(c.reopened_at),
            }
            for c in closures
        ],
    }


def _deadlines(
    facts: f.Facts,
    case_id: UUID,
    kind: DeadlineKind,
    targets: dict[str, Callable[[datetime], datetime]],
) -> list[dict[str, Any]]:
    out = []
    for d in sorted(facts.deadlines, key=lambda d: d.started_at):
        if d.case_id != case_id or d.kind != kind:
            continue
        target = targets[kind](d.started_at)
        out.append(
            {
                "started_at": _iso(d.started_at),
                "due_at": _iso(d.due_at),
                "target": _iso(target),
                "met_at": _iso(d.met_at),
                "within_target": d.met_at is not None and d.met_at <= target,
                "outcome": d.outcome,
                "overdue_at": _iso(d.overdue_at),
                "stopped_at": _iso(d.cancelled_at),
            }
        )
    return out


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _at(a: f.Assessment) -> datetime:
    return a.at


def _closed_at(c: f.Closure) -> datetime:
    return c.closed_at
