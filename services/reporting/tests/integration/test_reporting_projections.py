"""The four topics, as the services publish them (personal values encrypted), folded into
reporting's facts exactly once, with nothing personal in any of its tables."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from hearth.eventstore.testing.erasure import tables_holding
from hearth.eventstore.testing.service import RunningService
from hearth.reporting import read_model

pytestmark = pytest.mark.integration


async def test_a_case_across_four_topics_becomes_its_facts_without_any_personal_value(
    reporting: RunningService,
    producers: Any,
    until_caught_up: Callable[..., Any],
    kit: SimpleNamespace,
) -> None:
    at = kit.MONDAY
    raised = kit.enquiry(at - timedelta(days=1))
    story = kit.CaseStory()
    story.report(at, enquiry_id=raised.event.enquiry_id)
    opened = story.opened(at, equality=kit.EQUALITY, children=2, repair=True)
    story.assigned("cso-0001", at)
    story.contacted(opened, at + timedelta(hours=2))
    assessment = story.dash(15, kit.RiskLevel.HIGH, at + timedelta(hours=3))
    story.dash_met(opened, assessment)
    story.repair_done(opened, at + timedelta(hours=30))
    referral = story.marac(at + timedelta(hours=4))
    story.heard(referral, (at + timedelta(days=10)).date(), actions=2)
    consent = story.consent(False, at + timedelta(hours=5))
    story.closed(at + timedelta(days=20))
    await producers.append([raised, *story.events])
    await until_caught_up(reporting, producers)

    store = reporting.runtime.event_store
    async with store.transaction() as conn:
        facts = await read_model.load_facts(conn, store.schema)
    [case] = facts.cases
    assert (case.case_id, case.channel, case.case_manager_id) == (
        story.case_id,
        "phone",
        "cso-0001",
    )
    assert (case.survivor.sex, case.survivor.age_band, case.children_in_household) == (
        "male",
        "16_17",
        2,
    )
    deadlines = {d.kind: d for d in facts.deadlines}
    assert deadlines["first_contact"].met_at == at + timedelta(hours=2)
    assert deadlines["dash"].outcome == "completed"
    assert deadlines["emergency_repair"].met_at == at + timedelta(hours=30)
    assert [c.reason for c in facts.closures] == ["survivor_moved"]
    assert [(m.referral_id, m.heard_on) for m in facts.marac_referrals] == [
        (referral.referral_id, (at + timedelta(days=10)).date())
    ]
    assert len(facts.marac_actions) == 2
    assert [(c.consent_id, c.given) for c in facts.consents] == [(consent.consent_id, False)]
    [enquiry] = facts.enquiries
    assert (enquiry.trigger, enquiry.case_id) == ("asb_report", story.case_id)
    assert [a.level for a in facts.assessments] == ["high"]

    timeline = await store.pool.fetch(
        f"SELECT service, event_type, actor_role FROM {store.schema}.timeline"
        " WHERE case_id = $1 ORDER BY at, event_type",
        story.case_id,
    )
    assert len(timeline) == len(story.events)
    assert {r["service"] for r in timeline} == {"intake", "cases", "risk", "referrals"}

    for planted in ("Alex Example", "07700 900111", "Sam Sample", "Kit 0", "Change the locks"):
        assert await tables_holding(store.pool, store.schema, planted) == []


async def test_each_event_counts_once_however_often_it_arrives(
    start_reporting: Callable[..., Any],
    producers: Any,
    until_caught_up: Callable[..., Any],
    kit: SimpleNamespace,
) -> None:
    story = kit.CaseStory()
    opened = story.opened(kit.MONDAY)
    story.contacted(opened, kit.MONDAY + timedelta(hours=1))
    await producers.append(story.events)
    async with start_reporting() as reporting:
        await until_caught_up(reporting, producers)
        schema = reporting.runtime.schema
        store = reporting.runtime.event_store
        async with store.transaction() as conn:
            before = await read_model.snapshot(conn, schema)
        # Delivered again from offset 0 (the checkpoint forgotten, the inbox kept).
        await store.pool.execute(f"DELETE FROM {schema}.consumer_offsets")
    async with start_reporting(schema) as again:
        more = kit.CaseStory()
        more.opened(kit.MONDAY)
        await producers.append(more.events)
        await until_caught_up(again, producers)
        async with again.runtime.event_store.transaction() as conn:
            after = await read_model.snapshot(conn, schema)
    assert len(after["case_facts"]) == 2
    assert len(after["timeline"]) == len(before["timeline"]) + 1
    assert [r for r in after["deadlines"] if r["case_id"] == story.case_id] == before["deadlines"]
