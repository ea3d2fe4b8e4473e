"""Every figure reporting publishes, each defined once, here: pure, from the facts.

Three reports for a period (`periods.Period`), as they stood at `as_of` (a period not
yet over counts what has happened so far):

- `executive` (monthly, to the executive team): new, open and closed cases; deadlines
  that went overdue, and those still overdue at the period's end.
- `committee` (quarterly, to the communities and housing committee): the executive
  figures, plus timescale performance, risk levels, MARAC referrals and repeats,
  referrals by type and outcome, consent refusals, closure reasons and time to close,
  reporting delay, channels and reporter types, ASB enquiries, children, equality.
- `marac`: the SafeLives MARAC indicators, computed the way SafeLives publishes them.
- `regulator` (Neighbourhood and Community Standard 1.4.1): referrals to other agencies
  made in the period, by type, and how each has gone, overall and type by type.
- `part4` (Domestic Abuse Act 2021 Part 4, as councils return it): cases supported in
  the period (open at any moment of it) by the survivor's sex, their children, the
  specialist characteristics, sanctuary-scheme installations, support ended by reason.

Definitions (each a count of cases or events, never anyone's details):

- A case is *new* in the period it opened; *open* at a moment when it opened before and
  no closure stands at that moment (a reopening ends a closure); *closed* in a period
  when a closure of it falls in the period (a case closed twice counts once).
- Timescale performance: the deadlines whose clock started in the period (reports
  received in it). One is *within target* when met no later than the policy's target
  counted from when its clock started (working days with the policy's calendar for first
  contact and the DASH, elapsed hours for emergency repairs); a DASH declined by the
  survivor or completed by another agency meets it. Counted once the target has passed
  or the deadline was met; a deadline stopped by the case closing first is left out
  (and counted beside).
- MARAC: each referral the landlord made is a case referred; a repeat is one the
  referrals service marked so (criterion `repeat`, or a previous referral within its
  repeat window: abuse between the same people within 12 months of the last referral).
- Perpetrators aged 17 or under (SafeLives): MARAC cases referred in the period with at
  least one alleged perpetrator in age band under_16 or 16_17, of the cases referred (as
  the other victim indicators). The band is the one recorded at the report (given, or
  derived by intake from a date of birth); a perpetrator without one is not counted.
- Cases per 10,000 adult women: the MARAC cases referred in the period asked for, per
  10,000 of the policy's adult female population (SafeLives publishes 12 months: ask for
  a year to compare with its 47, and its expected 40).
- Equality monitoring: the survivor's answers, where recorded, on the cases opened in
  the period (`not_recorded` otherwise). LGBT+: identifies as LGBTQ+, or a sexual
  orientation other than heterosexual, or gender reassignment. Racially minoritised:
  any ethnic group other than White (the contract records the 2021 Census high-level
  groups, so White minorities cannot be told apart).
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum
from typing import TypeAlias
from uuid import UUID
from zoneinfo import ZoneInfo

from hearth.contracts.events.case_values import ClosureReason
from hearth.contracts.events.common import (
    AgeBand,
    Channel,
    Ethnicity,
    MonitoringAnswer,
    ReferralType,
    Religion,
    ReporterKind,
    RiskLevel,
    Sex,
    SexualOrientation,
)
from hearth.contracts.events.referrals import DeclineReason, ReferralOutcome
from hearth.eventstore.calendar import WorkingCalendar, calendar_hours_after
from hearth.reporting.domain import facts as f
from hearth.reporting.domain.changes import DeadlineKind, SurvivorCategories
from hearth.reporting.domain.periods import Period
from hearth.reporting.domain.policy import Policy

# --- what a figure is ------------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    value: int


@dataclass(frozen=True)
class Breakdown:
    """Counts by category; they add up to `total` (every category shown, zeros too)."""

    cells: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.cells.values())


@dataclass(frozen=True)
class Rate:
    """`part` of `whole` (a percentage when there is a whole)."""

    part: int
    whole: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.part / self.whole, 1) if self.whole else None


@dataclass(frozen=True)
class Median:
    """The median of `of` durations, in days (None when there are none)."""

    days: float | None
    of: int


@dataclass(frozen=True)
class PerPopulation:
    """`count` per `per` of `population` (None: the policy gives no population)."""

    count: int
    population: int | None
    per: int

    @property
    def value(self) -> float | None:
        if not self.population:
            return None
        return round(self.count * self.per / self.population, 1)


@dataclass(frozen=True)
class NotRecorded:
    """A figure the records cannot give, and why."""

    reason: str


Figure: TypeAlias = Count | Breakdown | Rate | Median | PerPopulation | NotRecorded
Section: TypeAlias = dict[str, Figure]


class ReportKind(StrEnum):
    EXECUTIVE = "executive"
    COMMITTEE = "committee"
    MARAC = "marac"
    REGULATOR = "regulator"
    """Neighbourhood and Community Standard 1.4.1: referrals to other agencies and outcomes."""
    PART4 = "part4"
    """Domestic Abuse Act 2021 Part 4: support given, as councils return it."""


@dataclass(frozen=True)
class Report:
    kind: ReportKind
    period: Period
    as_of: datetime
    sections: dict[str, Section] = field(default_factory=dict)


NOT_RECORDED = "not_recorded"
PER_ADULT_WOMEN = 10_000
"""SafeLives publishes MARAC volume as cases per 10,000 adult women."""
DAY_SECONDS = 86_400


def report(
    kind: ReportKind, facts: f.Facts, period: Period, as_of: datetime, policy: Policy
) -> Report:
    """The report of this kind for the period, as it stood at `as_of`."""
    view = _View(facts, period, min(period.end, as_of), policy)
    build = {
        ReportKind.EXECUTIVE: _executive,
        ReportKind.COMMITTEE: _committee,
        ReportKind.MARAC: _marac,
        ReportKind.REGULATOR: _regulator,
        ReportKind.PART4: _part4,
    }[kind]
    return Report(kind, period, as_of, build(view))


# --- the facts seen from a period ------------------------------------------------------


@dataclass(frozen=True)
class _View:
    facts: f.Facts
    period: Period
    until: datetime
    """The end of the period, or `as_of` if sooner: nothing later is counted."""
    policy: Policy

    def holds(self, moment: datetime | None) -> bool:
        return moment is not None and self.period.start <= moment < self.until

    def happened(self, moment: datetime | None) -> bool:
        """Had happened by the end of the period (or `as_of`)."""
        return moment is not None and moment < self.until

    def holds_day(self, day: date | None) -> bool:
        """The day (local) began within the period."""
        return day is not None and self.holds(self._midnight(day))

    def happened_by_day(self, day: date | None) -> bool:
        return day is not None and self.happened(self._midnight(day))

    def _midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(), tzinfo=ZoneInfo(self.policy.working_days.timezone))

    def cases_by_id(self) -> dict[UUID, f.Case]:
        return {c.case_id: c for c in self.facts.cases}

    def new_cases(self) -> list[f.Case]:
        return [c for c in self.facts.cases if self.holds(c.opened_at)]

    def open_at_end(self) -> list[f.Case]:
        closed = {
            c.case_id
            for c in self.facts.closures
            if self.happened(c.closed_at) and not self.happened(c.reopened_at)
        }
        return [
            c for c in self.facts.cases if self.happened(c.opened_at) and c.case_id not in closed
        ]

    def supported(self) -> list[f.Case]:
        """Cases open at any moment of the period: opened before its end, and not closed
        from before its start to its end."""
        closed_throughout = {
            c.case_id
            for c in self.facts.closures
            if c.closed_at <= self.period.start and not self.happened(c.reopened_at)
        }
        return [
            c
            for c in self.facts.cases
            if self.happened(c.opened_at) and c.case_id not in closed_throughout
        ]

    def closures(self) -> list[f.Closure]:
        return [c for c in self.facts.closures if self.holds(c.closed_at)]

    def marac_referrals(self) -> list[f.MaracReferral]:
        return [m for m in self.facts.marac_referrals if m.by_housing and self.holds(m.referred_at)]


def _cells(values: Iterable[str | None], categories: Iterable[str]) -> Breakdown:
    counted = Counter(v if v is not None else NOT_RECORDED for v in values)
    cells = {category: counted.pop(category, 0) for category in categories}
    if NOT_RECORDED in counted or NOT_RECORDED not in cells:
        cells[NOT_RECORDED] = counted.pop(NOT_RECORDED, 0)
    for other, n in sorted(counted.items()):  # a category newer than this code: still counted
        cells[other] = n
    return Breakdown(cells)


def _categories(kind: type[StrEnum]) -> list[str]:
    return [member.value for member in kind]


def _days(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / DAY_SECONDS


def _median(durations: list[float]) -> Median:
    return Median(round(statistics.median(durations), 1) if durations else None, len(durations))


# --- executive (monthly) ---------------------------------------------------------------


def _executive(v: _View) -> dict[str, Section]:
    return {"cases": _case_counts(v), "overdue_deadlines": _overdue(v)}


def _case_counts(v: _View) -> Section:
    return {
        "new": Count(len(v.new_cases())),
        "open_at_end": Count(len(v.open_at_end())),
        "closed": Count(len({c.case_id for c in v.closures()})),
    }


def _overdue(v: _View) -> Section:
    kinds = _categories(DeadlineKind)
    went = [d.kind for d in v.facts.deadlines if v.holds(d.overdue_at)]
    still = [
        d.kind
        for d in v.facts.deadlines
        if d.due_at < v.until and not v.happened(d.met_at) and not v.happened(d.cancelled_at)
    ]
    return {
        "went_overdue": _only(Counter(went), kinds),
        "overdue_at_end": _only(Counter(still), kinds),
    }


def _only(counted: Counter[str], categories: list[str]) -> Breakdown:
    return Breakdown({c: counted.get(c, 0) for c in categories})


# --- committee (quarterly) -------------------------------------------------------------


def _committee(v: _View) -> dict[str, Section]:
    new = v.new_cases()
    return {
        **_executive(v),
        "timescales": _timescales(v),
        "risk": _risk(v),
        "marac": _marac_counts(v),
        "referrals": _referrals(v),
        "consent": _consent(v),
        "closures": _closure_figures(v),
        "reporting_delay": _reporting_delay(v),
        "reports": _reports(v),
        "asb_enquiries": _asb(v),
        "children": _children(new),
        "equality": _equality([c.survivor for c in new]),
    }


def deadline_targets(policy: Policy) -> dict[str, Callable[[datetime], datetime]]:
    """For each kind of deadline: the policy's target, from when its clock started."""
    targets = policy.targets
    calendar = WorkingCalendar(policy.working_days)
    return {
        DeadlineKind.FIRST_CONTACT: lambda start: calendar.working_days_after(
            start, targets.first_contact_working_days
        ),
        DeadlineKind.DASH: lambda start: calendar.working_days_after(
            start, targets.dash_working_days
        ),
        DeadlineKind.EMERGENCY_REPAIR: lambda start: calendar_hours_after(
            start, targets.emergency_repair_hours
        ),
    }


def _timescales(v: _View) -> Section:
    targets = deadline_targets(v.policy)
    section: Section = {}
    for kind in DeadlineKind:
        within = judged = stopped = 0
        for d in v.facts.deadlines:
            if d.kind != kind or not v.holds(d.started_at):
                continue
            target = targets[kind](d.started_at)
            met = d.met_at if v.happened(d.met_at) else None
            stopped_at = d.cancelled_at if v.happened(d.cancelled_at) else None
            if met is None and stopped_at is not None and stopped_at <= target:
                stopped += 1  # the case closed before the target: nothing left to meet
                continue
            if met is None and target > v.until:
                continue  # still running when the period ended: not judged yet
            judged += 1
            within += met is not None and met <= target
        section[f"{kind.value}_within_target"] = Rate(within, judged)
        section[f"{kind.value}_stopped_by_closure"] = Count(stopped)
    return section


def _level_at(v: _View) -> dict[UUID, str]:
    """Each case's risk level as it stood at the end of the period."""
    latest: dict[UUID, f.RiskLevelAt] = {}
    for change in v.facts.risk_levels:
        if v.happened(change.at) and (
            change.case_id not in latest or change.at > latest[change.case_id].at
        ):
            latest[change.case_id] = change
    return {case_id: change.level for case_id, change in latest.items()}


def _risk(v: _View) -> Section:
    levels = _categories(RiskLevel)
    assessments = [a for a in v.facts.assessments if v.holds(a.at)]
    completed = [a.level for a in assessments if a.kind == "completed"]
    at_end = _level_at(v)
    open_levels = [at_end.get(c.case_id, "not_assessed") for c in v.open_at_end()]
    return {
        "assessments_by_level": _only(Counter(level for level in completed if level), levels),
        "assessed_by_other_agencies": Count(sum(a.kind == "elsewhere" for a in assessments)),
        "declined_by_survivor": Count(sum(a.kind == "declined" for a in assessments)),
        "open_cases_by_level": _only(Counter(open_levels), [*levels, "not_assessed"]),
    }


def _marac_counts(v: _View) -> Section:
    referred = v.marac_referrals()
    return {
        "referrals": Count(len(referred)),
        "repeats": Rate(sum(m.repeat for m in referred), len(referred)),
    }


def _referral_status(r: f.Referral, v: _View) -> str:
    if v.happened(r.closed_at) and r.outcome:
        return r.outcome
    if v.happened(r.declined_at):
        return "declined"
    if v.happened(r.accepted_at):
        return "accepted"
    return "awaiting_answer"


def _referrals(v: _View) -> Section:
    made = [r for r in v.facts.referrals if v.holds(r.made_at)]
    # A MARAC referral is heard at a meeting, not answered by an agency: its progress is
    # in the MARAC figures, and only the other referrals have outcomes.
    to_agencies = [r for r in made if r.referral_type != ReferralType.MARAC]
    statuses = ["awaiting_answer", "accepted", "declined", *_categories(ReferralOutcome)]
    declined = [r.decline_reason for r in v.facts.referrals if v.holds(r.declined_at)]
    return {
        "by_type": _only(Counter(r.referral_type for r in made), _categories(ReferralType)),
        "by_outcome": _only(Counter(_referral_status(r, v) for r in to_agencies), statuses),
        "declined_by_reason": _only(Counter(r or "" for r in declined), _categories(DeclineReason)),
    }


def _consent(v: _View) -> Section:
    decisions = [c for c in v.facts.consents if v.holds(c.recorded_at)]
    return {
        "refusals": Rate(sum(not c.given for c in decisions), len(decisions)),
        "withdrawals": Count(sum(v.holds(c.withdrawn_at) for c in v.facts.consents)),
    }


def _closure_figures(v: _View) -> Section:
    cases = v.cases_by_id()
    closures = v.closures()
    durations = [
        _days(cases[c.case_id].opened_at, c.closed_at) for c in closures if c.case_id in cases
    ]
    return {
        "by_reason": _only(Counter(c.reason for c in closures), _categories(ClosureReason)),
        "days_open_to_closed": _median(durations),
    }


_DELAY_BANDS = (("same_day", 0), ("1_to_7_days", 7), ("8_to_30_days", 30))


def _delay_band(days: int) -> str:
    for band, most in _DELAY_BANDS:
        if days <= most:
            return band
    return "over_30_days"


def _reporting_delay(v: _View) -> Section:
    """Days from an incident to when the landlord recorded it (incidents recorded in the
    period; reports themselves carry no incident date)."""
    delays = [
        max(0, (i.recorded_at.date() - i.occurred_on).days)
        for i in v.facts.incidents
        if v.holds(i.recorded_at)
    ]
    bands = [b for b, _ in _DELAY_BANDS] + ["over_30_days"]
    return {
        "days_incident_to_recorded": _median([float(d) for d in delays]),
        "by_band": _only(Counter(_delay_band(d) for d in delays), bands),
    }


def _reports(v: _View) -> Section:
    reports = [r for r in v.facts.reports if v.holds(r.reported_at)]
    return {
        "by_channel": _cells((r.channel for r in reports), _categories(Channel)),
        "by_reporter": _cells((r.reporter_kind for r in reports), _categories(ReporterKind)),
    }


def _asb(v: _View) -> Section:
    raised = [e for e in v.facts.enquiries if e.trigger == "asb_report" and v.holds(e.raised_at)]
    return {
        "raised": Count(len(raised)),
        "became_da_cases": Rate(sum(v.happened(e.became_case_at) for e in raised), len(raised)),
    }


def _children(cases: list[f.Case]) -> Section:
    return {
        "children_in_households": Count(sum(c.children_in_household for c in cases)),
        "affected_by_abuse": Count(sum(c.children_affected for c in cases)),
        "cases_with_children": Rate(sum(c.children_in_household > 0 for c in cases), len(cases)),
    }


def is_male(s: SurvivorCategories) -> bool:
    return s.sex == Sex.MALE


def is_aged_16_17(s: SurvivorCategories) -> bool:
    return s.age_band == AgeBand.AGE_16_17


def is_disabled(s: SurvivorCategories) -> bool:
    return s.disability == MonitoringAnswer.YES


_LGB_PLUS = frozenset(
    {SexualOrientation.GAY_OR_LESBIAN, SexualOrientation.BISEXUAL, SexualOrientation.OTHER}
)


def is_lgbt_plus(s: SurvivorCategories) -> bool:
    return (
        s.lgbtq_plus == MonitoringAnswer.YES
        or s.gender_reassignment == MonitoringAnswer.YES
        or s.sexual_orientation in _LGB_PLUS
    )


_NOT_AN_ETHNIC_GROUP = frozenset(
    {Ethnicity.WHITE, Ethnicity.PREFER_NOT_TO_SAY, Ethnicity.NOT_KNOWN, None}
)


def is_racially_minoritised(s: SurvivorCategories) -> bool:
    return s.ethnicity not in _NOT_AN_ETHNIC_GROUP


def _equality(survivors: list[SurvivorCategories]) -> Section:
    answers = _categories(MonitoringAnswer)
    section: Section = {
        "sex": _cells((s.sex for s in survivors), _categories(Sex)),
        "age_band": _cells((s.age_band for s in survivors), _categories(AgeBand)),
        "disability": _cells((s.disability for s in survivors), answers),
        "ethnicity": _cells((s.ethnicity for s in survivors), _categories(Ethnicity)),
        "sexual_orientation": _cells(
            (s.sexual_orientation for s in survivors), _categories(SexualOrientation)
        ),
        "gender_reassignment": _cells((s.gender_reassignment for s in survivors), answers),
        "religion": _cells((s.religion for s in survivors), _categories(Religion)),
    }
    for name, test in _GROUPS.items():
        section[name] = Rate(sum(test(s) for s in survivors), len(survivors))
    return section


_GROUPS: dict[str, Callable[[SurvivorCategories], bool]] = {
    "male": is_male,
    "aged_16_17": is_aged_16_17,
    "disabled": is_disabled,
    "lgbt_plus": is_lgbt_plus,
    "racially_minoritised": is_racially_minoritised,
}


# --- SafeLives MARAC indicators --------------------------------------------------------


_AGED_17_OR_UNDER = frozenset({AgeBand.UNDER_16.value, AgeBand.AGE_16_17.value})


def has_perpetrator_aged_17_or_under(case: f.Case) -> bool:
    """At least one alleged perpetrator on the case in band under_16 or 16_17 (their age
    when reported; a perpetrator with no band recorded is not counted)."""
    return any(band in _AGED_17_OR_UNDER for band in case.perpetrator_age_bands)


def _marac(v: _View) -> dict[str, Section]:
    referred = v.marac_referrals()
    by_others = [m for m in v.facts.marac_referrals if not m.by_housing and v.holds(m.referred_at)]
    cases = v.cases_by_id()
    survivors = [cases[m.case_id].survivor for m in referred if m.case_id in cases]
    victims: Section = {
        name: Rate(sum(test(s) for s in survivors), len(referred)) for name, test in _GROUPS.items()
    }
    victims["perpetrators_aged_17_or_under"] = Rate(
        sum(
            has_perpetrator_aged_17_or_under(cases[m.case_id])
            for m in referred
            if m.case_id in cases
        ),
        len(referred),
    )
    heard_on = {m.referral_id: m.heard_on for m in v.facts.marac_referrals}
    outstanding = [
        a
        for a in v.facts.marac_actions
        if a.landlord_action
        and v.happened_by_day(heard_on.get(a.referral_id))
        and not v.happened(a.completed_at)
    ]
    return {
        "volume": {
            "cases_referred": Count(len(referred)),
            "repeats": Rate(sum(m.repeat for m in referred), len(referred)),
            "referred_by_housing": Rate(len(referred), len(referred) + len(by_others)),
            "per_10000_adult_women": PerPopulation(
                len(referred), v.policy.population.adult_women, PER_ADULT_WOMEN
            ),
        },
        "victims": victims,
        "children": {
            "children_in_households": Count(
                sum(cases[m.case_id].children_in_household for m in referred if m.case_id in cases)
            ),
        },
        "meetings": {
            "heard": Count(sum(v.holds_day(m.heard_on) for m in v.facts.marac_referrals)),
            "landlord_actions_outstanding": Count(len(outstanding)),
            "landlord_actions_overdue": Count(sum(v.happened(a.overdue_at) for a in outstanding)),
        },
    }


# --- regulator and Part 4 --------------------------------------------------------------


_STATUSES = ["awaiting_answer", "accepted", "declined", *_categories(ReferralOutcome)]


def _regulator(v: _View) -> dict[str, Section]:
    made = [
        r for r in v.facts.referrals if v.holds(r.made_at) and r.referral_type != ReferralType.MARAC
    ]
    by_type: Section = {
        kind: _only(
            Counter(_referral_status(r, v) for r in made if r.referral_type == kind), _STATUSES
        )
        for kind in _categories(ReferralType)
        if kind != ReferralType.MARAC
    }
    return {
        "referrals": {
            "by_type": _only(
                Counter(r.referral_type for r in made),
                [k for k in _categories(ReferralType) if k != ReferralType.MARAC],
            ),
            "by_outcome": _only(Counter(_referral_status(r, v) for r in made), _STATUSES),
        },
        "outcomes_by_type": by_type,
        "marac": _marac_counts(v),
    }


def _part4(v: _View) -> dict[str, Section]:
    supported = v.supported()
    survivors = [c.survivor for c in supported]
    installed = [s for s in v.facts.security if s.sanctuary_scheme and v.holds(s.installed_at)]
    closures = v.closures()
    return {
        "supported": {
            "cases": Count(len(supported)),
            "by_sex": _cells((s.sex for s in survivors), _categories(Sex)),
            "children_in_households": Count(sum(c.children_in_household for c in supported)),
        },
        "specialist_characteristics": {
            name: Rate(sum(test(s) for s in survivors), len(survivors))
            for name, test in _GROUPS.items()
        },
        "sanctuary_scheme": {
            "installations": Count(len(installed)),
            "households": Count(len({s.case_id for s in installed})),
        },
        "support_ended": {
            "by_reason": _only(Counter(c.reason for c in closures), _categories(ClosureReason)),
        },
    }
