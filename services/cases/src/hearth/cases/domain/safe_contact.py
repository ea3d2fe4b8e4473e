"""Enforcing the survivor's safe-contact arrangements on every attempt and contact.

Each refusal names the rule it enforces (a stable code and a message without personal
data). What is checked, as far as the command says:

- the channel must be one the survivor marked safe (in person, at a place the survivor
  chose, is always allowed);
- calls, texts, emails and visits must fall inside a safe time window, when windows are
  recorded (letters arrive whenever the post comes; in-person meetings are arranged);
- no voicemail (a call that left a message) when the survivor said never to leave one;
- calls and texts from a withheld number only, when the survivor asked: the caseworker
  must say the number was withheld;
- never a family member or friend as interpreter when an interpreter is needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from hearth.contracts.events.case_values import ContactAttemptOutcome, InterpreterUse
from hearth.contracts.events.common import ContactMethod, SafeContact, Weekday
from hearth.eventstore.errors import DomainError

_TIME_BOUND = frozenset(
    {ContactMethod.CALL, ContactMethod.TEXT, ContactMethod.EMAIL, ContactMethod.VISIT}
)
_PHONE = frozenset({ContactMethod.CALL, ContactMethod.TEXT})
_WEEKDAYS = tuple(Weekday)


class UnsafeContact(DomainError):
    """The contact would break the survivor's safe-contact arrangements."""

    code = "unsafe_contact"


@dataclass(frozen=True, slots=True)
class ContactIntent:
    """A contact or attempt as the caseworker describes it."""

    method: ContactMethod
    at: datetime
    outcome: ContactAttemptOutcome | None = None
    """None for a contact that reached the survivor."""
    number_withheld: bool | None = None
    interpreter: InterpreterUse | None = None


def channel_is_safe(arrangements: SafeContact, method: ContactMethod) -> bool:
    return {
        ContactMethod.CALL: arrangements.safe_to_call,
        ContactMethod.TEXT: arrangements.safe_to_text,
        ContactMethod.EMAIL: arrangements.safe_to_email,
        ContactMethod.LETTER: arrangements.safe_to_write,
        ContactMethod.VISIT: arrangements.safe_to_visit,
        ContactMethod.IN_PERSON: True,
    }[method]


def within_safe_times(arrangements: SafeContact, local: datetime) -> bool:
    """True inside any recorded window (local time), or always when none is recorded."""
    if not arrangements.safe_times:
        return True
    day = _WEEKDAYS[local.weekday()]
    clock = local.time().replace(tzinfo=None)
    return any(w.day is day and w.start <= clock < w.end for w in arrangements.safe_times)


def check_safe_contact(
    arrangements: SafeContact | None, intent: ContactIntent, zone: tzinfo
) -> None:
    """Raise UnsafeContact naming the first rule the intended contact would break."""
    if arrangements is None:
        return
    method = intent.method
    if not channel_is_safe(arrangements, method):
        raise UnsafeContact(
            f"the survivor has marked {method.value} as not safe", code="unsafe_channel"
        )
    if method in _TIME_BOUND and not within_safe_times(arrangements, intent.at.astimezone(zone)):
        raise UnsafeContact(
            "this is outside the survivor's safe times for contact", code="outside_safe_times"
        )
    if (
        arrangements.never_leave_voicemail
        and method is ContactMethod.CALL
        and intent.outcome is ContactAttemptOutcome.MESSAGE_LEFT
    ):
        raise UnsafeContact(
            "the survivor asked that no voicemail is ever left", code="voicemail_not_allowed"
        )
    if (
        arrangements.withheld_number_only
        and method in _PHONE
        and intent.number_withheld is not True
    ):
        raise UnsafeContact(
            "the survivor may only be called or texted from a withheld number; "
            "say number_withheld once it is",
            code="withheld_number_required",
        )
    if arrangements.interpreter_needed and intent.interpreter is InterpreterUse.FAMILY_OR_FRIEND:
        raise UnsafeContact(
            "an independent interpreter is needed, never family or friends",
            code="independent_interpreter_required",
        )
