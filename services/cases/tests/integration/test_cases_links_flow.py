"""A case belongs to one survivor: cases linked by intake show the link on both sides.

Intake's events go onto the topic as intake publishes them; the cases service records the
link on the report's case and on the other one, flags an alleged perpetrator reported by
more than one survivor on each, and shows linked case ids only to those who may see them.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from hearth.contracts.envelope import Envelope, Role
from hearth.contracts.events.common import AllegedPerpetrator, Relationship, Survivor
from hearth.contracts.events.intake import (
    IdentityDetail,
    RelatedCase,
    RelatedCaseBasis,
    SharedPerpetrator,
)

pytestmark = pytest.mark.integration

LEAD = ("dalead-0001", Role.MANAGER)
LATER = datetime(2025, 3, 7, 18, 0, tzinfo=UTC)


def names(history: list[Envelope]) -> list[str]:
    return [e.event_name for e in history]


async def _view(cases: Any, case_id: uuid.UUID, who: tuple[str, Role] = LEAD) -> Any:
    response = await cases.client.get(f"/cases/{case_id}", headers=cases.auth(*who))
    assert response.status_code == 200, response.text
    return response.json()


def _sam() -> AllegedPerpetrator:
    return AllegedPerpetrator(
        person_id=uuid.uuid4(),
        name="Sam Sample",
        relationship_to_survivor=Relationship.INTIMATE_PARTNER,
    )


async def test_another_survivors_case_sharing_the_perpetrator_is_linked_from_both_sides(
    cases, intake, opened_case, eventually, case_events
) -> None:
    alex = intake.report(alleged_perpetrators=(_sam(),))
    await intake.send(alex)
    await opened_case(cases, alex.case_id)
    sam_on_alexs = alex.alleged_perpetrators[0].person_id

    sam_on_robins = _sam()
    robin = intake.report(
        survivor=Survivor(person_id=uuid.uuid4(), name="Robin Other"),
        alleged_perpetrators=(sam_on_robins,),
        received_at=LATER,
    )
    related = RelatedCase(
        case_id=alex.case_id,
        basis=RelatedCaseBasis.SAME_ALLEGED_PERPETRATOR,
        shared_perpetrators=(
            SharedPerpetrator(person_id=sam_on_robins.person_id, related_person_id=sam_on_alexs),
        ),
    )
    await intake.send(robin, related_cases=(related,))

    async def linked_on(case_id: uuid.UUID) -> list[Envelope]:
        history = await case_events(cases, case_id)
        return history if "CasesLinked" in names(history) else []

    await eventually(lambda: linked_on(robin.case_id), what="the link on Robin's case")
    await eventually(lambda: linked_on(alex.case_id), what="the link on Alex's case")

    robins, alexs = await _view(cases, robin.case_id), await _view(cases, alex.case_id)
    assert [(c["case_id"], c["basis"], c["needs_confirming"]) for c in robins["linked_cases"]] == [
        (str(alex.case_id), "same_alleged_perpetrator", False)
    ]
    assert [c["case_id"] for c in alexs["linked_cases"]] == [str(robin.case_id)]
    for view, sam in ((robins, sam_on_robins.person_id), (alexs, sam_on_alexs)):
        reasons = [f["reason"] for f in view["flags"] if f["person_id"] == str(sam)]
        assert any("more than one survivor" in r for r in reasons)
    # Each survivor stays on her own case; nothing of Robin's report is on Alex's.
    assert alexs["survivor"]["name"] == "Alex Example"
    assert alexs["report_ids"] == [str(alex.report_id)]
    assert [p["person_id"] for p in alexs["alleged_perpetrators"]] == [str(sam_on_alexs)]


async def test_a_possible_same_survivor_shows_as_needing_confirmation(
    cases, intake, opened_case, eventually, case_events
) -> None:
    alex = intake.report()
    await intake.send(alex)
    await opened_case(cases, alex.case_id)
    bea = intake.report(
        survivor=Survivor(person_id=uuid.uuid4(), name="Bea Other", phone="07700 900123"),
        alleged_perpetrators=(),
        received_at=LATER,
    )
    candidate = RelatedCase(
        case_id=alex.case_id,
        basis=RelatedCaseBasis.POSSIBLY_SAME_SURVIVOR,
        conflicting_details=(IdentityDetail.NAME,),
    )
    await intake.send(bea, related_cases=(candidate,))

    async def linked() -> list[Envelope]:
        history = await case_events(cases, alex.case_id)
        return history if "CasesLinked" in names(history) else []

    await eventually(linked, what="the candidate on Alex's case")
    beas = await _view(cases, bea.case_id)
    assert beas["linked_cases"][0]["case_id"] == str(alex.case_id)
    assert beas["linked_cases"][0]["needs_confirming"] is True
    assert beas["linked_cases"][0]["conflicting_details"] == ["name"]
    alexs = await _view(cases, alex.case_id)
    assert alexs["safe_contact"] is None
    assert alexs["survivor"]["phone"] is None


async def test_a_linked_restricted_case_is_shown_only_to_its_named_staff(
    cases, intake, opened_case, eventually, case_events
) -> None:
    staff_survivor = Survivor(
        person_id=uuid.uuid4(), name="Dana Colleague", is_staff_member=True, staff_id="hr-0099"
    )
    dana = intake.report(survivor=staff_survivor, alleged_perpetrators=(_sam(),))
    await intake.send(dana)
    history = await opened_case(cases, dana.case_id)
    named = set(history[0].payload["restriction"]["permitted_staff_ids"])

    robin = intake.report(alleged_perpetrators=(_sam(),), received_at=LATER)
    household = RelatedCase(case_id=dana.case_id, basis=RelatedCaseBasis.SAME_HOUSEHOLD)
    await intake.send(robin, related_cases=(household,))

    async def linked() -> list[Envelope]:
        history = await case_events(cases, robin.case_id)
        return history if "CasesLinked" in names(history) else []

    await eventually(linked, what="the link on Robin's case")
    outsider = next(s for s in ("cso-0001", "cso-0002", "cso-0003") if s not in named)
    seen_by_outsider = await _view(cases, robin.case_id, (outsider, Role.CASE_MANAGER))
    assert seen_by_outsider["linked_cases"] == []
    assert str(dana.case_id) not in str(seen_by_outsider)
    seen_by_lead = await _view(cases, robin.case_id)
    assert [c["case_id"] for c in seen_by_lead["linked_cases"]] == [str(dana.case_id)]
