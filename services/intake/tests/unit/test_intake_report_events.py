"""Building ReportReceived and ReportLinkedToCase from a validated submission."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import pytest
from pydantic import ValidationError

from hearth.contracts.events.common import Channel, Gender, ReporterKind, ThirdPartyRelationship
from hearth.contracts.events.intake import LinkBasis, RepeatReason, Reporter
from hearth.intake.domain.linking import LinkDecision
from hearth.intake.domain.matching import PersonRef, PersonRole
from hearth.intake.domain.reports import assign_person_ids, build_report_events
from hearth.intake.domain.submission import ReportSubmission

NOW = datetime(2025, 3, 7, 16, 30, tzinfo=UTC)
REPORT = UUID("00000000-0000-4000-8000-0000000000a1")
CASE = UUID("00000000-0000-4000-8000-0000000000c1")
NEW_CASE = LinkDecision(case_id=CASE, basis=LinkBasis.NEW_CASE)


def _ids() -> Iterator[UUID]:
    n = 100
    while True:
        n += 1
        yield UUID(int=n, version=4)


def _submission(**overrides: Any) -> ReportSubmission:
    data: dict[str, Any] = {
        "channel": "phone",
        "reporter": {"kind": "survivor"},
        "survivor": {"name": "Alex Example", "date_of_birth": "1990-05-17"},
        "alleged_perpetrators": [{"name": "Sam Sample", "relationship_to_survivor": "cohabitant"}],
        "children": [{"age_band": "under_16", "affected_by_abuse": True}],
        "immediate_danger": False,
        "account": "He shouts at me every night.",
    }
    data.update(overrides)
    return ReportSubmission.model_validate(data)


def _build(submission: ReportSubmission, decision: LinkDecision = NEW_CASE) -> Any:
    ids = _ids()
    person_ids = assign_person_ids(submission, {}, lambda: next(ids))
    return build_report_events(
        submission, report_id=REPORT, received_at=NOW, decision=decision, person_ids=person_ids
    )


def test_the_events_carry_the_server_assigned_ids_and_time() -> None:
    received, linked = _build(_submission())
    assert received.report_id == linked.report_id == REPORT
    assert received.case_id == linked.case_id == CASE
    assert received.received_at == linked.linked_at == NOW
    assert received.survivor.name == "Alex Example"
    assert received.survivor.date_of_birth == date(1990, 5, 17)
    assert received.survivor.person_id == UUID(int=101, version=4)
    assert received.alleged_perpetrators[0].person_id == UUID(int=102, version=4)
    assert received.children[0].person_id == UUID(int=103, version=4)
    assert received.children[0].lives_in_household is True
    assert linked.basis is LinkBasis.NEW_CASE


def test_a_repeat_decision_is_carried_into_the_link_event() -> None:
    earlier = uuid.uuid4()
    decision = LinkDecision(
        case_id=CASE,
        basis=LinkBasis.NEW_CASE,
        repeat_reasons=(RepeatReason.MARAC_WITHIN_12_MONTHS,),
        previous_case_id=earlier,
    )
    _, linked = _build(_submission(), decision)
    assert linked.repeat_reasons == (RepeatReason.MARAC_WITHIN_12_MONTHS,)
    assert linked.previous_case_id == earlier


def test_an_anonymous_report_names_nobody() -> None:
    received, _ = _build(
        _submission(reporter={"kind": "anonymous"}, survivor={}, alleged_perpetrators=[])
    )
    assert received.reporter == Reporter(kind=ReporterKind.ANONYMOUS)
    assert received.survivor.name is None and received.survivor.phone is None


def test_an_anonymous_reporter_cannot_give_a_name() -> None:
    with pytest.raises(ValidationError) as caught:
        _submission(reporter={"kind": "anonymous", "name": "Pat"})
    assert [e["loc"] for e in caught.value.errors()] == [("reporter",)]
    assert "Pat" not in str(caught.value.errors()[0]["msg"])


def test_a_third_party_reporter_needs_a_relationship() -> None:
    with pytest.raises(ValidationError) as caught:
        _submission(reporter={"kind": "third_party", "name": "Pat Neighbour"})
    assert "relationship is required" in caught.value.errors()[0]["msg"]
    received, _ = _build(_submission(reporter={"kind": "third_party", "relationship": "relative"}))
    assert received.reporter.relationship is ThirdPartyRelationship.RELATIVE


@pytest.mark.parametrize("advised", [True, False])
def test_immediate_danger_is_always_recorded_as_advised_to_call_999(advised: bool) -> None:
    received, _ = _build(_submission(immediate_danger=True, advised_to_call_999=advised))
    assert received.immediate_danger is True
    assert received.advised_to_call_999 is True


def test_without_danger_the_advice_is_recorded_as_given() -> None:
    assert _build(_submission())[0].advised_to_call_999 is False
    assert _build(_submission(advised_to_call_999=True))[0].advised_to_call_999 is True


def test_the_client_cannot_set_what_the_server_decides() -> None:
    for field in ("report_id", "received_at", "advised_at"):
        with pytest.raises(ValidationError) as caught:
            _submission(**{field: "x"})
        assert caught.value.errors()[0]["type"] == "extra_forbidden"
    with pytest.raises(ValidationError):
        _submission(survivor={"person_id": str(uuid.uuid4())})


def test_people_known_on_the_case_keep_their_ids_and_others_get_fresh_ones() -> None:
    known = uuid.uuid4()
    submission = _submission(
        alleged_perpetrators=[
            {"name": "Sam Sample"},
            {"name": "Chris Sample", "relationship_to_survivor": "relative"},
        ]
    )
    ids = _ids()
    person_ids = assign_person_ids(
        submission, {PersonRef(PersonRole.ALLEGED_PERPETRATOR, 1): known}, lambda: next(ids)
    )
    assert person_ids.alleged_perpetrators[1] == known
    assert known not in (person_ids.survivor, person_ids.alleged_perpetrators[0])


def test_a_preferred_case_manager_and_a_staff_members_id_pass_through() -> None:
    received, _ = _build(
        _submission(
            preferred_case_manager_gender="woman",
            alleged_perpetrators=[
                {"name": "Sam Sample", "is_staff_member": True, "staff_id": "staff-0999"}
            ],
        )
    )
    assert received.preferred_case_manager_gender is Gender.WOMAN
    assert received.alleged_perpetrators[0].is_staff_member is True
    assert received.alleged_perpetrators[0].staff_id == "staff-0999"


def test_a_damaged_home_where_safety_is_at_risk_passes_through() -> None:
    received, _ = _build(_submission(home_damaged_safety_at_risk=True))
    assert received.home_damaged_safety_at_risk is True
    plain, _ = _build(_submission())
    assert plain.home_damaged_safety_at_risk is False


def test_the_channel_and_partner_reference_pass_through() -> None:
    received, _ = _build(
        _submission(
            channel="partner_agency",
            reporter={
                "kind": "third_party",
                "relationship": "professional",
                "organisation": "IDVA",
            },
            partner_reference="IDVA-77",
        )
    )
    assert received.channel is Channel.PARTNER_AGENCY
    assert received.partner_reference == "IDVA-77"
