"""One person erased on a case (cases' `PersonErased`): referrals' known case keeps no
plaintext of them, the others' details stay, and learning again from the events as they
read after the erasure (his values REDACTED) gives the same known case."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from types import SimpleNamespace

from hearth.contracts.events import cases as cases_ev
from hearth.contracts.events.base import REDACTED
from hearth.contracts.events.case_values import ErasureBasis, ErasureReason
from hearth.referrals.domain.known import KnownCase, learn

ERASED_AT = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)


def _person_erased(case_id: uuid.UUID, person_id: uuid.UUID) -> cases_ev.PersonErased:
    return cases_ev.PersonErased(
        case_id=case_id,
        person_id=person_id,
        erased_at=ERASED_AT,
        basis=ErasureBasis.SUBJECT_REQUEST,
        reason=ErasureReason.OBJECTION_UPHELD,
        request_id=uuid.uuid4(),
        requested_by="cso-0001",
        approved_by="dalead-0002",
    )


def test_an_erased_perpetrator_is_kept_without_his_details_and_the_others_with_theirs(
    kit: SimpleNamespace,
) -> None:
    case_id = uuid.uuid4()
    opened = kit.case_opened(case_id)
    [him] = opened.alleged_perpetrators
    erased = _person_erased(case_id, him.person_id)

    kept = learn(learn(KnownCase(), opened), erased)

    [perpetrator] = kept.perpetrators
    assert (perpetrator.person_id, perpetrator.name, perpetrator.phone) == (
        him.person_id,
        None,
        None,
    )
    assert perpetrator.relationship_to_survivor is him.relationship_to_survivor
    assert kept.survivor is not None and kept.survivor.name == "Alex Example"
    assert kept.children[0].name == "Kit"
    dumped = kept.model_dump_json()
    assert "Sam Sample" not in dumped and "07700 900123" not in dumped
    assert not kept.erased and kept.is_perpetrator(him.person_id)

    # A rebuild reads his values REDACTED (his key destroyed): the same known case.
    read_after = him.model_copy(update={"name": REDACTED, "phone": REDACTED})
    as_read_after = opened.model_copy(update={"alleged_perpetrators": (read_after,)})
    assert learn(learn(KnownCase(), as_read_after), erased) == kept


def test_an_erased_child_or_survivor_loses_only_their_own_details(kit: SimpleNamespace) -> None:
    case_id = uuid.uuid4()
    opened = kit.case_opened(case_id)
    assert opened.survivor is not None
    [child] = opened.children
    known = learn(KnownCase(), opened)

    without_child = learn(known, _person_erased(case_id, child.person_id))
    assert without_child.children[0].name is None
    assert without_child.survivor == known.survivor

    without_survivor = learn(known, _person_erased(case_id, opened.survivor.person_id))
    assert without_survivor.survivor is not None
    assert without_survivor.survivor.name is None
    assert without_survivor.perpetrators == known.perpetrators
