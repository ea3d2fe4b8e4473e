"""From what was posted to the API's JSON body, and from the API's 422 back to the fields.

Pure. A value left empty is not sent at all, so the API's own defaults apply and a
nested part nobody filled in (the override of the survivor's wishes, the survivor's
feedback) is left out whole. What the form can tell without asking the API (a required
value missing, a date that is not one) is found here and nothing is sent; everything
else is the API's to refuse, and its words come back next to the field they name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from hearth.web.forms.fields import Errors, Field, Form, FormValues, Group, Kind

LONDON = ZoneInfo("Europe/London")
"""Staff give times as the clock on the wall; the APIs want an offset."""

_WINDOW = re.compile(
    r"^(?P<day>[a-z]+)\s+(?P<start>\d{1,2}[:.]\d{2})\s*(?:-|to|\u2013)\s*(?P<end>\d{1,2}[:.]\d{2})$"
)
_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass
class Built:
    """The JSON body, and where each part of it came from (API field → form field)."""

    body: dict[str, Any] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    hidden: set[str] = field(default_factory=set)


class Invalid(ValueError):
    """A posted value that cannot be what the field asks for (the message says why)."""


def text_of(values: FormValues, name: str) -> str:
    value = values.get(name, "")
    if isinstance(value, list):
        value = value[0] if value else ""
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def list_of(values: FormValues, name: str) -> list[str]:
    value = values.get(name, [])
    items = [value] if isinstance(value, str) else list(value)
    return [v.strip() for v in items if v.strip()]


def local_datetime(text: str) -> str:
    """ "2026-12-01T10:30" on the wall clock in London, as ISO 8601 with its offset."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise Invalid("Enter a date and time, like 01/12/2026 10:30") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LONDON)
    return moment.isoformat()


def safe_times(text: str) -> list[dict[str, str]]:
    """One window a line: "Monday 09:00-12:00" (or "monday 9.00 to 12.00")."""
    windows = []
    for line in text.splitlines():
        line = line.strip().lower()
        if not line:
            continue
        match = _WINDOW.match(line)
        day = match["day"] if match else ""
        found = [d for d in _DAYS if d.startswith(day)] if len(day) >= 3 else []
        if match is None or len(found) != 1:
            raise Invalid("Give each safe time on its own line, like: Monday 09:00-12:00")
        start, end = (match[k].replace(".", ":").zfill(5) for k in ("start", "end"))
        windows.append({"day": found[0], "start": start, "end": end})
    return windows


def convert(one: Field, values: FormValues, name: str) -> Any:
    """The JSON value of one field, or None when nothing was given."""
    kind = one.kind
    if kind is Kind.HIDDEN:
        return one.value if one.value != "" else (text_of(values, name) or None)
    if kind is Kind.CHECKBOX:
        return text_of(values, name) != ""
    if kind is Kind.CHECKBOXES:
        return list_of(values, name) or None
    text = text_of(values, name)
    if text == "":
        return None
    if kind is Kind.YES_NO:
        if text not in ("yes", "no"):
            raise Invalid("Answer yes or no")
        return text == "yes"
    if kind is Kind.DATETIME:
        return local_datetime(text)
    if kind is Kind.NUMBER:
        if not text.isdigit():
            raise Invalid("Enter a whole number, like 12")
        return int(text)
    if kind is Kind.LINES:
        return [line.strip() for line in text.splitlines() if line.strip()] or None
    if kind is Kind.SAFE_TIMES:
        return safe_times(text) or None
    if kind is Kind.TEXT:
        return " ".join(text.split())
    return text


def missing(one: Field) -> str:
    """What to say when a required field was left empty."""
    if one.kind in (Kind.YES_NO, Kind.RADIO):
        return f"Answer: {one.label}"
    if one.kind in (Kind.SELECT, Kind.PERSON):
        return f"Choose: {one.label}"
    if one.kind is Kind.CHECKBOXES:
        return f"Tick at least one: {one.label}"
    return f"Enter: {one.label}"


def put(body: dict[str, Any], path: str, value: Any) -> None:
    """Set `value` at a dotted path; a numeric part is a list index."""
    parts = path.split(".")
    here: Any = body
    for part, after in pairwise(parts):
        nxt: Any = [] if after.isdigit() else {}
        if isinstance(here, list):
            index = int(part)
            while len(here) <= index:
                here.append(None)
            if here[index] is None:
                here[index] = nxt
            here = here[index]
        else:
            here = here.setdefault(part, nxt)
    last = parts[-1]
    if isinstance(here, list):
        index = int(last)
        while len(here) <= index:
            here.append(None)
        here[index] = value
    else:
        here[last] = value


def _field(
    one: Field, name: str, path: str, values: FormValues, built: Built, errors: Errors
) -> None:
    built.names[path] = name
    if one.kind is Kind.HIDDEN:
        built.hidden.add(path)
    try:
        value = convert(one, values, name)
    except Invalid as exc:
        errors.add(name, str(exc))
        return
    if value is None:
        if one.required:
            errors.add(name, missing(one))
        return
    put(built.body, path, value)


def _group(group: Group, values: FormValues, built: Built, errors: Errors) -> None:
    """Rows with anything in them become the list's items, in order; others are left out."""
    items: list[dict[str, Any]] = []
    for row in range(group.max_rows):
        names = [group.field_name(row, one) for one in group.fields]
        given = [
            n for n, one in zip(names, group.fields, strict=True) if one.kind is not Kind.HIDDEN
        ]
        if not any(text_of(values, n) or list_of(values, n) for n in given):
            continue
        row_built = Built()
        for one, name in zip(group.fields, names, strict=True):
            _field(one, name, one.api_path, values, row_built, errors)
        index = len(items)
        items.append(row_built.body)
        prefix = f"{group.api_path}.{index}"
        for path, name in row_built.names.items():
            built.names[f"{prefix}.{path}"] = name
        built.hidden.update(f"{prefix}.{path}" for path in row_built.hidden)
        built.names.setdefault(prefix, names[0])
    built.names.setdefault(group.api_path, group.field_name(0, group.fields[0]))
    if items:
        put(built.body, group.api_path, items)


def build_body(form: Form, values: FormValues) -> tuple[Built, Errors]:
    """The body for the form's API, and the problems found without asking the API."""
    built = Built()
    errors = Errors()
    for item in form.items():
        if isinstance(item, Group):
            _group(item, values, built, errors)
        else:
            _field(item, item.name, item.api_path, values, built, errors)
    return built, errors


def field_for(built: Built, loc: str) -> str | None:
    """The form field an API's 422 names (`safe_contact.safe_phone_numbers.1`), or None
    when it names no one field (then the words go at the top of the form)."""
    parts = loc.split(".") if loc else []
    while parts:
        path = ".".join(parts)
        if path in built.names:
            if path in built.hidden:
                # A hidden value (a question's number) points to the answer beside it.
                parent = path.rsplit(".", 1)[0] + "."
                for other, name in built.names.items():
                    if other.startswith(parent) and other not in built.hidden:
                        return name
            return built.names[path]
        parts.pop()
    return None
