"""What the submitter of a report may be told about the case it joined.

Partners' systems and residents on the web form are told their report's id and a
reference to quote, nothing about other reports or cases: whether a person already has
a case, and why a report joined it, is not theirs to know. Staff are told the case.

A case is restricted when its survivor or alleged perpetrator works for the landlord;
only the staff named on the restriction may know it exists. A report that joins such a
case (or repeats one) is stored on it all the same, but a member of staff not named on
it gets the answer a report about a person with no case gets: the same status and
shape, a new case, under a stand-in case id (their own for that case, kept in
`stand_in_cases`), never the real one. A repeat is told as the cases they may know of
make it: a restricted case never shows in it. Naming the real case id is refused
exactly as an unknown id is. Each such answer is recorded (`CaseWithheldFromSubmitter`,
keyed by the restricted case) and cases logs it as a refused read of the case. Links to
other cases (`ReportLinkedToCase.related_cases`) are never part of any answer.

Intake knows a case is restricted from the report that makes it so, not only once
cases publishes `CaseRestricted`: a report naming a member of staff as the survivor or
an alleged perpetrator marks its case (`RestrictionMark`, stored with the report, in its
transaction). Until cases says who is named, nobody is (the case is hidden from every
submitter); the staff a report names as involved are never named; and while one of them
has no staff id (they could be anyone), nobody is named until cases has said so since.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final
from uuid import UUID

from hearth.contracts.envelope import Actor
from hearth.contracts.events.intake import (
    CaseWithheldFromSubmitter,
    LinkBasis,
    RepeatReason,
    ReportLinkedToCase,
    ReportReceived,
)
from hearth.eventstore.errors import NotFound
from hearth.intake.domain.linking import CaseStatus, repeat_of
from hearth.intake.domain.submission import STAFF_ROLES

__all__ = [
    "Disclosure",
    "NamedCaseWithheld",
    "ReportAnswer",
    "RestrictionFacts",
    "RestrictionMark",
    "disclose",
    "hidden_from",
    "named_case",
    "restriction_mark",
    "stand_in_for",
    "told_of_cases",
]


@dataclass(frozen=True, slots=True)
class RestrictionMark:
    """Intake's own record that reports named staff as the survivor or an alleged
    perpetrator on a case (the latest such report's time; everyone they named)."""

    case_id: UUID
    marked_at: datetime
    involved: frozenset[str] = frozenset()
    """Staff ids of the staff named as involved: never named on their own case."""
    unidentified: bool = False
    """Someone was named as staff without a staff id."""

    def merged(self, other: RestrictionMark) -> RestrictionMark:
        return RestrictionMark(
            self.case_id,
            max(self.marked_at, other.marked_at),
            self.involved | other.involved,
            self.unidentified or other.unidentified,
        )


def restriction_mark(received: ReportReceived) -> RestrictionMark | None:
    """The mark a report leaves on its case: when it names a member of staff involved."""
    people = [received.survivor, *received.alleged_perpetrators]
    staff = [p for p in people if p.is_staff_member or p.staff_id]
    if not staff:
        return None
    return RestrictionMark(
        received.case_id,
        received.received_at,
        frozenset(p.staff_id for p in staff if p.staff_id),
        any(not p.staff_id for p in staff),
    )


@dataclass(frozen=True, slots=True)
class RestrictionFacts:
    """What intake knows of a case's restriction: what cases last said, and its own mark."""

    case_id: UUID
    restricted_to: frozenset[str] | None = None
    """The staff cases last named on it; None when cases never restricted it, or lifted it."""
    said_at: datetime | None = None
    """When cases last restricted it or lifted the restriction."""
    mark: RestrictionMark | None = None

    def named(self) -> frozenset[str] | None:
        """The staff who may know of the case; None when it is not restricted."""
        mark = self.mark
        # Cases has not spoken since the last report naming staff.
        pending = mark is not None and (self.said_at is None or mark.marked_at > self.said_at)
        if self.restricted_to is None:
            return frozenset() if pending else None
        if pending and mark is not None and mark.unidentified:
            return frozenset()
        return self.restricted_to - (mark.involved if mark is not None else frozenset())


@dataclass(frozen=True, slots=True)
class ReportAnswer:
    """What the submitter is told: the report's id, and the case when they may know it.

    Without a case (`case_id` None) the answer is the report's id and a reference to
    quote (the report id, as the web form shows it).
    """

    report_id: UUID
    case_id: UUID | None = None
    basis: LinkBasis | None = None
    repeat_reasons: tuple[RepeatReason, ...] = ()
    previous_case_id: UUID | None = None

    @property
    def reference(self) -> str:
        return str(self.report_id)


@dataclass(frozen=True, slots=True)
class Disclosure:
    """The answer to a report's submitter, and the restricted cases it kept from them
    (each recorded, so that cases logs a refused read)."""

    answer: ReportAnswer
    withheld: tuple[CaseWithheldFromSubmitter, ...] = ()


UNKNOWN_CASE_MESSAGE: Final = "no case with this id is known to intake"
"""The refusal of a case id intake does not know (`linking`): a restricted case named by
someone not named on it gets exactly this answer."""


class NamedCaseWithheld(NotFound):
    """Staff named a restricted case they are not named on: refused exactly as a case id
    intake never heard of, with `record` to store (cases logs it as a refused read)."""

    def __init__(self, record: CaseWithheldFromSubmitter) -> None:
        super().__init__(UNKNOWN_CASE_MESSAGE, code="unknown_case")
        self.record = record


def told_of_cases(actor: Actor) -> bool:
    """Staff are told which case a report joined; partners and residents never are."""
    return actor.role in STAFF_ROLES


def stand_in_for(
    stand_ins: Mapping[tuple[str, UUID], UUID], actor: Actor, case_id: UUID
) -> UUID | None:
    """The case a stand-in id given to `actor` stands for (None: it is no stand-in)."""
    return next(
        (real for (who, real), given in stand_ins.items() if who == actor.id and given == case_id),
        None,
    )


def named_case(
    actor: Actor,
    case_id: UUID,
    restrictions: Mapping[UUID, RestrictionFacts],
    stand_ins: Mapping[tuple[str, UUID], UUID],
    *,
    known: bool,
    now: datetime,
) -> UUID:
    """The case staff mean by the case id they named (`known`: intake knows that id).

    A stand-in id they were given for a restricted case means that case. The id of a
    restricted case they are not named on is refused as an unknown id
    (`NamedCaseWithheld`), and the attempt recorded.
    """
    real = stand_in_for(stand_ins, actor, case_id)
    if real is not None:
        return real
    if known and hidden_from(restrictions.get(case_id), actor.id):
        raise NamedCaseWithheld(
            CaseWithheldFromSubmitter(case_id=case_id, withheld_at=now, report_id=None)
        )
    return case_id


def disclose(
    actor: Actor,
    linked: ReportLinkedToCase,
    restrictions: Mapping[UUID, RestrictionFacts],
    stand_ins: Mapping[tuple[str, UUID], UUID],
    *,
    new_stand_in: UUID,
    named_by_stand_in: UUID | None = None,
    repeat_sources: Sequence[CaseStatus] = (),
    repeat_window_months: int = 12,
) -> Disclosure:
    """The answer to the report's submitter, and the restricted cases kept from them.

    Partners and residents get the report's id and reference only. Staff get the case,
    unless it is a restricted case they are not named on: then the answer is the one a
    report about a person with no case gets (a new case), with a stand-in case id in
    place of the real one, the same one each time they ask about that case (a second
    report about the same person names it as a real case would be named, with the real
    link's basis). `named_by_stand_in`: the restricted case the report named by its
    stand-in id; when the report went to another case (its survivor is not that case's),
    the answer is that case's, and the probe is recorded all the same.

    The repeat told is the one the cases they may know of make (`repeat_sources`, the
    cases that made the report a repeat): a restricted case they are not named on never
    shows, as its closure or MARAC, or as the case the report repeats; each such case is
    recorded as kept from them.

    Links to other cases (`related_cases`) are never part of the answer.
    """
    report_id = linked.report_id
    if not told_of_cases(actor):
        return Disclosure(ReportAnswer(report_id))

    def hidden(case_id: UUID) -> bool:
        return hidden_from(restrictions.get(case_id), actor.id)

    withheld: dict[UUID, CaseWithheldFromSubmitter] = {}
    case_id, basis = linked.case_id, linked.basis
    joined = linked.case_id if linked.basis is not LinkBasis.NEW_CASE else None
    if joined is not None and hidden(joined):
        earlier = stand_ins.get((actor.id, joined))
        case_id = earlier or new_stand_in
        named_it = earlier is not None or named_by_stand_in == joined
        basis = linked.basis if named_it else LinkBasis.NEW_CASE
        withheld[joined] = CaseWithheldFromSubmitter(
            case_id=joined,
            withheld_at=linked.linked_at,
            report_id=report_id,
            answered_case_id=case_id,
        )
    elif named_by_stand_in is not None and named_by_stand_in != linked.case_id:
        withheld[named_by_stand_in] = CaseWithheldFromSubmitter(
            case_id=named_by_stand_in, withheld_at=linked.linked_at, report_id=report_id
        )
    reasons, previous = linked.repeat_reasons, linked.previous_case_id
    kept = [s for s in repeat_sources if hidden(s.case_id)]
    if kept or (previous is not None and hidden(previous)):
        reasons, previous = repeat_of(
            [s for s in repeat_sources if not hidden(s.case_id)],
            now=linked.linked_at,
            months=repeat_window_months,
            itself=linked.case_id,
        )
        for source in kept:
            withheld.setdefault(
                source.case_id,
                CaseWithheldFromSubmitter(
                    case_id=source.case_id, withheld_at=linked.linked_at, report_id=report_id
                ),
            )
        if linked.previous_case_id is not None and hidden(linked.previous_case_id):
            withheld.setdefault(
                linked.previous_case_id,
                CaseWithheldFromSubmitter(
                    case_id=linked.previous_case_id,
                    withheld_at=linked.linked_at,
                    report_id=report_id,
                ),
            )
    answer = ReportAnswer(
        report_id,
        case_id=case_id,
        basis=basis,
        repeat_reasons=reasons,
        previous_case_id=previous,
    )
    return Disclosure(answer, tuple(withheld.values()))


def hidden_from(facts: RestrictionFacts | None, staff_id: str) -> bool:
    """True when the case is restricted and `staff_id` is not named on it."""
    # A case intake knows nothing of restricting is not restricted.
    named = facts.named() if facts is not None else None
    return named is not None and staff_id not in named
