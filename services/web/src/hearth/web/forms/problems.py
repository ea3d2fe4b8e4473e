"""The API's refusal in plain words, next to the field it names.

Pure. A 422 names fields as the API's body has them (`safe_contact.safe_times.0`);
the form knows which of its fields each came from (`Built.names`). A problem naming no
field of the form (a rule across fields, a 409, a 403) goes at the top of the form.
"""

from __future__ import annotations

from collections.abc import Mapping

from hearth.web.forms.body import Built, field_for, missing
from hearth.web.forms.fields import Errors, Field, Form, Group

_PLAIN = {
    "Field required": None,  # said with the field's label (`missing`)
    "This is required.": None,
    "Extra inputs are not permitted": "This is not asked for here",
}


def _field_named(form: Form, name: str) -> Field | None:
    for one in form.fields():
        if one.name == name:
            return one
    for group in form.groups():
        for one in group.fields:
            if name.startswith(f"{group.name}.") and name.endswith(f".{one.name}"):
                return one
    return None


def plain(form: Form, name: str | None, problem: str) -> str:
    """The API's words, a little plainer where pydantic's are technical."""
    text = problem.removeprefix("Value error, ").strip()
    if text in _PLAIN:
        one = _field_named(form, name) if name else None
        return _PLAIN[text] or (missing(one) if one else "This is required")
    return text[:1].upper() + text[1:]


def place(form: Form, built: Built, problems: Mapping[str, str], message: str = "") -> Errors:
    """Errors for the page: each API problem beside its field, the rest at the top."""
    errors = Errors()
    for loc, problem in problems.items():
        name = field_for(built, loc)
        words = plain(form, name, problem)
        if name is None:
            errors.form.append(f"{loc}: {words}" if loc else words)
        else:
            errors.add(name, words)
    if message and not problems:
        errors.form.append(message)
    return errors


def group_rows(group: Group, values: Mapping[str, object]) -> int:
    """How many rows to show: the group's usual number, or one more than are filled."""
    used = [
        row
        for row in range(group.max_rows)
        if any(values.get(group.field_name(row, one)) for one in group.fields)
    ]
    return min(group.max_rows, max(group.rows, (max(used) + 2) if used else 0))
