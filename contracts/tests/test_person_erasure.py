"""One person's erasure: `PersonErased` holds no personal data and is approved by someone
other than who asked; `erased_copy` gives what a reader sees once a person's key is gone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest
from pydantic import ValidationError

from hearth.contracts.events.base import RECORDED, REDACTED, erased_copy, personal_paths
from hearth.contracts.events.case_values import ErasureBasis, ErasureReason
from hearth.contracts.events.cases import ErasureRequested, PersonErased
from hearth.contracts.events.common import (
    AllegedPerpetrator,
    Child,
    EqualityMonitoring,
    Gender,
    PostalAddress,
    Relationship,
    Sex,
    Survivor,
)

AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def _erased(**changes: object) -> PersonErased:
    fields: dict[str, object] = {
        "case_id": uuid4(),
        "person_id": uuid4(),
        "erased_at": AT,
        "basis": ErasureBasis.SUBJECT_REQUEST,
        "reason": ErasureReason.OBJECTION_UPHELD,
        "request_id": uuid4(),
        "requested_by": "staff-0002",
        "approved_by": "staff-0001",
    }
    return PersonErased.model_validate({**fields, **changes})


def test_person_erased_holds_no_personal_data() -> None:
    assert personal_paths(PersonErased) == []
    assert _erased().person_id is not None


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"approved_by": "staff-0002"}, "someone other than who asked"),
        ({"basis": ErasureBasis.RETENTION_EXPIRED}, "only at a request"),
        ({"reason": ErasureReason.RETENTION_PERIOD_ENDED}, "whole case"),
    ],
)
def test_person_erased_refuses_what_a_request_cannot_be(
    changes: dict[str, object], said: str
) -> None:
    with pytest.raises(ValidationError, match=said):
        _erased(**changes)


def test_an_erasure_request_names_a_person_or_the_whole_case() -> None:
    whole = ErasureRequested(
        case_id=uuid4(),
        request_id=uuid4(),
        requested_at=AT,
        reason=ErasureReason.NO_LONGER_NECESSARY,
    )
    assert whole.person_id is None
    person_id = uuid4()
    one = whole.model_copy(update={"person_id": person_id})
    assert ErasureRequested.model_validate(one.model_dump(mode="json")).person_id == person_id


def test_erased_copy_keeps_nothing_personal_and_everything_else() -> None:
    survivor = Survivor(
        person_id=uuid4(),
        name="Planted Survivor",
        date_of_birth=date(1990, 1, 2),
        phone="07700 900123",
        address=PostalAddress(lines=("1 Planted Street",), postcode="ME1 1AA"),
        gender=Gender.WOMAN,
        staff_id="staff-0042",
        is_staff_member=True,
        equality=EqualityMonitoring(sex=Sex.FEMALE),
    )
    erased = erased_copy(survivor)
    assert (erased.name, erased.date_of_birth, erased.phone, erased.email) == (None,) * 4
    assert erased.address is None  # its lines are required: the whole address goes
    # Ids, categories and the staff id (not personal: it keeps the case hidden from them).
    assert (erased.person_id, erased.gender, erased.staff_id, erased.equality) == (
        survivor.person_id,
        Gender.WOMAN,
        "staff-0042",
        survivor.equality,
    )
    assert "Planted" not in erased.model_dump_json()
    assert personal_values(erased) == []


def test_erased_copy_of_what_a_read_after_erasure_gives_is_the_same() -> None:
    person_id = uuid4()
    recorded = Survivor.model_validate(
        {
            "person_id": str(person_id),
            "name": REDACTED,
            "phone": REDACTED,
            "address": {"lines": [REDACTED], "postcode": REDACTED},
        },
        context=RECORDED,
    )
    plain = Survivor(person_id=person_id, name="Planted", phone="07700 900123")
    assert erased_copy(recorded) == erased_copy(plain.model_copy(update={"address": None}))


def personal_values(model: Survivor) -> list[str]:
    return [p for p in personal_paths(Survivor) if _at(model.model_dump(), p) is not None]


def _at(data: object, path: str) -> object:
    for part in path.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


def test_erased_copy_of_people_without_personal_values_changes_nothing() -> None:
    perpetrator = AllegedPerpetrator(
        person_id=uuid4(), relationship_to_survivor=Relationship.FORMER_INTIMATE_PARTNER
    )
    child = Child(person_id=uuid4(), lives_in_household=True, affected_by_abuse=False)
    assert erased_copy(perpetrator) == perpetrator
    assert erased_copy(child) == child
