"""A caseworker's corrections and additions to the people on a case.

Each part given (the survivor, the alleged perpetrators, the children) replaces what the
case recorded: a part is the whole of it, so details left out of a person are cleared
and a person left out of a list is no longer on the case. Person ids never change: the
survivor stays the case's survivor, people already on the case are named by their id
(or, without one, recognised by exactly the details recorded), and other people are
new, with ids derived from the case and the update so that deciding the same update
again gives the same ids. So a client retrying an update adds nobody twice.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol, TypeVar
from uuid import UUID

from hearth.cases.domain.commands import GivenSurvivor, UpdatePeople
from hearth.cases.domain.guards import require_open_case
from hearth.cases.domain.identification import identified_now
from hearth.cases.domain.people import auto_flags, staff_safeguards
from hearth.cases.domain.rules import CaseRules
from hearth.cases.domain.state import CaseState, Recorded, fold
from hearth.contracts.events import cases as ev
from hearth.contracts.events.case_values import FlagKind
from hearth.contracts.events.common import AllegedPerpetrator, Child, Survivor
from hearth.eventstore.errors import DomainError

_Person = TypeVar("_Person", AllegedPerpetrator, Child)


class _Given(Protocol):
    """A person as given: the contract's fields, with the person id perhaps left out."""

    @property
    def person_id(self) -> UUID | None: ...

    def model_dump(self, *, mode: str = ...) -> dict[str, Any]: ...


def update_people(
    command: UpdatePeople, state: CaseState, now: datetime, rules: CaseRules
) -> list[ev.CasesEvent]:
    """`PeopleUpdated` with the parts that change, flags for the people new to the case
    (and for a child now known to be affected by the abuse who has no active flag),
    `SurvivorIdentified` when the case waited for details that identify or reach the
    survivor and now has them, then what staff involvement now requires (a new case
    manager, a restriction).

    A perpetrator or child on the case but missing from a list given is removed from
    the case (their flags stay until someone removes them with a reason). Refused when
    a person id given is not that kind of person on this case, or when the update would
    change nothing (nothing given, or an id given twice: `UpdatePeople.check`).
    """
    require_open_case(state, command.actor)
    assert state.case_id is not None and state.survivor is not None
    survivor = _survivor(command.survivor, state.survivor)
    new_id = _new_ids(state.case_id, command.update_id)
    perpetrators = _people(
        command.alleged_perpetrators,
        state.perpetrators,
        AllegedPerpetrator,
        lambda index: new_id("alleged_perpetrator", index),
        "an alleged perpetrator",
    )
    children = _people(
        command.children, state.children, Child, lambda index: new_id("child", index), "a child"
    )
    changed_survivor = survivor if survivor != state.survivor else None
    changed_perpetrators = _if_changed(perpetrators, state.perpetrators)
    changed_children = _if_changed(children, state.children)
    if changed_survivor is None and changed_perpetrators is None and changed_children is None:
        raise DomainError("the people given are already recorded", code="nothing_changed")
    updated = ev.PeopleUpdated(
        case_id=state.case_id,
        updated_at=now,
        survivor=changed_survivor,
        alleged_perpetrators=changed_perpetrators,
        children=changed_children,
    )
    known = state.person_ids()
    events: list[ev.CasesEvent] = [
        updated,
        *auto_flags(
            state.case_id,
            command.update_id,
            now,
            None,
            [p for p in changed_perpetrators or () if p.person_id not in known],
            # New children, and a child now known to be affected who has no active flag.
            [
                c
                for c in changed_children or ()
                if c.person_id not in known or not _flagged_vulnerable(state, c.person_id)
            ],
        ),
    ]
    after = fold((Recorded(e, command.actor, 0, now) for e in events), state)
    identified = identified_now(after, now, rules)
    after = fold((Recorded(e, command.actor, 0, now) for e in identified), after)
    return events + identified + staff_safeguards(after, command.caseloads, now, rules)


def _flagged_vulnerable(state: CaseState, person_id: UUID) -> bool:
    return any(
        f.active
        and f.raised.person_id == person_id
        and f.raised.kind is FlagKind.POTENTIALLY_VULNERABLE
        for f in state.flags.values()
    )


def _survivor(given: GivenSurvivor | None, current: Survivor) -> Survivor:
    if given is None:
        return current
    if given.person_id not in (None, current.person_id):
        raise DomainError(
            "the survivor keeps their person id: leave it out or give the case's survivor's",
            code="not_the_survivor",
        )
    return Survivor.model_validate({**given.model_dump(), "person_id": current.person_id})


def _people(
    given: Sequence[_Given] | None,
    current: Sequence[_Person],
    model: type[_Person],
    new_id: Callable[[int], UUID],
    kind: str,
) -> tuple[_Person, ...] | None:
    """The list as given, each person with their id: their own if on the case (given, or
    recorded with exactly these details), else a new one; an id that is not `kind` on
    this case is refused (one given twice never gets here: `UpdatePeople.check`)."""
    if given is None:
        return None
    on_case = {p.person_id for p in current}
    ids = [p.person_id for p in given if p.person_id is not None]
    if any(i not in on_case for i in ids):
        raise DomainError(
            f"a person id given is not {kind} on this case", code="person_not_on_case"
        )
    # A person given without an id but recorded exactly so on the case is that person
    # (a client retrying its request must not add them a second time).
    unclaimed = {_details(p): p.person_id for p in current if p.person_id not in ids}
    people = []
    for index, p in enumerate(given):
        person_id = p.person_id or unclaimed.pop(_details(p), None) or new_id(index)
        people.append(model.model_validate({**p.model_dump(), "person_id": person_id}))
    return tuple(people)


def _details(person: _Given | AllegedPerpetrator | Child) -> str:
    """A person's recorded details without their id, comparable across models."""
    fields = {k: v for k, v in person.model_dump(mode="json").items() if k != "person_id"}
    return json.dumps(fields, sort_keys=True)


def _new_ids(case_id: UUID, update_id: UUID) -> Callable[[str, int], UUID]:
    """Ids for people new to the case: the same for the same update, role and place."""

    def new_id(role: str, index: int) -> UUID:
        return uuid.uuid5(case_id, f"person:{role}:{index}:{update_id}")

    return new_id


def _if_changed(
    people: tuple[_Person, ...] | None, current: Sequence[_Person]
) -> tuple[_Person, ...] | None:
    """The list if it records something new; the same people in another order is not."""
    if people is None or _by_id(people) == _by_id(current):
        return None
    return people


def _by_id(people: Sequence[_Person]) -> Mapping[UUID, _Person]:
    return {p.person_id: p for p in people}
