"""Enforcing the survivor's safe-contact arrangements on every attempt and contact.

Each refusal names the rule it enforces (a stable code and a message without personal
data: never a number or a name). What is checked, as far as the command says:

- the channel must be one the survivor marked safe (in person, at the office or a place
  the survivor chose, is always allowed; in person at the survivor's home is a visit) —
  `unsafe_channel`;
- calls, texts, emails and visits (a meeting at the survivor's home included) must fall
  inside a safe time window, when windows are recorded (letters arrive whenever the post
  comes; meetings elsewhere are arranged; the survivor's reply comes when they choose)
  — `outside_safe_times`;
- no voicemail (a call that left a message, with nobody named as taking it, whatever
  its outcome says) when the survivor said never to leave one — `voicemail_not_allowed`;
- a message left with someone who answered names them (`unsafe_person` otherwise);
- calls and texts from a withheld number only, when the survivor asked: the caseworker
  must say the number was withheld — `withheld_number_required`;
- never a family member or friend as interpreter when an interpreter is needed —
  `independent_interpreter_required`;
- calls and texts say which number was used (`phone_number_required`), and it must be one
  of the survivor's safe numbers (`unsafe_number`); numbers compare by their digits, with
  +44 and a leading 0 the same (`comparable_number`);
- whoever else the caseworker spoke to or left a message with must be one of the people
  the survivor named as safe to speak to (`unsafe_person`); names compare ignoring case
  and spacing (`comparable_name`);
- never an alleged perpetrator's number, email or address, even one recorded as safe
  before it was known to be theirs — `matches_alleged_perpetrator`: a call or text to
  a number of theirs (with or without arrangements), an email to a safe email of
  theirs, a letter to a safe address of theirs. Arrangements that give one are refused
  when recorded (`check_not_perpetrators`). Emails compare ignoring case and spaces
  around them; addresses by their first line (ignoring case, spacing and punctuation)
  and postcode (ignoring case and spaces).

Until the survivor's own arrangements are recorded (none yet, or only ones a report gave
that are not confirmed as the survivor's: `SafeContactUpdated.survivors_own` false),
every attempt and contact records that the caseworker checked it was safe to talk
(`safe_to_talk_not_checked`), and no attempt leaves a message of any kind: not with
anyone, not as a voicemail, not as a text, email, letter or card
(`message_before_arrangements`). Unconfirmed arrangements are still respected in what
they rule out (channels, times, withheld number, voicemail, interpreter), but their lists
of safe numbers and people are not taken as the survivor's. The first successful contact
records the survivor's own arrangements (in `casework`).

Which details belong to which contact (a number only on a call or text, a person only
when someone else answered or a message was left) is the events' own validation, not a
safety rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo

from hearth.contracts.events import cases as ev
from hearth.contracts.events.case_values import (
    ContactAttemptOutcome,
    InterpreterUse,
    MeetingPlace,
    UnconfirmedSafeContact,
)
from hearth.contracts.events.common import (
    PHONE_METHODS,
    ContactMethod,
    PersonDetails,
    PostalAddress,
    ReporterKind,
    SafeContact,
    Weekday,
)
from hearth.contracts.events.intake import ReportReceived
from hearth.eventstore.errors import DomainError

_TIME_BOUND = frozenset(
    {ContactMethod.CALL, ContactMethod.TEXT, ContactMethod.EMAIL, ContactMethod.VISIT}
)
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
    message_left: bool | None = None
    """A message was left (a voicemail, with someone, a text, email or letter)."""
    safe_to_talk_checked: bool | None = None
    """The caseworker checked it was safe to talk before saying anything."""
    survivor_replied: bool = False
    """The survivor replied to a text, email or letter: they chose when, and the number
    it came from is theirs, so safe times and a withheld number do not apply."""
    number_withheld: bool | None = None
    interpreter: InterpreterUse | None = None
    phone_number: str | None = None
    """The survivor's number called or texted."""
    spoke_to: str | None = None
    """Someone other than the survivor who answered or took a message."""
    place: MeetingPlace | None = None
    """Where an in-person contact happened."""

    @property
    def checked_as(self) -> ContactMethod:
        """The channel the rules apply to: a meeting at the survivor's home is a visit."""
        if self.method is ContactMethod.IN_PERSON and self.place is MeetingPlace.SURVIVOR_HOME:
            return ContactMethod.VISIT
        return self.method


def comparable_number(number: str) -> str:
    """A phone number as its digits, with the UK's +44 (or 0044) written as the leading 0:
    "+44 7700 900123", "+44 (0)7700 900123", "07700900123" and "07700 900 123" are one
    number. Other international numbers keep their +, so they never match a UK one."""
    digits = "".join(ch for ch in number if ch in "0123456789")
    if number.lstrip().startswith("+"):
        international = digits
    elif digits.startswith("00"):
        international = digits[2:]
    else:
        return digits
    if international.startswith("44"):
        return "0" + international[2:].removeprefix("0")
    return "+" + international


def comparable_name(name: str) -> str:
    """A name ignoring case and spacing, so "chris  Example" is "Chris Example"."""
    return " ".join(name.split()).casefold()


def comparable_email(email: str) -> str:
    """An email address ignoring case and the spaces around it."""
    return email.strip().casefold()


def comparable_address(address: PostalAddress) -> tuple[str, str | None]:
    """An address as its first line (ignoring case, spacing and punctuation) and its
    postcode (ignoring case and spaces)."""
    first = "".join(ch if ch.isalnum() else " " for ch in address.lines[0])
    postcode = "".join(address.postcode.split()).upper() if address.postcode else None
    return " ".join(first.split()).casefold(), postcode or None


def same_address(a: PostalAddress, b: PostalAddress) -> bool:
    """The same first line, and the same postcode where both have one."""
    (line_a, postcode_a), (line_b, postcode_b) = comparable_address(a), comparable_address(b)
    return line_a == line_b and (
        postcode_a is None or postcode_b is None or postcode_a == postcode_b
    )


def _theirs_number(number: str, perpetrators: Iterable[PersonDetails]) -> bool:
    return any(
        p.phone is not None and comparable_number(p.phone) == comparable_number(number)
        for p in perpetrators
    )


def _theirs_email(email: str, perpetrators: Iterable[PersonDetails]) -> bool:
    return any(
        p.email is not None and comparable_email(p.email) == comparable_email(email)
        for p in perpetrators
    )


def _theirs_address(address: PostalAddress, perpetrators: Iterable[PersonDetails]) -> bool:
    return any(p.address is not None and same_address(p.address, address) for p in perpetrators)


def check_not_perpetrators(
    arrangements: SafeContact, perpetrators: Iterable[PersonDetails]
) -> None:
    """Refuse arrangements giving a safe number, email or address that is an alleged
    perpetrator's, without saying which or echoing it."""
    perpetrators = tuple(perpetrators)
    if (
        any(_theirs_number(n, perpetrators) for n in arrangements.safe_phone_numbers)
        or (
            arrangements.safe_email is not None
            and _theirs_email(arrangements.safe_email, perpetrators)
        )
        or (
            arrangements.safe_postal_address is not None
            and _theirs_address(arrangements.safe_postal_address, perpetrators)
        )
    ):
        raise DomainError(
            "a safe number, email or address given is an alleged perpetrator's on this case",
            code="matches_alleged_perpetrator",
        )


def reported_arrangements(
    report: ReportReceived, perpetrators: Iterable[PersonDetails], now: datetime
) -> ev.SafeContactUpdated | None:
    """The arrangements a report gives, recorded as the survivor's own only when the
    survivor made the report and no safe detail is an alleged perpetrator's; otherwise
    unconfirmed until the caseworker confirms them with the survivor."""
    if report.safe_contact is None:
        return None
    because = None
    try:
        check_not_perpetrators(report.safe_contact, perpetrators)
    except DomainError:
        because = UnconfirmedSafeContact.MATCHES_ALLEGED_PERPETRATOR
    if because is None and report.reporter.kind is not ReporterKind.SURVIVOR:
        because = UnconfirmedSafeContact.GIVEN_BY_THIRD_PARTY
    return ev.SafeContactUpdated(
        case_id=report.case_id,
        updated_at=now,
        safe_contact=report.safe_contact,
        survivors_own=because is None,
        unconfirmed_because=because,
    )


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
    arrangements: SafeContact | None,
    intent: ContactIntent,
    zone: tzinfo,
    perpetrators: Iterable[PersonDetails] = (),
    *,
    survivors_own: bool = True,
) -> None:
    """Raise UnsafeContact naming the first rule the intended contact would break, under
    `arrangements` (the survivor's own, or not yet confirmed as theirs)."""
    perpetrators = tuple(perpetrators)
    _check_not_to_perpetrator(arrangements, intent, perpetrators)
    own = arrangements is not None and survivors_own
    if not own:
        _check_before_arrangements(intent)
    if arrangements is None:
        return
    method = intent.checked_as
    if not channel_is_safe(arrangements, method):
        raise UnsafeContact(
            f"the survivor has marked {method.value} as not safe", code="unsafe_channel"
        )
    if (
        method in _TIME_BOUND
        and not intent.survivor_replied
        and not within_safe_times(arrangements, intent.at.astimezone(zone))
    ):
        raise UnsafeContact(
            "this is outside the survivor's safe times for contact", code="outside_safe_times"
        )
    if intent.message_left and intent.spoke_to is None:
        if intent.outcome is ContactAttemptOutcome.SOMEONE_ELSE_ANSWERED:
            raise UnsafeContact(
                "name who the message was left with: it must be someone the survivor "
                "named as safe to speak to",
                code="unsafe_person",
            )
        # A message on a call, with nobody named as taking it, is a voicemail.
        if arrangements.never_leave_voicemail and method is ContactMethod.CALL:
            raise UnsafeContact(
                "the survivor asked that no voicemail is ever left", code="voicemail_not_allowed"
            )
    if (
        arrangements.withheld_number_only
        and method in PHONE_METHODS
        and not intent.survivor_replied
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
    if not own:
        return  # whose numbers and people are safe is the survivor's to say
    if method in PHONE_METHODS:
        _check_number(arrangements, intent.phone_number)
    if intent.spoke_to is not None:
        _check_person(arrangements, intent.spoke_to)


def _check_before_arrangements(intent: ContactIntent) -> None:
    if intent.safe_to_talk_checked is not True:
        raise UnsafeContact(
            "until the survivor's own safe-contact arrangements are recorded, check it is "
            "safe to talk before saying anything, and record that you did",
            code="safe_to_talk_not_checked",
        )
    if intent.outcome is not None and intent.message_left is not False:
        raise UnsafeContact(
            "until the survivor's own safe-contact arrangements are recorded, leave no "
            "message of any kind, and record that none was left",
            code="message_before_arrangements",
        )


def _check_not_to_perpetrator(
    arrangements: SafeContact | None,
    intent: ContactIntent,
    perpetrators: tuple[PersonDetails, ...],
) -> None:
    method = intent.method
    to_them = (
        (
            method in PHONE_METHODS
            and intent.phone_number is not None
            and _theirs_number(intent.phone_number, perpetrators)
        )
        or (
            method is ContactMethod.EMAIL
            and arrangements is not None
            and arrangements.safe_email is not None
            and _theirs_email(arrangements.safe_email, perpetrators)
        )
        or (
            method is ContactMethod.LETTER
            and arrangements is not None
            and arrangements.safe_postal_address is not None
            and _theirs_address(arrangements.safe_postal_address, perpetrators)
        )
    )
    if to_them:
        raise UnsafeContact(
            f"that {method.value} goes to an alleged perpetrator on this case",
            code="matches_alleged_perpetrator",
        )


def _check_number(arrangements: SafeContact, phone_number: str | None) -> None:
    if phone_number is None:
        raise UnsafeContact(
            "say which of the survivor's safe numbers was called or texted",
            code="phone_number_required",
        )
    safe = {comparable_number(n) for n in arrangements.safe_phone_numbers}
    if comparable_number(phone_number) not in safe:
        raise UnsafeContact(
            "that number is not one of the survivor's safe numbers", code="unsafe_number"
        )


def _check_person(arrangements: SafeContact, spoke_to: str) -> None:
    if not arrangements.safe_people_to_speak_to:
        raise UnsafeContact(
            "the survivor has named nobody it is safe to speak to or leave a message with",
            code="unsafe_person",
        )
    safe = {comparable_name(n) for n in arrangements.safe_people_to_speak_to}
    if comparable_name(spoke_to) not in safe:
        raise UnsafeContact(
            "that person is not one the survivor named as safe to speak to",
            code="unsafe_person",
        )
