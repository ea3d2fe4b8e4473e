"""The confidential web form's fields, read into a report submission or a list of errors.

Pure: the form's fields in, a `ReportSubmission` or field errors out (in plain English,
each linked to its field by id, GOV.UK style). What was typed is kept so the form can
be shown again with it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any, Final

from pydantic import TypeAdapter, ValidationError

from hearth.contracts.events.base import has_control_character, remove_control_characters
from hearth.contracts.events.common import (
    AbuseType,
    Channel,
    EmailAddress,
    Gender,
    PhoneNumber,
    Relationship,
    ReporterKind,
    SafeContact,
    SafeTimeWindow,
    ThirdPartyRelationship,
    Weekday,
)
from hearth.contracts.events.intake import Reporter
from hearth.intake.domain.submission import (
    AllegedPerpetratorIn,
    ChildIn,
    ReportSubmission,
    SurvivorIn,
)

MAX_CHILDREN: Final = 20
WHOLE_DAY: Final = (time(0, 0), time(23, 59, 59))

_PHONE: Final = TypeAdapter(PhoneNumber)
_EMAIL: Final = TypeAdapter(EmailAddress)

REPORTER_CHOICES: Final = {
    "self": "I am the person this is happening to",
    "someone_else": "I am worried about someone else",
    "rather_not_say": "I would rather not say",
}
RELATIONSHIP_CHOICES: Final = {
    ThirdPartyRelationship.NEIGHBOUR.value: "Neighbour",
    ThirdPartyRelationship.RELATIVE.value: "Relative",
    ThirdPartyRelationship.FRIEND.value: "Friend",
    ThirdPartyRelationship.PROFESSIONAL.value: "I know them through my work",
    ThirdPartyRelationship.OTHER.value: "Other",
}
ABUSE_CHOICES: Final = {
    AbuseType.PHYSICAL.value: "Physical violence, like hitting, pushing or strangling",
    AbuseType.SEXUAL.value: "Sexual abuse",
    AbuseType.VIOLENT_OR_THREATENING.value: "Threats, or violent or frightening behaviour",
    AbuseType.CONTROLLING_OR_COERCIVE.value: (
        "Controlling behaviour, like checking your phone or stopping you seeing people"
    ),
    AbuseType.ECONOMIC.value: "Controlling money, or stopping you working",
    AbuseType.PSYCHOLOGICAL_EMOTIONAL_OR_OTHER.value: "Emotional abuse, like put-downs or insults",
    AbuseType.STALKING.value: "Stalking or harassment",
    AbuseType.HONOUR_BASED.value: "So-called 'honour'-based abuse",
    AbuseType.FORCED_MARRIAGE.value: "Forced marriage",
    AbuseType.FGM.value: "Female genital mutilation (FGM)",
    AbuseType.SEXUAL_EXPLOITATION.value: "Sexual exploitation",
}
PERPETRATOR_RELATIONSHIP_CHOICES: Final = {
    Relationship.INTIMATE_PARTNER.value: "Partner",
    Relationship.FORMER_INTIMATE_PARTNER.value: "Ex-partner",
    Relationship.SPOUSE_OR_CIVIL_PARTNER.value: "Husband, wife or civil partner",
    Relationship.FORMER_SPOUSE_OR_CIVIL_PARTNER.value: "Ex-husband, ex-wife or ex-civil partner",
    Relationship.ENGAGED_OR_FORMERLY_ENGAGED.value: "Fiancé or fiancée (or former)",
    Relationship.PARENT_OF_SAME_CHILD.value: "The other parent of a child",
    Relationship.RELATIVE.value: "A relative, like a parent, child or sibling",
    Relationship.COHABITANT.value: "Someone who lives in the home",
    Relationship.NOT_KNOWN.value: "Not sure",
}
CONTACT_CHOICES: Final = {
    "call": "Phone call",
    "text": "Text message",
    "email": "Email",
    "letter": "Letter to the address given",
    "visit": "A visit to the home",
}
DAY_CHOICES: Final = {day.value: day.value.capitalize() for day in Weekday}
CASE_MANAGER_GENDER_CHOICES: Final = {
    Gender.WOMAN.value: "A woman",
    Gender.MAN.value: "A man",
    "no_preference": "No preference",
}
YES_NO: Final = {"yes": "Yes", "no": "No"}
WORKS_HERE: Final = {"yes": "Yes, they work for us"}
"""A person who works for the landlord: the case is restricted (a resident cannot know
their staff id, so the DA leads alone see it until staff record it)."""
HOME_DAMAGED_CHOICES: Final = {"yes": "Yes, the home is damaged and it is not safe"}
YES_NO_NOT_SURE: Final = {"yes": "Yes", "no": "No", "dont_know": "Not sure"}

TEXT_LIMITS: Final = {
    "reporter_name": 200,
    "reporter_phone": 32,
    "reporter_email": 254,
    "survivor_name": 200,
    "address_line1": 100,
    "address_line2": 100,
    "address_town": 100,
    "postcode": 10,
    "account": 20_000,
    "perpetrator_name": 200,
    "safe_phone": 32,
    "safe_email": 254,
    "interpreter_language": 200,
    "contact_notes": 2_000,
}
MULTI_LINE_FIELDS: Final = frozenset({"account", "contact_notes"})
"""The text areas: line breaks and tabs are kept in them."""
FIELD_LABELS: Final = {
    "reporter_name": "Your name",
    "reporter_phone": "Your phone number",
    "reporter_email": "Your email address",
    "survivor_name": "Name",
    "address_line1": "Address line 1",
    "address_line2": "Address line 2",
    "address_town": "Town or city",
    "postcode": "Postcode",
    "account": "What is happening",
    "perpetrator_name": "Their name",
    "safe_phone": "Safe phone number",
    "safe_email": "Safe email address",
    "interpreter_language": "Language",
    "contact_notes": "Anything else about contacting safely",
    "survivor_dob": "Date of birth",
    "children_count": "Number of children",
    "safe_from": "The time from",
    "safe_to": "The time to",
}
FIELD_ORDER: Final = (
    "reporter",
    "relationship",
    "reporter_name",
    "reporter_phone",
    "reporter_email",
    "survivor_name",
    "survivor_dob",
    "address_line1",
    "address_line2",
    "address_town",
    "postcode",
    "survivor_works_here",
    "account",
    "abuse_types",
    "immediate_danger",
    "home_damaged",
    "perpetrator_name",
    "perpetrator_relationship",
    "perpetrator_works_here",
    "children",
    "children_count",
    "children_affected",
    "contact_methods",
    "safe_phone",
    "safe_email",
    "safe_days",
    "safe_from",
    "safe_to",
    "voicemail",
    "withheld_number_only",
    "interpreter_language",
    "contact_notes",
    "case_manager_gender",
    "consent",
)
"""The order fields appear in on the page, so the error summary follows it."""


@dataclass(frozen=True, slots=True)
class FieldError:
    """A problem with one field: its id (the link target) and what to do about it."""

    field: str
    message: str


@dataclass
class ParsedForm:
    """What the form said: a submission when it is valid, otherwise the errors."""

    values: dict[str, list[str]]
    errors: list[FieldError] = field(default_factory=list)
    submission: ReportSubmission | None = None

    def error_for(self, name: str) -> str | None:
        return next((e.message for e in self.errors if e.field == name), None)


class _Reader:
    """Reads fields and collects errors, one per field, in page order."""

    def __init__(self, values: Mapping[str, Sequence[str]]) -> None:
        self.values = {k: [v for v in vs] for k, vs in values.items()}
        self.errors: dict[str, str] = {}

    def text(self, name: str) -> str | None:
        raw = (self.values.get(name) or [""])[0]
        multi_line = name in MULTI_LINE_FIELDS
        if not multi_line:
            # A one-line box: a pasted tab or line break is a space, nothing to refuse.
            raw = raw.replace("\t", " ").replace("\r", " ").replace("\n", " ")
        if has_control_character(raw, multi_line=multi_line):
            # Invisible characters no report may hold (NUL and the like): shown again
            # without them, so sending the form again works, and said plainly.
            self.values[name] = [remove_control_characters(raw, multi_line=multi_line)]
            self.fail(
                name,
                f"{FIELD_LABELS.get(name, 'This answer')} had hidden characters in it that we "
                "cannot accept. We have taken them out: check it and send the form again",
            )
            return None
        raw = raw.strip()
        if not raw:
            return None
        limit = TEXT_LIMITS.get(name)
        if limit is not None and len(raw) > limit:
            self.fail(name, f"{FIELD_LABELS[name]} must be {limit:,} characters or fewer")
            return None
        return raw

    def choice(self, name: str, choices: Mapping[str, str]) -> str | None:
        raw = (self.values.get(name) or [""])[0]
        return raw if raw in choices else None

    def choices(self, name: str, choices: Mapping[str, str]) -> list[str]:
        picked = set(self.values.get(name) or [])
        return [c for c in choices if c in picked]

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def ordered_errors(self) -> list[FieldError]:
        return [FieldError(n, self.errors[n]) for n in FIELD_ORDER if n in self.errors]


def parse_report_form(values: Mapping[str, Sequence[str]], *, today: date) -> ParsedForm:
    """Read the web form into a submission (channel web_form), or say what to fix."""
    r = _Reader(values)
    reporter = _reporter(r)
    survivor = _survivor(r, today)
    account = r.text("account")
    if account is None and "account" not in r.errors:
        r.fail("account", "Tell us what is happening")
    danger = r.choice("immediate_danger", YES_NO)
    if danger is None:
        r.fail("immediate_danger", "Select yes if anyone is in immediate danger now")
    # A ticked box: the home is damaged and it is not safe (an emergency repair is due).
    home_damaged = r.choices("home_damaged", HOME_DAMAGED_CHOICES) == ["yes"]
    perpetrators = _perpetrators(r)
    children = _children(r)
    safe_contact = _safe_contact(r)
    consent = r.choice("consent", YES_NO)
    preferred_gender = r.choice("case_manager_gender", CASE_MANAGER_GENDER_CHOICES)
    abuse_types = tuple(AbuseType(v) for v in r.choices("abuse_types", ABUSE_CHOICES))

    parsed = ParsedForm(values=r.values)
    if r.errors or reporter is None or danger is None:
        parsed.errors = r.ordered_errors()
        return parsed
    # Consent and a preferred case manager are the person's own to give.
    survivor_speaking = reporter.kind is not ReporterKind.THIRD_PARTY
    try:
        parsed.submission = ReportSubmission(
            channel=Channel.WEB_FORM,
            reporter=reporter,
            survivor=survivor,
            alleged_perpetrators=perpetrators,
            children=children,
            abuse_types=abuse_types,
            immediate_danger=danger == "yes",
            home_damaged_safety_at_risk=home_damaged,
            # The form says "call 999" above everything else: every reporter is told.
            advised_to_call_999=True,
            consent_to_contact=consent == "yes" if survivor_speaking and consent else None,
            safe_contact=safe_contact,
            account=account,
            preferred_case_manager_gender=Gender(preferred_gender)
            if survivor_speaking and preferred_gender in {Gender.WOMAN, Gender.MAN}
            else None,
        )
    except ValidationError as exc:
        for error in exc.errors():
            name = _field_of(error["loc"])
            r.fail(name, "Check this answer")
        parsed.errors = r.ordered_errors()
    return parsed


def _reporter(r: _Reader) -> Reporter | None:
    kind = r.choice("reporter", REPORTER_CHOICES)
    if kind is None:
        r.fail("reporter", "Select who is filling in this form")
        return None
    name = r.text("reporter_name")
    phone = _phone(r, "reporter_phone")
    email = _email(r, "reporter_email")
    if kind == "rather_not_say":
        for given in ("reporter_name", "reporter_phone", "reporter_email"):
            if (r.values.get(given) or [""])[0].strip():
                r.fail(
                    given,
                    "Leave your own name and contact details empty if you would rather not "
                    "say who you are",
                )
        return Reporter(kind=ReporterKind.ANONYMOUS)
    if kind == "someone_else":
        relationship = r.choice("relationship", RELATIONSHIP_CHOICES)
        if relationship is None:
            r.fail("relationship", "Select how you know the person this is happening to")
            return None
        return Reporter(
            kind=ReporterKind.THIRD_PARTY,
            relationship=ThirdPartyRelationship(relationship),
            name=name,
            phone=phone,
            email=email,
        )
    return Reporter(kind=ReporterKind.SURVIVOR, name=name, phone=phone, email=email)


def _survivor(r: _Reader, today: date) -> SurvivorIn:
    name = r.text("survivor_name")
    born = None
    raw_dob = r.text("survivor_dob")
    if raw_dob is not None:
        try:
            born = date.fromisoformat(raw_dob)
        except ValueError:
            r.fail("survivor_dob", "Enter a real date of birth, or leave it empty")
        else:
            if born >= today:
                r.fail("survivor_dob", "Date of birth must be in the past")
                born = None
    lines = [r.text(n) for n in ("address_line1", "address_line2", "address_town")]
    postcode = r.text("postcode")
    address: dict[str, Any] | None = None
    if any(lines) or postcode:
        if lines[0] is None:
            r.fail("address_line1", "Enter the first line of the address, or leave it all empty")
        else:
            address = {"lines": tuple(line for line in lines if line), "postcode": postcode}
    return SurvivorIn.model_validate(
        {
            "name": name,
            "date_of_birth": born,
            "address": address,
            "is_staff_member": bool(r.choices("survivor_works_here", WORKS_HERE)),
        }
    )


def _perpetrators(r: _Reader) -> tuple[AllegedPerpetratorIn, ...]:
    name = r.text("perpetrator_name")
    relationship = r.choice("perpetrator_relationship", PERPETRATOR_RELATIONSHIP_CHOICES)
    works_here = bool(r.choices("perpetrator_works_here", WORKS_HERE))
    if name is None and relationship is None and not works_here:
        return ()
    return (
        AllegedPerpetratorIn(
            name=name,
            relationship_to_survivor=Relationship(relationship or Relationship.NOT_KNOWN),
            is_staff_member=works_here,
        ),
    )


def _children(r: _Reader) -> tuple[ChildIn, ...]:
    answer = r.choice("children", YES_NO_NOT_SURE)
    raw_count = r.text("children_count")
    count = 1
    if raw_count is not None:
        if not raw_count.isdigit() or not 1 <= int(raw_count) <= MAX_CHILDREN:
            r.fail(
                "children_count",
                f"Number of children must be a whole number from 1 to {MAX_CHILDREN}",
            )
            return ()
        count = int(raw_count)
        answer = answer or "yes"
    if answer != "yes":
        return ()
    # Children in a home where there is domestic abuse experience its effects (Domestic
    # Abuse Act 2021 s3): unless the reporter says they do not, record them as affected.
    affected = r.choice("children_affected", YES_NO_NOT_SURE) != "no"
    return tuple(ChildIn(lives_in_household=True, affected_by_abuse=affected) for _ in range(count))


def _safe_contact(r: _Reader) -> SafeContact | None:
    methods = set(r.choices("contact_methods", CONTACT_CHOICES))
    phone = _phone(r, "safe_phone")
    email = _email(r, "safe_email")
    if methods & {"call", "text"} and phone is None and "safe_phone" not in r.errors:
        r.fail("safe_phone", "Enter a phone number that is safe for us to call or text")
    if "email" in methods and email is None and "safe_email" not in r.errors:
        r.fail("safe_email", "Enter an email address that is safe for us to use")
    windows = _safe_times(r)
    voicemail = r.choice("voicemail", YES_NO)
    withheld = "yes" in (r.values.get("withheld_number_only") or [])
    language = r.text("interpreter_language")
    notes = r.text("contact_notes")
    said_anything = (
        methods or phone or email or windows or voicemail or withheld or language or notes
    )
    if not said_anything or r.errors:
        return None
    return SafeContact(
        safe_to_call="call" in methods,
        safe_to_text="text" in methods,
        safe_to_email="email" in methods,
        safe_to_write="letter" in methods,
        safe_to_visit="visit" in methods,
        safe_phone_numbers=(phone,) if phone else (),
        safe_email=email,
        safe_times=windows,
        withheld_number_only=withheld,
        # Unless told a voicemail is safe, never leave one.
        never_leave_voicemail=voicemail != "yes",
        interpreter_needed=language is not None,
        interpreter_language=language,
        notes=notes,
    )


def _safe_times(r: _Reader) -> tuple[SafeTimeWindow, ...]:
    days = r.choices("safe_days", DAY_CHOICES)
    start, end = _time(r, "safe_from"), _time(r, "safe_to")
    if "safe_from" in r.errors or "safe_to" in r.errors:
        return ()
    if (start is None) != (end is None):
        r.fail("safe_from" if start is None else "safe_to", "Enter both times, or neither")
        return ()
    if start is not None and end is not None and end <= start:
        r.fail("safe_to", "The end time must be after the start time")
        return ()
    if not days and start is None:
        return ()
    window = (start, end) if start is not None and end is not None else WHOLE_DAY
    return tuple(
        SafeTimeWindow(day=Weekday(day), start=window[0], end=window[1])
        for day in (days or list(DAY_CHOICES))
    )


def _time(r: _Reader, name: str) -> time | None:
    raw = r.text(name)
    if raw is None:
        return None
    try:
        return time.fromisoformat(raw)
    except ValueError:
        r.fail(name, "Enter a time, like 09:30")
        return None


def _phone(r: _Reader, name: str) -> str | None:
    raw = r.text(name)
    if raw is None:
        return None
    try:
        return _PHONE.validate_python(raw)
    except ValidationError:
        r.fail(name, "Enter a phone number, like 07700 900 982")
        return None


def _email(r: _Reader, name: str) -> str | None:
    raw = r.text(name)
    if raw is None:
        return None
    try:
        return _EMAIL.validate_python(raw)
    except ValidationError:
        r.fail(name, "Enter an email address, like name@example.com")
        return None


_LOCATIONS: Final = {
    "reporter": "reporter",
    "survivor": "survivor_name",
    "alleged_perpetrators": "perpetrator_name",
    "children": "children",
    "safe_contact": "contact_methods",
    "account": "account",
    "abuse_types": "abuse_types",
}


def _field_of(loc: tuple[int | str, ...]) -> str:
    """The form field behind an error the checks above did not foresee."""
    return _LOCATIONS.get(str(loc[0]) if loc else "", "account")
