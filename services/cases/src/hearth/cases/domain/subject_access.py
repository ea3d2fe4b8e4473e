"""Subject access: what the cases service holds about one person on a case, and nothing
about anyone else.

`subject_access(history, person_id)` reads the case's events and returns JSON-ready data
for the person: their own details as each event recorded them, and the events about them,
with every other person's personal data left out. Pure: the events in, the answer out.

What decides it (where a rule could be read two ways, the reading that protects the
survivor, and anyone who reported the abuse):

- Whose a value is follows the contracts: a person's details are the object with their
  `person_id` (survivor, alleged perpetrator, child); flags carry the `person_id` they are
  about, an action on an alleged perpetrator its `perpetrator_person_id`.
- **Another person's personal data is never included**, nor counted: the alleged
  perpetrators' and children's details for the survivor, the survivor's for anyone else,
  names of people someone else spoke to, safe people to speak to.
- **An alleged perpetrator gets only their own details and what was done about them** (a
  flag's kind, an action's kind and date): nothing of the case's contact with the survivor,
  the survivor's wishes (nor whether an action followed them), the safe-contact
  arrangements, the survivor's details or the report. A value in their own details equal
  to one of the survivor's contact details (an address, a number or an email they share,
  or one the survivor uses now) is held back: it can tell them where she is.
- **The survivor gets the case's own record** (its dates, categories, contacts and
  attempts with the number used, their safe-contact arrangements, wishes, actions,
  repairs, security, reviews, closure) **without who reported it**: no reporter kind,
  no channel, no link to another case. Safe-contact arrangements a third party gave
  (not confirmed by the survivor) are held for review: the numbers may be the reporter's.
- **Free text** (notes, reasons, descriptions, the survivor's own words) is about several
  people at once and can name anyone: it is never printed. Each piece about the person is
  listed under `held_for_review` (which event, which field), for a reviewer to redact and
  release by hand.
- An erased case answers only that it was erased, and when.
- Restricted-case reads (staff audit), restrictions and links to other cases are not
  about the person and are left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any, Final
from uuid import UUID

from pydantic import BaseModel

from hearth.cases.domain.state import Recorded
from hearth.contracts.events import cases as ev
from hearth.contracts.events.base import DomainEvent, is_personal
from hearth.contracts.events.common import Child, PersonDetails, PostalAddress, SafeContact
from hearth.eventstore.errors import NotFound

SURVIVOR: Final = "survivor"
ALLEGED_PERPETRATOR: Final = "alleged_perpetrator"
CHILD: Final = "child"

NOTE: Final = (
    "What the cases service holds about this person on this case. Other people's personal "
    "data is not included. Free text (notes, reasons, descriptions) is listed under "
    "held_for_review, not printed: a reviewer redacts it before it is released."
)

_PEOPLE_FIELDS: Final = frozenset({"survivor", "alleged_perpetrators", "children"})
"""Fields holding person objects: only the subject's own object is ever read from them."""

_NOT_FOR_THE_SURVIVOR: Final = frozenset(
    {
        "reporter_kind",  # who reported it
        "channel",  # how it was reported can say by whom (a partner agency, a web form)
        "repeat_of_case_id",
        "previous_case_id",
        "related_case_id",
        "restriction",
        "perpetrator_person_id",
        "survivor_wishes_id",
    }
)
"""Fields of the case's events left out of the survivor's answer (besides the people)."""

_SURVIVOR_SKIPS: Final = (
    ev.RestrictedCaseRead,
    ev.CaseRestricted,
    ev.CaseRestrictionLifted,
    ev.CasesLinked,
)
"""Events not about the survivor: staff access, restrictions, links to other cases."""

_THIRD_PARTIES: Final = frozenset({"spoke_to", "safe_contact.safe_people_to_speak_to"})
"""Personal values naming someone else: left out, not even held for review."""

_SURVIVORS_OWN: Final = frozenset(
    {
        "tenancy_reference",
        "phone_number",
        "safe_contact.safe_phone_numbers",
        "safe_contact.safe_email",
        "safe_contact.safe_postal_address.lines",
        "safe_contact.safe_postal_address.postcode",
    }
)
"""Personal values on the case's events that are the survivor's own contact details."""

_ACTION_FIELDS: Final = ("action_id", "kind", "taken_at", "referral_type")
"""What an alleged perpetrator is told of an action about them (never the wishes)."""


class PersonNotOnCase(NotFound):
    code = "person_not_on_case"

    def __init__(self) -> None:
        super().__init__("no such person on this case")


def subject_access(history: Sequence[Recorded], person_id: UUID) -> dict[str, Any]:
    """Everything the case's events hold about `person_id`, and nothing of anyone else's."""
    events = [r for r in history if isinstance(r.event, ev.CasesEvent)]
    first = events[0].event if events else None
    if not isinstance(first, ev.CasesEvent):
        raise NotFound("no such case", code="case_not_found")
    case_id = first.case_id
    erased = next((r.event for r in events if isinstance(r.event, ev.CaseErased)), None)
    role = _role_of(events, person_id)
    if role is None:
        raise PersonNotOnCase()
    answer: dict[str, Any] = {"case_id": str(case_id), "person_id": str(person_id), "role": role}
    if erased is not None:
        # The keys are destroyed: nothing personal is left to give (nor printed from events
        # stored before encryption).
        return {**answer, "erased": True, "erased_at": erased.erased_at.isoformat()}
    access = _Access(person_id, role, _survivor_contact_values(events))
    for one in events:
        access.read(one)
    return {
        **answer,
        "erased": False,
        "note": NOTE,
        "details": access.details,
        "events": access.events,
        "held_for_review": access.held,
    }


# --- who the person is -------------------------------------------------------------------


def _people_in(event: DomainEvent) -> Iterable[tuple[str, PersonDetails | Child]]:
    match event:
        case ev.CaseOpened():
            yield SURVIVOR, event.survivor
            yield from ((ALLEGED_PERPETRATOR, p) for p in event.alleged_perpetrators)
            yield from ((CHILD, c) for c in event.children)
        case ev.PeopleUpdated():
            if event.survivor is not None:
                yield SURVIVOR, event.survivor
            yield from ((ALLEGED_PERPETRATOR, p) for p in event.alleged_perpetrators or ())
            yield from ((CHILD, c) for c in event.children or ())


def _role_of(events: Iterable[Recorded], person_id: UUID) -> str | None:
    """The person's part on the case, as last recorded."""
    role = None
    for one in events:
        for part, person in _people_in(one.event):
            if person.person_id == person_id:
                role = part
    return role


def _survivor_contact_values(events: Iterable[Recorded]) -> frozenset[str]:
    """Every address line, postcode, number and email the survivor has or had on the case,
    normalised: none of them goes to anyone else."""
    values: set[str] = set()
    for one in events:
        event = one.event
        for part, person in _people_in(event):
            if part == SURVIVOR and isinstance(person, PersonDetails):
                values.update(_contact_values(person.phone, person.email, person.address))
        if isinstance(event, ev.SafeContactUpdated):
            contact: SafeContact = event.safe_contact
            values.update(
                _contact_values(
                    *contact.safe_phone_numbers, contact.safe_email, contact.safe_postal_address
                )
            )
        if isinstance(event, ev.ContactAttempted | ev.SurvivorContacted):
            values.update(_contact_values(event.phone_number))
    return frozenset(values)


def _contact_values(*values: str | PostalAddress | None) -> set[str]:
    found: set[str] = set()
    for value in values:
        if isinstance(value, PostalAddress):
            found.update(_normal(line) for line in value.lines)
            if value.postcode:
                found.add(_normal(value.postcode))
        elif value:
            found.add(_normal(value))
    return found


def _normal(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


# --- reading the events ------------------------------------------------------------------


class _Access:
    """The answer, built one event at a time."""

    def __init__(self, person_id: UUID, role: str, survivor_values: frozenset[str]) -> None:
        self.person_id = person_id
        self.role = role
        self.survivor_values = survivor_values
        self.details: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.held: list[dict[str, Any]] = []

    def read(self, one: Recorded) -> None:
        event = one.event
        for _part, person in _people_in(event):
            if person.person_id == self.person_id:
                self._own_details(one, person)
        if self.role == SURVIVOR:
            self._survivor_event(one)
        else:
            self._event_about_them(one)

    # their own details ------------------------------------------------------------

    def _own_details(self, one: Recorded, person: PersonDetails | Child) -> None:
        withheld: list[str] = []
        data = _fields(person, keep_personal=True)
        if self.role != SURVIVOR:
            data = self._without_survivor_values(data, "", withheld)
        data.pop("person_id", None)
        self.details.append({**_when(one), "details": data})
        for path in withheld:
            self._hold(one, path)

    def _without_survivor_values(self, data: Any, path: str, withheld: list[str]) -> Any:
        """Their own details less any value the survivor also has (held for review)."""
        if isinstance(data, dict):
            kept = {}
            for key, value in data.items():
                inner = f"{path}.{key}" if path else key
                cleaned = self._without_survivor_values(value, inner, withheld)
                if cleaned is not _GONE:
                    kept[key] = cleaned
            return kept
        if isinstance(data, list):
            items = [self._without_survivor_values(v, path, withheld) for v in data]
            return [v for v in items if v is not _GONE]
        if isinstance(data, str) and _normal(data) in self.survivor_values:
            if path not in withheld:
                withheld.append(path)
            return _GONE
        return data

    # the survivor: the case's record --------------------------------------------------

    def _survivor_event(self, one: Recorded) -> None:
        event = one.event
        if isinstance(event, _SURVIVOR_SKIPS):
            return
        if isinstance(event, ev.FlagRaised | ev.FlagRemoved) and event.person_id != self.person_id:
            return
        if isinstance(event, ev.SafeContactUpdated) and not event.survivors_own:
            # Arrangements a third party gave (unconfirmed by the survivor) may hold the
            # reporter's own number, and say that someone else reported: held for review.
            self._hold(one, "safe_contact")
            return
        fields = _fields(event, drop=_PEOPLE_FIELDS | _NOT_FOR_THE_SURVIVOR)
        fields.pop("case_id", None)
        for path in _personal_values(event):
            top = path.split(".", 1)[0]
            if top in _PEOPLE_FIELDS or top in _NOT_FOR_THE_SURVIVOR or path in _THIRD_PARTIES:
                continue
            if path in _SURVIVORS_OWN:
                _put(fields, path, _value_at(event, path))
            else:
                self._hold(one, path)
        self.events.append({**_when(one), "event": type(event).__name__, **fields})

    # anyone else: only what is about them --------------------------------------------

    def _event_about_them(self, one: Recorded) -> None:
        event = one.event
        if isinstance(event, ev.FlagRaised | ev.FlagRemoved) and event.person_id == self.person_id:
            fields = _fields(event)
            for key in ("case_id", "person_id"):
                fields.pop(key, None)
            self.events.append({**_when(one), "event": type(event).__name__, **fields})
            self._hold(one, "reason")
        elif (
            isinstance(event, ev.PerpetratorActionTaken)
            and self.role == ALLEGED_PERPETRATOR
            and event.perpetrator_person_id == self.person_id
        ):
            fields = _fields(event)
            shown = {key: fields[key] for key in _ACTION_FIELDS if fields.get(key) is not None}
            self.events.append({**_when(one), "event": type(event).__name__, **shown})
            if event.details is not None:
                self._hold(one, "details")

    def _hold(self, one: Recorded, path: str) -> None:
        self.held.append({**_when(one), "event": type(one.event).__name__, "field": path})


# --- values --------------------------------------------------------------------------------


class _Gone:
    """A value taken out of a person's details."""


_GONE: Final = _Gone()


def _when(one: Recorded) -> dict[str, Any]:
    return {"recorded_at": one.recorded_at.isoformat()}


def _fields(
    model: BaseModel, *, keep_personal: bool = False, drop: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """The model's fields as JSON-ready data: personal values left out unless
    `keep_personal`, None left out, `drop` (top-level names) left out."""
    out: dict[str, Any] = {}
    for name, field in type(model).model_fields.items():
        if name in drop:
            continue
        value = getattr(model, name)
        if value is None or (is_personal(field) and not keep_personal):
            continue
        out[name] = _json(value, keep_personal)
    return out


def _json(value: Any, keep_personal: bool) -> Any:
    if isinstance(value, BaseModel):
        return _fields(value, keep_personal=keep_personal)
    if isinstance(value, list | tuple | frozenset | set):
        return [_json(v, keep_personal) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value if isinstance(value, str | int | float | bool) else str(value)


def _personal_values(model: BaseModel, prefix: str = "") -> list[str]:
    """Dotted paths of the personal values the model holds (not None, not empty)."""
    found: list[str] = []
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        path = f"{prefix}{name}"
        if value is None or value == ():
            continue
        if is_personal(field):
            found.append(path)
            continue
        items = value if isinstance(value, tuple) else (value,)
        for item in items:
            if isinstance(item, BaseModel):
                for inner in _personal_values(item, f"{path}."):
                    if inner not in found:
                        found.append(inner)
    return found


def _value_at(model: BaseModel, path: str) -> Any:
    value: Any = model
    for name in path.split("."):
        value = getattr(value, name)
    return _json(value, keep_personal=True)


def _put(data: dict[str, Any], path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    target = data
    for name in parents:
        nested = target.setdefault(name, {})
        assert isinstance(nested, dict)
        target = nested
    target[leaf] = value
