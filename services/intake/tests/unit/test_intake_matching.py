"""Normalising identifiers and deriving keyed match keys: same person, same key; nothing else."""

from __future__ import annotations

from datetime import date

import pytest

from hearth.intake.domain.matching import (
    KeyKind,
    PersonRef,
    PersonRole,
    household_digests,
    match_digest,
    normalise_email,
    normalise_name,
    normalise_phone,
    normalise_tenancy_reference,
    people_keys,
    person_digests,
)
from hearth.intake.domain.submission import AllegedPerpetratorIn, SurvivorIn

SECRET = b"unit-test-match-key-0123456789"


@pytest.mark.parametrize(
    ("written", "normal"),
    [
        ("07700 900123", "+447700900123"),
        ("07700-900-123", "+447700900123"),
        ("(07700) 900123", "+447700900123"),
        ("+44 7700 900123", "+447700900123"),
        ("+44 (0)7700 900123", "+447700900123"),
        ("0044 7700 900123", "+447700900123"),
        ("447700900123", "+447700900123"),
        ("+33 6 12 34 56 78", "+33612345678"),
    ],
)
def test_phone_numbers_written_differently_normalise_to_one_form(written: str, normal: str) -> None:
    assert normalise_phone(written) == normal


@pytest.mark.parametrize("written", ["999", "123", "+44", "", "call me", "12-34"])
def test_short_or_empty_numbers_are_no_key(written: str) -> None:
    assert normalise_phone(written) is None


def test_names_lose_case_accents_punctuation_and_extra_spaces() -> None:
    assert normalise_name("  Anne-Marie   O'Néill ") == "anne marie o neill"
    assert normalise_name("ANNE MARIE O NEILL") == "anne marie o neill"
    assert normalise_name("Zoë") == normalise_name("zoe")
    assert normalise_name("--") is None


def test_emails_are_trimmed_and_lower_cased() -> None:
    assert normalise_email("  Robin.Example@Example.ORG ") == "robin.example@example.org"
    assert normalise_email("not an email") is None
    assert normalise_email("@example.org") is None


def test_tenancy_references_ignore_case_spaces_and_separators() -> None:
    assert normalise_tenancy_reference("t-000 123") == "T000123"
    assert normalise_tenancy_reference("T/000.123") == "T000123"
    assert normalise_tenancy_reference(" - ") is None


def test_the_same_person_written_differently_has_the_same_keys() -> None:
    one = person_digests(
        SECRET,
        name="Alex Example",
        date_of_birth=date(1990, 5, 17),
        phones=["07700 900123"],
        emails=["Alex@Example.org"],
    )
    two = person_digests(
        SECRET,
        name="ALEX  EXAMPLE",
        date_of_birth=date(1990, 5, 17),
        phones=["+44 7700 900 123"],
        emails=["alex@example.org "],
    )
    assert one == two
    assert len(one) == 3


def test_a_name_alone_or_a_different_birthday_is_no_match() -> None:
    assert person_digests(SECRET, name="Alex Example") == frozenset()
    assert person_digests(
        SECRET, name="Alex Example", date_of_birth=date(1990, 5, 17)
    ) != person_digests(SECRET, name="Alex Example", date_of_birth=date(1990, 5, 18))


def test_keys_depend_on_the_secret_and_the_kind_of_identifier() -> None:
    assert match_digest(SECRET, KeyKind.PHONE, "x") != match_digest(
        b"another-secret", KeyKind.PHONE, "x"
    )
    assert match_digest(SECRET, KeyKind.PHONE, "x") != match_digest(SECRET, KeyKind.EMAIL, "x")
    digest = match_digest(SECRET, KeyKind.PHONE, "+447700900123")
    assert len(digest) == 64 and "7700900123" not in digest
    with pytest.raises(ValueError, match="secret"):
        match_digest(b"", KeyKind.PHONE, "+447700900123")


def test_a_report_has_keys_for_survivor_perpetrators_and_household_only() -> None:
    keys = people_keys(
        SECRET,
        survivor=SurvivorIn(phone="07700 900123"),
        alleged_perpetrators=[
            AllegedPerpetratorIn(email="sam@example.org"),
            AllegedPerpetratorIn(name="Unknown Surname"),  # no usable key
        ],
        tenancy_reference="T-000123",
    )
    assert [k.ref for k in keys] == [
        PersonRef(PersonRole.SURVIVOR),
        PersonRef(PersonRole.ALLEGED_PERPETRATOR, 0),
        PersonRef(PersonRole.HOUSEHOLD),
    ]
    assert keys[2].digests == household_digests(SECRET, "t000123")
    assert people_keys(SECRET, survivor=SurvivorIn()) == []
