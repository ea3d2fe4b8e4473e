"""Value types shared by the event models: enums, identifiers and small frozen models.

Names, dates of birth, contact details, addresses and free text are `Personal`: they
are masked in logs and erased at the end of the retention period. Equality-monitoring
answers (sex, age band, ethnicity, ...) are plain enums on purpose: on their own they
identify nobody, reporting counts them, and they stay in the anonymised history.
"""

from __future__ import annotations

from datetime import time
from enum import StrEnum
from typing import Annotated, Final, TypeVar
from uuid import UUID

from pydantic import AfterValidator, Field, model_validator

from hearth.contracts.events.base import ContractModel, MultiLine, PersonalDate, PersonalStr

T = TypeVar("T")

STAFF_ID_PATTERN: Final = r"^[A-Za-z0-9._:@-]+$"
"""Same shape as an envelope actor id, so a staff id here can be compared with one."""

StaffId = Annotated[str, Field(min_length=1, max_length=200, pattern=STAFF_ID_PATTERN)]
"""An identifier from the staff directory: never a name or anything personal."""

Code = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[a-z0-9][a-z0-9._-]*$")]
"""A lowercase identifier for a policy, question set or similar versioned configuration."""

Label = Annotated[str, Field(min_length=1, max_length=200)]
"""A short non-personal label: an agency's name, a MARAC area, a language."""

ExternalReference = Annotated[str, Field(min_length=1, max_length=100)]
"""Another system's reference for a case or job (works order, partner case number)."""

PersonName = Annotated[PersonalStr, Field(min_length=1, max_length=200)]
PhoneNumber = Annotated[
    PersonalStr, Field(min_length=3, max_length=32, pattern=r"^\+?[0-9][0-9 ()-]*[0-9]$")
]
EmailAddress = Annotated[
    PersonalStr, Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
]
AddressLine = Annotated[PersonalStr, Field(min_length=1, max_length=100)]
Postcode = Annotated[PersonalStr, Field(min_length=2, max_length=10)]
TenancyReference = Annotated[PersonalStr, Field(min_length=1, max_length=50)]
"""A housing account number: it leads straight to one household, so it is personal."""

ShortText = Annotated[PersonalStr, MultiLine, Field(min_length=1, max_length=2_000)]
"""A reason or comment in a caseworker's words: free text is always personal."""
Notes = Annotated[PersonalStr, MultiLine, Field(min_length=1, max_length=10_000)]
"""Case notes in free text: always personal."""
Account = Annotated[PersonalStr, MultiLine, Field(min_length=1, max_length=20_000)]
"""A report or disclosure in the reporter's own words."""


def _distinct(values: tuple[T, ...]) -> tuple[T, ...]:
    if len(set(values)) != len(values):
        raise ValueError("values must not repeat")
    return values


Distinct = Annotated[
    tuple[T, ...], AfterValidator(_distinct), Field(json_schema_extra={"uniqueItems": True})
]
"""A tuple of enum values, each at most once, kept in the order given."""
NonEmptyDistinct = Annotated[
    tuple[T, ...],
    Field(min_length=1),
    AfterValidator(_distinct),
    Field(json_schema_extra={"uniqueItems": True}),
]
"""Like `Distinct`, with at least one value."""


# --- reports ---------------------------------------------------------------------------


class Channel(StrEnum):
    """How a report reached the landlord."""

    PHONE = "phone"
    IN_PERSON = "in_person"
    VISIT = "visit"
    """Told to staff on a home or estate visit."""
    EMAIL = "email"
    WEB_FORM = "web_form"
    """The confidential web form."""
    THIRD_PARTY = "third_party"
    PARTNER_AGENCY = "partner_agency"


class ReporterKind(StrEnum):
    """Who made a report."""

    SURVIVOR = "survivor"
    THIRD_PARTY = "third_party"
    STAFF = "staff"
    ANONYMOUS = "anonymous"


class ThirdPartyRelationship(StrEnum):
    """How a third-party reporter knows the survivor."""

    NEIGHBOUR = "neighbour"
    RELATIVE = "relative"
    FRIEND = "friend"
    PROFESSIONAL = "professional"
    OTHER = "other"


class AbuseType(StrEnum):
    """Domestic Abuse Act 2021 s1(3) behaviours, split where reporting needs it, plus VAWG."""

    PHYSICAL = "physical"
    SEXUAL = "sexual"
    VIOLENT_OR_THREATENING = "violent_or_threatening"
    CONTROLLING_OR_COERCIVE = "controlling_or_coercive"
    ECONOMIC = "economic"
    PSYCHOLOGICAL_EMOTIONAL_OR_OTHER = "psychological_emotional_or_other"
    STALKING = "stalking"
    HONOUR_BASED = "honour_based"
    FORCED_MARRIAGE = "forced_marriage"
    FGM = "fgm"
    SEXUAL_EXPLOITATION = "sexual_exploitation"


class Relationship(StrEnum):
    """How the alleged perpetrator is personally connected to the survivor (DA Act 2021 s2)."""

    SPOUSE_OR_CIVIL_PARTNER = "spouse_or_civil_partner"
    FORMER_SPOUSE_OR_CIVIL_PARTNER = "former_spouse_or_civil_partner"
    ENGAGED_OR_FORMERLY_ENGAGED = "engaged_or_formerly_engaged"
    INTIMATE_PARTNER = "intimate_partner"
    FORMER_INTIMATE_PARTNER = "former_intimate_partner"
    PARENT_OF_SAME_CHILD = "parent_of_same_child"
    """Each is a parent of, or has parental responsibility for, the same child."""
    RELATIVE = "relative"
    COHABITANT = "cohabitant"
    """Not in the Act: this landlord's policy adds people who live together."""
    NOT_KNOWN = "not_known"


# --- people ----------------------------------------------------------------------------


class Gender(StrEnum):
    """Gender as the person describes it; also a survivor's preferred case manager gender."""

    WOMAN = "woman"
    MAN = "man"
    NON_BINARY = "non_binary"
    OTHER = "other"
    PREFER_NOT_TO_SAY = "prefer_not_to_say"


class Sex(StrEnum):
    """Sex, the Equality Act 2010 protected characteristic."""

    FEMALE = "female"
    MALE = "male"
    PREFER_NOT_TO_SAY = "prefer_not_to_say"
    NOT_KNOWN = "not_known"


class AgeBand(StrEnum):
    """Age band for monitoring; 16-17 is its own band because reporting shows it."""

    UNDER_16 = "under_16"
    AGE_16_17 = "16_17"
    AGE_18_24 = "18_24"
    AGE_25_34 = "25_34"
    AGE_35_44 = "35_44"
    AGE_45_54 = "45_54"
    AGE_55_64 = "55_64"
    AGE_65_74 = "65_74"
    AGE_75_PLUS = "75_plus"
    NOT_KNOWN = "not_known"


class MonitoringAnswer(StrEnum):
    """A yes/no equality-monitoring answer that may be withheld or unknown."""

    YES = "yes"
    NO = "no"
    PREFER_NOT_TO_SAY = "prefer_not_to_say"
    NOT_KNOWN = "not_known"


class Ethnicity(StrEnum):
    """Ethnic group, at the level of the 2021 Census high-level categories."""

    ASIAN_OR_ASIAN_BRITISH = "asian_or_asian_british"
    BLACK_BLACK_BRITISH_CARIBBEAN_OR_AFRICAN = "black_black_british_caribbean_or_african"
    MIXED_OR_MULTIPLE = "mixed_or_multiple"
    WHITE = "white"
    OTHER_ETHNIC_GROUP = "other_ethnic_group"
    PREFER_NOT_TO_SAY = "prefer_not_to_say"
    NOT_KNOWN = "not_known"


class Religion(StrEnum):
    """Religion or belief, at the level of the 2021 Census categories."""

    NO_RELIGION = "no_religion"
    BUDDHIST = "buddhist"
    CHRISTIAN = "christian"
    HINDU = "hindu"
    JEWISH = "jewish"
    MUSLIM = "muslim"
    SIKH = "sikh"
    OTHER = "other"
    PREFER_NOT_TO_SAY = "prefer_not_to_say"
    NOT_KNOWN = "not_known"


class SexualOrientation(StrEnum):
    """Sexual orientation, the protected characteristic."""

    HETEROSEXUAL = "heterosexual"
    GAY_OR_LESBIAN = "gay_or_lesbian"
    BISEXUAL = "bisexual"
    OTHER = "other"
    PREFER_NOT_TO_SAY = "prefer_not_to_say"
    NOT_KNOWN = "not_known"


class EqualityMonitoring(ContractModel):
    """The survivor's equality-monitoring answers, where recorded; counted by reporting."""

    sex: Sex | None = None
    age_band: AgeBand | None = None
    disability: MonitoringAnswer | None = None
    gender_reassignment: MonitoringAnswer | None = None
    """Trans status: the protected characteristic of gender reassignment."""
    lgbtq_plus: MonitoringAnswer | None = None
    sexual_orientation: SexualOrientation | None = None
    ethnicity: Ethnicity | None = None
    religion: Religion | None = None
    married_or_civil_partner: MonitoringAnswer | None = None
    pregnant_or_maternity: MonitoringAnswer | None = None


class PostalAddress(ContractModel):
    """A postal address: every part of it is personal."""

    lines: Annotated[tuple[AddressLine, ...], Field(min_length=1, max_length=6)]
    postcode: Postcode | None = None


class PersonDetails(ContractModel):
    """Personal details a caseworker records about an adult; any of them may be unknown."""

    person_id: UUID
    """Stable within Hearth for this person, so flags and actions can name them."""
    name: PersonName | None = None
    date_of_birth: PersonalDate | None = None
    phone: PhoneNumber | None = None
    email: EmailAddress | None = None
    address: PostalAddress | None = None
    gender: Gender | None = None
    is_staff_member: bool = False
    """The person works for the landlord: the case is restricted to named staff."""
    staff_id: StaffId | None = None
    """The person's id in the staff directory, when known: never named on their own case."""


class Survivor(PersonDetails):
    """The person experiencing abuse, with their equality-monitoring answers."""

    equality: EqualityMonitoring | None = None


class AllegedPerpetrator(PersonDetails):
    """A person alleged to be causing the abuse."""

    relationship_to_survivor: Relationship
    lives_with_survivor: bool | None = None
    is_tenant: bool | None = None
    """Holds a tenancy with this landlord, so tenancy enforcement is possible."""
    age_band: AgeBand | None = None
    """Their age band at the report, as given or derived from the date of birth. Plain,
    not personal: a band identifies nobody, so reporting can count young perpetrators."""


class Child(ContractModel):
    """A child in the household: a victim in their own right if affected (DA Act 2021 s3)."""

    person_id: UUID
    name: PersonName | None = None
    date_of_birth: PersonalDate | None = None
    age_band: AgeBand | None = None
    lives_in_household: bool
    affected_by_abuse: bool
    """Sees, hears or experiences the effects of the abuse."""


# --- safe contact ----------------------------------------------------------------------


class ContactMethod(StrEnum):
    """A way of reaching the survivor."""

    CALL = "call"
    TEXT = "text"
    EMAIL = "email"
    LETTER = "letter"
    VISIT = "visit"
    """A home visit."""
    IN_PERSON = "in_person"
    """At the office or another place the survivor chose; it says where (`MeetingPlace`),
    and one at the survivor's home is checked as a visit."""


PHONE_METHODS: Final = frozenset({ContactMethod.CALL, ContactMethod.TEXT})
"""The ways of reaching the survivor that go to a phone number."""

WRITTEN_METHODS: Final = frozenset({ContactMethod.TEXT, ContactMethod.EMAIL, ContactMethod.LETTER})
"""The ways of reaching the survivor that are messages: sending one leaves a message, and
only the survivor's reply makes it two-way."""


class Weekday(StrEnum):
    """A day of the week."""

    MONDAY = "monday"
    TUESDAY = "tuesday"
    WEDNESDAY = "wednesday"
    THURSDAY = "thursday"
    FRIDAY = "friday"
    SATURDAY = "saturday"
    SUNDAY = "sunday"


class SafeTimeWindow(ContractModel):
    """A weekly window when contact is safe, in Europe/London local time."""

    day: Weekday
    start: time
    end: time

    @model_validator(mode="after")
    def _ends_after_start(self) -> SafeTimeWindow:
        if self.end <= self.start:
            raise ValueError("a safe time window must end after it starts")
        return self


class SafeContact(ContractModel):
    """How the survivor can be contacted safely: enforced on every contact, not just recorded."""

    safe_to_call: bool
    safe_to_text: bool
    safe_to_email: bool
    safe_to_write: bool
    safe_to_visit: bool
    safe_phone_numbers: Annotated[tuple[PhoneNumber, ...], Field(max_length=5)] = ()
    safe_email: EmailAddress | None = None
    safe_postal_address: PostalAddress | None = None
    safe_times: Annotated[tuple[SafeTimeWindow, ...], Field(max_length=21)] = ()
    """When contact is safe; empty means at any time."""
    withheld_number_only: bool
    never_leave_voicemail: bool
    interpreter_needed: bool
    """An independent interpreter: never a family member."""
    interpreter_language: Label | None = None
    safe_people_to_speak_to: Annotated[tuple[PersonName, ...], Field(max_length=10)] = ()
    """People it is safe to speak to or leave a message with."""
    notes: ShortText | None = None

    @model_validator(mode="after")
    def _consistent(self) -> SafeContact:
        if self.interpreter_needed and self.interpreter_language is None:
            raise ValueError("interpreter_language is required when an interpreter is needed")
        if (self.safe_to_call or self.safe_to_text) and not self.safe_phone_numbers:
            raise ValueError("safe_phone_numbers is required when calls or texts are safe")
        if self.safe_to_email and self.safe_email is None:
            raise ValueError("safe_email is required when email is safe")
        return self


# --- case work -------------------------------------------------------------------------


class RiskLevel(StrEnum):
    """The risk level from an assessment, professional judgement included."""

    STANDARD = "standard"
    MEDIUM = "medium"
    HIGH = "high"


RISK_ORDER: Final = (RiskLevel.STANDARD, RiskLevel.MEDIUM, RiskLevel.HIGH)
"""Risk levels from lowest to highest: judgement may only move a level rightwards."""


class MaracCriterion(StrEnum):
    """Why a case meets the MARAC referral criteria (any one is enough)."""

    VISIBLE_HIGH_RISK = "visible_high_risk"
    PROFESSIONAL_JUDGEMENT = "professional_judgement"
    POTENTIAL_ESCALATION = "potential_escalation"
    REPEAT = "repeat"
    """Abuse between the same people within 12 months of the last MARAC referral."""


class ReferralType(StrEnum):
    """Where a case can be referred."""

    MARAC = "marac"
    MAPPA = "mappa"
    SAFEGUARDING_ADULTS = "safeguarding_adults"
    SAFEGUARDING_CHILDREN = "safeguarding_children"
    SPECIALIST_SERVICE = "specialist_service"
    DAPP = "dapp"
    """Domestic abuse perpetrator programme."""
    SANCTUARY = "sanctuary"
    """Sanctuary or security scheme: target hardening so the survivor can stay at home."""
    POLICE = "police"
    HOUSING_OPTIONS = "housing_options"
    """The local authority's housing options (homelessness) service."""
    IDVA = "idva"
    VICTIM_SUPPORT = "victim_support"
    VULNERABILITY_PANEL = "vulnerability_panel"


class PerpetratorActionKind(StrEnum):
    """An action the landlord takes about an alleged perpetrator."""

    TENANCY_WARNING = "tenancy_warning"
    INJUNCTION = "injunction"
    POSSESSION = "possession"
    RELOCATION = "relocation"
    SOLE_TENANCY = "sole_tenancy"
    """A sole tenancy for the survivor from a joint tenancy."""
    REFERRAL = "referral"
    """Referral of the perpetrator to MARAC, MAPPA or a perpetrator programme."""
    INFORMATION_TO_POLICE = "information_to_police"
