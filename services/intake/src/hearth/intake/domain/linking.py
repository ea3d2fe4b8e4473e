"""Which case a report joins, and which other cases it is linked to.

A case belongs to one survivor. A report joins an open case only as that case's own
survivor: found by one of their keys, with no detail (name, date of birth) that says
otherwise. A report that names no survivor at all may join the household's open case,
when the household has exactly one. Anything else opens a new case, for the survivor the
report names:

- another survivor's case that shares the alleged perpetrator or the household is linked
  to it, never joined (a perpetrator reported by more than one survivor is itself a
  risk signal);
- a case whose survivor shares one identifier (a household phone) with this report's
  survivor under a different name or date of birth is a candidate for staff to confirm,
  linked too, never merged.

Staff may name the open case a report belongs to; a case whose survivor's details
disagree with the report's is linked as a candidate instead, and the report goes to the
survivor's own case.

A report is a repeat when the same survivor had a case closed, or a MARAC referral, within
the policy's window (12 months by default), whether it opens a new case or joins one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final
from uuid import UUID

from hearth.contracts.events.intake import (
    MAX_RELATED_CASES,
    IdentityDetail,
    LinkBasis,
    RelatedCaseBasis,
    RepeatReason,
    ReportReceived,
)
from hearth.eventstore.calendar import within_months
from hearth.eventstore.errors import DomainError, NotFound
from hearth.intake.domain.matching import PersonKeys, PersonRef, PersonRole

SURVIVOR: Final = PersonRef(PersonRole.SURVIVOR)
_RELATION_ORDER: Final = (
    RelatedCaseBasis.POSSIBLY_SAME_SURVIVOR,
    RelatedCaseBasis.SAME_ALLEGED_PERPETRATOR,
    RelatedCaseBasis.SAME_HOUSEHOLD,
)
"""The most telling link first: a possible same survivor, then a shared perpetrator."""

_SURVIVORS_OWN: Final = frozenset({LinkBasis.SAME_SURVIVOR, LinkBasis.NAMED_BY_STAFF})
"""Joins where the report's survivor is the case's survivor."""

_StatusOf = Callable[[UUID], "CaseStatus"]


class CaseNotOpen(DomainError):
    """Staff named a case for a report, but that case is closed."""

    code = "case_not_open"


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """One row of the match index: this digest belongs to this case, in this role.

    `detail` marks a survivor's name or date of birth kept to compare, never to find them.
    """

    digest: str
    role: PersonRole
    case_id: UUID
    person_id: UUID | None = None
    detail: IdentityDetail | None = None

    @property
    def is_key(self) -> bool:
        return self.detail is None


@dataclass(frozen=True, slots=True)
class CaseStatus:
    """What intake knows of a case from its own records and the cases/referrals events."""

    case_id: UUID
    assigned_at: datetime | None = None
    """When intake assigned the case to a report (it counts as open from then)."""
    closed_at: datetime | None = None
    reopened_at: datetime | None = None
    last_marac_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        if self.closed_at is None:
            return True
        return self.reopened_at is not None and self.reopened_at >= self.closed_at


@dataclass(frozen=True, slots=True)
class Relation:
    """Another case the report's case is linked to (never joined), and why."""

    case_id: UUID
    basis: RelatedCaseBasis
    shared_perpetrators: tuple[tuple[int, UUID | None], ...] = ()
    """(position of the report's alleged perpetrator, their person id on that case), when
    the report names its survivor and that case's survivor is someone else."""
    conflicting_details: tuple[IdentityDetail, ...] = ()


@dataclass(frozen=True, slots=True)
class LinkDecision:
    """Where a report goes and why, and the other cases it is linked to."""

    case_id: UUID
    basis: LinkBasis
    repeat_reasons: tuple[RepeatReason, ...] = ()
    previous_case_id: UUID | None = None
    related: tuple[Relation, ...] = ()
    repeat_sources: tuple[CaseStatus, ...] = field(default=(), compare=False)
    """The cases whose closure or MARAC in the window make the report a repeat (so that an
    answer can leave out those its submitter may not know of: `disclosure`)."""

    @property
    def is_new_case(self) -> bool:
        return self.basis is LinkBasis.NEW_CASE


@dataclass(slots=True)
class Matches:
    """The cases a report's people were found on, by role."""

    same_survivor: set[UUID] = field(default_factory=set)
    """The survivor found by a key, with no detail that disagrees."""
    possible_survivor: dict[UUID, tuple[IdentityDetail, ...]] = field(default_factory=dict)
    """The survivor found by a key, but their name or date of birth disagrees."""
    perpetrators: dict[UUID, dict[int, UUID | None]] = field(default_factory=dict)
    """Per case: the report's alleged perpetrators found there, with their person id there."""
    households: set[UUID] = field(default_factory=set)

    def all_cases(self) -> set[UUID]:
        return {
            *self.same_survivor,
            *self.possible_survivor,
            *self.perpetrators,
            *self.households,
        }


def survivor_keys(people: Iterable[PersonKeys]) -> PersonKeys | None:
    """The survivor's keys and details, when the report identifies the survivor at all."""
    return next((k for k in people if k.ref == SURVIVOR and k.names_someone), None)


def conflicting_details(
    survivor: PersonKeys | None, case_id: UUID, entries: Iterable[IndexEntry]
) -> tuple[IdentityDetail, ...]:
    """The details on which the report's survivor and the case's survivor disagree.

    Only details both sides know count: a report without a date of birth does not
    disagree about it. A case's survivor may have been recorded under more than one name
    over time; the report agrees when it gives any of them.
    """
    if survivor is None:
        return ()
    recorded: dict[IdentityDetail, set[str]] = {}
    for entry in entries:
        if entry.case_id == case_id and entry.role is PersonRole.SURVIVOR and entry.detail:
            recorded.setdefault(entry.detail, set()).add(entry.digest)
    found = []
    for kind in IdentityDetail:
        given = survivor.detail(kind)
        if given is not None and recorded.get(kind) and given not in recorded[kind]:
            found.append(kind)
    return tuple(found)


def find_matches(people: Sequence[PersonKeys], entries: Sequence[IndexEntry]) -> Matches:
    """Each case some person in the report is found on by a key, in their own role.

    A person matches only in their own role: a survivor named as someone else's alleged
    perpetrator is not found on that case.
    """
    by_digest: dict[str, list[IndexEntry]] = {}
    for entry in entries:
        if entry.is_key:
            by_digest.setdefault(entry.digest, []).append(entry)
    matches = Matches()
    survivor = survivor_keys(people)
    for keys in people:
        for digest in keys.digests:
            for entry in by_digest.get(digest, ()):
                if entry.role is not keys.ref.role:
                    continue
                if entry.role is PersonRole.HOUSEHOLD:
                    matches.households.add(entry.case_id)
                elif entry.role is PersonRole.ALLEGED_PERPETRATOR:
                    found = matches.perpetrators.setdefault(entry.case_id, {})
                    if found.get(keys.ref.index) is None:
                        found[keys.ref.index] = entry.person_id
                else:
                    conflicts = conflicting_details(survivor, entry.case_id, entries)
                    if conflicts:
                        matches.possible_survivor[entry.case_id] = conflicts
                    else:
                        matches.same_survivor.add(entry.case_id)
    return matches


def decide_link(
    *,
    people: Sequence[PersonKeys],
    entries: Iterable[IndexEntry],
    statuses: Mapping[UUID, CaseStatus],
    now: datetime,
    repeat_window_months: int,
    new_case_id: UUID,
    named_case_id: UUID | None = None,
) -> LinkDecision:
    """The case a report belongs to (named by staff, the survivor's open case, the
    household's for a report naming no survivor, or a new one), whether it is a repeat,
    and the other cases it is linked to."""
    known = tuple(entries)
    matches = find_matches(people, known)
    survivor = survivor_keys(people)

    def status_of(case_id: UUID) -> CaseStatus:
        # A case in the index is one intake assigned: open unless known to be closed.
        return statuses.get(case_id) or CaseStatus(case_id)

    joined: tuple[UUID, LinkBasis] | None = None
    if named_case_id is not None:
        _check_named(named_case_id, statuses)
        conflicts = conflicting_details(survivor, named_case_id, known)
        if conflicts:
            # Staff named another survivor's case: hers is opened (or joined) instead, and
            # the named case is linked as a possible same survivor for staff to confirm.
            matches.same_survivor.discard(named_case_id)
            matches.possible_survivor[named_case_id] = conflicts
        else:
            joined = named_case_id, LinkBasis.NAMED_BY_STAFF
    case_id, basis = (
        joined or _joined(matches, survivor, status_of) or (new_case_id, LinkBasis.NEW_CASE)
    )
    history = set(matches.same_survivor)
    if basis is not LinkBasis.NEW_CASE:
        history.add(case_id)
    if survivor is None:
        # Nobody named: the people and household found are the best known.
        history |= matches.all_cases()
    considered = sorted((status_of(c) for c in history), key=lambda s: str(s.case_id))
    reasons, previous = repeat_of(considered, now=now, months=repeat_window_months, itself=case_id)
    return LinkDecision(
        case_id=case_id,
        basis=basis,
        repeat_reasons=reasons,
        previous_case_id=previous,
        related=_relations(matches, survivor, case_id, status_of),
        repeat_sources=tuple(
            s
            for s in considered
            if repeat_of([s], now=now, months=repeat_window_months, itself=case_id)[0]
        ),
    )


def _check_named(case_id: UUID, statuses: Mapping[UUID, CaseStatus]) -> None:
    status = statuses.get(case_id)
    if status is None:
        raise NotFound("no case with this id is known to intake", code="unknown_case")
    if not status.is_open:
        raise CaseNotOpen(
            "this case is closed: submit the report without a case id to open a new case "
            "(a repeat is flagged automatically)"
        )


def _joined(
    matches: Matches, survivor: PersonKeys | None, status_of: _StatusOf
) -> tuple[UUID, LinkBasis] | None:
    """The open case the report joins: its survivor's own, or, for a report naming no
    survivor, the household's only open case."""
    own = [c for c in matches.same_survivor if status_of(c).is_open]
    if own:
        return _newest(own, status_of), LinkBasis.SAME_SURVIVOR
    if survivor is None:
        households = [c for c in matches.households if status_of(c).is_open]
        if len(households) == 1:
            return households[0], LinkBasis.SAME_HOUSEHOLD
    return None


def _newest(case_ids: Iterable[UUID], status_of: _StatusOf) -> UUID:
    """The most recently assigned case (a stable tie-break by id)."""

    def rank(case_id: UUID) -> tuple[float, str]:
        assigned = status_of(case_id).assigned_at
        return -(assigned.timestamp() if assigned else 0.0), str(case_id)

    return min(case_ids, key=rank)


def _relations(
    matches: Matches, survivor: PersonKeys | None, case_id: UUID, status_of: _StatusOf
) -> tuple[Relation, ...]:
    """The other cases the report's case is linked to: never the same survivor's own."""
    found: list[Relation] = []
    for other in matches.all_cases() - matches.same_survivor - {case_id}:
        if other in matches.possible_survivor:
            found.append(
                Relation(
                    other,
                    RelatedCaseBasis.POSSIBLY_SAME_SURVIVOR,
                    conflicting_details=matches.possible_survivor[other],
                )
            )
        elif other in matches.perpetrators:
            # Reported by more than one survivor only when this report names its own.
            shared = sorted(matches.perpetrators[other].items()) if survivor else []
            found.append(Relation(other, RelatedCaseBasis.SAME_ALLEGED_PERPETRATOR, tuple(shared)))
        else:
            found.append(Relation(other, RelatedCaseBasis.SAME_HOUSEHOLD))

    def rank(relation: Relation) -> tuple[int, float, str]:
        assigned = status_of(relation.case_id).assigned_at
        recency = -(assigned.timestamp() if assigned else 0.0)
        return _RELATION_ORDER.index(relation.basis), recency, str(relation.case_id)

    return tuple(sorted(found, key=rank)[:MAX_RELATED_CASES])


def repeat_of(
    statuses: Iterable[CaseStatus], *, now: datetime, months: int, itself: UUID
) -> tuple[tuple[RepeatReason, ...], UUID | None]:
    """Why the report is a repeat, and the most recent other case (not `itself`, the
    report's case) that makes it one."""
    reasons: set[RepeatReason] = set()
    latest: tuple[datetime, str, UUID] | None = None
    for status in statuses:
        for moment, reason in (
            (status.closed_at, RepeatReason.CASE_CLOSED_WITHIN_12_MONTHS),
            (status.last_marac_at, RepeatReason.MARAC_WITHIN_12_MONTHS),
        ):
            if moment is not None and within_months(moment, now, months):
                reasons.add(reason)
                candidate = (moment, str(status.case_id), status.case_id)
                if status.case_id != itself and (latest is None or candidate > latest):
                    latest = candidate
    ordered = tuple(r for r in RepeatReason if r in reasons)
    return ordered, latest[2] if latest else None


def reused_person_ids(
    decision: LinkDecision, people: Iterable[PersonKeys], entries: Iterable[IndexEntry]
) -> dict[PersonRef, UUID]:
    """People already known on the case the report joins keep their person id there.

    The survivor of a report joining their own case (or a case staff named) is that
    case's survivor; a report naming no survivor keeps a fresh id for them.
    """
    if decision.is_new_case:
        return {}
    found: dict[PersonRef, UUID] = {}
    on_case = [e for e in entries if e.case_id == decision.case_id and e.person_id is not None]
    for keys in people:
        role = keys.ref.role
        if role is PersonRole.HOUSEHOLD:
            continue
        if role is PersonRole.SURVIVOR and decision.basis not in _SURVIVORS_OWN:
            continue
        candidates = [e for e in on_case if e.role is role and e.digest in keys.digests]
        if not candidates and role is PersonRole.SURVIVOR:
            # Staff named her case without a key in common: she is its survivor.
            candidates = [e for e in on_case if e.role is role]
        ids = sorted({e.person_id for e in candidates if e.person_id}, key=str)
        if len(ids) == 1:
            found[keys.ref] = ids[0]
    # Two people in one report cannot be the same known person: give both fresh ids.
    counts = Counter(found.values())
    return {ref: person_id for ref, person_id in found.items() if counts[person_id] == 1}


def report_index_entries(
    people: Iterable[PersonKeys], received: ReportReceived
) -> list[IndexEntry]:
    """The report's match keys (and its survivor's details), now pointing at the case it
    joined, with the people's ids."""
    entries: list[IndexEntry] = []
    for keys in people:
        role = keys.ref.role
        person_id: UUID | None
        if role is PersonRole.SURVIVOR:
            person_id = received.survivor.person_id
        elif role is PersonRole.ALLEGED_PERPETRATOR:
            person_id = received.alleged_perpetrators[keys.ref.index].person_id
        else:
            person_id = None
        entries.extend(
            IndexEntry(digest=d, role=role, case_id=received.case_id, person_id=person_id)
            for d in sorted(keys.digests)
        )
        entries.extend(
            IndexEntry(
                digest=d, role=role, case_id=received.case_id, person_id=person_id, detail=kind
            )
            for kind, d in sorted(keys.details)
        )
    return entries
