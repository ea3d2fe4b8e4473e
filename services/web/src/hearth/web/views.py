"""Turning the services' answers into what a page shows: plain words, local times, order.

Pure functions (no I/O), shared by every page: the case pages, the forms and the manager's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, time
from typing import Any, Final
from zoneinfo import ZoneInfo

LONDON: Final = ZoneInfo("Europe/London")

DEADLINE_KINDS: Final = {
    "contact": "First contact",
    "dash": "DASH risk assessment",
    "emergency_repair": "Emergency repair",
    "review": "Case review",
    "reassessment": "Risk reassessment",
}
DEADLINE_STATUSES: Final = {
    "due": "Due",
    "overdue": "Overdue",
    "met": "Met",
    "met_late": "Met late",
    "cancelled": "Cancelled",
}
OPEN_DEADLINE: Final = frozenset({"due", "overdue"})


_CAMEL: Final = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_ACRONYMS: Final = {
    "dash": "DASH",
    "marac": "MARAC",
    "asb": "ASB",
    "idva": "IDVA",
    "da": "DA",
    "sms": "SMS",
}


def words(name: object) -> str:
    """`safe_to_call`, `CaseManagerAssigned` → "Safe to call", "Case manager assigned"."""
    text = _CAMEL.sub(" ", str(name)).replace("_", " ").replace("-", " ").strip()
    parts = [_ACRONYMS.get(p.lower(), p.lower()) for p in text.split()]
    if not parts:
        return ""
    first = parts[0]
    parts[0] = first if first.isupper() else first[:1].upper() + first[1:]
    return " ".join(parts)


def parse_time(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _as_is(value: object) -> str:
    """What is not a date or time, shown as it is (nothing for None)."""
    return "" if value is None else str(value)


def _in_uk(value: object, shown: Callable[[datetime], str]) -> str:
    """A moment, `shown` in UK time; anything else as it is."""
    moment = parse_time(value)
    if moment is None:
        return _as_is(value)
    return shown(moment.astimezone(LONDON))


def when(value: object) -> str:
    """A moment in UK time, as staff read it: "Tue 1 Dec 2026, 16:30"."""
    return _in_uk(value, lambda t: f"{t:%a} {t.day} {t:%b %Y, %H:%M}")


def day(value: object) -> str:
    """A date: "1 Dec 2026"."""
    if isinstance(value, str) and len(value) == 10:
        try:
            d = date.fromisoformat(value)
        except ValueError:
            return value
        return f"{d.day} {d:%b %Y}"
    return _in_uk(value, lambda t: f"{t.day} {t:%b %Y}")


def clock(value: object) -> str:
    """ "09:00:00" → "09:00"."""
    if isinstance(value, str):
        try:
            return time.fromisoformat(value).strftime("%H:%M")
        except ValueError:
            return value
    return _as_is(value)


def short_ref(case_id: object) -> str:
    """The first part of a case id: enough to tell cases apart on a page."""
    return str(case_id).split("-")[0].upper()


CONTACT_WAYS: Final = (
    ("safe_to_call", "Phone call"),
    ("safe_to_text", "Text message"),
    ("safe_to_email", "Email"),
    ("safe_to_write", "Letter"),
    ("safe_to_visit", "Visit"),
)


def safe_ways(safe_contact: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """The ways of contact the arrangements allow, and those they do not."""
    allowed = [label for key, label in CONTACT_WAYS if safe_contact.get(key) is True]
    refused = [label for key, label in CONTACT_WAYS if safe_contact.get(key) is not True]
    return allowed, refused


def deadline_rank(deadline: Mapping[str, Any]) -> tuple[int, str]:
    status = str(deadline.get("status", ""))
    order = {"overdue": 0, "due": 1}.get(status, 2)
    return order, str(deadline.get("due_at") or "")


def open_deadlines(deadlines: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Deadlines still to meet, overdue first, then soonest due."""
    return sorted((d for d in deadlines if d.get("status") in OPEN_DEADLINE), key=deadline_rank)


def case_order(case: Mapping[str, Any]) -> tuple[int, str, str]:
    """My cases: overdue first, then by the soonest deadline still to meet."""
    pending = open_deadlines(case.get("deadlines") or [])
    overdue = bool(case.get("overdue")) or any(d.get("status") == "overdue" for d in pending)
    soonest = str(pending[0].get("due_at") or "") if pending else "9999"
    return (0 if overdue else 1), soonest, str(case.get("case_id"))


def sort_cases(cases: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return sorted(cases, key=case_order)


SKIPPED_FIELDS: Final = frozenset(
    {"case_id", "version", "person_id", "event_id", "causation_id", "correlation_id"}
)


def facts(item: Mapping[str, Any] | None, skip: Iterable[str] = ()) -> list[tuple[str, str]]:
    """A record as label/value pairs in plain words, leaving out empty values and ids."""
    if not item:
        return []
    skipped = SKIPPED_FIELDS | set(skip)
    out: list[tuple[str, str]] = []
    for key, value in item.items():
        if key in skipped or value is None or value == [] or value == {}:
            continue
        out.append((words(key), show(value)))
    return out


def show(value: Any) -> str:
    """Any value from an API answer as text for a page."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str):
        if parse_time(value) is not None:
            return when(value)
        if re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)+", value):
            return words(value)
        return value
    if isinstance(value, Mapping):
        if set(value) >= {"id", "role"}:
            return actor(value)
        return "; ".join(f"{label}: {text}" for label, text in facts(value))
    if isinstance(value, list | tuple):
        return ", ".join(show(v) for v in value)
    return str(value)


def actor(value: Mapping[str, Any] | None) -> str:
    """Who did it: "cso-0001 (Case manager)"; the system for automatic steps."""
    if not value:
        return ""
    role = str(value.get("role", ""))
    if role == "system":
        return "Hearth (automatic)"
    if role == "public":
        return "A resident (web form)"
    who = str(value.get("id", ""))
    return f"{who} ({words(role)})" if who else words(role)


def merged_timeline(
    case_events: Iterable[Mapping[str, Any]], other_events: Iterable[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The case's own timeline (who by staff id) and other services' steps (by role),
    newest first, each as {when, what, who, service}."""
    entries: list[dict[str, Any]] = [
        {
            "at": str(e.get("occurred_at") or ""),
            "what": words(e.get("event", "")),
            "who": actor(e.get("actor")),
            "service": "cases",
        }
        for e in case_events
    ]
    entries += [
        {
            "at": str(e.get("at") or ""),
            "what": words(e.get("event_type", "")),
            "who": actor({"id": "", "role": e.get("actor_role", "")}).replace("  ", " "),
            "service": str(e.get("service", "")),
        }
        for e in other_events
    ]
    entries.sort(key=lambda e: parse_time(e["at"]) or datetime.min.replace(tzinfo=LONDON))
    return list(reversed(entries))
