"""One line per event for the timeline, never holding personal data.

A summary is built from fields the contract does not mark personal, and of those only
codes, flags, counts, times and staff ids: never free text (the contract's free-text
types are personal anyway). Events without a summary of their own list their plain
fields (enums, flags, numbers and times) as `name=value`.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Final

from hearth.contracts.events.base import is_personal
from hearth.eventstore.personal_data.cipher import model_of

Payload = dict[str, Any]

MAX_GENERIC_FIELDS: Final = 6


def _yes(value: Any) -> str:
    return "yes" if value else "no"


def _list(values: Any) -> str:
    return ", ".join(str(v) for v in values) if values else "none"


def _n(payload: Payload, name: str, what: str, plural: str | None = None) -> str:
    count = len(payload.get(name) or ())
    return f"{count} {what if count == 1 else plural or what + 's'}"


def _late(payload: Payload) -> str:
    return " (late)" if payload.get("late") else ""


def _read(payload: Payload) -> str:
    # A read of a case that is not restricted has no `access_granted`: only granted reads
    # of it are recorded (a refusal of it is a 404 of an unknown case).
    granted = "granted" if payload.get("access_granted", True) else "REFUSED"
    return f"{payload.get('staff_id')} opened {payload.get('view')}: {granted}"


SUMMARIES: Final[dict[str, Callable[[Payload], str]]] = {
    "ReportReceived": lambda p: (
        f"report by {p.get('channel')} from {(p.get('reporter') or {}).get('kind')}; "
        f"abuse: {_list(p.get('abuse_types'))}; "
        f"immediate danger: {_yes(p.get('immediate_danger'))}; "
        f"{_n(p, 'alleged_perpetrators', 'alleged perpetrator')}, "
        f"{_n(p, 'children', 'child', 'children')}"
    ),
    "ReportLinkedToCase": lambda p: (
        f"report joined the case ({p.get('basis')}); repeat: {_list(p.get('repeat_reasons'))}; "
        f"{_n(p, 'related_cases', 'related case')}"
    ),
    "EnquiryRaised": lambda p: f"enquiry raised ({p.get('trigger')})",
    "CaseWithheldFromSubmitter": lambda _: (
        "a submitter not named on the restricted case was answered as if it did not exist"
    ),
    "CaseOpened": lambda p: (
        f"case opened from a {p.get('channel')} report ({p.get('reporter_kind')}); "
        f"contact due {p.get('contact_due_at')}, DASH due {p.get('dash_due_at')}"
        + ("; restricted" if p.get("restriction") else "")
    ),
    "CaseManagerAssigned": lambda p: (
        f"case manager {(p.get('case_manager') or {}).get('staff_id')}"
        + (f" (was {p['previous_staff_id']})" if p.get("previous_staff_id") else "")
    ),
    "CaseRestricted": lambda p: (
        f"restricted ({(p.get('restriction') or {}).get('reason')}) to "
        f"{_list((p.get('restriction') or {}).get('permitted_staff_ids'))}"
    ),
    "CaseRestrictionLifted": lambda _: "restriction lifted: visible to the usual teams",
    "RestrictedCaseRead": _read,
    "RestrictedRiskRecordRead": _read,
    "RestrictedReferralRecordRead": _read,
    "CaseRecordRead": _read,
    "RiskRecordRead": _read,
    "ReferralRecordRead": _read,
    "FlagRaised": lambda p: f"flag raised: {p.get('kind')}",
    "FlagRemoved": lambda p: f"flag removed: {p.get('kind')}",
    "ReassessmentScheduled": lambda p: f"DASH reassessment due {p.get('due_at')}",
    "ReassessmentDeadlineMet": lambda p: f"reassessment deadline met: {p.get('outcome')}{_late(p)}",
    "ReassessmentOverdue": lambda p: f"reassessment overdue (due {p.get('due_at')})",
    "EmergencyRepairRaised": lambda p: (
        f"emergency repair raised ({p.get('kind')}), due {p.get('due_at')}"
    ),
    "EmergencyRepairCompleted": lambda p: f"emergency repair completed{_late(p)}",
    "EmergencyRepairOverdue": lambda p: f"emergency repair overdue (due {p.get('due_at')})",
    "ContactAttempted": lambda p: f"contact attempt by {p.get('method')}: {p.get('outcome')}",
    "SurvivorContacted": lambda p: (
        f"survivor contacted by {p.get('method')}"
        + (" (first contact)" if p.get("first_contact") else "")
        + _late(p)
    ),
    "ContactOverdue": lambda p: f"first contact overdue (due {p.get('due_at')})",
    "DashOverdue": lambda p: f"DASH overdue (due {p.get('due_at')})",
    "ReviewOverdue": lambda p: f"review overdue (due {p.get('due_at')})",
    "DashDeadlineMet": lambda p: f"DASH deadline met: {p.get('outcome')}{_late(p)}",
    "DashCompleted": lambda p: (
        f"DASH completed: {p.get('risk_level')} risk (scored {p.get('scored_level')}, "
        f"{p.get('yes_count')} yes, {p.get('dont_know_count')} don't know)"
    ),
    "DashDeclined": lambda _: "the survivor declined the DASH",
    "DashCompletedElsewhere": lambda p: f"DASH completed by {p.get('agency')}",
    "RiskLevelChanged": lambda p: (
        f"risk level {p.get('previous_level') or 'none'} -> {p.get('new_level')} ({p.get('basis')})"
    ),
    "CaseClosureRequested": lambda p: f"closure requested ({p.get('reason')})",
    "CaseClosureDeclined": lambda _: "closure declined",
    "CaseClosed": lambda p: f"case closed ({p.get('reason')}), approved by {p.get('approved_by')}",
    "CaseReopened": lambda p: f"case reopened ({p.get('reason')})",
    "CaseErased": lambda p: f"case erased ({p.get('basis')}, {p.get('reason')})",
    "MaracReferralDue": lambda p: f"MARAC referral due: {_list(p.get('criteria'))}",
    "MaracReferred": lambda p: (
        f"referred to MARAC: {_list(p.get('criteria'))}; "
        f"survivor informed: {_yes(p.get('survivor_informed'))}"
    ),
    "ReferralMade": lambda p: f"{p.get('referral_type')} referral made ({p.get('sharing_basis')})",
}


_PYDANTIC_TIMES: Final = frozenset(
    {"AwareDatetime", "NaiveDatetime", "FutureDatetime", "PastDatetime", "FutureDate", "PastDate"}
)


def _plain_type(annotation: Any) -> bool:
    """True for codes, flags, numbers and times (what a generic summary may show)."""
    if getattr(annotation, "__name__", None) in _PYDANTIC_TIMES:
        return True
    if isinstance(annotation, type):
        return issubclass(annotation, enum.Enum | bool | int | float | datetime | date)
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _plain_type(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return bool(args) and all(_plain_type(a) for a in args)
    return False


def generic(event_type: str, payload: Payload) -> str:
    model = model_of(event_type)
    if model is None:
        return "(event type unknown to this tool)"
    parts: list[str] = []
    for name, field in model.model_fields.items():
        if is_personal(field) or not _plain_type(field.annotation):
            continue
        value = payload.get(name)
        if value is None:
            continue
        parts.append(f"{name}={value}")
        if len(parts) == MAX_GENERIC_FIELDS:
            break
    return "; ".join(parts)


def summary(event_name: str, event_type: str, payload: Payload) -> str:
    """One line about the event, without personal data."""
    describe = SUMMARIES.get(event_name)
    if describe is None:
        return generic(event_type, payload)
    try:
        return describe(payload)
    except (AttributeError, TypeError, KeyError):
        return generic(event_type, payload)
