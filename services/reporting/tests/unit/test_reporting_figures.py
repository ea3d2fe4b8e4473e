"""The figures' definitions against a small set of facts whose answers were worked out
by hand (each expectation says how).

Q3 2026 in London runs from 30 June 23:00 UTC to 30 September 23:00 UTC (BST).
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from hearth.reporting.domain import facts as f
from hearth.reporting.domain.changes import SurvivorCategories
from hearth.reporting.domain.figures import (
    Breakdown,
    Count,
    Median,
    PerPopulation,
    Rate,
    ReportKind,
    report,
)
from hearth.reporting.domain.periods import parse_period
from hearth.reporting.domain.policy import Policy
from hearth.reporting.settings import load_policy

AFTER_Q3 = datetime(2026, 10, 5, 12, 0, tzinfo=UTC)
A, B, C, D, E, F = (uuid.uuid4() for _ in range(6))
R_A, R_F, R_B, R_LATE = (uuid.uuid4() for _ in range(4))


def utc(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def deadline(
    case: uuid.UUID, kind: str, started: datetime, due: datetime, **more: Any
) -> f.Deadline:
    return f.Deadline(case, kind, due.isoformat(), started, due, **more)


FACTS = f.Facts(
    cases=(
        f.Case(
            A,
            utc(7, 6),
            channel="phone",
            children_in_household=2,
            children_affected=1,
            survivor=SurvivorCategories(sex="male", age_band="16_17", disability="yes"),
            perpetrator_age_bands=("25_34", None),
        ),
        f.Case(
            B,
            utc(7, 10, 15, 30),
            channel="web_form",
            survivor=SurvivorCategories(
                sex="female", ethnicity="asian_or_asian_british", lgbtq_plus="yes"
            ),
            perpetrator_age_bands=("under_16",),  # referred by another agency: not counted
        ),
        f.Case(C, utc(6, 20), channel="email"),
        # 23:30 on 30 September in London: still Q3 (its MARAC referral is in Q4)
        f.Case(D, utc(9, 30, 22, 30), perpetrator_age_bands=("16_17",)),
        f.Case(E, utc(10, 1, 0, 30)),  # 01:30 on 1 October in London: Q4
        f.Case(F, utc(8, 3), perpetrator_age_bands=("16_17",)),
    ),
    reports=(
        f.Report(uuid.uuid4(), A, utc(7, 6), "phone", "survivor"),
        f.Report(uuid.uuid4(), B, utc(7, 10, 15, 30), "web_form", "survivor"),
        f.Report(uuid.uuid4(), C, utc(6, 20), "email", "survivor"),
        f.Report(uuid.uuid4(), D, utc(9, 30, 22, 30), "phone", "survivor"),
        f.Report(uuid.uuid4(), F, utc(8, 3), "phone", "survivor"),
        f.Report(uuid.uuid4(), A, utc(8, 12), "third_party", "third_party"),
    ),
    closures=(
        f.Closure(C, utc(7, 20), "survivor_moved"),
        f.Closure(A, utc(8, 5), "survivor_safe_support_in_place", reopened_at=utc(8, 10)),
        f.Closure(B, utc(9, 10, 14), "survivor_withdrew"),
    ),
    deadlines=(
        # A, reported Monday 6 July 11:00 BST: contact target Tuesday 11:00 BST; met 10:00.
        deadline(A, "first_contact", utc(7, 6), utc(7, 7), met_at=utc(7, 7, 9)),
        # DASH target Wednesday 8 July; declined by the survivor on the 7th: met.
        deadline(A, "dash", utc(7, 6), utc(7, 8), met_at=utc(7, 7), outcome="declined"),
        # Repair: 24 hours, so 7 July 10:00 UTC; done at 12:00, found overdue at 10:05.
        deadline(
            A,
            "emergency_repair",
            utc(7, 6),
            utc(7, 7),
            met_at=utc(7, 7, 12),
            overdue_at=utc(7, 7, 10, 5),
        ),
        # B, reported Friday 10 July 16:30 BST: target Monday 13 July 16:30 BST; late.
        deadline(B, "first_contact", utc(7, 10, 15, 30), utc(7, 13, 15, 30), met_at=utc(7, 13, 16)),
        # Its DASH never came: overdue on the 14th, stopped only by the closure in September.
        deadline(
            B,
            "dash",
            utc(7, 10, 15, 30),
            utc(7, 14, 15, 30),
            overdue_at=utc(7, 14, 16),
            cancelled_at=utc(9, 10, 14),
        ),
        # A repair raised the day before the case closed, before its 24 hours ran out.
        deadline(B, "emergency_repair", utc(9, 9, 15), utc(9, 10, 15), cancelled_at=utc(9, 10, 14)),
        # D, reported 23:30 on 30 September: its target is in October (not judged in Q3).
        deadline(D, "first_contact", utc(9, 30, 22, 30), utc(10, 1, 22, 30)),
        # F never contacted: overdue, and still overdue when the quarter ended.
        deadline(F, "first_contact", utc(8, 3), utc(8, 4), overdue_at=utc(8, 4, 10, 1)),
        # C's was in June.
        deadline(C, "first_contact", utc(6, 20), utc(6, 22), met_at=utc(6, 21)),
    ),
    risk_levels=(
        f.RiskLevelAt(A, utc(7, 7), "high"),
        f.RiskLevelAt(B, utc(7, 12), "standard"),
        f.RiskLevelAt(A, utc(8, 20), "medium"),
        f.RiskLevelAt(F, utc(10, 2), "high"),
    ),
    assessments=(
        f.Assessment(uuid.uuid4(), A, utc(7, 7), "completed", "high"),
        f.Assessment(uuid.uuid4(), B, utc(7, 12), "completed", "standard"),
        f.Assessment(uuid.uuid4(), A, utc(8, 20), "completed", "medium"),
        f.Assessment(uuid.uuid4(), D, utc(9, 30, 22, 45), "declined", None),
        f.Assessment(uuid.uuid4(), F, utc(8, 10), "elsewhere", "high"),
        f.Assessment(uuid.uuid4(), F, utc(10, 2), "completed", "high"),
    ),
    marac_referrals=(
        f.MaracReferral(R_A, A, utc(7, 8), True, False, heard_on=date(2026, 7, 22)),
        f.MaracReferral(R_F, F, utc(8, 5), True, True),
        f.MaracReferral(R_B, B, utc(7, 12), False, False),
        f.MaracReferral(R_LATE, D, utc(10, 2), True, False),
    ),
    marac_actions=(
        f.MaracAction(uuid.uuid4(), R_A, A, date(2026, 8, 5), True, completed_at=utc(8, 1)),
        f.MaracAction(uuid.uuid4(), R_A, A, date(2026, 8, 5), True, overdue_at=utc(8, 6)),
        f.MaracAction(uuid.uuid4(), R_A, A, date(2026, 8, 5), False),
    ),
    referrals=(
        f.Referral(R_A, A, "marac", made_at=utc(7, 8)),
        f.Referral(R_F, F, "marac", made_at=utc(8, 5)),
        f.Referral(
            uuid.uuid4(),
            B,
            "victim_support",
            made_at=utc(7, 11),
            accepted_at=utc(7, 12),
            closed_at=utc(8, 1),
            outcome="support_completed",
        ),
        f.Referral(
            uuid.uuid4(),
            F,
            "police",
            made_at=utc(8, 6),
            declined_at=utc(8, 7),
            decline_reason="threshold_not_met",
        ),
        f.Referral(uuid.uuid4(), D, "idva", made_at=utc(9, 1)),
    ),
    consents=(
        f.Consent(uuid.uuid4(), B, utc(7, 11), True, withdrawn_at=utc(8, 15)),
        f.Consent(uuid.uuid4(), D, utc(9, 1), False),
        f.Consent(uuid.uuid4(), F, utc(8, 6), False),
    ),
    enquiries=(
        f.Enquiry(uuid.uuid4(), utc(7, 2), "asb_report", A, utc(7, 3)),
        f.Enquiry(uuid.uuid4(), utc(9, 5), "asb_report"),
        f.Enquiry(uuid.uuid4(), utc(8, 1), "repairs_visit"),
        f.Enquiry(uuid.uuid4(), utc(6, 1), "asb_report"),
    ),
    incidents=(
        f.Incident(uuid.uuid4(), A, date(2026, 7, 1), utc(7, 1), "police"),
        f.Incident(uuid.uuid4(), A, date(2026, 7, 1), utc(7, 9), "survivor"),
        f.Incident(uuid.uuid4(), F, date(2026, 8, 1), utc(8, 3), "housing"),
    ),
)


@pytest.fixture(scope="module")
def policy() -> Policy:
    shipped = load_policy()
    return shipped.model_copy(
        update={"population": shipped.population.model_copy(update={"adult_women": 50_000})}
    )


def figures(kind: ReportKind, period: str, policy: Policy) -> Any:
    made = report(kind, FACTS, parse_period(period, "Europe/London"), AFTER_Q3, policy)
    return made.sections


def test_the_period_runs_from_local_midnight_to_local_midnight() -> None:
    q3 = parse_period("2026-Q3", "Europe/London")
    assert (q3.start, q3.end) == (utc(6, 30, 23), utc(9, 30, 23))
    year = parse_period("2026", "Europe/London")
    assert (year.start, year.end) == (
        datetime(2026, 1, 1, tzinfo=UTC),
        datetime(2027, 1, 1, tzinfo=UTC),
    )


@pytest.mark.parametrize("bad", ["2026-13", "2026-Q5", "26-07", "2026-7", "1999", "july"])
def test_a_period_that_names_none_is_refused_naming_the_field(bad: str) -> None:
    from hearth.eventstore.errors import InvalidCommand

    with pytest.raises(InvalidCommand) as refused:
        parse_period(bad, "Europe/London")
    assert refused.value.field == "query.period"


def test_the_monthly_executive_figures(policy: Policy) -> None:
    july = figures(ReportKind.EXECUTIVE, "2026-07", policy)
    # New in July: A and B. Closed: C (20 July). Open on 31 July: A (closed in August), B.
    assert july["cases"] == {"new": Count(2), "open_at_end": Count(2), "closed": Count(1)}
    # Overdue in July: A's repair (7th), B's DASH (14th); B's DASH still overdue at the end.
    assert july["overdue_deadlines"] == {
        "went_overdue": Breakdown({"first_contact": 0, "dash": 1, "emergency_repair": 1}),
        "overdue_at_end": Breakdown({"first_contact": 0, "dash": 1, "emergency_repair": 0}),
    }


def test_the_quarter_counts_cases_new_open_and_closed(policy: Policy) -> None:
    q3 = figures(ReportKind.COMMITTEE, "2026-Q3", policy)
    # New: A, B, D (23:30 on 30 September in London), F; not E (1 October).
    # Open at the end: A (reopened), D, F. Closed in Q3: C, A, B.
    assert q3["cases"] == {"new": Count(4), "open_at_end": Count(3), "closed": Count(3)}
    # F's contact went overdue in August and stayed so; B's DASH stopped with the closure.
    assert q3["overdue_deadlines"]["overdue_at_end"] == Breakdown(
        {"first_contact": 1, "dash": 0, "emergency_repair": 0}
    )


def test_timescale_performance_against_the_policys_targets(policy: Policy) -> None:
    t = figures(ReportKind.COMMITTEE, "2026-Q3", policy)["timescales"]
    # Contact: A on time; B late; F never (its target passed); D still running at the end.
    assert t["first_contact_within_target"] == Rate(1, 3)
    assert t["first_contact_within_target"].percent == 33.3
    # DASH: A declined in time (a success); B never, though closed long after its target.
    assert t["dash_within_target"] == Rate(1, 2)
    # Repairs: A's two hours late; B's stopped by the closure before its 24 hours ran out.
    assert t["emergency_repair_within_target"] == Rate(0, 1)
    assert t["emergency_repair_stopped_by_closure"] == Count(1)
    assert t["first_contact_stopped_by_closure"] == Count(0)


def test_risk_levels_marac_referrals_and_repeats(policy: Policy) -> None:
    q3 = figures(ReportKind.COMMITTEE, "2026-Q3", policy)
    risk = q3["risk"]
    assert risk["assessments_by_level"] == Breakdown({"standard": 1, "medium": 1, "high": 1})
    assert (risk["assessed_by_other_agencies"], risk["declined_by_survivor"]) == (
        Count(1),
        Count(1),
    )
    # Open at the end: A at medium since 20 August; D and F not assessed by then.
    assert risk["open_cases_by_level"] == Breakdown(
        {"standard": 0, "medium": 1, "high": 0, "not_assessed": 2}
    )
    # Housing's referrals in Q3: A and F (a repeat); B's was another agency's; D's in October.
    assert q3["marac"] == {"referrals": Count(2), "repeats": Rate(1, 2)}


def test_referrals_consent_closures_and_delay(policy: Policy) -> None:
    q3 = figures(ReportKind.COMMITTEE, "2026-Q3", policy)
    by_type = q3["referrals"]["by_type"].cells
    assert {k: n for k, n in by_type.items() if n} == {
        "marac": 2,
        "victim_support": 1,
        "police": 1,
        "idva": 1,
    }
    by_outcome = q3["referrals"]["by_outcome"].cells
    assert {k: n for k, n in by_outcome.items() if n} == {
        "awaiting_answer": 1,  # D's IDVA referral (MARAC referrals are heard, not answered)
        "declined": 1,
        "support_completed": 1,
    }
    assert q3["referrals"]["declined_by_reason"].cells["threshold_not_met"] == 1
    # Consent: D and F refused, B gave it (then withdrew it in August).
    assert q3["consent"] == {"refusals": Rate(2, 3), "withdrawals": Count(1)}
    closures = q3["closures"]
    assert {k: n for k, n in closures["by_reason"].cells.items() if n} == {
        "survivor_moved": 1,
        "survivor_safe_support_in_place": 1,
        "survivor_withdrew": 1,
    }
    # C 30 days, A 30 days, B 61.9 days: the median is 30.
    assert closures["days_open_to_closed"] == Median(30.0, 3)
    # Incidents recorded in Q3: 0, 8 and 2 days after they happened.
    assert q3["reporting_delay"] == {
        "days_incident_to_recorded": Median(2.0, 3),
        "by_band": Breakdown(
            {"same_day": 1, "1_to_7_days": 1, "8_to_30_days": 1, "over_30_days": 0}
        ),
    }


def test_channels_reporters_asb_children_and_equality(policy: Policy) -> None:
    q3 = figures(ReportKind.COMMITTEE, "2026-Q3", policy)
    channels = q3["reports"]["by_channel"]
    assert {k: n for k, n in channels.cells.items() if n} == {
        "phone": 3,
        "web_form": 1,
        "third_party": 1,
    }
    assert channels.total == 5
    assert {k: n for k, n in q3["reports"]["by_reporter"].cells.items() if n} == {
        "survivor": 4,
        "third_party": 1,
    }
    # ASB enquiries raised in Q3: two; one became A's case (the June one is not counted).
    assert q3["asb_enquiries"] == {"raised": Count(2), "became_da_cases": Rate(1, 2)}
    assert q3["children"] == {
        "children_in_households": Count(2),
        "affected_by_abuse": Count(1),
        "cases_with_children": Rate(1, 4),
    }
    equality = q3["equality"]
    assert {k: n for k, n in equality["sex"].cells.items() if n} == {
        "male": 1,
        "female": 1,
        "not_recorded": 2,
    }
    assert equality["age_band"].cells["16_17"] == 1
    assert equality["age_band"].total == 4
    for group in ("male", "aged_16_17", "disabled", "lgbt_plus", "racially_minoritised"):
        assert equality[group] == Rate(1, 4), group


def test_the_safelives_marac_indicators(policy: Policy) -> None:
    marac = figures(ReportKind.MARAC, "2026-Q3", policy)
    assert marac["volume"] == {
        "cases_referred": Count(2),
        "repeats": Rate(1, 2),
        "referred_by_housing": Rate(2, 3),
        "per_10000_adult_women": PerPopulation(2, 50_000, 10_000),
    }
    assert marac["volume"]["per_10000_adult_women"].value == 0.4
    victims = marac["victims"]
    # A (male, 16-17, disabled) and F (nothing recorded).
    assert victims["male"] == victims["aged_16_17"] == victims["disabled"] == Rate(1, 2)
    assert victims["lgbt_plus"] == victims["racially_minoritised"] == Rate(0, 2)
    # Cases the landlord referred in Q3: A (25-34 and one unrecorded) and F (16-17); B's
    # under-16 was referred by another agency, D's referral is in Q4.
    assert victims["perpetrators_aged_17_or_under"] == Rate(1, 2)
    assert marac["children"] == {"children_in_households": Count(2)}
    # A heard on 22 July; of its two landlord actions one is done, one outstanding and late.
    assert marac["meetings"] == {
        "heard": Count(1),
        "landlord_actions_outstanding": Count(1),
        "landlord_actions_overdue": Count(1),
    }


@pytest.mark.parametrize(
    ("a_bands", "f_bands", "expected"),
    [
        (("under_16", "16_17"), ("under_16",), Rate(2, 2)),  # a case counts once
        (("18_24",), (None,), Rate(0, 2)),  # 18 is an adult; unrecorded is not counted
        (("not_known", "16_17"), ("not_known",), Rate(1, 2)),  # one young one is enough
        ((), (), Rate(0, 2)),  # no perpetrator named
    ],
)
def test_perpetrators_aged_17_or_under_counts_cases_referred_with_a_young_perpetrator(
    policy: Policy,
    a_bands: tuple[str | None, ...],
    f_bands: tuple[str | None, ...],
    expected: Rate,
) -> None:
    bands = {A: a_bands, F: f_bands}
    cases = tuple(
        replace(case, perpetrator_age_bands=bands[case.case_id]) if case.case_id in bands else case
        for case in FACTS.cases
    )
    made = report(
        ReportKind.MARAC,
        replace(FACTS, cases=cases),
        parse_period("2026-Q3", "Europe/London"),
        AFTER_Q3,
        policy,
    )
    victims = made.sections["victims"]
    assert victims["perpetrators_aged_17_or_under"] == expected
    assert expected.percent == {0: 0.0, 1: 50.0, 2: 100.0}[expected.part]


def test_without_a_population_the_rate_per_10000_is_not_given() -> None:
    marac = report(
        ReportKind.MARAC, FACTS, parse_period("2026-Q3", "Europe/London"), AFTER_Q3, load_policy()
    ).sections
    assert marac["volume"]["per_10000_adult_women"].value is None


def test_a_period_not_over_counts_only_what_has_happened(policy: Policy) -> None:
    # On 8 July at 12:00: A is new (B not yet); A's contact was on time, its DASH met.
    made = report(
        ReportKind.COMMITTEE,
        FACTS,
        parse_period("2026-07", "Europe/London"),
        utc(7, 8, 12),
        policy,
    ).sections
    assert made["cases"]["new"] == Count(1)
    assert made["timescales"]["first_contact_within_target"] == Rate(1, 1)
    assert made["timescales"]["dash_within_target"] == Rate(1, 1)


def test_the_regulators_referrals_to_other_agencies_and_their_outcomes(policy: Policy) -> None:
    regulator = figures(ReportKind.REGULATOR, "2026-Q3", policy)
    # Victim support (B: support completed), police (F: declined), IDVA (D: no answer yet).
    referrals = regulator["referrals"]
    assert {k: n for k, n in referrals["by_type"].cells.items() if n} == {
        "victim_support": 1,
        "police": 1,
        "idva": 1,
    }
    assert "marac" not in referrals["by_type"].cells
    assert {k: n for k, n in referrals["by_outcome"].cells.items() if n} == {
        "awaiting_answer": 1,
        "declined": 1,
        "support_completed": 1,
    }
    assert regulator["outcomes_by_type"]["police"].cells["declined"] == 1
    assert regulator["outcomes_by_type"]["mappa"].total == 0
    assert regulator["marac"] == {"referrals": Count(2), "repeats": Rate(1, 2)}


def test_the_part4_return(policy: Policy) -> None:
    security = (
        f.SecurityWork(uuid.uuid4(), A, utc(7, 15), True, installed_at=utc(7, 20)),
        f.SecurityWork(uuid.uuid4(), B, utc(7, 15), False, installed_at=utc(7, 21)),
        f.SecurityWork(uuid.uuid4(), F, utc(9, 28), True, installed_at=utc(10, 3)),
    )
    facts = replace(FACTS, security=security)
    part4 = report(
        ReportKind.PART4, facts, parse_period("2026-Q3", "Europe/London"), AFTER_Q3, policy
    ).sections
    # Supported in Q3: A, B, C (open until 20 July), D (23:30 on 30 September), F; not E.
    supported = part4["supported"]
    assert supported["cases"] == Count(5)
    assert {k: n for k, n in supported["by_sex"].cells.items() if n} == {
        "male": 1,
        "female": 1,
        "not_recorded": 3,
    }
    assert supported["children_in_households"] == Count(2)
    characteristics = part4["specialist_characteristics"]
    for group in ("male", "aged_16_17", "disabled", "lgbt_plus", "racially_minoritised"):
        assert characteristics[group] == Rate(1, 5), group
    # A's sanctuary work was fitted in July; B's was not sanctuary; F's in October.
    assert part4["sanctuary_scheme"] == {"installations": Count(1), "households": Count(1)}
    assert part4["support_ended"]["by_reason"].total == 3
