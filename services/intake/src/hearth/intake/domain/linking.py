"""Which case a report joins: the open case about the same people, or a new one.

A report about a survivor, alleged perpetrator or household with an open case joins
that case. Otherwise it opens a new case, flagged as a repeat when the same people had
a case closed, or a MARAC referral, within the policy's window (12 months by default).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final
from uuid import UUID

from hearth.contracts.events.intake import LinkBasis, RepeatReason, ReportReceived
from hearth.eventstore.calendar import within_months
from hearth.eventstore.errors import DomainError, NotFound
from hearth.intake.domain.matching import PersonKeys, PersonRef, PersonRole

BASIS_BY_ROLE: Final = {
    PersonRole.SURVIVOR: LinkBasis.SAME_SURVIVOR,
    PersonRole.ALLEGED_PERPETRATOR: LinkBasis.SAME_ALLEGED_PERPETRATOR,
    PersonRole.HOUSEHOLD: LinkBasis.SAME_HOUSEHOLD,
}
_PREFERENCE: Final = (
    LinkBasis.SAME_SURVIVOR,
    LinkBasis.SAME_ALLEGED_PERPETRATOR,
    LinkBasis.SAME_HOUSEHOLD,
)
"""When several open cases match, the survivor's own case wins, then the perpetrator's."""


class CaseNotOpen(DomainError):
    """Staff named a case for a report, but that case is closed."""

    code = "case_not_open"


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """One row of the match index: this digest belongs to this case, in this role."""

    digest: str
    role: PersonRole
    case_id: UUID
    person_id: UUID | None = None


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
class LinkDecision:
    """Where a report goes and why."""

    case_id: UUID
    basis: LinkBasis
    repeat_reasons: tuple[RepeatReason, ...] = ()
    previous_case_id: UUID | None = None

    @property
    def is_new_case(self) -> bool:
        return self.basis is LinkBasis.NEW_CASE


def matched_cases(
    people: Iterable[PersonKeys], entries: Iterable[IndexEntry]
) -> dict[UUID, set[LinkBasis]]:
    """Each case some person in the submission matches, with the role they matched in.

    A person matches only in their own role: a survivor named as someone else's alleged
    perpetrator is not joined to that case.
    """
    by_digest: dict[str, list[IndexEntry]] = {}
    for entry in entries:
        by_digest.setdefault(entry.digest, []).append(entry)
    found: dict[UUID, set[LinkBasis]] = {}
    for keys in people:
        for digest in keys.digests:
            for entry in by_digest.get(digest, ()):
                if entry.role is keys.ref.role:
                    found.setdefault(entry.case_id, set()).add(BASIS_BY_ROLE[entry.role])
    return found


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
    """The case a report belongs to: named by staff, an open match, or a new (repeat?) case."""
    if named_case_id is not None:
        return _named(named_case_id, statuses)
    matches = matched_cases(people, entries)

    def status_of(case_id: UUID) -> CaseStatus:
        # A case in the index is one intake assigned: open unless known to be closed.
        return statuses.get(case_id) or CaseStatus(case_id)

    open_matches = [c for c in matches if status_of(c).is_open]
    if open_matches:
        best = min(open_matches, key=lambda c: _open_rank(c, matches[c], status_of(c)))
        basis = next(b for b in _PREFERENCE if b in matches[best])
        return LinkDecision(case_id=best, basis=basis)
    reasons, previous = _repeat(
        [status_of(c) for c in matches], now=now, months=repeat_window_months
    )
    return LinkDecision(
        case_id=new_case_id,
        basis=LinkBasis.NEW_CASE,
        repeat_reasons=reasons,
        previous_case_id=previous,
    )


def _named(case_id: UUID, statuses: Mapping[UUID, CaseStatus]) -> LinkDecision:
    status = statuses.get(case_id)
    if status is None:
        raise NotFound("no case with this id is known to intake", code="unknown_case")
    if not status.is_open:
        raise CaseNotOpen(
            "this case is closed: submit the report without a case id to open a new case "
            "(a repeat is flagged automatically)"
        )
    return LinkDecision(case_id=case_id, basis=LinkBasis.NAMED_BY_STAFF)


def _open_rank(case_id: UUID, bases: set[LinkBasis], status: CaseStatus) -> tuple[int, float, str]:
    # Best basis first, then the most recently assigned case, then a stable tie-break.
    rank = min(_PREFERENCE.index(b) for b in bases)
    assigned = status.assigned_at.timestamp() if status.assigned_at else 0.0
    return rank, -assigned, str(case_id)


def _repeat(
    statuses: Iterable[CaseStatus], *, now: datetime, months: int
) -> tuple[tuple[RepeatReason, ...], UUID | None]:
    """Why a new case is a repeat, and the most recent earlier case that makes it one."""
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
                if latest is None or candidate > latest:
                    latest = candidate
    ordered = tuple(r for r in RepeatReason if r in reasons)
    return ordered, latest[2] if latest else None


def reused_person_ids(
    decision: LinkDecision, people: Iterable[PersonKeys], entries: Iterable[IndexEntry]
) -> dict[PersonRef, UUID]:
    """People already known on the case the report joins keep their person id there."""
    if decision.is_new_case:
        return {}
    found: dict[PersonRef, UUID] = {}
    candidates = [e for e in entries if e.case_id == decision.case_id and e.person_id is not None]
    for keys in people:
        if keys.ref.role is PersonRole.HOUSEHOLD:
            continue
        ids = sorted(
            {
                e.person_id
                for e in candidates
                if e.role is keys.ref.role and e.digest in keys.digests and e.person_id
            },
            key=str,
        )
        if len(ids) == 1:
            found[keys.ref] = ids[0]
    # Two people in one report cannot be the same known person: give both fresh ids.
    counts = Counter(found.values())
    return {ref: person_id for ref, person_id in found.items() if counts[person_id] == 1}


def report_index_entries(
    people: Iterable[PersonKeys], received: ReportReceived
) -> list[IndexEntry]:
    """The report's match keys, now pointing at the case it joined, with the people's ids."""
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
    return entries
