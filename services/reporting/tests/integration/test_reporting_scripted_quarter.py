"""A quarter of synthetic cases, made by a seeded generator (not typed in by hand):
reports by every channel, contacts on time, late and never, DASH at every level, MARAC
referrals with repeats, referrals with consent given and refused, closures. What
reporting publishes for the committee and for MARAC must be exactly what the test
counts from the generated scenario itself."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from hearth.contracts.envelope import Role
from hearth.contracts.events.case_values import ClosureReason
from hearth.contracts.events.common import (
    Channel,
    EqualityMonitoring,
    ReferralType,
    RiskLevel,
    Sex,
)
from hearth.eventstore.calendar import WorkingCalendar
from hearth.eventstore.testing.service import RunningService
from hearth.reporting.settings import load_policy

pytestmark = pytest.mark.integration

SEED = 20260930
CASES = 36
FIRST_MONDAY = datetime(2026, 7, 6, 8, 0, tzinfo=UTC)  # 09:00 in London
WEEKS = 11  # reports from 6 July to 18 September: every target falls inside Q3


@dataclass
class Scripted:
    """What the generator chose for one case (the test's own record of it)."""

    channel: str
    male: bool
    contact: str  # on_time, late, never
    dash: str  # on_time, late, never
    level: str | None
    marac: bool
    repeat: bool
    consent_given: bool
    closure: str | None


def _generate(kit: SimpleNamespace) -> tuple[list[Any], list[Scripted]]:
    rng = random.Random(SEED)
    calendar = WorkingCalendar(load_policy().working_days)
    published: list[Any] = []
    script: list[Scripted] = []
    for _ in range(CASES):
        # Monday to Wednesday, 09:00 to 15:00 in London: one working day later is always
        # within the week, bank holiday Monday (31 August) or not.
        at = FIRST_MONDAY + timedelta(
            weeks=rng.randrange(WEEKS), days=rng.randrange(3), hours=rng.randrange(7)
        )
        contact_due = calendar.working_days_after(at, 1)
        dash_due = calendar.working_days_after(at, 2)
        s = Scripted(
            channel=rng.choice(list(Channel)).value,
            male=rng.random() < 0.3,
            contact=rng.choice(["on_time", "on_time", "late", "never"]),
            dash=rng.choice(["on_time", "late", "never"]),
            level=None,
            marac=False,
            repeat=False,
            consent_given=rng.random() < 0.6,
            closure=rng.choice([None, None, *list(ClosureReason)]),
        )
        story = kit.CaseStory()
        opened = story.opened(
            at,
            channel=Channel(s.channel),
            equality=EqualityMonitoring(sex=Sex.MALE if s.male else Sex.FEMALE),
            contact_due=contact_due - at,
            dash_due=dash_due - at,
        )
        if s.contact != "never":
            # Late: four days on is past one working day even across a bank holiday.
            story.contacted(
                opened, at + (timedelta(hours=2) if s.contact == "on_time" else timedelta(days=4))
            )
        if s.dash != "never":
            s.level = rng.choice(list(RiskLevel)).value
            when = at + (timedelta(hours=3) if s.dash == "on_time" else timedelta(days=6))
            assessment = story.dash(10, RiskLevel(s.level), when)
            story.dash_met(opened, assessment)
            if s.level == RiskLevel.HIGH:
                s.marac, s.repeat = True, rng.random() < 0.4
                story.marac(when + timedelta(hours=1), repeat=s.repeat)
        consent = story.consent(s.consent_given, at + timedelta(days=1))
        if s.consent_given:
            story.referral(ReferralType.VICTIM_SUPPORT, at + timedelta(days=1), consent.consent_id)
        if s.closure is not None:
            story.closed(at + timedelta(days=7), ClosureReason(s.closure))
        published.extend(story.events)
        script.append(s)
    return published, script


def _rate(part: int, whole: int) -> dict[str, Any]:
    return {"count": part, "of": whole, "percent": round(100 * part / whole, 1) if whole else None}


async def test_a_scripted_quarter_gives_exactly_the_figures_counted_from_the_script(
    reporting: RunningService,
    producers: Any,
    until_caught_up: Callable[..., Any],
    kit: SimpleNamespace,
) -> None:
    published, script = _generate(kit)
    # The seed gives a quarter with something of everything.
    assert {s.contact for s in script} == {"on_time", "late", "never"}
    assert {s.dash for s in script} == {"on_time", "late", "never"}
    assert {s.level for s in script} >= {"standard", "medium", "high"}
    assert any(s.repeat for s in script) and any(s.marac and not s.repeat for s in script)
    assert {s.consent_given for s in script} == {True, False}
    assert len({s.channel for s in script}) >= 5 and any(s.closure for s in script)
    await producers.append(published)
    await until_caught_up(reporting, producers)
    headers = reporting.auth("auditor-0001", Role.AUDITOR)
    committee = (
        await reporting.client.get("/figures/committee?period=2026-Q3", headers=headers)
    ).json()["sections"]
    marac = (await reporting.client.get("/figures/marac?period=2026-Q3", headers=headers)).json()[
        "sections"
    ]

    closed = [s for s in script if s.closure]
    assert committee["cases"] == {
        "new": {"count": CASES},
        "open_at_end": {"count": CASES - len(closed)},
        "closed": {"count": len(closed)},
    }
    on_time = Counter(s.contact for s in script)
    assert committee["timescales"]["first_contact_within_target"] == _rate(
        on_time["on_time"], CASES
    )
    dash = Counter(s.dash for s in script)
    assert committee["timescales"]["dash_within_target"] == _rate(dash["on_time"], CASES)

    levels = Counter(s.level for s in script if s.level)
    assert committee["risk"]["assessments_by_level"]["counts"] == {
        level.value: levels[level.value] for level in RiskLevel
    }
    referred = [s for s in script if s.marac]
    repeats = sum(s.repeat for s in referred)
    assert committee["marac"] == {
        "referrals": {"count": len(referred)},
        "repeats": _rate(repeats, len(referred)),
    }
    assert marac["volume"]["cases_referred"] == {"count": len(referred)}
    assert marac["volume"]["repeats"] == _rate(repeats, len(referred))
    assert marac["victims"]["male"] == _rate(sum(s.male for s in referred), len(referred))

    refused = sum(not s.consent_given for s in script)
    assert committee["consent"]["refusals"] == _rate(refused, CASES)
    by_type = committee["referrals"]["by_type"]["counts"]
    assert (by_type["victim_support"], by_type["marac"]) == (CASES - refused, len(referred))

    reasons = Counter(s.closure for s in closed)
    assert committee["closures"]["by_reason"]["counts"] == {
        r.value: reasons[r.value] for r in ClosureReason
    }
    assert committee["closures"]["days_open_to_closed"] == {
        "median_days": 7.0 if closed else None,
        "of": len(closed),
    }
    channels = Counter(s.channel for s in script)
    assert committee["reports"]["by_channel"]["counts"] == {
        **{c.value: channels[c.value] for c in Channel},
        "not_recorded": 0,
    }
    assert committee["equality"]["male"] == _rate(sum(s.male for s in script), CASES)
