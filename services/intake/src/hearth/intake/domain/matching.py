"""Finding the people a report is about without keeping their details: keyed match keys.

An identifier (name with date of birth, a phone number, an email address, a tenancy
reference) is normalised, then turned into HMAC-SHA256 under a secret key. Only these
digests are stored in the match index, so the index reveals nothing to someone without
the key, and two reports about the same person meet on the same digest.

A name alone is never a key (too many people share one); a phone number needs enough
digits to be a real number. A survivor's name and date of birth are also kept apart, as
details: never used to find anyone, only to tell whether a survivor found on a shared
identifier (a household phone) is the same person, or someone else.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Final, Protocol

from hearth.contracts.events.base import is_unreadable_personal
from hearth.contracts.events.intake import IdentityDetail

MIN_PHONE_DIGITS: Final = 7
"""Fewer digits than this is an extension or a short code, not a person's number."""

_NOT_NAME_CHARS: Final = re.compile(r"[^\w]+")
_NOT_PHONE_CHARS: Final = re.compile(r"[^0-9+]")
_NOT_REFERENCE_CHARS: Final = re.compile(r"[\s\-/.]+")


class PersonRole(StrEnum):
    """The part someone plays in a case, as far as the match index is concerned."""

    SURVIVOR = "survivor"
    ALLEGED_PERPETRATOR = "alleged_perpetrator"
    HOUSEHOLD = "household"
    """Not a person: the tenancy (household) the report is about."""


class KeyKind(StrEnum):
    """Which identifier a match key was derived from; part of the HMAC input."""

    NAME_AND_DATE_OF_BIRTH = "name_dob"
    PHONE = "phone"
    EMAIL = "email"
    TENANCY_REFERENCE = "tenancy"
    NAME_AND_TENANCY = "name_tenancy"
    """A survivor's name at the tenancy the report is about."""
    NAME = "name"
    """A detail to compare, never a key: see `PersonKeys.details`."""
    DATE_OF_BIRTH = "dob"
    """A detail to compare, never a key."""


class Identifiable(Protocol):
    """What matching reads from a person: a request's details or a contract model."""

    @property
    def name(self) -> str | None: ...
    @property
    def date_of_birth(self) -> date | None: ...
    @property
    def phone(self) -> str | None: ...
    @property
    def email(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class PersonRef:
    """A person (or the household) in one submission: role and position in its list."""

    role: PersonRole
    index: int = 0


@dataclass(frozen=True, slots=True)
class PersonKeys:
    """The match keys of one person in a submission, and (for the survivor) their details."""

    ref: PersonRef
    digests: frozenset[str]
    details: frozenset[tuple[IdentityDetail, str]] = frozenset()
    """Digests of the survivor's name and date of birth, each alone: never looked up, only
    compared with those of a survivor found by a key (`linking.conflicting_details`)."""

    def detail(self, kind: IdentityDetail) -> str | None:
        return next((digest for k, digest in self.details if k is kind), None)

    @property
    def names_someone(self) -> bool:
        """The report gives something that identifies this person."""
        return bool(self.digests or self.details)


# --- normalisation ---------------------------------------------------------------------


def normalise_name(name: str) -> str | None:
    """No case, accents, punctuation or extra spaces: "Anne-Marie O'Neil" = "anne marie o neil"."""
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    words = _NOT_NAME_CHARS.sub(" ", bare).replace("_", " ").split()
    return " ".join(words) or None


def normalise_phone(phone: str) -> str | None:
    """A UK or international number in one form: "07700 900123" = "+44 7700 900123"."""
    compact = _NOT_PHONE_CHARS.sub("", phone)
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if compact.startswith("+440"):
        # "+44 (0)7700 ..." is written often; the 0 is not dialled after +44.
        compact = "+44" + compact[4:]
    elif compact.startswith("0"):
        compact = "+44" + compact[1:]
    elif compact.startswith("44") and len(compact) == 12:
        compact = "+" + compact
    digits = compact.lstrip("+")
    if "+" in digits or not digits.isdigit() or len(digits) < MIN_PHONE_DIGITS:
        return None
    return compact


def normalise_email(email: str) -> str | None:
    """Trimmed and lower-cased; None unless it looks like an address."""
    value = email.strip().lower()
    local, at, domain = value.partition("@")
    return value if at and local and domain and " " not in value else None


def normalise_tenancy_reference(reference: str) -> str | None:
    """Upper-cased without spaces, hyphens, slashes or dots: "t-000 123" = "T000123"."""
    value = _NOT_REFERENCE_CHARS.sub("", reference).upper()
    return value or None


# --- keys ------------------------------------------------------------------------------


def match_digest(secret: bytes, kind: KeyKind, normalised: str) -> str:
    """HMAC-SHA256 of the kind and the normalised identifier, hex-encoded."""
    if not secret:
        raise ValueError("a match key needs a secret")
    message = f"{kind.value}\x1f{normalised}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def person_digests(
    secret: bytes,
    *,
    name: str | None = None,
    date_of_birth: date | None = None,
    phones: Iterable[str] = (),
    emails: Iterable[str] = (),
) -> frozenset[str]:
    """Every match key of one person, from whatever identifiers are known."""
    digests: set[str] = set()
    if name is not None and date_of_birth is not None:
        normalised = normalise_name(name)
        if normalised is not None:
            value = f"{normalised}|{date_of_birth.isoformat()}"
            digests.add(match_digest(secret, KeyKind.NAME_AND_DATE_OF_BIRTH, value))
    for phone in phones:
        number = normalise_phone(phone)
        if number is not None:
            digests.add(match_digest(secret, KeyKind.PHONE, number))
    for email in emails:
        address = normalise_email(email)
        if address is not None:
            digests.add(match_digest(secret, KeyKind.EMAIL, address))
    return frozenset(digests)


def detail_digests(
    secret: bytes, *, name: str | None = None, date_of_birth: date | None = None
) -> dict[IdentityDetail, str]:
    """The digests of a person's name and date of birth, each alone (details, not keys)."""
    found: dict[IdentityDetail, str] = {}
    normalised = normalise_name(name) if name is not None else None
    if normalised is not None:
        found[IdentityDetail.NAME] = match_digest(secret, KeyKind.NAME, normalised)
    if date_of_birth is not None:
        found[IdentityDetail.DATE_OF_BIRTH] = match_digest(
            secret, KeyKind.DATE_OF_BIRTH, date_of_birth.isoformat()
        )
    return found


def _readable(value: str | None) -> str | None:
    """A recorded value, or None when it cannot be read (its key destroyed: erased, or
    still encrypted). An unreadable value is never a key: every erased name reads alike,
    and unrelated people would match on it."""
    return None if value is None or is_unreadable_personal(value) else value


def details_of(secret: bytes, person: Identifiable) -> dict[IdentityDetail, str]:
    """A person's details to compare, from their recorded details (readable ones only)."""
    return detail_digests(secret, name=_readable(person.name), date_of_birth=person.date_of_birth)


def keys_of(secret: bytes, person: Identifiable) -> frozenset[str]:
    """A person's match keys from their recorded details (readable ones only)."""
    phone, email = _readable(person.phone), _readable(person.email)
    return person_digests(
        secret,
        name=_readable(person.name),
        date_of_birth=person.date_of_birth,
        phones=[phone] if phone else [],
        emails=[email] if email else [],
    )


def household_digests(secret: bytes, tenancy_reference: str | None) -> frozenset[str]:
    """The household's match key, from its tenancy reference."""
    if tenancy_reference is None:
        return frozenset()
    reference = normalise_tenancy_reference(tenancy_reference)
    if reference is None:
        return frozenset()
    return frozenset({match_digest(secret, KeyKind.TENANCY_REFERENCE, reference)})


def people_keys(
    secret: bytes,
    *,
    survivor: Identifiable | None,
    alleged_perpetrators: Sequence[Identifiable] = (),
    tenancy_reference: str | None = None,
) -> list[PersonKeys]:
    """The match keys of everyone a report (or a case update) is about.

    Only the people's own identifiers count: a safe number may belong to a friend or a
    refuge, and a reporter is not one of the people the case is about.
    """
    found: list[PersonKeys] = []
    if survivor is not None:
        digests = keys_of(secret, survivor) | _name_at_tenancy(
            secret, survivor.name, tenancy_reference
        )
        found.append(
            PersonKeys(
                PersonRef(PersonRole.SURVIVOR),
                digests,
                frozenset(details_of(secret, survivor).items()),
            )
        )
    for index, person in enumerate(alleged_perpetrators):
        found.append(
            PersonKeys(PersonRef(PersonRole.ALLEGED_PERPETRATOR, index), keys_of(secret, person))
        )
    household = household_digests(secret, tenancy_reference)
    if household:
        found.append(PersonKeys(PersonRef(PersonRole.HOUSEHOLD), household))
    return [keys for keys in found if keys.names_someone]


def _name_at_tenancy(
    secret: bytes, name: str | None, tenancy_reference: str | None
) -> frozenset[str]:
    """A survivor named at the tenancy a report is about: the same name at the same home."""
    if name is None or tenancy_reference is None:
        return frozenset()
    normalised = normalise_name(name)
    reference = normalise_tenancy_reference(tenancy_reference)
    if normalised is None or reference is None:
        return frozenset()
    value = f"{normalised}|{reference}"
    return frozenset({match_digest(secret, KeyKind.NAME_AND_TENANCY, value)})


def all_digests(people: Iterable[PersonKeys]) -> frozenset[str]:
    """Every match key of a submission, for one look-up in the index (details are not)."""
    return frozenset(d for keys in people for d in keys.digests)
