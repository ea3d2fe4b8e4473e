"""Every command the cases, risk and referrals APIs accept, as a form.

Declarative: each `Form` names its slug (the URL after `/cases/{case_id}/`), the API it
posts to, who may use it (the roles the API allows), and its fields with where each
value goes in the API's body. Choices come from the contracts' enums, so a new value
there is a new choice here. The DASH checklist's questions are not here: the risk
service's instrument gives them (`hearth.web.forms.dash`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from hearth.contracts.envelope import Role
from hearth.contracts.events.case_values import (
    ClosureReason,
    ContactAttemptOutcome,
    ErasureReason,
    FeedbackRating,
    FlagKind,
    InterpreterUse,
    MeetingPlace,
    ReopenReason,
    RepairKind,
    RestrictionReason,
    ReviewOutcome,
    SecurityMeasure,
    WishesOverrideReason,
)
from hearth.contracts.events.common import (
    AgeBand,
    ContactMethod,
    Ethnicity,
    Gender,
    MonitoringAnswer,
    PerpetratorActionKind,
    ReferralType,
    Relationship,
    Religion,
    RiskLevel,
    Sex,
    SexualOrientation,
)
from hearth.contracts.events.referrals import (
    ConsentMethod,
    DeclineReason,
    IncidentSource,
    ReferralOutcome,
    SharedInformation,
    SharingBasis,
    SpecialistFocus,
)
from hearth.contracts.events.risk import AssessingAgency
from hearth.web.forms.fields import (
    CaseView,
    Field,
    Form,
    FormValue,
    Group,
    Kind,
    Section,
    choices,
)

WORKERS: Final = frozenset({Role.CASE_MANAGER, Role.MANAGER})
"""Case managers and managers: who the APIs let record case work."""
MANAGERS: Final = frozenset({Role.MANAGER})
"""Managers only: reviews, closure decisions, restrictions, erasure decisions."""

CASES: Final = "cases"
RISK: Final = "risk"
REFERRALS: Final = "referrals"

ALL_PEOPLE: Final = ("survivor", "alleged_perpetrators", "children")


def _notes(label: str = "Notes", name: str = "notes", hint: str = "") -> Field:
    return Field(name, label, Kind.TEXTAREA, hint=hint)


def _reason(label: str = "Reason", hint: str = "") -> Field:
    return Field("reason", label, Kind.TEXTAREA, required=True, hint=hint)


def _one(*items: Field | Group, legend: str = "") -> tuple[Section, ...]:
    return (Section(legend, items),)


def _select(
    name: str, label: str, options: Iterable[str], *, required: bool = False, hint: str = ""
) -> Field:
    """A drop-down of an enum's values (or any values), in their order."""
    return Field(name, label, Kind.SELECT, hint=hint, required=required, choices=choices(options))


def _override_section(hint: str) -> Section:
    """A manager's reason to act without, or against, the survivor's recorded wishes."""
    return Section(
        "A manager's override of the survivor's wishes",
        (
            _select("override.reason", "Why it goes ahead", WishesOverrideReason),
            Field("override.explanation", "Explanation", Kind.TEXTAREA),
        ),
        hint=hint,
        id="override",
    )


# --- safe contact (its own form, and part of a first contact) ----------------------------


def safe_contact_fields(prefix: str = "", *, required: bool = True) -> tuple[Field, ...]:
    """The survivor's safe-contact arrangements; `prefix` nests them (`safe_contact.`)."""

    def f(name: str, label: str, kind: Kind, hint: str = "", need: bool = False) -> Field:
        return Field(f"{prefix}{name}", label, kind, hint=hint, required=need and required, path="")

    return (
        f("safe_to_call", "Is it safe to call?", Kind.YES_NO, need=True),
        f("safe_to_text", "Is it safe to text?", Kind.YES_NO, need=True),
        f("safe_to_email", "Is it safe to email?", Kind.YES_NO, need=True),
        f("safe_to_write", "Is it safe to write (post)?", Kind.YES_NO, need=True),
        f("safe_to_visit", "Is it safe to visit at home?", Kind.YES_NO, need=True),
        f(
            "safe_phone_numbers",
            "Safe phone numbers",
            Kind.LINES,
            "One number a line. Required when calls or texts are safe.",
        ),
        f("safe_email", "Safe email address", Kind.TEXT, "Required when email is safe."),
        f(
            "safe_postal_address.lines",
            "Safe postal address",
            Kind.LINES,
            "One line of the address a line, without the postcode.",
        ),
        f("safe_postal_address.postcode", "Postcode of the safe address", Kind.TEXT),
        f(
            "safe_times",
            "Safe times",
            Kind.SAFE_TIMES,
            "One a line, like: Monday 09:00-12:00. Leave empty if any time is safe.",
        ),
        f("withheld_number_only", "Call from a withheld number only?", Kind.YES_NO, need=True),
        f("never_leave_voicemail", "Never leave a voicemail?", Kind.YES_NO, need=True),
        f(
            "interpreter_needed",
            "Is an interpreter needed?",
            Kind.YES_NO,
            "An independent interpreter: never a family member.",
            need=True,
        ),
        f("interpreter_language", "Interpreter's language", Kind.TEXT),
        f(
            "safe_people_to_speak_to",
            "People it is safe to speak to or leave a message with",
            Kind.LINES,
            "One name a line.",
        ),
        f("notes", "Other safe-contact notes", Kind.TEXTAREA),
    )


def _yes_no(value: Any) -> str:
    return "" if value is None else ("yes" if value else "no")


def safe_contact_values(arrangements: Any, prefix: str = "") -> dict[str, FormValue]:
    """Form values from the case's recorded arrangements, to correct rather than retype."""
    if not isinstance(arrangements, dict):
        return {}
    out: dict[str, FormValue] = {}
    for key, value in arrangements.items():
        if isinstance(value, bool):
            out[f"{prefix}{key}"] = _yes_no(value)
        elif key in ("safe_phone_numbers", "safe_people_to_speak_to"):
            out[f"{prefix}{key}"] = "\n".join(value)
        elif key == "safe_times":
            out[f"{prefix}{key}"] = "\n".join(
                f"{w['day'].capitalize()} {w['start'][:5]}-{w['end'][:5]}" for w in value
            )
        elif key == "safe_postal_address" and value:
            out[f"{prefix}{key}.lines"] = "\n".join(value.get("lines", ()))
            out[f"{prefix}{key}.postcode"] = value.get("postcode") or ""
        elif isinstance(value, str):
            out[f"{prefix}{key}"] = value
    return out


def _prefill_safe_contact(case: CaseView) -> dict[str, FormValue]:
    return safe_contact_values(case.get("safe_contact"))


# --- people -------------------------------------------------------------------------------

_WHO: Final = (
    Field("person_id", "Person id", Kind.HIDDEN),
    Field("name", "Name", Kind.TEXT),
    Field("date_of_birth", "Date of birth", Kind.DATE),
)
"""Who a person on the case is: the start of every person's row (survivor, alleged
perpetrator, child)."""


def _person_fields(*, staff: bool = True) -> tuple[Field, ...]:
    fields = (
        *_WHO,
        Field("phone", "Phone", Kind.TEXT),
        Field("email", "Email", Kind.TEXT),
        Field("address.lines", "Address", Kind.LINES, hint="One line a line."),
        Field("address.postcode", "Postcode", Kind.TEXT),
        _select("gender", "Gender", Gender),
    )
    if not staff:
        return fields
    return (
        *fields,
        Field("is_staff_member", "Works for the landlord", Kind.CHECKBOX),
        Field("staff_id", "Staff id (if they work for the landlord)", Kind.TEXT),
    )


_EQUALITY: Final = (
    ("sex", "Sex", Sex),
    ("age_band", "Age band", AgeBand),
    ("disability", "Disability", MonitoringAnswer),
    ("gender_reassignment", "Trans (gender reassignment)", MonitoringAnswer),
    ("lgbtq_plus", "LGBTQ+", MonitoringAnswer),
    ("sexual_orientation", "Sexual orientation", SexualOrientation),
    ("ethnicity", "Ethnic group", Ethnicity),
    ("religion", "Religion or belief", Religion),
    ("married_or_civil_partner", "Married or in a civil partnership", MonitoringAnswer),
    ("pregnant_or_maternity", "Pregnant or on maternity leave", MonitoringAnswer),
)

SURVIVOR_FIELDS: Final = tuple(
    Field(f"survivor.{one.name}", one.label, one.kind, hint=one.hint, choices=one.choices)
    for one in _person_fields()
) + tuple(
    Field(f"survivor.equality.{key}", label, Kind.SELECT, choices=choices(enum))
    for key, label, enum in _EQUALITY
)

PERPETRATOR_FIELDS: Final = (
    *_person_fields(),
    _select(
        "relationship_to_survivor", "Relationship to the survivor", Relationship, required=True
    ),
    Field("lives_with_survivor", "Lives with the survivor?", Kind.YES_NO),
    Field("is_tenant", "Holds a tenancy with us?", Kind.YES_NO),
    _select("age_band", "Age band", AgeBand),
)

CHILD_FIELDS: Final = (
    *_WHO,
    _select("age_band", "Age band", AgeBand),
    Field("lives_in_household", "Lives in the household?", Kind.YES_NO, required=True),
    Field(
        "affected_by_abuse",
        "Sees, hears or experiences the effects of the abuse?",
        Kind.YES_NO,
        required=True,
    ),
)


def _person_values(person: Any, prefix: str) -> dict[str, FormValue]:
    out: dict[str, FormValue] = {}
    if not isinstance(person, dict):
        return out
    for key, value in person.items():
        if value is None:
            continue
        if key == "is_staff_member":
            if value:
                out[f"{prefix}{key}"] = "on"
        elif isinstance(value, bool):
            out[f"{prefix}{key}"] = _yes_no(value)
        elif key == "address":
            out[f"{prefix}address.lines"] = "\n".join(value.get("lines", ()))
            out[f"{prefix}address.postcode"] = value.get("postcode") or ""
        elif key == "equality":
            for k, v in value.items():
                if v is not None:
                    out[f"{prefix}equality.{k}"] = str(v)
        else:
            out[f"{prefix}{key}"] = str(value)
    return out


def _prefill_people(case: CaseView) -> dict[str, FormValue]:
    out = _person_values(case.get("survivor"), "survivor.")
    for i, person in enumerate(case.get("alleged_perpetrators") or ()):
        out.update(_person_values(person, f"alleged_perpetrators.{i}."))
    for i, child in enumerate(case.get("children") or ()):
        out.update(_person_values(child, f"children.{i}."))
    return out


# --- contact ------------------------------------------------------------------------------

_CONTACT_COMMON: Final = (
    Field(
        "happened_at",
        "When it happened",
        Kind.DATETIME,
        required=True,
        hint="UK time. Not in the future, and not before the report.",
    ),
    _select("method", "How", ContactMethod, required=True),
    Field(
        "phone_number",
        "Phone number used",
        Kind.TEXT,
        hint="Calls and texts only: one of the survivor's safe numbers.",
    ),
    _select(
        "place",
        "Where (in person only)",
        MeetingPlace,
        hint="Only for an in-person meeting. At the survivor's home it is checked as a visit.",
    ),
)

_CONTACT_CHECKS: Final = (
    Field(
        "safe_to_talk_checked",
        "Did you check it was safe to talk?",
        Kind.YES_NO,
        hint="Required (yes) until the survivor's own safe-contact arrangements are recorded.",
    ),
    Field("number_withheld", "Was your number withheld?", Kind.YES_NO),
    _select("interpreter", "Interpreter", InterpreterUse),
    _notes(),
)

CONTACT_REFUSALS: Final = (
    ("unsafe_number", "phone_number"),
    ("phone_number_required", "phone_number"),
    ("withheld_number_required", "number_withheld"),
    ("matches_alleged_perpetrator", "method"),
    ("unsafe_channel", "method"),
    ("outside_safe_times", "happened_at"),
    ("happened_before_report", "happened_at"),
    ("happened_in_future", "happened_at"),
    ("unsafe_person", "spoke_to"),
    ("voicemail_not_allowed", "message_left"),
    ("message_before_arrangements", "message_left"),
    ("safe_to_talk_not_checked", "safe_to_talk_checked"),
    ("independent_interpreter_required", "interpreter"),
)
"""Cases' safe-contact refusals (`hearth.cases.domain.safe_contact`, `casework`): the
error body's `code` → the field it is about (a form without that field keeps the
refusal at the top)."""

CONTACT_ATTEMPT: Final = Form(
    slug="contact-attempt",
    service=CASES,
    api_path="/cases/{case_id}/contact-attempts",
    title="Record a contact attempt",
    roles=WORKERS,
    intro="An attempt that did not reach the survivor. A contact that did is recorded "
    "as a contact.",
    shows_safe_contact=True,
    refusal_fields=CONTACT_REFUSALS,
    flash="Contact attempt recorded.",
    sections=_one(
        *_CONTACT_COMMON,
        _select("outcome", "What happened", ContactAttemptOutcome, required=True),
        Field(
            "message_left",
            "Was a message left?",
            Kind.YES_NO,
            hint="A voicemail, a message with someone, or a card. Required for a call.",
        ),
        Field(
            "spoke_to",
            "Who answered or took the message",
            Kind.TEXT,
            hint="Only if someone else answered or took a message: someone the survivor "
            "named as safe to speak to.",
        ),
        *_CONTACT_CHECKS,
    ),
)

CONTACT: Final = Form(
    slug="contact",
    service=CASES,
    api_path="/cases/{case_id}/contacts",
    title="Record a contact",
    roles=WORKERS,
    intro="A two-way contact that reached the survivor. A text, email or letter counts "
    "only when the survivor replied.",
    shows_safe_contact=True,
    refusal_fields=CONTACT_REFUSALS,
    flash="Contact recorded.",
    sections=(
        Section(
            "",
            (
                *_CONTACT_COMMON,
                Field(
                    "survivor_replied",
                    "Did the survivor reply?",
                    Kind.YES_NO,
                    hint="Texts, emails and letters only: the time is when the reply came.",
                ),
                *_CONTACT_CHECKS,
            ),
        ),
        Section(
            "The survivor's safe-contact arrangements",
            safe_contact_fields("safe_contact.", required=False),
            hint="Only when none of the survivor's own are recorded yet: ask the survivor "
            "and record what they say. Leave empty otherwise.",
            id="safe-contact-part",
        ),
    ),
)

SAFE_CONTACT: Final = Form(
    slug="safe-contact",
    service=CASES,
    api_path="/cases/{case_id}/safe-contact",
    title="Safe-contact arrangements",
    roles=WORKERS,
    intro="As the survivor gave or confirmed them to you. These replace what is recorded, "
    "and every contact is checked against them.",
    prefill=_prefill_safe_contact,
    flash="Safe-contact arrangements recorded.",
    sections=_one(*safe_contact_fields()),
)

PEOPLE: Final = Form(
    slug="person",
    service=CASES,
    api_path="/cases/{case_id}/people",
    title="People on the case",
    roles=WORKERS,
    intro="Each part replaces what is recorded: correct the details shown, add someone in "
    "an empty row, or clear a row to remove that person from the case.",
    prefill=_prefill_people,
    flash="People updated.",
    sections=(
        Section("Survivor", SURVIVOR_FIELDS, id="survivor"),
        Section(
            "Alleged perpetrators",
            (
                Group(
                    "alleged_perpetrators",
                    "Alleged perpetrators",
                    PERPETRATOR_FIELDS,
                    rows=1,
                    max_rows=10,
                    item_label="Alleged perpetrator",
                ),
            ),
        ),
        Section(
            "Children",
            (Group("children", "Children", CHILD_FIELDS, rows=1, max_rows=20, item_label="Child"),),
        ),
    ),
)

CASE_MANAGER: Final = Form(
    slug="case-manager",
    service=CASES,
    api_path="/cases/{case_id}/case-manager",
    title="Case manager",
    roles=WORKERS,
    intro="Reassign the case (managers), or record the case manager gender the survivor "
    "prefers, or that they no longer have a preference.",
    flash="Case manager details saved.",
    sections=_one(
        Field("staff_id", "Reassign to (staff id)", Kind.TEXT, hint="Managers only."),
        _select("preferred_gender", "The survivor's preferred gender of case manager", Gender),
        Field("withdraw_preference", "The survivor withdrew their preference", Kind.CHECKBOX),
    ),
)

# --- repairs and security -------------------------------------------------------------------

REPAIR: Final = Form(
    slug="repair",
    service=CASES,
    api_path="/cases/{case_id}/repairs",
    title="Raise an emergency repair",
    roles=WORKERS,
    flash="Emergency repair raised.",
    sections=_one(
        _select("kind", "What it secures", RepairKind, required=True),
        Field("description", "What needs doing", Kind.TEXTAREA, required=True),
        Field("works_order_reference", "Works order reference", Kind.TEXT),
    ),
)

REPAIR_COMPLETION: Final = Form(
    slug="repairs/{repair_id}/completion",
    service=CASES,
    api_path="/cases/{case_id}/repairs/{repair_id}/completion",
    title="Emergency repair completed",
    roles=WORKERS,
    flash="Repair recorded as completed.",
    sections=_one(_notes()),
)

SECURITY_MEASURE: Final = Form(
    slug="security-measure",
    service=CASES,
    api_path="/cases/{case_id}/security-measures",
    title="Request security work",
    roles=WORKERS,
    flash="Security work requested.",
    sections=_one(
        Field(
            "measures",
            "Measures",
            Kind.CHECKBOXES,
            required=True,
            choices=choices(SecurityMeasure),
        ),
        Field("sanctuary_scheme", "Under the sanctuary scheme?", Kind.YES_NO, required=True),
        Field("works_order_reference", "Works order reference", Kind.TEXT),
        _notes(),
    ),
)

SECURITY_INSTALLATION: Final = Form(
    slug="security-measures/{request_id}/installation",
    service=CASES,
    api_path="/cases/{case_id}/security-measures/{request_id}/installation",
    title="Security work fitted",
    roles=WORKERS,
    flash="Security work recorded as fitted.",
    sections=_one(
        Field(
            "measures",
            "Measures now fitted",
            Kind.CHECKBOXES,
            required=True,
            choices=choices(SecurityMeasure),
        ),
        _notes(),
    ),
)

# --- flags, wishes, the perpetrator --------------------------------------------------------

FLAG: Final = Form(
    slug="flag",
    service=CASES,
    api_path="/cases/{case_id}/flags",
    title="Raise a flag",
    roles=WORKERS,
    refusal_fields=(("flag_already_raised", "kind"),),
    flash="Flag raised.",
    sections=_one(
        Field("person_id", "On whom", Kind.PERSON, required=True, people=ALL_PEOPLE),
        _select("kind", "Flag", FlagKind, required=True),
        _reason("Why"),
    ),
)

FLAG_REMOVAL: Final = Form(
    slug="flags/{flag_id}/removal",
    service=CASES,
    api_path="/cases/{case_id}/flags/{flag_id}/removal",
    title="Remove a flag",
    roles=WORKERS,
    flash="Flag removed.",
    sections=_one(_reason("Why the flag is removed")),
)

_ACTIONS: Final = choices(PerpetratorActionKind)


def _prefill_wishes(case: CaseView) -> dict[str, FormValue]:
    """The wishes recorded last: new wishes replace them, so start from them."""
    wishes = case.get("survivor_wishes")
    if not isinstance(wishes, dict):
        return {}
    out: dict[str, FormValue] = {
        "wanted_actions": list(wishes.get("wanted_actions") or ()),
        "unwanted_actions": list(wishes.get("unwanted_actions") or ()),
        "wants_to_stay_in_home": _yes_no(wishes.get("wants_to_stay_in_home")),
    }
    if wishes.get("in_own_words"):
        out["in_own_words"] = str(wishes["in_own_words"])
    return out


WISHES: Final = Form(
    slug="wish",
    service=CASES,
    api_path="/cases/{case_id}/wishes",
    title="The survivor's wishes",
    roles=WORKERS,
    intro="What the survivor wants done, and not done, about the alleged perpetrator. "
    "Recorded before any action is taken; these replace the wishes recorded before.",
    prefill=_prefill_wishes,
    flash="Wishes recorded.",
    sections=_one(
        Field("wanted_actions", "Actions the survivor wants", Kind.CHECKBOXES, choices=_ACTIONS),
        Field(
            "unwanted_actions",
            "Actions the survivor does not want",
            Kind.CHECKBOXES,
            choices=_ACTIONS,
        ),
        Field("wants_to_stay_in_home", "Does the survivor want to stay in the home?", Kind.YES_NO),
        Field("in_own_words", "In the survivor's own words", Kind.TEXTAREA),
    ),
)

PERPETRATOR_ACTION: Final = Form(
    slug="perpetrator-action",
    service=CASES,
    api_path="/cases/{case_id}/perpetrator-actions",
    title="Action about an alleged perpetrator",
    roles=WORKERS,
    intro="Taken where the survivor agreed. Without their recorded wishes, or against them, "
    "a manager gives the reason to go ahead.",
    flash="Action recorded.",
    sections=(
        Section(
            "",
            (
                Field(
                    "perpetrator_person_id",
                    "Alleged perpetrator",
                    Kind.PERSON,
                    required=True,
                    people=("alleged_perpetrators",),
                ),
                Field("kind", "Action", Kind.SELECT, required=True, choices=_ACTIONS),
                _select("referral_type", "Referred to (referrals only)", ReferralType),
                Field("details", "Details", Kind.TEXTAREA),
            ),
        ),
        _override_section("Managers only, and only without or against the survivor's wishes."),
    ),
)

# --- review, closure, reopening, restriction, erasure ---------------------------------------

REVIEW: Final = Form(
    slug="review",
    service=CASES,
    api_path="/cases/{case_id}/reviews",
    title="Review the case",
    roles=MANAGERS,
    refusal_fields=(("next_review_in_past", "next_review_due_at"),),
    flash="Review recorded.",
    sections=_one(
        _select("outcome", "Outcome", ReviewOutcome, required=True),
        Field(
            "next_review_due_at",
            "Next review due",
            Kind.DATETIME,
            hint="Leave empty for the usual interval.",
        ),
        _notes(),
    ),
)

CLOSURE_REQUEST: Final = Form(
    slug="closure-request",
    service=CASES,
    api_path="/cases/{case_id}/closure-request",
    title="Ask to close the case",
    roles=WORKERS,
    intro="A manager approves or declines the request.",
    flash="Closure requested.",
    sections=_one(
        _select("reason", "Reason", ClosureReason, required=True),
        _notes(),
    ),
)

CLOSURE_DECISION: Final = Form(
    slug="closure-decision",
    service=CASES,
    api_path="/cases/{case_id}/closure-decision",
    title="Decide on closing the case",
    roles=MANAGERS,
    flash="Closure decision recorded.",
    shows_closure_request=True,
    sections=(
        Section(
            "",
            (
                Field(
                    "decision",
                    "Decision",
                    Kind.RADIO,
                    required=True,
                    choices=(("approve", "Approve: close the case"), ("decline", "Decline")),
                ),
                Field("reason", "Why it is declined", Kind.TEXTAREA, hint="Required to decline."),
            ),
        ),
        Section(
            "The survivor's feedback",
            (
                Field(
                    "survivor_feedback.feels_safer", "Does the survivor feel safer?", Kind.YES_NO
                ),
                _select("survivor_feedback.rating", "How they rated the help", FeedbackRating),
                Field("survivor_feedback.comments", "Their comments", Kind.TEXTAREA),
            ),
            hint="If the survivor gave any.",
            id="feedback",
        ),
    ),
)

REOPENING: Final = Form(
    slug="reopening",
    service=CASES,
    api_path="/cases/{case_id}/reopening",
    title="Reopen the case",
    roles=WORKERS,
    flash="Case reopened.",
    sections=_one(
        _select("reason", "Reason", ReopenReason, required=True),
        _notes(),
    ),
)

RESTRICTION: Final = Form(
    slug="restriction",
    service=CASES,
    api_path="/cases/{case_id}/restriction",
    title="Restrict the case",
    roles=MANAGERS,
    intro="Only the staff named (and the case manager) will see the case; every read is recorded.",
    flash="Case restricted.",
    sections=_one(
        _select("reason", "Reason", RestrictionReason, required=True),
        Field(
            "permitted_staff_ids",
            "Staff who may see it (staff ids)",
            Kind.LINES,
            required=True,
            hint="One staff id a line.",
        ),
    ),
)

RESTRICTION_LIFTING: Final = Form(
    slug="restriction-lifting",
    service=CASES,
    api_path="/cases/{case_id}/restriction/lifting",
    title="Lift the restriction",
    roles=MANAGERS,
    flash="Restriction lifted.",
    sections=_one(_reason()),
)

ERASURE_REQUEST: Final = Form(
    slug="erasure-request",
    service=CASES,
    api_path="/cases/{case_id}/erasure-requests",
    title="Ask to erase personal data",
    roles=WORKERS,
    intro="At a person's request (the right to erasure), for a closed case. Another "
    "manager approves it. The end of the retention period is applied by Hearth itself.",
    flash="Erasure requested.",
    sections=_one(
        Field(
            "reason",
            "Ground",
            Kind.SELECT,
            required=True,
            choices=choices(
                r for r in ErasureReason if r is not ErasureReason.RETENTION_PERIOD_ENDED
            ),
        ),
        Field("data_protection_reference", "Data-protection log reference", Kind.TEXT),
        Field(
            "person_id",
            "Only this person's data",
            Kind.PERSON,
            people=ALL_PEOPLE,
            hint="Leave empty to erase the whole case.",
        ),
    ),
)

ERASURE_APPROVAL: Final = Form(
    slug="erasure-requests/{request_id}/approval",
    service=CASES,
    api_path="/cases/{case_id}/erasure-requests/{request_id}/approval",
    title="Approve erasure",
    roles=MANAGERS,
    intro="The personal data is destroyed and cannot be recovered. Someone other than the "
    "manager who asked must approve.",
    submit="Approve and erase",
    flash="Erasure approved.",
    has_body=False,
    danger=True,
)

ERASURE_DECLINE: Final = Form(
    slug="erasure-requests/{request_id}/decline",
    service=CASES,
    api_path="/cases/{case_id}/erasure-requests/{request_id}/decline",
    title="Decline erasure",
    roles=MANAGERS,
    flash="Erasure declined.",
    sections=_one(_reason("Why it is declined")),
)

# --- risk ----------------------------------------------------------------------------------

DASH: Final = Form(
    slug="dash",
    service=RISK,
    api_path="/cases/{case_id}/assessments",
    title="DASH risk checklist",
    roles=WORKERS,
    intro="Ask each question as worded. Answer every one.",
    submit="Record the assessment",
    flash="Risk assessment recorded.",
)
"""Its questions come from the risk service's instrument: see `hearth.web.forms.dash`."""

DASH_DECLINED: Final = Form(
    slug="dash-declined",
    service=RISK,
    api_path="/cases/{case_id}/dash-declined",
    title="The survivor declined the DASH",
    roles=WORKERS,
    intro="Recorded, not a failure to assess.",
    flash="Declined DASH recorded.",
    sections=_one(
        Field("declined_at", "When", Kind.DATETIME, required=True, hint="UK time."),
        _reason("Why"),
        _notes(),
    ),
)

DASH_ELSEWHERE: Final = Form(
    slug="dash-elsewhere",
    service=RISK,
    api_path="/cases/{case_id}/dash-elsewhere",
    title="Risk assessed by another agency",
    roles=WORKERS,
    flash="The other agency's assessment is recorded.",
    sections=_one(
        _select("agency", "Agency", AssessingAgency, required=True),
        Field("agency_name", "Agency's name", Kind.TEXT, hint="Required for another kind."),
        Field("completed_on", "Completed on", Kind.DATE, required=True),
        Field("agency_reference", "Their reference", Kind.TEXT),
        Field("question_set_id", "Checklist used (id)", Kind.TEXT, hint="Like dash-ric-24."),
        Field("score", "Score", Kind.NUMBER),
        _select("risk_level", "Risk level", RiskLevel),
        Field("referred_to_marac", "Did they refer to MARAC?", Kind.YES_NO),
    ),
)

# --- referrals ------------------------------------------------------------------------------

MARAC_REFERRAL: Final = Form(
    slug="marac-referral",
    service=REFERRALS,
    api_path="/cases/{case_id}/marac-referrals",
    title="Refer to MARAC",
    roles=WORKERS,
    intro="The people, children, safe contact, the latest DASH and the criteria met are "
    "filled in from the case. Tell the survivor where it is safe; never the perpetrator.",
    submit="Make the referral",
    refusal_fields=(("no_marac_criteria", "professional_judgement_reason"),),
    flash="MARAC referral made.",
    sections=_one(
        Field("marac_area", "MARAC area", Kind.TEXT, required=True),
        Field("survivor_informed", "Was the survivor told?", Kind.YES_NO, required=True),
        Field(
            "survivor_not_informed_reason",
            "Why telling the survivor was not safe",
            Kind.TEXTAREA,
            hint="Required when they were not told.",
        ),
        Field("survivor_consented", "Did the survivor consent?", Kind.YES_NO),
        Field(
            "professional_judgement_reason",
            "Professional judgement",
            Kind.TEXTAREA,
            hint="Refer on your judgement even when no other criterion is met: say why.",
        ),
        Field("risk_summary", "Risk summary", Kind.TEXTAREA),
    ),
)

MARAC_LISTING: Final = Form(
    slug="marac-referrals/{referral_id}/listing",
    service=REFERRALS,
    api_path="/cases/{case_id}/marac-referrals/{referral_id}/listing",
    title="Listed for a MARAC meeting",
    roles=WORKERS,
    flash="Listing recorded.",
    sections=_one(Field("meeting_date", "Meeting date", Kind.DATE, required=True)),
)

MARAC_HEARING: Final = Form(
    slug="marac-referrals/{referral_id}/hearing",
    service=REFERRALS,
    api_path="/cases/{case_id}/marac-referrals/{referral_id}/hearing",
    title="Heard at MARAC",
    roles=WORKERS,
    flash="Hearing recorded.",
    sections=(
        Section("", (Field("heard_on", "Heard on", Kind.DATE, required=True),)),
        Section(
            "Actions agreed",
            (
                Group(
                    "actions",
                    "Actions agreed",
                    (
                        Field("description", "Action", Kind.TEXTAREA, required=True),
                        Field("owner_agency", "Owning agency", Kind.TEXT, required=True),
                        Field(
                            "landlord_action",
                            "Is it ours (the landlord's)?",
                            Kind.YES_NO,
                            required=True,
                        ),
                        Field("owner_staff_id", "Our owner (staff id)", Kind.TEXT),
                        Field("due_on", "Due on", Kind.DATE, required=True),
                    ),
                    rows=3,
                    max_rows=50,
                    item_label="Action",
                ),
            ),
            hint="Leave a row empty if there are fewer actions.",
        ),
    ),
)

MARAC_ACTION_COMPLETION: Final = Form(
    slug="marac-referrals/{referral_id}/actions/{action_id}/completion",
    service=REFERRALS,
    api_path="/cases/{case_id}/marac-referrals/{referral_id}/actions/{action_id}/completion",
    title="MARAC action completed",
    roles=WORKERS,
    flash="Action recorded as completed.",
    sections=_one(_notes()),
)

REFERRAL: Final = Form(
    slug="referral",
    service=REFERRALS,
    api_path="/cases/{case_id}/referrals",
    title="Refer to another agency",
    roles=WORKERS,
    intro="Below the MARAC threshold a referral needs the survivor's recorded consent, "
    "unless a safeguarding duty applies.",
    submit="Make the referral",
    flash="Referral made.",
    sections=(
        Section(
            "",
            (
                Field(
                    "referral_type",
                    "Kind of referral",
                    Kind.SELECT,
                    required=True,
                    choices=choices(t for t in ReferralType if t is not ReferralType.MARAC),
                ),
                Field("agency_name", "Agency", Kind.TEXT, required=True),
                _select("sharing_basis", "Lawful basis for sharing", SharingBasis, required=True),
                Field(
                    "information_shared",
                    "Information shared",
                    Kind.CHECKBOXES,
                    required=True,
                    choices=choices(SharedInformation),
                ),
                Field(
                    "about_person_id",
                    "About (if not the survivor)",
                    Kind.PERSON,
                    people=("alleged_perpetrators", "children"),
                ),
                Field(
                    "specialist_focus",
                    "Specialist service for",
                    Kind.CHECKBOXES,
                    choices=choices(SpecialistFocus),
                ),
            ),
        ),
        Section(
            "Safeguarding without consent",
            (
                Field("safeguarding_reason", "Why a safeguarding duty applies", Kind.TEXTAREA),
                Field("approved_by", "Approved by (staff id)", Kind.TEXT),
            ),
            id="safeguarding",
        ),
        _override_section(
            "Only for a referral about the perpetrator against the survivor's wishes."
        ),
    ),
)

REFERRAL_ACCEPTANCE: Final = Form(
    slug="referrals/{referral_id}/acceptance",
    service=REFERRALS,
    api_path="/cases/{case_id}/referrals/{referral_id}/acceptance",
    title="Referral accepted",
    roles=WORKERS,
    flash="Acceptance recorded.",
    sections=_one(Field("agency_reference", "The agency's reference", Kind.TEXT)),
)

REFERRAL_DECLINE: Final = Form(
    slug="referrals/{referral_id}/decline",
    service=REFERRALS,
    api_path="/cases/{case_id}/referrals/{referral_id}/decline",
    title="Referral declined",
    roles=WORKERS,
    flash="Decline recorded.",
    sections=_one(
        _select("reason", "Reason", DeclineReason, required=True),
        _notes(),
    ),
)

REFERRAL_CLOSURE: Final = Form(
    slug="referrals/{referral_id}/closure",
    service=REFERRALS,
    api_path="/cases/{case_id}/referrals/{referral_id}/closure",
    title="Referral closed",
    roles=WORKERS,
    flash="Referral closed.",
    sections=_one(
        _select("outcome", "Outcome", ReferralOutcome, required=True),
        _notes(),
    ),
)

CONSENT: Final = Form(
    slug="consent",
    service=REFERRALS,
    api_path="/cases/{case_id}/consents",
    title="The survivor's consent to referrals",
    roles=WORKERS,
    intro="Record a refusal too.",
    flash="Consent decision recorded.",
    sections=_one(
        Field("given", "Did the survivor consent?", Kind.YES_NO, required=True),
        Field(
            "scope",
            "To which kinds of referral",
            Kind.CHECKBOXES,
            required=True,
            choices=choices(ReferralType),
        ),
        _select("method", "How", ConsentMethod, required=True),
        Field(
            "recipients",
            "Only these agencies",
            Kind.LINES,
            hint="One agency a line. Leave empty for any agency of those kinds.",
        ),
        Field("expires_on", "Until", Kind.DATE, hint="Leave empty: until withdrawn."),
        _notes(),
    ),
)

CONSENT_WITHDRAWAL: Final = Form(
    slug="consents/{consent_id}/withdrawal",
    service=REFERRALS,
    api_path="/cases/{case_id}/consents/{consent_id}/withdrawal",
    title="Consent withdrawn",
    roles=WORKERS,
    flash="Withdrawal recorded.",
    sections=_one(
        Field(
            "scope",
            "Referrals no longer consented to",
            Kind.CHECKBOXES,
            choices=choices(ReferralType),
            hint="Tick none to withdraw all of it.",
        ),
        _notes(),
    ),
)

INCIDENT: Final = Form(
    slug="incident",
    service=REFERRALS,
    api_path="/cases/{case_id}/incidents",
    title="Record an incident",
    roles=WORKERS,
    intro="From any source, not only the police: it counts towards escalation and repeat.",
    flash="Incident recorded.",
    sections=_one(
        Field("occurred_on", "When it happened", Kind.DATE, required=True),
        _select("source", "Who told us", IncidentSource, required=True),
        _notes(),
    ),
)

FORMS: Final[tuple[Form, ...]] = (
    CONTACT_ATTEMPT,
    CONTACT,
    SAFE_CONTACT,
    PEOPLE,
    CASE_MANAGER,
    REPAIR,
    REPAIR_COMPLETION,
    SECURITY_MEASURE,
    SECURITY_INSTALLATION,
    FLAG,
    FLAG_REMOVAL,
    WISHES,
    PERPETRATOR_ACTION,
    REVIEW,
    CLOSURE_REQUEST,
    CLOSURE_DECISION,
    REOPENING,
    RESTRICTION,
    RESTRICTION_LIFTING,
    ERASURE_REQUEST,
    ERASURE_APPROVAL,
    ERASURE_DECLINE,
    DASH,
    DASH_DECLINED,
    DASH_ELSEWHERE,
    MARAC_REFERRAL,
    MARAC_LISTING,
    MARAC_HEARING,
    MARAC_ACTION_COMPLETION,
    REFERRAL,
    REFERRAL_ACCEPTANCE,
    REFERRAL_DECLINE,
    REFERRAL_CLOSURE,
    CONSENT,
    CONSENT_WITHDRAWAL,
    INCIDENT,
)

BY_SLUG: Final = {form.slug: form for form in FORMS}
