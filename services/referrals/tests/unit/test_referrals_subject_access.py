"""Subject access in referrals: given what is known of a case and its referrals stream,
when a person asks, then they get their own referrals and nothing of anyone else's."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from hearth.contracts.envelope import Actor, Role
from hearth.contracts.events import cases as cases_ev
from hearth.contracts.events import referrals as ev
from hearth.contracts.events.base import DomainEvent
from hearth.contracts.events.case_values import ErasureBasis, ErasureReason
from hearth.contracts.events.common import MaracCriterion, PostalAddress, ReferralType, SafeContact
from hearth.eventstore.decider import Recorded
from hearth.eventstore.errors import NotFound
from hearth.referrals.domain.subject_access import subject_access

MONDAY = datetime(2025, 3, 10, 10, 0, tzinfo=UTC)
CM = Actor(id="cso-0001", role=Role.CASE_MANAGER)
SAFE_PHONE = "07700 900555"
SURVIVOR_STREET = "12 Hidden Lane"
RISK_SUMMARY = "Planted summary naming the neighbour"


def _history(*events: DomainEvent) -> list[Recorded]:
    return [
        Recorded(event=e, actor=CM, version=i + 1, recorded_at=MONDAY + timedelta(hours=i))
        for i, e in enumerate(events)
    ]


def _known_case(kit: SimpleNamespace, policy: Any) -> Any:
    case = kit.Case(policy).opened()
    case.learn(
        cases_ev.SafeContactUpdated(
            case_id=case.case_id,
            updated_at=MONDAY,
            safe_contact=SafeContact(
                safe_phone_numbers=(SAFE_PHONE,),
                safe_postal_address=PostalAddress(lines=(SURVIVOR_STREET,), postcode="ZZ1 1ZZ"),
                safe_to_call=True,
                safe_to_text=True,
                safe_to_email=False,
                safe_to_write=True,
                safe_to_visit=False,
                withheld_number_only=False,
                never_leave_voicemail=True,
                interpreter_needed=False,
            ),
            survivors_own=True,
        )
    )
    return case


def _stream(case: Any) -> tuple[list[Recorded], SimpleNamespace]:
    ids = SimpleNamespace(
        marac=uuid.uuid4(),
        idva=uuid.uuid4(),
        mappa=uuid.uuid4(),
        child=uuid.uuid4(),
        consent=uuid.uuid4(),
    )
    child_id = case.known.children[0].person_id
    history = _history(
        ev.ConsentRecorded(
            case_id=case.case_id,
            consent_id=ids.consent,
            person_id=case.survivor_id,
            recorded_at=MONDAY,
            given=True,
            scope=(ReferralType.IDVA,),
            method=ev.ConsentMethod.VERBAL,
            notes="Planted consent note",
        ),
        ev.ReferralMade(
            case_id=case.case_id,
            referral_id=ids.idva,
            referral_type=ReferralType.IDVA,
            made_at=MONDAY,
            agency_name="Example IDVA",
            sharing_basis=ev.SharingBasis.CONSENT,
            consent_id=ids.consent,
            information_shared=(ev.SharedInformation.SAFE_CONTACT_ARRANGEMENTS,),
        ),
        ev.MaracReferred(
            case_id=case.case_id,
            referral_id=ids.marac,
            referred_at=MONDAY,
            marac_area="Example MARAC",
            criteria=(MaracCriterion.VISIBLE_HIGH_RISK,),
            survivor_informed=True,
            information_shared=(ev.SharedInformation.CONTACT_DETAILS,),
            risk_summary=RISK_SUMMARY,
        ),
        ev.MaracListed(
            case_id=case.case_id,
            referral_id=ids.marac,
            listed_at=MONDAY,
            meeting_date=date(2025, 3, 20),
        ),
        ev.ReferralMade(
            case_id=case.case_id,
            referral_id=ids.mappa,
            referral_type=ReferralType.MAPPA,
            made_at=MONDAY,
            agency_name="Example MAPPA",
            about_person_id=case.perpetrator_id,
            sharing_basis=ev.SharingBasis.LEGAL_DUTY,
            information_shared=(
                ev.SharedInformation.PERPETRATOR_DETAILS,
                ev.SharedInformation.CONTACT_DETAILS,
            ),
        ),
        ev.ReferralAccepted(
            case_id=case.case_id,
            referral_id=ids.mappa,
            referral_type=ReferralType.MAPPA,
            accepted_at=MONDAY,
        ),
        ev.ReferralMade(
            case_id=case.case_id,
            referral_id=ids.child,
            referral_type=ReferralType.SAFEGUARDING_CHILDREN,
            made_at=MONDAY,
            agency_name="Example children's services",
            about_person_id=child_id,
            sharing_basis=ev.SharingBasis.SAFEGUARDING_CHILD,
            safeguarding_reason="Planted reason",
            approved_by="dalead-0001",
            information_shared=(ev.SharedInformation.CHILDREN_DETAILS,),
        ),
        ev.IncidentRecorded(
            case_id=case.case_id,
            incident_id=uuid.uuid4(),
            occurred_on=date(2025, 3, 9),
            recorded_at=MONDAY,
            source=ev.IncidentSource.THIRD_PARTY,
        ),
    )
    return history, ids


def _events(answer: dict[str, Any]) -> list[str]:
    return [e["event"] for e in answer["events"]]


def test_the_survivor_gets_their_referrals_consents_and_marac_without_anyone_elses(
    kit: SimpleNamespace, policy: Any
) -> None:
    # Given a case with the survivor's IDVA and MARAC referrals, a MAPPA about the
    # perpetrator and a safeguarding referral about the child
    case = _known_case(kit, policy)
    history, ids = _stream(case)
    # When the survivor asks
    answer = subject_access(case.known, history, case.survivor_id)
    # Then they get their own, and free text is held for review, not printed
    assert answer["role"] == "survivor"
    assert _events(answer) == [
        "ConsentRecorded",
        "ReferralMade",
        "MaracReferred",
        "MaracListed",
        "IncidentRecorded",
    ]
    referred = [r for r in answer["events"] if r.get("referral_id")]
    assert {r["referral_id"] for r in referred} == {str(ids.idva), str(ids.marac)}
    marac = answer["events"][2]
    assert marac["criteria"] == ["visible_high_risk"]
    printed = json.dumps(answer)
    for secret in (RISK_SUMMARY, "Planted consent note", "Planted reason", "Sam Sample"):
        assert secret not in printed
    assert {(h["event"], h["field"]) for h in answer["held_for_review"]} == {
        ("MaracReferred", "risk_summary"),
        ("ConsentRecorded", "notes"),
    }
    # who told the landlord of the incident is not said
    assert "source" not in answer["events"][-1]


def test_the_perpetrator_gets_only_the_referrals_about_them_never_marac_nor_survivor(
    kit: SimpleNamespace, policy: Any
) -> None:
    # Given the same case
    case = _known_case(kit, policy)
    history, ids = _stream(case)
    # When the alleged perpetrator asks
    answer = subject_access(case.known, history, case.perpetrator_id)
    # Then only the MAPPA referral about them, as type, date and agency, and how it went
    assert answer["role"] == "alleged_perpetrator"
    assert _events(answer) == ["ReferralMade", "ReferralAccepted"]
    assert set(answer["events"][0]) == {
        "recorded_at",
        "event",
        "referral_id",
        "referral_type",
        "made_at",
        "agency_name",
    }
    printed = json.dumps(answer)
    for secret in (
        str(ids.marac),
        "marac",
        "Example IDVA",
        str(ids.consent),
        SAFE_PHONE,
        SURVIVOR_STREET,
        "Alex Example",
        "contact_details",
        str(case.survivor_id),
    ):
        assert secret not in printed


def test_a_child_gets_the_safeguarding_referral_about_them(
    kit: SimpleNamespace, policy: Any
) -> None:
    case = _known_case(kit, policy)
    history, ids = _stream(case)
    answer = subject_access(case.known, history, case.known.children[0].person_id)
    assert answer["role"] == "child"
    assert [e["referral_id"] for e in answer["events"]] == [str(ids.child)]
    assert answer["held_for_review"][0]["field"] == "safeguarding_reason"
    assert "Planted reason" not in json.dumps(answer)


def test_someone_not_on_the_case_and_an_unknown_case_are_not_found(
    kit: SimpleNamespace, policy: Any
) -> None:
    case = _known_case(kit, policy)
    history, _ = _stream(case)
    with pytest.raises(NotFound) as stranger:
        subject_access(case.known, history, uuid.uuid4())
    assert stranger.value.code == "person_not_on_case"
    with pytest.raises(NotFound) as unknown:
        subject_access(kit.Case(policy).known, [], uuid.uuid4())
    assert unknown.value.code == "case_not_found"


def test_an_erased_case_answers_only_that_it_was_erased_and_when(
    kit: SimpleNamespace, policy: Any
) -> None:
    case = _known_case(kit, policy)
    history, _ = _stream(case)
    survivor = case.survivor_id
    erased_at = MONDAY + timedelta(days=3)
    case.learn(cases_ev.CaseErased(case_id=case.case_id, erased_at=erased_at, **_erasure()))
    answer = subject_access(case.known, history, survivor)
    assert answer == {
        "case_id": str(case.case_id),
        "person_id": str(survivor),
        "erased": True,
        "erased_at": erased_at.isoformat(),
    }


def _erasure() -> dict[str, Any]:
    return {
        "basis": ErasureBasis.RETENTION_EXPIRED,
        "reason": ErasureReason.RETENTION_PERIOD_ENDED,
        "retention_policy": "west-kent-2024",
        "retention_years": 6,
        "closed_at": MONDAY,
    }
