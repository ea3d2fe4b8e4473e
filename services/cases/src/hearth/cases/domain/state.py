"""A case's state, folded from its events: what every decision and the case view read."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import TypeVar
from uuid import UUID

from hearth.cases.domain.deadlines import Deadline, DeadlineKey, DeadlineKind
from hearth.contracts.envelope import Actor, Envelope, Role
from hearth.contracts.events import cases as ev
from hearth.contracts.events.base import DomainEvent, erased_copy
from hearth.contracts.events.case_values import (
    CaseManager,
    EmergencyRepairDue,
    Restriction,
    UnconfirmedSafeContact,
)
from hearth.contracts.events.common import (
    AllegedPerpetrator,
    Child,
    Gender,
    PersonDetails,
    ReporterKind,
    SafeContact,
    Survivor,
)
from hearth.eventstore.decider import Recorded, recorded

_T = TypeVar("_T")
_P = TypeVar("_P", Survivor, AllegedPerpetrator, Child)

__all__ = [
    "CaseState",
    "CaseStatus",
    "IdentifyTask",
    "PendingErasure",
    "Recorded",
    "TaskStatus",
    "evolve",
    "fold",
    "fold_envelopes",
    "stream_id",
]


class CaseStatus(StrEnum):
    """Where a case is in its life."""

    NONE = "none"
    """No such case (yet)."""
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class Repair:
    """An emergency repair and, once done, its completion."""

    raised: ev.EmergencyRepairRaised
    completed: ev.EmergencyRepairCompleted | None = None


@dataclass(frozen=True, slots=True)
class SecurityWork:
    """Requested security measures and those fitted so far."""

    requested: ev.SecurityMeasureRequested
    installed: tuple[ev.SecurityMeasureInstalled, ...] = ()

    @property
    def installed_measures(self) -> frozenset[str]:
        return frozenset(m.value for i in self.installed for m in i.measures)


@dataclass(frozen=True, slots=True)
class Flag:
    """A flag on a person, with who raised it and, if removed, who removed it."""

    raised: ev.FlagRaised
    raised_by: Actor
    removed: ev.FlagRemoved | None = None
    removed_by: Actor | None = None

    @property
    def active(self) -> bool:
        return self.removed is None


class TaskStatus(StrEnum):
    """Where a task stands."""

    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"
    """The case closed before it was done."""


@dataclass(frozen=True, slots=True)
class IdentifyTask:
    """The DA lead's task to identify a survivor nothing on the case identifies or reaches
    (`hearth.cases.domain.identification`): in place of a first-contact deadline."""

    opened_at: datetime
    done_at: datetime | None = None
    cancelled_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.done_at is None and self.cancelled_at is None

    @property
    def status(self) -> TaskStatus:
        if self.done_at is not None:
            return TaskStatus.DONE
        return TaskStatus.OPEN if self.cancelled_at is None else TaskStatus.CANCELLED


@dataclass(frozen=True, slots=True)
class Arrangements:
    """Safe-contact arrangements as recorded at one moment, and whether they are the
    survivor's own (given or confirmed by them) or still unconfirmed."""

    since: datetime
    safe_contact: SafeContact
    survivors_own: bool
    unconfirmed_because: UnconfirmedSafeContact | None = None


@dataclass(frozen=True, slots=True)
class PendingClosure:
    """A closure request waiting for a manager."""

    request: ev.CaseClosureRequested
    requested_by: Actor


@dataclass(frozen=True, slots=True)
class PendingErasure:
    """A request to erase the case's personal data, waiting for a manager's approval."""

    request: ev.ErasureRequested
    requested_by: Actor


@dataclass(frozen=True, slots=True)
class CaseState:
    """Everything known about one case, from its events alone."""

    case_id: UUID | None = None
    version: int = 0
    last_recorded_at: datetime | None = None
    status: CaseStatus = CaseStatus.NONE
    opened: ev.CaseOpened | None = None
    survivor: Survivor | None = None
    perpetrators: tuple[AllegedPerpetrator, ...] = ()
    children: tuple[Child, ...] = ()
    report_ids: tuple[UUID, ...] = ()
    further_reports: tuple[ev.ReportAddedToCase, ...] = ()
    repeat: ev.RepeatCaseIdentified | None = None
    """The first repeat recorded on the case."""
    repeats: tuple[ev.RepeatCaseIdentified, ...] = ()
    """Every report found to be a repeat, the case's first included."""
    links: Mapping[UUID, ev.CasesLinked] = field(default_factory=dict)
    """Other cases linked to this one (the latest link to each), by their case id."""
    episode: int = 0
    """1 when opened; each reopening starts the next episode with its own deadlines."""
    episode_reported_at: datetime | None = None
    """When the report that opened (or reopened) this episode arrived; for a reopening
    without a report, when it reopened. Nothing in the episode happened before it."""
    episode_report_id: UUID | None = None
    """The report that opened (or reopened) this episode, if a report did."""
    case_manager: CaseManager | None = None
    preferred_gender: Gender | None = None
    preference_met: bool | None = None
    restriction: Restriction | None = None
    safe_contact: SafeContact | None = None
    """The survivor's safe-contact arrangements as now recorded (their own or not)."""
    safe_contact_history: tuple[Arrangements, ...] = ()
    """Each recording of the arrangements, oldest first."""
    deadlines: Mapping[DeadlineKey, Deadline] = field(default_factory=dict)
    identify_survivor: IdentifyTask | None = None
    """Set when the case opened with nothing to identify or reach the survivor by."""
    review_seq: int = 0
    attempts: tuple[ev.ContactAttempted, ...] = ()
    contacts: tuple[ev.SurvivorContacted, ...] = ()
    repairs: Mapping[UUID, Repair] = field(default_factory=dict)
    reported_damage: Mapping[UUID, UUID] = field(default_factory=dict)
    """Repair id → the report that said the home is damaged and safety at risk, whose
    clock (an emergency-repair deadline under that repair id) the repair continues."""
    security: Mapping[UUID, SecurityWork] = field(default_factory=dict)
    flags: Mapping[UUID, Flag] = field(default_factory=dict)
    wishes: ev.SurvivorWishesRecorded | None = None
    actions: tuple[ev.PerpetratorActionTaken, ...] = ()
    reviews: tuple[ev.CaseReviewed, ...] = ()
    dash_outcomes: tuple[ev.DashDeadlineMet, ...] = ()
    pending_closure: PendingClosure | None = None
    closure: ev.CaseClosed | None = None
    pending_erasure: PendingErasure | None = None
    erasure: ev.CaseErased | None = None
    """Set once the case's personal data is erased: nothing more happens to the case."""
    people_ever: frozenset[UUID] = frozenset()
    """Everyone ever recorded on the case (the survivor, alleged perpetrators, children),
    those since left out of its people included: each may ask for their data's erasure."""
    erased_people: Mapping[UUID, ev.PersonErased] = field(default_factory=dict)
    """People whose personal data on the case was erased, by person id: their details
    (and flags) read as after their key was destroyed, and nothing more is recorded
    about them."""

    @property
    def exists(self) -> bool:
        return self.status is not CaseStatus.NONE

    @property
    def is_open(self) -> bool:
        return self.status is CaseStatus.OPEN

    @property
    def erased(self) -> bool:
        return self.erasure is not None

    @property
    def restricted(self) -> bool:
        return self.restriction is not None

    @property
    def caseload_of(self) -> str | None:
        """The case manager whose open caseload this case counts in (an open case's
        case manager), which decides who takes the next case; None for a closed case."""
        if not self.is_open or self.case_manager is None:
            return None
        return self.case_manager.staff_id

    @property
    def preference_unmet(self) -> bool:
        """The survivor asked for a case manager of a gender and the case has none of it
        (nobody of that gender was free): a manager should act when one is."""
        if self.preferred_gender is None:
            return False
        return self.case_manager is None or self.case_manager.gender is not self.preferred_gender

    @property
    def involved_staff_ids(self) -> frozenset[str]:
        """Staff who are the survivor or an alleged perpetrator: never on their own case."""
        people = [self.survivor, *self.perpetrators]
        return frozenset(p.staff_id for p in people if p is not None and p.staff_id)

    @property
    def staff_involved(self) -> bool:
        people = [self.survivor, *self.perpetrators]
        return any(p is not None and p.is_staff_member for p in people)

    @property
    def survivor_unidentified(self) -> bool:
        """The case opened with nothing identifying or reaching the survivor, and nothing
        has since: first contact is not due yet (see `identify_survivor`)."""
        return self.identify_survivor is not None and self.identify_survivor.done_at is None

    @property
    def staff_unidentified(self) -> bool:
        """Someone on the case is said to be staff without their staff id (see
        `staff_unidentified`)."""
        return staff_unidentified([self.survivor, *self.perpetrators])

    def deadline(self, kind: DeadlineKind, ref: str | None = None) -> Deadline | None:
        """The deadline of that kind (this episode's, for contact and DASH)."""
        return self.deadlines.get((kind, ref if ref is not None else str(self.episode)))

    def open_deadline(self, kind: DeadlineKind) -> Deadline | None:
        """The open deadline of a kind that has one at a time (contact, DASH, review)."""
        return next((d for d in self.deadlines.values() if d.kind is kind and d.is_open), None)

    @property
    def arrangements(self) -> Arrangements | None:
        """The arrangements as now recorded, with whether they are the survivor's own."""
        return self.safe_contact_history[-1] if self.safe_contact_history else None

    def arrangements_at(self, at: datetime) -> Arrangements | None:
        """The arrangements in force at `at`: the last recorded by then (a contact is
        judged by the arrangements in force when it happened)."""
        in_force = [a for a in self.safe_contact_history if a.since <= at]
        return in_force[-1] if in_force else None

    @property
    def latest_reporter_kind(self) -> ReporterKind | None:
        """Who made the case's latest report."""
        if self.further_reports:
            return self.further_reports[-1].reporter_kind
        return self.opened.reporter_kind if self.opened else None

    def contact_deadline_met_by(self, happened_at: datetime) -> Deadline | None:
        """The first-contact deadline a contact that happened then meets: the open one, or
        one already met by a contact that happened later but was recorded first."""
        open_one = self.open_deadline(DeadlineKind.CONTACT)
        if open_one is not None:
            return open_one
        return next(
            (
                d
                for d in self.deadlines.values()
                if d.kind is DeadlineKind.CONTACT
                and d.met_at is not None
                and happened_at < d.met_at
                and (self.episode_reported_at is None or d.met_at >= self.episode_reported_at)
            ),
            None,
        )

    def person_ids(self) -> frozenset[UUID]:
        people = [self.survivor, *self.perpetrators, *self.children]
        return frozenset(p.person_id for p in people if p is not None)


def staff_unidentified(people: Iterable[PersonDetails | None]) -> bool:
    """Someone is said to be a member of staff, but their staff id is not recorded (a web
    form or partner cannot know it): they could be anyone, the case manager included, so
    until the id is recorded only the DA leads may see the case."""
    return any(p is not None and p.is_staff_member and not p.staff_id for p in people)


def fold(history: Iterable[Recorded], state: CaseState | None = None) -> CaseState:
    """The state after the events, from `state` (a new case by default)."""
    current = state or CaseState()
    for one in history:
        current = evolve(current, one)
    return current


def evolve(state: CaseState, recorded: Recorded) -> CaseState:
    """The state after one more event."""
    event = recorded.event
    after = _apply(state, event, recorded.actor)
    if isinstance(event, ev.CaseOpened | ev.PeopleUpdated):
        after = replace(after, people_ever=state.people_ever | after.person_ids())
    case_id = getattr(event, "case_id", None)
    return replace(
        after,
        case_id=state.case_id or (case_id if isinstance(case_id, UUID) else None),
        version=recorded.version,
        last_recorded_at=recorded.recorded_at,
    )


def _apply(state: CaseState, event: DomainEvent, actor: Actor) -> CaseState:
    match event:
        case ev.CaseOpened():
            return _opened(state, event)
        case ev.ReportAddedToCase():
            added = replace(
                state,
                report_ids=_with_report(state.report_ids, event.report_id),
                further_reports=(*state.further_reports, event),
            )
            if event.report_id == state.episode_report_id:  # the report that reopened it
                added = replace(added, episode_reported_at=event.reported_at)
            for kind, due in (
                (DeadlineKind.CONTACT, event.contact_due_at),
                (DeadlineKind.DASH, event.dash_due_at),
            ):
                if due is not None:
                    deadline = Deadline(kind, str(event.report_id), event.reported_at, due)
                    added = _with_deadline(added, deadline)
            if event.emergency_repair is None:
                return added
            return _reported_damage(
                added, event.report_id, event.reported_at, event.emergency_repair
            )
        case ev.RepeatCaseIdentified():
            return replace(state, repeat=state.repeat or event, repeats=(*state.repeats, event))
        case ev.CasesLinked():
            return replace(state, links={**state.links, event.related_case_id: event})
        case ev.PeopleUpdated():
            return replace(
                state,
                survivor=event.survivor or state.survivor,
                perpetrators=_given(event.alleged_perpetrators, state.perpetrators),
                children=_given(event.children, state.children),
            )
        case ev.SurvivorIdentified():
            return _identified(state, event)
        case ev.CaseManagerAssigned():
            return replace(
                state,
                case_manager=event.case_manager,
                preferred_gender=event.preferred_gender or state.preferred_gender,
                preference_met=event.preference_met,
            )
        case ev.CaseManagerPreferenceRecorded():
            return replace(
                state,
                preferred_gender=event.preferred_gender,
                preference_met=event.current_case_manager_matches,
            )
        case ev.CaseManagerPreferenceWithdrawn():
            return replace(state, preferred_gender=None, preference_met=None)
        case ev.CaseRestricted():
            return replace(state, restriction=event.restriction)
        case ev.CaseRestrictionLifted():
            return replace(state, restriction=None)
        case ev.SafeContactUpdated():
            return replace(
                state,
                safe_contact=event.safe_contact,
                safe_contact_history=(
                    *state.safe_contact_history,
                    _arrangements(state, event, actor),
                ),
            )
        case ev.ContactAttempted():
            return replace(state, attempts=(*state.attempts, event))
        case ev.SurvivorContacted():
            return _contacted(state, event)
        case ev.DashDeadlineMet():
            met = _meet_open(state, DeadlineKind.DASH, event.met_at)
            return replace(met, dash_outcomes=(*state.dash_outcomes, event))
        case ev.ReassessmentScheduled():
            reassessment = Deadline(
                DeadlineKind.REASSESSMENT,
                str(event.assessment_id),
                event.scheduled_at,
                event.due_at,
            )
            return _with_deadline(state, reassessment)
        case ev.ReassessmentDeadlineMet():
            key = (DeadlineKind.REASSESSMENT, str(event.follows_assessment_id))
            return _mark(state, key, "met", event.met_at)
        case ev.ReassessmentOverdue():
            key = (DeadlineKind.REASSESSMENT, str(event.follows_assessment_id))
            return _mark(state, key, "overdue", event.detected_at)
        case ev.ContactOverdue() | ev.DashOverdue() | ev.ReviewOverdue():
            return _overdue(state, _OVERDUE_KINDS[type(event)], event.due_at, event.detected_at)
        case ev.EmergencyRepairOverdue():
            return _mark(
                state,
                (DeadlineKind.EMERGENCY_REPAIR, str(event.repair_id)),
                "overdue",
                event.detected_at,
            )
        case _:
            return _apply_casework(state, event, actor)


def _apply_casework(state: CaseState, event: DomainEvent, actor: Actor) -> CaseState:
    match event:
        case ev.EmergencyRepairRaised():
            deadline = Deadline(
                DeadlineKind.EMERGENCY_REPAIR, str(event.repair_id), event.raised_at, event.due_at
            )
            # A repair for damage a report described keeps the deadline the report started
            # (its start, and an overdue already recorded).
            kept = state if deadline.key in state.deadlines else _with_deadline(state, deadline)
            return replace(kept, repairs={**state.repairs, event.repair_id: Repair(event)})
        case ev.EmergencyRepairCompleted():
            repair = state.repairs[event.repair_id]
            key = (DeadlineKind.EMERGENCY_REPAIR, str(event.repair_id))
            return replace(
                _mark(state, key, "met", event.completed_at),
                repairs={**state.repairs, event.repair_id: replace(repair, completed=event)},
            )
        case ev.SecurityMeasureRequested():
            return replace(
                state, security={**state.security, event.request_id: SecurityWork(event)}
            )
        case ev.SecurityMeasureInstalled():
            work = state.security[event.request_id]
            updated = replace(work, installed=(*work.installed, event))
            return replace(state, security={**state.security, event.request_id: updated})
        case ev.FlagRaised():
            return replace(state, flags={**state.flags, event.flag_id: Flag(event, actor)})
        case ev.FlagRemoved():
            flag = replace(state.flags[event.flag_id], removed=event, removed_by=actor)
            return replace(state, flags={**state.flags, event.flag_id: flag})
        case ev.SurvivorWishesRecorded():
            return replace(state, wishes=event)
        case ev.PerpetratorActionTaken():
            return replace(state, actions=(*state.actions, event))
        case _:
            return _apply_lifecycle(state, event, actor)


def _apply_lifecycle(state: CaseState, event: DomainEvent, actor: Actor) -> CaseState:
    match event:
        case ev.CaseReviewed():
            reviewed = _meet_open(state, DeadlineKind.REVIEW, event.reviewed_at)
            reviewed = replace(reviewed, reviews=(*state.reviews, event))
            return _next_review(reviewed, event.reviewed_at, event.next_review_due_at)
        case ev.CaseClosureRequested():
            return replace(state, pending_closure=PendingClosure(event, actor))
        case ev.CaseClosureDeclined():
            return replace(state, pending_closure=None)
        case ev.CaseClosed():
            deadlines = {
                key: d.cancelled(event.closed_at) if d.is_open else d
                for key, d in state.deadlines.items()
            }
            task = state.identify_survivor
            if task is not None and task.is_open:
                task = replace(task, cancelled_at=event.closed_at)
            return replace(
                state,
                status=CaseStatus.CLOSED,
                closure=event,
                pending_closure=None,
                deadlines=deadlines,
                identify_survivor=task,
            )
        case ev.CaseReopened():
            # A case open again is in use: an erasure asked for while it was closed lapses.
            return replace(_reopened(state, event), pending_erasure=None)
        case ev.ErasureRequested():
            return replace(state, pending_erasure=PendingErasure(event, actor))
        case ev.ErasureRequestDeclined():
            return replace(state, pending_erasure=None)
        case ev.CaseErased():
            return replace(state, erasure=event, pending_erasure=None)
        case ev.PersonErased():
            return _person_erased(state, event)
        case _:
            # RestrictedCaseRead and anything newer change nothing a decision reads.
            return state


_OVERDUE_KINDS: Mapping[type[DomainEvent], DeadlineKind] = {
    ev.ContactOverdue: DeadlineKind.CONTACT,
    ev.DashOverdue: DeadlineKind.DASH,
    ev.ReviewOverdue: DeadlineKind.REVIEW,
}


def _with_report(report_ids: tuple[UUID, ...], report_id: UUID) -> tuple[UUID, ...]:
    return report_ids if report_id in report_ids else (*report_ids, report_id)


def _given(new: tuple[_T, ...] | None, old: tuple[_T, ...]) -> tuple[_T, ...]:
    return old if new is None else new


def _opened(state: CaseState, event: ev.CaseOpened) -> CaseState:
    opened = replace(
        state,
        status=CaseStatus.OPEN,
        opened=event,
        survivor=event.survivor,
        perpetrators=event.alleged_perpetrators,
        children=event.children,
        report_ids=(event.report_id,),
        episode=1,
        episode_reported_at=event.reported_at,
        episode_report_id=event.report_id,
        preferred_gender=event.preferred_case_manager_gender,
        restriction=event.restriction,
    )
    if event.survivor_to_identify:
        # No contact deadline that could never be met: the DA lead identifies them first.
        opened = replace(opened, identify_survivor=IdentifyTask(event.opened_at))
    else:
        opened = _with_deadline(
            opened, Deadline(DeadlineKind.CONTACT, "1", event.reported_at, event.contact_due_at)
        )
    opened = _with_deadline(
        opened, Deadline(DeadlineKind.DASH, "1", event.reported_at, event.dash_due_at)
    )
    if event.emergency_repair is not None:
        opened = _reported_damage(
            opened, event.report_id, event.reported_at, event.emergency_repair
        )
    return _next_review(opened, event.opened_at, event.review_due_at)


def _reported_damage(
    state: CaseState, report_id: UUID, reported_at: datetime, due: EmergencyRepairDue
) -> CaseState:
    deadline = Deadline(DeadlineKind.EMERGENCY_REPAIR, str(due.repair_id), reported_at, due.due_at)
    return replace(
        _with_deadline(state, deadline),
        reported_damage={**state.reported_damage, due.repair_id: report_id},
    )


def _person_erased(state: CaseState, event: ev.PersonErased) -> CaseState:
    """The person's details and flags without their personal values (`erased_copy`):
    the state kept as events come equals one folded afresh (whose earlier events read
    REDACTED for them), and a later event carrying the case's people needs no key of
    theirs."""
    person_id = event.person_id

    def erased(person: _P) -> _P:
        return erased_copy(person) if person.person_id == person_id else person

    flags = {
        flag_id: replace(
            flag,
            raised=erased_copy(flag.raised),
            removed=erased_copy(flag.removed) if flag.removed else None,
        )
        if flag.raised.person_id == person_id
        else flag
        for flag_id, flag in state.flags.items()
    }
    return replace(
        state,
        survivor=erased(state.survivor) if state.survivor else None,
        perpetrators=tuple(erased(p) for p in state.perpetrators),
        children=tuple(erased(p) for p in state.children),
        flags=flags,
        pending_erasure=None,
        erased_people={**state.erased_people, person_id: event},
    )


def _reopened(state: CaseState, event: ev.CaseReopened) -> CaseState:
    episode = state.episode + 1
    reopened = replace(
        state,
        status=CaseStatus.OPEN,
        closure=None,
        pending_closure=None,
        episode=episode,
        episode_reported_at=event.reopened_at,
        episode_report_id=event.report_id,
    )
    if event.report_id is not None:
        reopened = replace(reopened, report_ids=_with_report(state.report_ids, event.report_id))
    task = state.identify_survivor
    if task is not None and task.status is TaskStatus.CANCELLED:
        # Still nobody to contact: the task is back for the DA lead.
        reopened = replace(reopened, identify_survivor=IdentifyTask(event.reopened_at))
    for kind, due in (
        (DeadlineKind.CONTACT, event.contact_due_at),
        (DeadlineKind.DASH, event.dash_due_at),
    ):
        if due is not None:
            reopened = _with_deadline(
                reopened, Deadline(kind, str(episode), event.reopened_at, due)
            )
    return _next_review(reopened, event.reopened_at, event.review_due_at)


def _identified(state: CaseState, event: ev.SurvivorIdentified) -> CaseState:
    task = state.identify_survivor
    if task is not None and task.is_open:
        done = max(task.opened_at, event.identified_at)  # a report may predate a reopening
        state = replace(state, identify_survivor=replace(task, done_at=done))
    contact = Deadline(
        DeadlineKind.CONTACT, str(state.episode), event.identified_at, event.contact_due_at
    )
    return _with_deadline(state, contact)


def _contacted(state: CaseState, event: ev.SurvivorContacted) -> CaseState:
    contacted = replace(state, contacts=(*state.contacts, event))
    if not event.first_contact:
        return contacted
    deadline = state.contact_deadline_met_by(event.made_at)
    return contacted if deadline is None else _mark(contacted, deadline.key, "met", event.made_at)


def _arrangements(state: CaseState, event: ev.SafeContactUpdated, actor: Actor) -> Arrangements:
    own, because = event.survivors_own, event.unconfirmed_because
    if own is None:
        # Recorded before events said: Hearth itself recorded them from a report, which
        # made them the survivor's own only if the survivor made that report.
        from_report = actor.role is Role.SYSTEM
        own = not from_report or state.latest_reporter_kind is ReporterKind.SURVIVOR
        because = None if own else UnconfirmedSafeContact.GIVEN_BY_THIRD_PARTY
    return Arrangements(event.updated_at, event.safe_contact, own, because)


def _next_review(state: CaseState, since: datetime, due: datetime | None) -> CaseState:
    if due is None:
        return state
    seq = state.review_seq + 1
    return replace(
        _with_deadline(state, Deadline(DeadlineKind.REVIEW, str(seq), since, due)), review_seq=seq
    )


def _with_deadline(state: CaseState, deadline: Deadline) -> CaseState:
    return replace(state, deadlines={**state.deadlines, deadline.key: deadline})


def _meet_open(state: CaseState, kind: DeadlineKind, at: datetime) -> CaseState:
    deadline = state.open_deadline(kind)
    return state if deadline is None else _mark(state, deadline.key, "met", at)


def _overdue(state: CaseState, kind: DeadlineKind, due_at: datetime, at: datetime) -> CaseState:
    candidates = [d for d in state.deadlines.values() if d.kind is kind and d.due_at == due_at]
    candidates.sort(key=lambda d: not d.is_open)
    return state if not candidates else _mark(state, candidates[0].key, "overdue", at)


def _mark(state: CaseState, key: DeadlineKey, what: str, at: datetime) -> CaseState:
    deadline = state.deadlines.get(key)
    if deadline is None:
        return state
    marked = {"met": deadline.met, "overdue": deadline.overdue, "cancelled": deadline.cancelled}
    return replace(state, deadlines={**state.deadlines, key: marked[what](at)})


def stream_id(case_id: UUID) -> str:
    """One stream per case."""
    return f"case-{case_id}"


def fold_envelopes(history: Iterable[Envelope], state: CaseState | None = None) -> CaseState:
    """The case's state after its stored events (continuing from `state` if given)."""
    return fold((recorded(e) for e in history), state)
