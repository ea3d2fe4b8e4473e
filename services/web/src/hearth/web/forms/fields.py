"""The pieces a form is declared with: fields, repeated groups, sections, the form itself.

Pure: no I/O. A form says what the member of staff sees (labels, hints, choices) and
where each value goes in the API's JSON body (`path`), so one generic page renders every
form and one function (`hearth.web.forms.body.build_body`) turns what was posted into
the body the API checks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from hearth.contracts.envelope import Role

FormValue = str | list[str]
FormValues = Mapping[str, FormValue]
"""What a posted form holds: one string per name, a list for repeated names (checkboxes)."""

CaseView = Mapping[str, Any]
"""The case as cases' `GET /cases/{case_id}` answers it."""


class Kind(StrEnum):
    """How a field is shown, and how its posted text becomes a JSON value."""

    TEXT = "text"
    TEXTAREA = "textarea"
    DATE = "date"
    DATETIME = "datetime-local"
    """A local (Europe/London) date and time, sent with its UTC offset."""
    NUMBER = "number"
    SELECT = "select"
    RADIO = "radio"
    YES_NO = "yes_no"
    """Two radios, yes and no: left unanswered, nothing is sent."""
    CHECKBOX = "checkbox"
    """One box: ticked is true, unticked is false (always sent)."""
    CHECKBOXES = "checkboxes"
    """Several boxes, a list of the ticked values."""
    LINES = "lines"
    """A text area, one value a line: a list of strings."""
    SAFE_TIMES = "safe_times"
    """A text area, one weekly window a line ("Monday 09:00-12:00")."""
    PERSON = "person"
    """A select of the people on the case (from the case page's data)."""
    HIDDEN = "hidden"


Choices = tuple[tuple[str, str], ...]
"""(value, label) pairs."""

WORDS: dict[str, str] = {
    "dont_know": "Not known",
    "idva": "IDVA (independent domestic violence adviser)",
    "marac": "MARAC",
    "mappa": "MAPPA",
    "dapp": "Perpetrator programme (DAPP)",
    "fgm": "FGM",
    "lgbtq_plus": "LGBTQ+",
    "16_17": "16 to 17",
    "75_plus": "75 and over",
    "idva_service": "IDVA service",
    "specialist_da_service": "Specialist domestic abuse service",
    "video_doorbell_or_cctv": "Video doorbell or CCTV",
    "sms": "SMS",
}


def words(value: str) -> str:
    """An enum value in plain words: `survivor_moved` is "Survivor moved"."""
    if value in WORDS:
        return WORDS[value]
    if value.startswith("under_"):
        return f"Under {value.removeprefix('under_')}"
    if "_" in value and value.replace("_", "").isdigit():
        low, high = value.split("_", 1)
        return f"{low} to {high}"
    return value.replace("_", " ").capitalize()


def choices(values: Iterable[str], **labels: str) -> Choices:
    """Choices from enum values (a StrEnum class iterates its members), in their order."""
    return tuple((str(v), labels.get(str(v), words(str(v)))) for v in values)


@dataclass(frozen=True)
class Field:
    """One input. `name` is the form's name and the element's id; `path` is where the
    value goes in the JSON body (default: `name`, dots for nesting)."""

    name: str
    label: str
    kind: Kind = Kind.TEXT
    hint: str = ""
    required: bool = False
    choices: Choices = ()
    path: str = ""
    people: tuple[str, ...] = ()
    """For `PERSON`: which of the case's people may be chosen ("survivor",
    "alleged_perpetrators", "children")."""
    value: str | int = ""
    """For `HIDDEN`: the value sent, whatever was posted."""

    @property
    def api_path(self) -> str:
        return self.path or self.name


@dataclass(frozen=True)
class Group:
    """A list of like things (MARAC actions, children): a fieldset of rows, each row the
    same fields, empty rows left out. Field names are `{name}.{row}.{field}`."""

    name: str
    legend: str
    fields: tuple[Field, ...]
    rows: int = 3
    max_rows: int = 20
    item_label: str = "Item"
    hint: str = ""

    @property
    def api_path(self) -> str:
        return self.name

    def field_name(self, row: int, one: Field) -> str:
        return f"{self.name}.{row}.{one.name}"


@dataclass(frozen=True)
class Section:
    """A fieldset with a legend (none: the form's fields shown plainly)."""

    legend: str
    items: tuple[Field | Group, ...]
    hint: str = ""
    id: str = ""


Prefill = Callable[[CaseView], dict[str, FormValue]]


@dataclass(frozen=True)
class Form:
    """One command the APIs accept, as a form on `/cases/{case_id}/{slug}`."""

    slug: str
    """The URL after the case, with the API's own ids as `{name}`: "flags/{flag_id}/removal"."""
    service: str
    api_path: str
    """The API's path, with `{case_id}` and the slug's ids."""
    title: str
    roles: frozenset[Role]
    sections: tuple[Section, ...] = ()
    intro: str = ""
    submit: str = "Save"
    shows_safe_contact: bool = False
    """A contact action: the survivor's safe-contact arrangements are shown first."""
    shows_closure_request: bool = False
    """A closure decision: the request waiting (who asked, when, why, the notes) first."""
    prefill: Prefill | None = None
    """Values to start from, taken from the case (fields that replace what is recorded)."""
    flash: str = "Saved."
    has_body: bool = True
    """False for a command whose API takes no body (an approval)."""
    danger: bool = False
    """A command that cannot be undone: the button says so."""
    refusal_fields: tuple[tuple[str, str], ...] = ()
    """(code, field) pairs, a mapping kept hashable: a rule's refusal (409) with this
    `code` in the API's error body is also shown beside that field. Without a field for
    its code (or without a code) the refusal stays at the top of the form only."""

    def refused_field(self, code: str | None) -> str | None:
        """The field of this form a rule's refusal is about, by the refusal's code."""
        if code is None:
            return None
        name = dict(self.refusal_fields).get(code)
        return name if name in {one.name for one in self.fields()} else None

    @property
    def path_params(self) -> tuple[str, ...]:
        return tuple(part[1:-1] for part in self.slug.split("/") if part.startswith("{"))

    def items(self) -> Iterable[Field | Group]:
        for section in self.sections:
            yield from section.items

    def fields(self) -> Iterable[Field]:
        """Every field that is not in a group."""
        for item in self.items():
            if isinstance(item, Field):
                yield item

    def groups(self) -> Iterable[Group]:
        for item in self.items():
            if isinstance(item, Group):
                yield item


@dataclass
class Errors:
    """Problems found with what was posted: by field name, and for the whole form."""

    fields: dict[str, str] = field(default_factory=dict)
    form: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.fields or self.form)

    def add(self, name: str, message: str) -> None:
        self.fields.setdefault(name, message)
