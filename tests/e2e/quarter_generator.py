"""A seeded generator of a quarter of synthetic cases, for the end-to-end reporting test.

Pure: `generate(seed, cases)` returns the same script for the same seed. Each case is what
the generator chose for it (the test's own record, from which it computes the figures it
expects) and the steps that make it happen, each at a moment of the third quarter of
2026. The test sorts every case's steps into one timeline and drives the services
through their HTTP APIs, moving a shared clock to each step's moment.

Timing: reports come in Monday to Wednesday, 09:00 to 15:00 in London, from 6 July to
16 September, so one working day later (first contact) and two (the DASH) fall within
the week, bank holiday Monday (31 August) or not; everything a case does ends within
twelve days of its report, inside the quarter. On time: contact two hours after the
report, the DASH three. Late: contact four days after, the DASH six (past the target
from any report time above).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

from hearth.contracts.events.case_values import ClosureReason
from hearth.contracts.events.common import Channel, ReferralType, ReporterKind, RiskLevel
from hearth.contracts.events.referrals import DeclineReason, ReferralOutcome

FIRST_MONDAY = datetime(2026, 7, 6, 8, 0, tzinfo=UTC)  # 09:00 in London
WEEKS = 11
PERIOD = "2026-Q3"
AFTER_THE_QUARTER = datetime(2026, 10, 5, 11, 0, tzinfo=UTC)
"""When the figures are asked for: every target of the quarter has passed."""

Timing = Literal["on_time", "late", "never"]
Outcome = Literal["awaiting_answer", "accepted", "declined", "closed"]

CONTACT_AFTER = {"on_time": timedelta(hours=2), "late": timedelta(days=4)}
DASH_AFTER = {"on_time": timedelta(hours=3), "late": timedelta(days=6)}
CLOSED_AFTER = timedelta(days=12)

# Referrals other than MARAC that need the survivor's consent below the MARAC threshold.
CONSENTED_TYPES = (
    ReferralType.SPECIALIST_SERVICE,
    ReferralType.POLICE,
    ReferralType.HOUSING_OPTIONS,
    ReferralType.SANCTUARY,
)


@dataclass(frozen=True)
class OtherReferral:
    referral_type: ReferralType
    outcome: Outcome
    decline_reason: DeclineReason | None = None
    closed_with: ReferralOutcome | None = None


@dataclass
class ScriptedCase:
    """What the generator chose for one case."""

    index: int
    reported_at: datetime
    channel: Channel
    reporter: ReporterKind
    male: bool
    children: tuple[bool, ...]
    """One entry a child in the household: affected by the abuse or not."""
    contact: Timing
    dash: Timing
    level: RiskLevel | None
    """The DASH level (None: no DASH)."""
    marac: bool
    """Referred to MARAC (a high-risk DASH)."""
    repeat: bool
    """A new incident between the same people after the first MARAC referral was heard,
    and a second referral: a repeat."""
    consent: bool | None
    """The survivor's consent decision on another referral (None: none asked)."""
    referral: OtherReferral | None
    """The referral made with consent given; one attempted without consent is refused."""
    closure: ClosureReason | None
    steps: list[Step] = field(default_factory=list)

    @property
    def sex_recorded(self) -> bool:
        return self.channel is not Channel.WEB_FORM

    @property
    def marac_referrals(self) -> int:
        return (1 if self.marac else 0) + (1 if self.repeat else 0)


@dataclass(frozen=True)
class Step:
    at: datetime
    case: int
    action: str
    """report, contact, dash, marac, hearing, incident, repeat_marac, repeat_hearing,
    consent, referral, refused_referral, referral_outcome, closure."""


def _reporter(rng: random.Random, channel: Channel) -> ReporterKind:
    if channel is Channel.WEB_FORM:
        return ReporterKind.SURVIVOR  # the public form, filled by the survivor
    kinds = list(ReporterKind)
    if channel is Channel.PARTNER_AGENCY:
        kinds.remove(ReporterKind.STAFF)  # a partner's system cannot report as staff
    return rng.choice(kinds)


def generate(seed: int, cases: int) -> list[ScriptedCase]:
    """`cases` cases; the channels are dealt round first, so every one is used when
    there are at least as many cases as channels, then at random."""
    rng = random.Random(seed)
    channels = list(Channel)
    rng.shuffle(channels)
    script: list[ScriptedCase] = []
    for index in range(cases):
        at = FIRST_MONDAY + timedelta(
            weeks=rng.randrange(WEEKS), days=rng.randrange(3), hours=rng.randrange(7)
        )
        channel = channels[index] if index < len(channels) else rng.choice(channels)
        contact: Timing = rng.choice(["on_time", "on_time", "late", "never"])
        dash: Timing = rng.choice(["on_time", "late", "never"])
        level = rng.choice(list(RiskLevel)) if dash != "never" else None
        marac = level is RiskLevel.HIGH
        repeat = marac and rng.random() < 0.5
        consent: bool | None = rng.choice([True, True, False, None])
        if level is RiskLevel.HIGH and consent is False:
            # At or above the MARAC threshold a referral may go without consent: a refusal
            # would not stop it, so refusals are scripted on the cases below it.
            consent = True
        referral = None
        if consent:
            outcome: Outcome = rng.choice(["awaiting_answer", "accepted", "declined", "closed"])
            referral = OtherReferral(
                referral_type=rng.choice(CONSENTED_TYPES),
                outcome=outcome,
                decline_reason=rng.choice(list(DeclineReason)) if outcome == "declined" else None,
                closed_with=rng.choice(list(ReferralOutcome)) if outcome == "closed" else None,
            )
        male = rng.random() < 0.3
        children = tuple(rng.random() < 0.5 for _ in range(rng.choice([0, 0, 1, 2])))
        if channel is Channel.WEB_FORM:
            # The public form asks no equality questions here and says nothing of whether
            # the children are affected: none are given.
            male, children = False, ()
        case = ScriptedCase(
            index=index,
            reported_at=at,
            channel=channel,
            reporter=_reporter(rng, channel),
            male=male,
            children=children,
            contact=contact,
            dash=dash,
            level=level,
            marac=marac,
            repeat=repeat,
            consent=consent,
            referral=referral,
            closure=rng.choice([None, None, *ClosureReason]),
        )
        case.steps = _steps(case)
        script.append(case)
    return script


def _steps(case: ScriptedCase) -> list[Step]:
    at = case.reported_at
    steps = [Step(at, case.index, "report")]

    def step(after: timedelta, action: str) -> None:
        steps.append(Step(at + after, case.index, action))

    if case.contact != "never":
        step(CONTACT_AFTER[case.contact], "contact")
    if case.dash != "never":
        dashed = DASH_AFTER[case.dash]
        step(dashed, "dash")
        if case.marac:
            step(dashed + timedelta(hours=1), "marac")
            step(dashed + timedelta(days=1), "hearing")
            if case.repeat:
                # The incident happened the day after the first referral (local date),
                # so it is newer than that referral.
                step(dashed + timedelta(days=1, hours=1), "incident")
                step(dashed + timedelta(days=1, hours=2), "repeat_marac")
                step(dashed + timedelta(days=2), "repeat_hearing")
    if case.consent is not None:
        step(timedelta(days=1), "consent")
        step(timedelta(days=1, minutes=30), "referral" if case.consent else "refused_referral")
        if case.referral is not None and case.referral.outcome != "awaiting_answer":
            step(timedelta(days=2), "referral_outcome")
    if case.closure is not None:
        step(CLOSED_AFTER, "closure")
    return steps


def timeline(script: list[ScriptedCase]) -> list[Step]:
    """Every case's steps, in the order they happen."""
    return sorted((s for case in script for s in case.steps), key=lambda s: (s.at, s.case))
