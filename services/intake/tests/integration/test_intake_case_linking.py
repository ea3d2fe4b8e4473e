"""Reports about people with an open case join it; after closure or MARAC, repeats are flagged."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from hearth.contracts.envelope import Role
from hearth.contracts.events.case_values import (
    ClosureReason,
    ReopenReason,
    Restriction,
    RestrictionReason,
)
from hearth.contracts.events.cases import (
    CaseClosed,
    CaseReopened,
    CaseRestricted,
    CaseRestrictionLifted,
    PeopleUpdated,
)
from hearth.contracts.events.common import MaracCriterion, Survivor
from hearth.contracts.events.referrals import MaracReferred, SharedInformation
from hearth.contracts.topics import CASES_EVENTS, REFERRALS_EVENTS
from hearth.eventstore.clock import ControllableClock
from hearth.eventstore.testing.service import RunningService
from hearth.intake.consumers import CASE_STATUS_CONSUMER

pytestmark = pytest.mark.integration

STAFF = ("staff-0042", Role.INTAKE)


async def _report(intake: RunningService, body: dict[str, Any]) -> dict[str, Any]:
    response = await intake.client.post("/reports", json=body, headers=intake.auth(*STAFF))
    assert response.status_code == 202, response.text
    answer: dict[str, Any] = response.json()
    return answer


def _about_survivor_phone(report_body: Callable[..., dict[str, Any]], phone: str) -> dict[str, Any]:
    """A report whose survivor is known by this phone number (unique to the test), with the
    same date of birth each time: one person."""
    body = report_body()
    digits = [int(d) for d in phone if d.isdigit()]
    body["survivor"]["phone"] = phone
    body["survivor"]["date_of_birth"] = (
        f"19{50 + digits[-3] * 4 + digits[-4] % 4}-{1 + digits[-2]:02d}-{1 + digits[-1]:02d}"
    )
    return body


async def _caught_up(intake: RunningService) -> None:
    await intake.runtime.consumers[CASE_STATUS_CONSUMER].wait_caught_up(timeout=60)


def _closed(case_id: str, clock: ControllableClock, *, days_ago: int) -> CaseClosed:
    return CaseClosed(
        case_id=uuid.UUID(case_id),
        closed_at=clock.now() - timedelta(days=days_ago),
        reason=ClosureReason.SURVIVOR_SAFE_SUPPORT_IN_PLACE,
        approved_by="staff-manager-1",
    )


def _marac(case_id: str, clock: ControllableClock, *, days_ago: int) -> MaracReferred:
    return MaracReferred(
        case_id=uuid.UUID(case_id),
        referral_id=uuid.uuid4(),
        referred_at=clock.now() - timedelta(days=days_ago),
        marac_area="West Kent",
        criteria=(MaracCriterion.VISIBLE_HIGH_RISK,),
        survivor_informed=True,
        information_shared=(SharedInformation.RISK_ASSESSMENT,),
    )


async def test_a_second_report_about_the_same_survivor_joins_the_open_case(
    intake: RunningService,
    report_body: Callable[..., dict[str, Any]],
    new_phone: Callable[[], str],
) -> None:
    phone = new_phone()
    first = report_body()
    first["survivor"]["phone"] = phone
    opened = await _report(intake, first)

    # Written differently, and nothing else in common: still the same phone.
    second = report_body(alleged_perpetrators=[], tenancy_reference=None)
    second["survivor"] = {"phone": "+44 " + phone[1:]}
    joined = await _report(intake, second)

    assert joined["case_id"] == opened["case_id"]
    assert joined["link"] == {
        "basis": "same_survivor",
        "repeat_reasons": [],
        "previous_case_id": None,
    }
    first_events = await intake.runtime.event_store.read_stream(f"report-{opened['report_id']}")
    second_events = await intake.runtime.event_store.read_stream(f"report-{joined['report_id']}")
    assert second_events[0].subject == opened["case_id"]
    assert second_events[0].payload["case_id"] == opened["case_id"]
    # The survivor keeps the person id the case already knows them by.
    assert (
        second_events[0].payload["survivor"]["person_id"]
        == first_events[0].payload["survivor"]["person_id"]
    )


async def _linked(intake: RunningService, answer: dict[str, Any]) -> dict[str, Any]:
    """The `ReportLinkedToCase` payload of a report."""
    events = await intake.runtime.event_store.read_stream(f"report-{answer['report_id']}")
    assert events[1].type == "hearth.intake.ReportLinkedToCase.v1"
    return events[1].payload


async def test_another_survivor_naming_the_same_perpetrator_opens_her_own_linked_case(
    intake: RunningService, report_body: Callable[..., dict[str, Any]], new_phone: Any
) -> None:
    perpetrator = {
        "name": "Sam Sample",
        "date_of_birth": "1985-01-02",
        "phone": f"07700 8{uuid.uuid4().int % 100_000:05d}",
        "relationship_to_survivor": "former_intimate_partner",
    }
    opened = await _report(intake, report_body(alleged_perpetrators=[perpetrator]))

    robin = report_body(alleged_perpetrators=[perpetrator])
    robin["survivor"] = {"name": "Robin Other", "phone": new_phone()}
    hers = await _report(intake, robin)

    assert hers["case_id"] != opened["case_id"]
    assert hers["link"]["basis"] == "new_case"
    [first_received, _] = await intake.runtime.event_store.read_stream(
        f"report-{opened['report_id']}"
    )
    [received, linked] = await intake.runtime.event_store.read_stream(f"report-{hers['report_id']}")
    assert received.subject == linked.subject == hers["case_id"]
    sam_on_robins_case = received.payload["alleged_perpetrators"][0]["person_id"]
    sam_on_alexs_case = first_received.payload["alleged_perpetrators"][0]["person_id"]
    assert sam_on_robins_case != sam_on_alexs_case
    assert linked.payload["related_cases"] == [
        {
            "case_id": opened["case_id"],
            "basis": "same_alleged_perpetrator",
            "shared_perpetrators": [
                {"person_id": sam_on_robins_case, "related_person_id": sam_on_alexs_case}
            ],
            "conflicting_details": [],
        }
    ]


async def test_another_survivor_in_the_household_opens_her_own_case_and_nobody_named_joins(
    intake: RunningService, report_body: Callable[..., dict[str, Any]], new_phone: Any
) -> None:
    tenancy = f"T-{uuid.uuid4().hex[:8]}"
    opened = await _report(intake, report_body(tenancy_reference=tenancy))

    jo = report_body(alleged_perpetrators=[], tenancy_reference=tenancy)
    jo["survivor"] = {"name": "Jo Example", "phone": new_phone()}
    hers = await _report(intake, jo)
    assert hers["case_id"] != opened["case_id"]
    assert [(r["case_id"], r["basis"]) for r in (await _linked(intake, hers))["related_cases"]] == [
        (opened["case_id"], "same_household")
    ]

    # Nobody named: the report may join the household's case, but there are two now.
    unnamed = report_body(alleged_perpetrators=[], tenancy_reference=tenancy.lower())
    unnamed["survivor"] = {}
    neither = await _report(intake, unnamed)
    assert neither["case_id"] not in {opened["case_id"], hers["case_id"]}
    related = {r["case_id"] for r in (await _linked(intake, neither))["related_cases"]}
    assert related == {opened["case_id"], hers["case_id"]}


async def test_a_report_naming_nobody_joins_the_households_only_open_case(
    intake: RunningService, report_body: Callable[..., dict[str, Any]]
) -> None:
    tenancy = f"T-{uuid.uuid4().hex[:8]}"
    opened = await _report(intake, report_body(tenancy_reference=tenancy))
    unnamed = report_body(alleged_perpetrators=[], tenancy_reference=tenancy.lower())
    unnamed["survivor"] = {}
    same_home = await _report(intake, unnamed)
    assert same_home["case_id"] == opened["case_id"]
    assert same_home["link"]["basis"] == "same_household"


async def test_another_name_on_the_survivors_phone_is_a_candidate_not_a_join(
    intake: RunningService, report_body: Callable[..., dict[str, Any]], new_phone: Any
) -> None:
    phone = new_phone()
    opened = await _report(intake, _about_survivor_phone(report_body, phone))
    runtime = intake.runtime
    assert runtime.pool is not None
    keys_on_alexs_case = f"SELECT count(*) FROM {runtime.schema}.match_keys WHERE case_id = $1"
    before = await runtime.pool.fetchval(keys_on_alexs_case, uuid.UUID(opened["case_id"]))

    bea = report_body(alleged_perpetrators=[], children=[])
    bea["survivor"] = {"name": "Bea Other", "phone": phone}
    hers = await _report(intake, bea)

    assert hers["case_id"] != opened["case_id"]
    assert hers["link"]["basis"] == "new_case"
    linked = await _linked(intake, hers)
    assert linked["related_cases"] == [
        {
            "case_id": opened["case_id"],
            "basis": "possibly_same_survivor",
            "shared_perpetrators": [],
            "conflicting_details": ["name"],
        }
    ]
    # Bea's keys point at her own case only.
    assert await runtime.pool.fetchval(keys_on_alexs_case, uuid.UUID(opened["case_id"])) == before

    # Alex again, on her phone: still her case.
    alex_again = report_body(alleged_perpetrators=[], children=[])
    alex_again["survivor"] = {"name": "Alex Example", "phone": phone}
    again = await _report(intake, alex_again)
    assert again["case_id"] == opened["case_id"]
    assert again["link"]["basis"] == "same_survivor"


async def test_after_the_case_is_closed_a_new_report_opens_a_repeat_case(
    intake: RunningService,
    report_body: Callable[..., dict[str, Any]],
    new_phone: Callable[[], str],
    publish: Any,
    clock: ControllableClock,
) -> None:
    phone = new_phone()
    opened = await _report(intake, _about_survivor_phone(report_body, phone))

    await publish(_closed(opened["case_id"], clock, days_ago=30), CASES_EVENTS)
    await _caught_up(intake)
    repeat = await _report(intake, _about_survivor_phone(report_body, phone))

    assert repeat["case_id"] != opened["case_id"]
    assert repeat["link"] == {
        "basis": "new_case",
        "repeat_reasons": ["case_closed_within_12_months"],
        "previous_case_id": opened["case_id"],
    }
    events = await intake.runtime.event_store.read_stream(f"report-{repeat['report_id']}")
    assert events[1].payload["repeat_reasons"] == ["case_closed_within_12_months"]
    assert events[1].payload["previous_case_id"] == opened["case_id"]
    assert {e.subject for e in events} == {repeat["case_id"]}


async def test_a_case_closed_more_than_12_months_ago_is_no_repeat(
    intake: RunningService,
    report_body: Callable[..., dict[str, Any]],
    new_phone: Callable[[], str],
    publish: Any,
    clock: ControllableClock,
) -> None:
    body = _about_survivor_phone(report_body, new_phone())
    opened = await _report(intake, body)

    await publish(_closed(opened["case_id"], clock, days_ago=400), CASES_EVENTS)
    await _caught_up(intake)
    again = await _report(intake, body)

    assert again["case_id"] != opened["case_id"]
    assert again["link"] == {"basis": "new_case", "repeat_reasons": [], "previous_case_id": None}


async def test_a_marac_referral_within_12_months_of_a_closed_case_flags_the_repeat(
    intake: RunningService,
    report_body: Callable[..., dict[str, Any]],
    new_phone: Callable[[], str],
    publish: Any,
    clock: ControllableClock,
) -> None:
    body = _about_survivor_phone(report_body, new_phone())
    opened = await _report(intake, body)

    await publish(_marac(opened["case_id"], clock, days_ago=200), REFERRALS_EVENTS)
    await publish(_closed(opened["case_id"], clock, days_ago=500), CASES_EVENTS)
    await _caught_up(intake)
    repeat = await _report(intake, body)

    assert repeat["link"] == {
        "basis": "new_case",
        "repeat_reasons": ["marac_within_12_months"],
        "previous_case_id": opened["case_id"],
    }


async def test_a_report_joining_an_open_case_with_a_marac_referral_is_a_repeat(
    intake: RunningService,
    report_body: Callable[..., dict[str, Any]],
    new_phone: Callable[[], str],
    publish: Any,
    clock: ControllableClock,
) -> None:
    body = _about_survivor_phone(report_body, new_phone())
    opened = await _report(intake, body)

    await publish(_marac(opened["case_id"], clock, days_ago=1), REFERRALS_EVENTS)
    await _caught_up(intake)
    joined = await _report(intake, body)

    # It joins the open case, and is a repeat: a MARAC referral in the last 12 months.
    assert joined["case_id"] == opened["case_id"]
    assert joined["link"] == {
        "basis": "same_survivor",
        "repeat_reasons": ["marac_within_12_months"],
        "previous_case_id": None,
    }


async def test_a_reopened_case_is_joined_again(
    intake: RunningService,
    report_body: Callable[..., dict[str, Any]],
    new_phone: Callable[[], str],
    publish: Any,
    clock: ControllableClock,
) -> None:
    body = _about_survivor_phone(report_body, new_phone())
    opened = await _report(intake, body)
    case_id = uuid.UUID(opened["case_id"])

    await publish(_closed(opened["case_id"], clock, days_ago=10), CASES_EVENTS)
    await publish(
        CaseReopened(
            case_id=case_id,
            reopened_at=clock.now() - timedelta(days=2),
            reason=ReopenReason.NEW_INCIDENT,
        ),
        CASES_EVENTS,
    )
    await _caught_up(intake)
    joined = await _report(intake, body)

    assert joined["case_id"] == opened["case_id"]


async def test_people_recorded_later_by_the_caseworker_are_found_too(
    intake: RunningService,
    report_body: Callable[..., dict[str, Any]],
    new_phone: Callable[[], str],
    publish: Any,
    clock: ControllableClock,
) -> None:
    opened = await _report(intake, report_body())
    email = f"safe.{uuid.uuid4().hex[:10]}@example.org"
    person_id = uuid.uuid4()
    await publish(
        PeopleUpdated(
            case_id=uuid.UUID(opened["case_id"]),
            updated_at=clock.now(),
            survivor=Survivor(person_id=person_id, email=email),
        ),
        CASES_EVENTS,
    )
    await _caught_up(intake)

    body = report_body(alleged_perpetrators=[])
    body["survivor"] = {"email": email.upper()}
    joined = await _report(intake, body)

    assert joined["case_id"] == opened["case_id"]
    events = await intake.runtime.event_store.read_stream(f"report-{joined['report_id']}")
    assert events[0].payload["survivor"]["person_id"] == str(person_id)


async def test_staff_can_record_a_report_against_an_open_case_they_name(
    intake: RunningService,
    report_body: Callable[..., dict[str, Any]],
    publish: Any,
    clock: ControllableClock,
) -> None:
    opened = await _report(intake, report_body())
    body = report_body(case_id=opened["case_id"], alleged_perpetrators=[])
    body["survivor"] = {}
    named = await _report(intake, body)
    assert named["case_id"] == opened["case_id"]
    assert named["link"]["basis"] == "named_by_staff"

    await publish(_closed(opened["case_id"], clock, days_ago=1), CASES_EVENTS)
    await _caught_up(intake)
    refused = await intake.client.post("/reports", json=body, headers=intake.auth(*STAFF))
    assert refused.status_code == 422
    [error] = refused.json()["errors"]
    assert error["field"] == "case_id" and error["kind"] == "case_not_open"


async def test_the_match_index_holds_no_plaintext_identifiers(
    intake: RunningService, report_body: Callable[..., dict[str, Any]]
) -> None:
    body = report_body(tenancy_reference="T-000123")
    await _report(intake, body)
    runtime = intake.runtime
    assert runtime.pool is not None
    rows = await runtime.pool.fetch(f"SELECT * FROM {runtime.schema}.match_keys")
    assert rows
    dump = " ".join(str(dict(r)) for r in rows).lower()
    survivor = body["survivor"]
    phone_digits = survivor["phone"].replace(" ", "")[1:]
    for secret in ("alex", survivor["date_of_birth"], phone_digits, "t-000123", "t000123"):
        assert secret not in dump
    assert all(len(r["digest"]) == 64 for r in rows)
    idempotency = await runtime.pool.fetch(f"SELECT * FROM {runtime.schema}.idempotency_keys")
    assert not idempotency


async def test_a_report_joining_a_restricted_case_names_the_case_only_to_its_named_staff(
    intake: RunningService,
    report_body: Callable[..., dict[str, Any]],
    new_phone: Callable[[], str],
    publish: Any,
    clock: ControllableClock,
) -> None:
    body = _about_survivor_phone(report_body, new_phone())
    opened = await _report(intake, body)
    case_id = uuid.UUID(opened["case_id"])
    named = "intake-0777"
    await publish(
        CaseRestricted(
            case_id=case_id,
            restricted_at=clock.now(),
            restriction=Restriction(
                reason=RestrictionReason.SURVIVOR_IS_STAFF,
                permitted_staff_ids=("dalead-0001", named),
            ),
        ),
        CASES_EVENTS,
    )
    await _caught_up(intake)

    # Another member of intake staff reports about the same survivor.
    # They are answered as for a person with no case (issue 10, point 17), under a
    # stand-in case id.
    unnamed = await _report(intake, body)
    assert unnamed == {
        "report_id": unnamed["report_id"],
        "case_id": unnamed["case_id"],
        "link": {"basis": "new_case", "repeat_reasons": [], "previous_case_id": None},
    }
    assert unnamed["case_id"] != opened["case_id"]
    # The report is on the case all the same.
    [received, linked] = await intake.runtime.event_store.read_stream(
        f"report-{unnamed['report_id']}"
    )
    assert received.subject == opened["case_id"]
    assert linked.payload["case_id"] == opened["case_id"]

    # Someone named on the case is told which case it joined.
    response = await intake.client.post(
        "/reports", json=body, headers=intake.auth(named, Role.INTAKE)
    )
    assert response.status_code == 202
    assert response.json()["case_id"] == opened["case_id"]
    assert response.json()["link"]["basis"] == "same_survivor"

    # Once the restriction is lifted, the case is named as usual.
    await publish(
        CaseRestrictionLifted(case_id=case_id, lifted_at=clock.now(), reason="Reviewed by HR."),
        CASES_EVENTS,
    )
    await _caught_up(intake)
    assert (await _report(intake, body))["case_id"] == opened["case_id"]
