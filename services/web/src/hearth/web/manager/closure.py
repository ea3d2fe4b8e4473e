"""A closure request as the decision page shows it, and the form's answer as the cases
API's `closure-decision` body (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from hearth.web.manager.team import DEADLINE_NAMES, words

CLOSURE_REASONS: Final = {
    "survivor_safe_support_in_place": "The survivor is safe and support is in place",
    "survivor_moved": "The survivor has moved",
    "survivor_withdrew": "The survivor withdrew from support",
    "no_further_contact_possible": "No further contact is possible",
    "referred_on": "Referred on to another service",
    "not_domestic_abuse": "Enquiries found no domestic abuse",
    "other": "Another reason",
}
FEEDBACK_RATINGS: Final = {
    "very_satisfied": "Very satisfied",
    "satisfied": "Satisfied",
    "neither": "Neither satisfied nor dissatisfied",
    "dissatisfied": "Dissatisfied",
    "very_dissatisfied": "Very dissatisfied",
}
STILL_DUE: Final = ("due", "overdue")

Form = Mapping[str, str | list[str]]


def closure_view(case: Mapping[str, Any]) -> dict[str, Any]:
    """What the decision page shows of a case (the cases API's `GET /cases/{id}`): the
    request waiting, if any, and the deadlines still running that closing would stop."""
    requested = (case.get("closure") or {}).get("requested")
    return {
        "case_id": str(case["case_id"]),
        "status": case.get("status"),
        "requested": requested,
        "reason": words(requested.get("reason"), CLOSURE_REASONS) if requested else None,
        "case_manager": (case.get("case_manager") or {}).get("staff_id"),
        "open_deadlines": [
            {"what": words(d["kind"], DEADLINE_NAMES), "status": d["status"], "due_at": d["due_at"]}
            for d in case.get("deadlines", [])
            if d.get("status") in STILL_DUE
        ],
    }


def text(form: Form, name: str) -> str | None:
    """A field's text, trimmed; None when empty or absent (the last of several values)."""
    value = form.get(name)
    if isinstance(value, list):
        value = value[-1] if value else None
    value = (value or "").strip()
    return value or None


def closure_decision_body(form: Form) -> dict[str, Any]:
    """The API's body from the form: only what was given (the API judges the rest, and
    its refusal names the field)."""
    body: dict[str, Any] = {"decision": text(form, "decision")}
    if reason := text(form, "reason"):
        body["reason"] = reason
    feedback = {
        "feels_safer": {"yes": True, "no": False}.get(text(form, "feels_safer") or ""),
        "rating": text(form, "rating"),
        "comments": text(form, "comments"),
    }
    if any(v is not None for v in feedback.values()):
        body["survivor_feedback"] = {k: v for k, v in feedback.items() if v is not None}
    return body
