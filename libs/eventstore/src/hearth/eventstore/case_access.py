"""Who may see a case, decided once for every service that serves a case's data.

The cases service owns the rule; risk, referrals and reporting apply the same rule to
their own projection of cases' events, so a restricted case is hidden from the same
people everywhere:

- A restricted case (the survivor or an alleged perpetrator works for the landlord) is
  visible only to the staff named on it; to anyone else it does not exist (404, never
  403).
- A member of staff who is the survivor or an alleged perpetrator never sees their own
  case, restricted or not.
- Every read of a restricted case is recorded, refused ones too; every other read by a
  member of staff is recorded apart, on the case's reads stream (`hearth.eventstore.reads`).
  Hearth itself (role `system`: consumers, schedulers) is not a reader.
- An erased case (`CaseErased`) is seen by no member of staff (404 to a read, as cases
  answers), and every command on it is refused with 409 `case_erased` (`CaseWasErased`);
  reads of it are not recorded (there is nothing left to read). What is known of it
  keeps no one's staff id, so nothing about the people on it is left.

`CaseAccess` is the part of a case this rule needs, folded from cases' events with
`follow`; it is pure (no I/O, no clock).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from uuid import UUID

from hearth.contracts.envelope import Actor, Role
from hearth.contracts.events import cases as ev
from hearth.contracts.events.base import DomainEvent
from hearth.contracts.events.case_values import Restriction
from hearth.contracts.events.common import PersonDetails
from hearth.eventstore.errors import DomainError


@dataclass(frozen=True, slots=True)
class Visibility:
    """Which members of staff may see a case, as facts a read model can store and match a
    caller against without knowing why: everyone, or only `staff_ids`; never `never`."""

    everyone: bool
    staff_ids: frozenset[str]
    """Who may see a restricted case (empty when everyone may)."""
    never: frozenset[str]
    """Staff who are the survivor or an alleged perpetrator: never, restricted or not."""

    def admits(self, staff_id: str) -> bool:
        return staff_id not in self.never and (self.everyone or staff_id in self.staff_ids)

    def admits_actor(self, actor: Actor) -> bool:
        """True when the actor may read (and, role permitting, act on) the case."""
        return actor.role is Role.SYSTEM or self.admits(actor.id)

    def read_is_recorded(self, actor: Actor) -> bool:
        """Reads of restricted cases, and any attempt by staff involved in the case."""
        if actor.role is Role.SYSTEM:
            return False
        return not self.everyone or actor.id in self.never

    def read_is_recorded_apart(self, actor: Actor) -> bool:
        """A granted read the case's own stream does not record (the case is not
        restricted): recorded on the case's reads stream instead (`hearth.eventstore.reads`),
        when it is a member of staff's. Hearth itself is no reader."""
        return actor.role is not Role.SYSTEM and not self.read_is_recorded(actor)


def visibility_of(
    restriction: Restriction | None, people: Iterable[PersonDetails | None]
) -> Visibility:
    """Who may see a case with this restriction (or none) and these people on it."""
    return Visibility(
        everyone=restriction is None,
        staff_ids=frozenset(restriction.permitted_staff_ids) if restriction else frozenset(),
        never=frozenset(p.staff_id for p in people if p is not None and p.staff_id),
    )


NOBODY = Visibility(everyone=False, staff_ids=frozenset(), never=frozenset())
"""An erased case: no member of staff sees it (Hearth itself still does)."""


class CaseWasErased(DomainError):
    """The case's personal data was erased: nothing more is done to it (409 `case_erased`,
    the answer cases gives)."""

    code = "case_erased"

    def __init__(self) -> None:
        super().__init__("the case was erased: nothing more can be recorded on it")


@dataclass(frozen=True, slots=True)
class CaseAccess:
    """What another service knows of a case from cases' events: open or not, who may see it."""

    case_id: UUID | None = None
    opened: bool = False
    """A `CaseOpened` has been seen (a case unknown to the service is a 404)."""
    open: bool = False
    restriction: Restriction | None = None
    people: tuple[PersonDetails, ...] = field(default=())
    """The survivor and the alleged perpetrators, as last recorded."""
    erased: bool = False
    """A `CaseErased` has been seen: no restriction, no people, seen by nobody."""

    @property
    def visibility(self) -> Visibility:
        if self.erased:
            return NOBODY
        return visibility_of(self.restriction, self.people)

    @property
    def restricted(self) -> bool:
        return self.restriction is not None

    def may_see(self, actor: Actor) -> bool:
        return self.visibility.admits_actor(actor)

    def read_is_recorded(self, actor: Actor) -> bool:
        return not self.erased and self.visibility.read_is_recorded(actor)

    def require_not_erased(self) -> None:
        """Refuse any command on an erased case (409 `case_erased`)."""
        if self.erased:
            raise CaseWasErased()


CASE_ACCESS_EVENTS: frozenset[type[DomainEvent]] = frozenset(
    {
        ev.CaseOpened,
        ev.PeopleUpdated,
        ev.CaseRestricted,
        ev.CaseRestrictionLifted,
        ev.CaseClosed,
        ev.CaseReopened,
        ev.CaseErased,
    }
)
"""The cases events that move a `CaseAccess`; every other event leaves it as it is."""


def follow(access: CaseAccess, event: DomainEvent) -> CaseAccess:
    """The access facts after one more of cases' events. An erased case moves no more, and
    keeps nothing of its people or restriction (staff ids included)."""
    if access.erased:
        return access
    match event:
        case ev.CaseOpened():
            return CaseAccess(
                case_id=event.case_id,
                opened=True,
                open=True,
                restriction=event.restriction,
                people=(event.survivor, *event.alleged_perpetrators),
            )
        case ev.PeopleUpdated():
            survivor = event.survivor or (access.people[0] if access.people else None)
            perpetrators = (
                event.alleged_perpetrators
                if event.alleged_perpetrators is not None
                else access.people[1:]
            )
            people = tuple(p for p in (survivor, *perpetrators) if p is not None)
            return replace(access, people=people)
        case ev.CaseRestricted():
            return replace(access, restriction=event.restriction)
        case ev.CaseRestrictionLifted():
            return replace(access, restriction=None)
        case ev.CaseClosed():
            return replace(access, open=False)
        case ev.CaseReopened():
            return replace(access, open=True)
        case ev.CaseErased():
            return CaseAccess(case_id=event.case_id, opened=True, open=False, erased=True)
    return access
