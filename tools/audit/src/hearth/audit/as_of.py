"""The case as it stood at a moment: a pure fold over the events recorded up to then.

No I/O, no clock: the events (in timeline order) and the moment come in, a `CaseAsOf`
comes out. What it holds is what an assessor asks of a past moment: was the case open,
was it restricted and to whom, who managed it, what risk level stood, which deadlines were
running (due, overdue, met) and who had done what. Ids, codes and times only: no
personal data.

Deadlines follow the events the services record: cases' first contact, DASH, review,
reassessment and emergency repair; referrals' MARAC actions owned by the landlord. A
deadline still running when its due time had passed reads `overdue` even if no overdue
event was recorded yet (the scheduler runs after the fact). Closing a case stops its
running deadlines; reopening starts the ones the reopening sets.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, Final

from hearth.contracts.envelope import parse_time

STAFF_READS: Final = frozenset({"CaseRecordRead", "RiskRecordRead", "ReferralRecordRead"})
"""Records of a member of staff opening a case that was not restricted (granted reads, on
the case's reads streams). Listed by `audit access`; not "who had done what" to the case."""


class Status(StrEnum):
    NOT_OPENED = "not opened"
    """Only intake's events so far (a report on its way, or an enquiry)."""
    OPEN = "open"
    CLOSURE_REQUESTED = "open, closure requested"
    CLOSED = "closed"
    ERASED = "erased"


class DeadlineStatus(StrEnum):
    DUE = "due"
    """Running, its due time not yet reached."""
    OVERDUE = "overdue"
    MET = "met"
    MET_LATE = "met late"
    STOPPED = "stopped"
    """The case closed while it was running."""


@dataclass(frozen=True, slots=True)
class Fact:
    """One recorded event, as the fold needs it (from an envelope at the edge)."""

    recorded_at: datetime
    service: str
    event: str
    actor_id: str
    actor_role: str
    payload: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Deadline:
    kind: str
    ref: str | None
    due_at: datetime
    status: DeadlineStatus
    overdue_recorded: bool = False
    done_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ActorDid:
    """Who did what up to the moment: each event they caused, counted."""

    actor_id: str
    role: str
    events: dict[str, int]
    first_at: datetime
    last_at: datetime


@dataclass
class CaseAsOf:
    as_of: datetime
    events: int = 0
    status: Status = Status.NOT_OPENED
    restricted: bool = False
    restriction_reason: str | None = None
    permitted_staff: tuple[str, ...] = ()
    case_manager: str | None = None
    risk_level: str | None = None
    marac: str | None = None
    reports: int = 0
    abuse_types: tuple[str, ...] = ()
    alleged_perpetrators: int = 0
    children: int = 0
    safe_contact_recorded: bool = False
    contact_attempts: int = 0
    contacts: int = 0
    assessments: int = 0
    referrals: tuple[str, ...] = ()
    flags: dict[str, str] = field(default_factory=dict)
    """Active flags by flag id: their kind."""
    deadlines: list[Deadline] = field(default_factory=list)
    actors: dict[tuple[str, str], ActorDid] = field(default_factory=dict)

    @property
    def running(self) -> list[Deadline]:
        return [
            d for d in self.deadlines if d.status in (DeadlineStatus.DUE, DeadlineStatus.OVERDUE)
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": _iso(self.as_of),
            "events": self.events,
            "status": self.status.value,
            "restricted": self.restricted,
            "restriction_reason": self.restriction_reason,
            "permitted_staff": list(self.permitted_staff),
            "case_manager": self.case_manager,
            "risk_level": self.risk_level,
            "marac": self.marac,
            "reports": self.reports,
            "known": {
                "abuse_types": list(self.abuse_types),
                "alleged_perpetrators": self.alleged_perpetrators,
                "children": self.children,
                "safe_contact_recorded": self.safe_contact_recorded,
                "contact_attempts": self.contact_attempts,
                "contacts": self.contacts,
                "assessments": self.assessments,
                "referrals": list(self.referrals),
                "active_flags": sorted(self.flags.values()),
            },
            "deadlines": [
                {
                    "kind": d.kind,
                    "ref": d.ref,
                    "due_at": _iso(d.due_at),
                    "status": d.status.value,
                    "overdue_recorded": d.overdue_recorded,
                    "done_at": _iso(d.done_at) if d.done_at else None,
                }
                for d in self.deadlines
            ],
            "actors": [
                {
                    "actor_id": a.actor_id,
                    "role": a.role,
                    "events": dict(a.events),
                    "first_at": _iso(a.first_at),
                    "last_at": _iso(a.last_at),
                }
                for a in self.actors.values()
            ],
        }


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _time(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    text = str(value)
    if "T" not in text:  # a date: due by the end of that day (UTC)
        return datetime.combine(date.fromisoformat(text), time(), UTC) + timedelta(days=1)
    return parse_time(text)


class _Fold:
    def __init__(self, as_of: datetime) -> None:
        self.state = CaseAsOf(as_of=as_of)

    # --- deadlines ---------------------------------------------------------------

    def _find(self, kind: str, ref: str | None) -> int | None:
        for index in range(len(self.state.deadlines) - 1, -1, -1):
            d = self.state.deadlines[index]
            if d.kind == kind and (ref is None or d.ref == ref):
                return index
        return None

    def due(self, kind: str, due_at: Any, ref: str | None = None) -> None:
        moment = _time(due_at)
        if moment is None:
            return
        index = self._find(kind, ref)
        if index is not None and self.state.deadlines[index].status in (
            DeadlineStatus.DUE,
            DeadlineStatus.OVERDUE,
        ):
            self.state.deadlines[index] = replace(
                self.state.deadlines[index], due_at=moment, status=DeadlineStatus.DUE
            )
        else:
            self.state.deadlines.append(Deadline(kind, ref, moment, DeadlineStatus.DUE))

    def met(self, kind: str, at: Any, ref: str | None = None, late: bool | None = None) -> None:
        index = self._find(kind, ref)
        if index is None:
            return
        d = self.state.deadlines[index]
        done = _time(at)
        was_late = late if late is not None else bool(done and done > d.due_at)
        status = DeadlineStatus.MET_LATE if was_late else DeadlineStatus.MET
        self.state.deadlines[index] = replace(d, status=status, done_at=done)

    def overdue(self, kind: str, ref: str | None = None, due_at: Any = None) -> None:
        index = self._find(kind, ref)
        if index is None:
            self.due(kind, due_at, ref)
            index = self._find(kind, ref)
            if index is None:
                return
        d = self.state.deadlines[index]
        if d.status in (DeadlineStatus.DUE, DeadlineStatus.OVERDUE):
            self.state.deadlines[index] = replace(
                d, status=DeadlineStatus.OVERDUE, overdue_recorded=True
            )

    def stop_running(self, at: datetime) -> None:
        self.state.deadlines = [
            replace(d, status=DeadlineStatus.STOPPED, done_at=at)
            if d.status in (DeadlineStatus.DUE, DeadlineStatus.OVERDUE)
            else d
            for d in self.state.deadlines
        ]

    def case_deadlines(self, p: Mapping[str, Any]) -> None:
        self.due("first_contact", p.get("contact_due_at"))
        self.due("dash", p.get("dash_due_at"))
        self.due("review", p.get("review_due_at"))
        repair = p.get("emergency_repair")
        if isinstance(repair, Mapping):
            self.due("emergency_repair", repair.get("due_at"), str(repair.get("repair_id")))

    # --- events ------------------------------------------------------------------

    def apply(self, fact: Fact) -> None:
        s = self.state
        p = fact.payload
        s.events += 1
        if fact.event in STAFF_READS:
            return  # someone looked; nothing was done to the case (see `audit access`)
        key = (fact.actor_id, fact.actor_role)
        did = s.actors.get(key)
        if did is None:
            s.actors[key] = ActorDid(
                fact.actor_id, fact.actor_role, {fact.event: 1}, fact.recorded_at, fact.recorded_at
            )
        else:
            did.events[fact.event] = did.events.get(fact.event, 0) + 1
            s.actors[key] = replace(did, last_at=fact.recorded_at)
        handler = getattr(self, f"on_{fact.event}", None)
        if handler is not None:
            handler(p, fact)

    def _known(self, p: Mapping[str, Any]) -> None:
        s = self.state
        for kind in p.get("abuse_types") or ():
            if kind not in s.abuse_types:
                s.abuse_types = (*s.abuse_types, str(kind))
        if p.get("alleged_perpetrators") is not None:
            s.alleged_perpetrators = max(s.alleged_perpetrators, len(p["alleged_perpetrators"]))
        if p.get("children") is not None:
            s.children = max(s.children, len(p["children"]))
        if p.get("safe_contact") is not None:
            s.safe_contact_recorded = True

    def on_ReportReceived(self, p: Mapping[str, Any], fact: Fact) -> None:
        self.state.reports += 1
        self._known(p)

    def on_CaseOpened(self, p: Mapping[str, Any], fact: Fact) -> None:
        self.state.status = Status.OPEN
        self._restrict(p.get("restriction"))
        self.case_deadlines(p)
        self._known(p)

    def on_ReportAddedToCase(self, p: Mapping[str, Any], fact: Fact) -> None:
        self.case_deadlines(p)
        self._known(p)

    def on_PeopleUpdated(self, p: Mapping[str, Any], fact: Fact) -> None:
        # The lists given replace the earlier ones.
        if p.get("alleged_perpetrators") is not None:
            self.state.alleged_perpetrators = len(p["alleged_perpetrators"])
        if p.get("children") is not None:
            self.state.children = len(p["children"])

    def on_SafeContactUpdated(self, p: Mapping[str, Any], fact: Fact) -> None:
        self.state.safe_contact_recorded = True

    def on_ContactAttempted(self, p: Mapping[str, Any], fact: Fact) -> None:
        self.state.contact_attempts += 1

    def on_FlagRaised(self, p: Mapping[str, Any], fact: Fact) -> None:
        self.state.flags[str(p.get("flag_id"))] = str(p.get("kind"))

    def on_FlagRemoved(self, p: Mapping[str, Any], fact: Fact) -> None:
        self.state.flags.pop(str(p.get("flag_id")), None)

    def on_ReferralMade(self, p: Mapping[str, Any], fact: Fact) -> None:
        self.state.referrals = (*self.state.referrals, str(p.get("referral_type")))

    def on_SurvivorIdentified(self, p: Mapping[str, Any], fact: Fact) -> None:
        self.due("first_contact", p.get("contact_due_at"))

    def on_CaseReopened(self, p: Mapping[str, Any], fact: Fact) -> None:
        self.state.status = Status.OPEN
        self.case_deadlines(p)

    def on_CaseClosureRequested(self, p: Mapping[str, Any], fact: Fact) -> None:
        if self.state.status is Status.OPEN:
            self.state.status = Status.CLOSURE_REQUESTED

    def on_CaseClosureDeclined(self, p: Mapping[str, Any], fact: Fact) -> None:
        if self.state.status is Status.CLOSURE_REQUESTED:
            self.state.status = Status.OPEN

    def on_CaseClosed(self, p: Mapping[str, Any], fact: Fact) -> None:
        self.state.status = Status.CLOSED
        self.stop_running(_time(p.get("closed_at")) or fact.recorded_at)

    def on_CaseErased(self, p: Mapping[str, Any], fact: Fact) -> None:
        self.state.status = Status.ERASED
        self.stop_running(_time(p.get("erased_at")) or fact.recorded_at)

    def _restrict(self, restriction: Any) -> None:
        if not isinstance(restriction, Mapping):
            return
        self.state.restricted = True
        self.state.restriction_reason = restriction.get("reason")
        self.state.permitted_staff = tuple(restriction.get("permitted_staff_ids") or ())

    def on_CaseRestricted(self, p: Mapping[str, Any], fact: Fact) -> None:
        self._restrict(p.get("restriction"))

    def on_CaseRestrictionLifted(self, p: Mapping[str, Any], fact: Fact) -> None:
        self.state.restricted = False
        self.state.restriction_reason = None
        self.state.permitted_staff = ()

    def on_CaseManagerAssigned(self, p: Mapping[str, Any], fact: Fact) -> None:
        manager = p.get("case_manager")
        if isinstance(manager, Mapping):
            self.state.case_manager = manager.get("staff_id")

    def on_SurvivorContacted(self, p: Mapping[str, Any], fact: Fact) -> None:
        self.state.contacts += 1
        if p.get("first_contact"):
            self.met("first_contact", p.get("contacted_at"), late=bool(p.get("late")))

    def on_ContactOverdue(self, p: Mapping[str, Any], fact: Fact) -> None:
        self.overdue("first_contact", due_at=p.get("due_at"))

    def on_DashDeadlineMet(self, p: Mapping[str, Any], fact: Fact) -> None:
        self.met("dash", p.get("met_at"), late=bool(p.get("late")))

    def on_DashOverdue(self, p: Mapping[str, Any], fact: Fact) -> None:
        self.overdue("dash", due_at=p.get("due_at"))

    def on_CaseReviewed(self, p: Mapping[str, Any], fact: Fact) -> None:
        self.met("review", p.get("reviewed_at"))
        self.due("review", p.get("next_review_due_at"))

    def on_ReviewOverdue(self, p: Mapping[str, Any], fact: Fact) -> None:
        self.overdue("review", due_at=p.get("due_at"))

    def on_ReassessmentScheduled(self, p: Mapping[str, Any], fact: Fact) -> None:
        self.due("reassessment", p.get("due_at"), str(p.get("assessment_id")))

    def on_ReassessmentDeadlineMet(self, p: Mapping[str, Any], fact: Fact) -> None:
        ref = str(p.get("follows_assessment_id"))
        self.met("reassessment", p.get("met_at"), ref, late=bool(p.get("late")))

    def on_ReassessmentOverdue(self, p: Mapping[str, Any], fact: Fact) -> None:
        ref = str(p.get("follows_assessment_id"))
        self.overdue("reassessment", ref, p.get("due_at"))

    def on_EmergencyRepairRaised(self, p: Mapping[str, Any], fact: Fact) -> None:
        self.due("emergency_repair", p.get("due_at"), str(p.get("repair_id")))

    def on_EmergencyRepairCompleted(self, p: Mapping[str, Any], fact: Fact) -> None:
        ref = str(p.get("repair_id"))
        self.met("emergency_repair", p.get("completed_at"), ref, late=bool(p.get("late")))

    def on_EmergencyRepairOverdue(self, p: Mapping[str, Any], fact: Fact) -> None:
        self.overdue("emergency_repair", str(p.get("repair_id")), p.get("due_at"))

    def on_DashCompleted(self, p: Mapping[str, Any], fact: Fact) -> None:
        self.state.assessments += 1
        if p.get("risk_level"):
            self.state.risk_level = str(p["risk_level"])

    def on_RiskLevelChanged(self, p: Mapping[str, Any], fact: Fact) -> None:
        self.state.risk_level = str(p.get("new_level"))

    def on_MaracReferralDue(self, p: Mapping[str, Any], fact: Fact) -> None:
        self.state.marac = "referral due"

    def on_MaracReferred(self, p: Mapping[str, Any], fact: Fact) -> None:
        self.state.marac = "referred"
        self.state.referrals = (*self.state.referrals, "marac")

    def on_MaracListed(self, p: Mapping[str, Any], fact: Fact) -> None:
        self.state.marac = f"listed for {p.get('meeting_date')}"

    def on_MaracHeard(self, p: Mapping[str, Any], fact: Fact) -> None:
        self.state.marac = f"heard on {p.get('heard_on')}"
        for action in p.get("actions") or ():
            if isinstance(action, Mapping) and action.get("landlord_action"):
                self.due("marac_action", action.get("due_on"), str(action.get("action_id")))

    def on_MaracActionCompleted(self, p: Mapping[str, Any], fact: Fact) -> None:
        self.met("marac_action", p.get("completed_at"), str(p.get("action_id")))

    def on_MaracActionOverdue(self, p: Mapping[str, Any], fact: Fact) -> None:
        self.overdue("marac_action", str(p.get("action_id")), p.get("due_on"))

    # --- the moment --------------------------------------------------------------

    def finish(self) -> CaseAsOf:
        s = self.state
        s.deadlines = [
            replace(d, status=DeadlineStatus.OVERDUE)
            if d.status is DeadlineStatus.DUE and d.due_at < s.as_of
            else d
            for d in s.deadlines
        ]
        return s


def case_as_of(facts: Iterable[Fact], as_of: datetime) -> CaseAsOf:
    """The case at `as_of` from its events in timeline order; events recorded after
    `as_of` are ignored (the caller may pass the whole history)."""
    if as_of.tzinfo is None:
        raise ValueError("as_of must be timezone-aware")
    fold = _Fold(as_of.astimezone(UTC))
    for fact in facts:
        if fact.recorded_at <= as_of:
            fold.apply(fact)
    return fold.finish()
