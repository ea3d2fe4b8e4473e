"""What intake forgets of an erased case, and why an unreadable value is never a match key."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from hearth.contracts.events.base import ENCRYPTED_PREFIX, RECORDED, REDACTED
from hearth.contracts.events.case_values import ErasureBasis, ErasureReason
from hearth.contracts.events.cases import CaseErased, PersonErased
from hearth.contracts.events.common import PersonDetails
from hearth.intake.domain.erasure import (
    erased_meanwhile,
    forget_erased_case,
    forget_erased_person,
)
from hearth.intake.domain.matching import details_of, keys_of

SECRET = b"unit-test-match-key-0123456789"
NOW = datetime(2031, 5, 1, 9, 30, tzinfo=UTC)


def _erased(case_id: uuid.UUID) -> CaseErased:
    return CaseErased(
        case_id=case_id,
        erased_at=NOW,
        basis=ErasureBasis.SUBJECT_REQUEST,
        reason=ErasureReason.CONSENT_WITHDRAWN,
        retention_policy="west-kent-2024",
        retention_years=6,
        closed_at=NOW - timedelta(days=30),
        request_id=uuid.uuid4(),
        requested_by="staff-0101",
        approved_by="staff-manager-1",
    )


def test_an_erasure_forgets_the_case_its_reports_and_their_enquiries() -> None:
    case_id, report, enquiry = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()

    forgotten = forget_erased_case(
        _erased(case_id), report_ids=[report, report], enquiry_ids=[enquiry]
    )

    assert forgotten.case_id == case_id
    assert forgotten.erased_at == NOW
    assert forgotten.report_ids == frozenset({report})
    assert forgotten.enquiry_ids == frozenset({enquiry})
    # The key store's reason: codes and ids only, on one line the store accepts.
    assert forgotten.key_reason == (
        f"enquiry joined erased case {case_id}: subject_request: consent_withdrawn"
    )
    assert len(forgotten.key_reason) <= 200


def test_a_case_erased_meanwhile_is_forgotten_with_nothing_else_to_destroy() -> None:
    case_id = uuid.uuid4()

    forgotten = erased_meanwhile(case_id, NOW)

    assert (forgotten.case_id, forgotten.erased_at) == (case_id, NOW)
    assert forgotten.report_ids == frozenset() and forgotten.enquiry_ids == frozenset()
    assert forgotten.key_reason is None


def _recorded(**values: str) -> PersonDetails:
    """A person as read from an event whose keys are (partly) gone."""
    return PersonDetails.model_validate(
        {"person_id": str(uuid.uuid4()), **values}, context=RECORDED
    )


def test_unreadable_values_make_no_match_keys() -> None:
    """Every erased name reads alike: keyed, it would join unrelated people."""
    erased = _recorded(name=REDACTED, phone=REDACTED, email=f"{ENCRYPTED_PREFIX}k1:abc")
    other = _recorded(name=REDACTED, phone=REDACTED)

    assert keys_of(SECRET, erased) == frozenset()
    assert keys_of(SECRET, other) == frozenset()
    assert details_of(SECRET, erased) == {}


def test_readable_values_beside_unreadable_ones_still_make_keys() -> None:
    person = _recorded(name=REDACTED, date_of_birth="1987-03-14", email="someone@example.org")
    readable = _recorded(email="someone@example.org")

    assert keys_of(SECRET, person) == keys_of(SECRET, readable) != frozenset()


def test_a_persons_erasure_forgets_that_person_and_their_enquiry_keys() -> None:
    case_id, person_id, enquiry = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    event = PersonErased(
        case_id=case_id,
        person_id=person_id,
        erased_at=NOW,
        basis=ErasureBasis.SUBJECT_REQUEST,
        reason=ErasureReason.OBJECTION_UPHELD,
        request_id=uuid.uuid4(),
        requested_by="staff-0101",
        approved_by="staff-manager-1",
    )

    forgotten = forget_erased_person(event, enquiry_ids=[enquiry, enquiry])

    assert (forgotten.case_id, forgotten.person_id, forgotten.erased_at) == (
        case_id,
        person_id,
        NOW,
    )
    assert forgotten.enquiry_ids == frozenset({enquiry})
    assert forgotten.key_reason == (
        f"person erased on case {case_id}: subject_request: objection_upheld"
    )
    assert len(forgotten.key_reason) <= 200
