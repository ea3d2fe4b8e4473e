"""The pure fold behind `audit case --as-of`: the case as it stood at a moment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hearth.audit.as_of import DeadlineStatus, Fact, Status, case_as_of

OPENED = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)
CONTACT_DUE = OPENED + timedelta(days=1)
DASH_DUE = OPENED + timedelta(days=2)
CASE_ID = "5f0c1c59-0000-4000-8000-000000000001"


def fact(
    at: datetime,
    event: str,
    payload: dict[str, Any] | None = None,
    *,
    service: str = "cases",
    actor: tuple[str, str] = ("system", "system"),
) -> Fact:
    return Fact(at, service, event, actor[0], actor[1], {"case_id": CASE_ID, **(payload or {})})


def iso(moment: datetime) -> str:
    return moment.isoformat()


HISTORY = [
    fact(
        OPENED,
        "ReportReceived",
        {"channel": "phone"},
        service="intake",
        actor=("intake-0007", "intake"),
    ),
    fact(
        OPENED + timedelta(seconds=1),
        "CaseOpened",
        {"contact_due_at": iso(CONTACT_DUE), "dash_due_at": iso(DASH_DUE), "restriction": None},
    ),
    fact(
        OPENED + timedelta(seconds=2),
        "CaseManagerAssigned",
        {"case_manager": {"staff_id": "cso-0001"}},
    ),
    fact(
        OPENED + timedelta(hours=2),
        "SurvivorContacted",
        {"contacted_at": iso(OPENED + timedelta(hours=2)), "first_contact": True, "late": False},
        actor=("cso-0001", "case_manager"),
    ),
    fact(
        OPENED + timedelta(hours=3),
        "CaseRestricted",
        {"restriction": {"reason": "survivor_is_staff", "permitted_staff_ids": ["cso-0001"]}},
        actor=("dalead-0001", "manager"),
    ),
    fact(
        OPENED + timedelta(hours=4),
        "RiskLevelChanged",
        {"new_level": "high", "basis": "assessment"},
        service="risk",
        actor=("cso-0001", "case_manager"),
    ),
    fact(
        OPENED + timedelta(hours=4),
        "DashDeadlineMet",
        {"met_at": iso(OPENED + timedelta(hours=4)), "late": False, "outcome": "completed"},
    ),
]


def test_before_anything_was_recorded_nothing_is_known() -> None:
    state = case_as_of(HISTORY, OPENED - timedelta(minutes=1))
    assert (state.events, state.status, state.deadlines, state.actors) == (
        0,
        Status.NOT_OPENED,
        [],
        {},
    )


def test_only_a_report_means_not_yet_opened() -> None:
    state = case_as_of(HISTORY, OPENED)
    assert (state.status, state.reports, state.events) == (Status.NOT_OPENED, 1, 1)


def test_just_after_opening_both_deadlines_are_due_and_nobody_restricted_it() -> None:
    state = case_as_of(HISTORY, OPENED + timedelta(minutes=5))
    assert state.status is Status.OPEN
    assert not state.restricted
    assert state.case_manager == "cso-0001"
    assert state.risk_level is None
    assert [(d.kind, d.status) for d in state.deadlines] == [
        ("first_contact", DeadlineStatus.DUE),
        ("dash", DeadlineStatus.DUE),
    ]


def test_before_and_after_the_restriction() -> None:
    before = case_as_of(HISTORY, OPENED + timedelta(hours=3) - timedelta(microseconds=1))
    after = case_as_of(HISTORY, OPENED + timedelta(hours=3))
    assert (before.restricted, before.permitted_staff) == (False, ())
    assert (after.restricted, after.restriction_reason, after.permitted_staff) == (
        True,
        "survivor_is_staff",
        ("cso-0001",),
    )


def test_lifting_a_restriction_clears_it() -> None:
    lifted = fact(OPENED + timedelta(hours=5), "CaseRestrictionLifted", {"reason": "x"})
    state = case_as_of([*HISTORY, lifted], OPENED + timedelta(hours=6))
    assert (state.restricted, state.permitted_staff, state.restriction_reason) == (False, (), None)


def test_a_restriction_given_at_opening_counts() -> None:
    opened = fact(
        OPENED,
        "CaseOpened",
        {
            "contact_due_at": iso(CONTACT_DUE),
            "dash_due_at": iso(DASH_DUE),
            "restriction": {"reason": "other_sensitivity", "permitted_staff_ids": ["a", "b"]},
        },
    )
    state = case_as_of([opened], OPENED)
    assert (state.restricted, state.permitted_staff) == (True, ("a", "b"))


def test_met_deadlines_and_the_risk_level_stand_at_the_end() -> None:
    state = case_as_of(HISTORY, OPENED + timedelta(days=10))
    assert state.risk_level == "high"
    assert {d.kind: d.status for d in state.deadlines} == {
        "first_contact": DeadlineStatus.MET,
        "dash": DeadlineStatus.MET,
    }


def test_a_deadline_past_its_time_reads_overdue_before_the_scheduler_says_so() -> None:
    opened_only = HISTORY[:3]
    state = case_as_of(opened_only, CONTACT_DUE + timedelta(minutes=1))
    contact = next(d for d in state.deadlines if d.kind == "first_contact")
    assert (contact.status, contact.overdue_recorded) == (DeadlineStatus.OVERDUE, False)
    recorded = fact(
        CONTACT_DUE + timedelta(seconds=30), "ContactOverdue", {"due_at": iso(CONTACT_DUE)}
    )
    state = case_as_of([*opened_only, recorded], CONTACT_DUE + timedelta(minutes=1))
    contact = next(d for d in state.deadlines if d.kind == "first_contact")
    assert (contact.status, contact.overdue_recorded) == (DeadlineStatus.OVERDUE, True)


def test_a_late_contact_is_met_late() -> None:
    late = fact(
        CONTACT_DUE + timedelta(hours=1),
        "SurvivorContacted",
        {
            "contacted_at": iso(CONTACT_DUE + timedelta(hours=1)),
            "first_contact": True,
            "late": True,
        },
    )
    state = case_as_of([*HISTORY[:3], late], CONTACT_DUE + timedelta(hours=2))
    contact = next(d for d in state.deadlines if d.kind == "first_contact")
    assert (contact.status, contact.done_at) == (
        DeadlineStatus.MET_LATE,
        CONTACT_DUE + timedelta(hours=1),
    )


def test_closing_stops_running_deadlines_and_reopening_starts_new_ones() -> None:
    closed_at = OPENED + timedelta(hours=1)
    closed = fact(closed_at, "CaseClosed", {"closed_at": iso(closed_at), "reason": "x"})
    state = case_as_of([*HISTORY[:3], closed], closed_at + timedelta(days=5))
    assert state.status is Status.CLOSED
    assert {d.status for d in state.deadlines} == {DeadlineStatus.STOPPED}
    reopened_at = closed_at + timedelta(days=1)
    reopened = fact(
        reopened_at,
        "CaseReopened",
        {"contact_due_at": iso(reopened_at + timedelta(days=1)), "reason": "new_report"},
    )
    state = case_as_of([*HISTORY[:3], closed, reopened], reopened_at)
    assert state.status is Status.OPEN
    assert [(d.kind, d.status) for d in state.deadlines][-1] == (
        "first_contact",
        DeadlineStatus.DUE,
    )


def test_closure_requested_then_declined() -> None:
    asked = fact(OPENED + timedelta(hours=1), "CaseClosureRequested", {"reason": "x"})
    declined = fact(OPENED + timedelta(hours=2), "CaseClosureDeclined", {"reason": "x"})
    assert case_as_of([*HISTORY[:3], asked], OPENED + timedelta(hours=1)).status is (
        Status.CLOSURE_REQUESTED
    )
    assert case_as_of([*HISTORY[:3], asked, declined], OPENED + timedelta(hours=2)).status is (
        Status.OPEN
    )


def test_emergency_repairs_and_marac_actions_are_tracked_by_their_ids() -> None:
    repair_due = OPENED + timedelta(hours=24)
    opened = fact(
        OPENED,
        "CaseOpened",
        {"emergency_repair": {"repair_id": "r1", "due_at": iso(repair_due)}},
    )
    done = fact(
        OPENED + timedelta(hours=5),
        "EmergencyRepairCompleted",
        {"repair_id": "r1", "completed_at": iso(OPENED + timedelta(hours=5)), "late": False},
    )
    heard = fact(
        OPENED + timedelta(days=7),
        "MaracHeard",
        {
            "heard_on": "2026-12-07",
            "actions": [
                {"action_id": "a1", "landlord_action": True, "due_on": "2026-12-10"},
                {"action_id": "a2", "landlord_action": False, "due_on": "2026-12-10"},
            ],
        },
        service="referrals",
    )
    state = case_as_of([opened, done, heard], datetime(2026, 12, 12, tzinfo=UTC))
    assert [(d.kind, d.ref, d.status) for d in state.deadlines] == [
        ("emergency_repair", "r1", DeadlineStatus.MET),
        ("marac_action", "a1", DeadlineStatus.OVERDUE),
    ]
    assert state.marac == "heard on 2026-12-07"


def test_who_had_done_what_counts_each_actors_events() -> None:
    state = case_as_of(HISTORY, OPENED + timedelta(days=1))
    did = {(a.actor_id, a.role): a.events for a in state.actors.values()}
    assert did == {
        ("intake-0007", "intake"): {"ReportReceived": 1},
        ("system", "system"): {"CaseOpened": 1, "CaseManagerAssigned": 1, "DashDeadlineMet": 1},
        ("cso-0001", "case_manager"): {"SurvivorContacted": 1, "RiskLevelChanged": 1},
        ("dalead-0001", "manager"): {"CaseRestricted": 1},
    }


def test_json_form_names_times_in_utc() -> None:
    answer = case_as_of(HISTORY, OPENED + timedelta(hours=3)).to_json()
    assert answer["as_of"] == "2026-11-30T12:30:00Z"
    assert answer["restricted"] is True
    assert answer["deadlines"][0]["due_at"] == "2026-12-01T09:30:00Z"


def test_a_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone"):
        case_as_of(HISTORY, datetime(2026, 11, 30, 9, 30))


def test_what_was_known_is_counted_without_personal_data() -> None:
    received = fact(
        OPENED,
        "ReportReceived",
        {
            "abuse_types": ["physical", "coercive_control"],
            "alleged_perpetrators": [{"name": "Quinn Perpname"}],
            "children": [{"name": "y"}, {"name": "z"}],
            "safe_contact": None,
        },
        service="intake",
    )
    raised = fact(OPENED, "FlagRaised", {"flag_id": "f1", "kind": "potential_risk"})
    other = fact(OPENED, "FlagRaised", {"flag_id": "f2", "kind": "potentially_vulnerable"})
    removed = fact(OPENED + timedelta(hours=1), "FlagRemoved", {"flag_id": "f1"})
    attempt = fact(OPENED + timedelta(hours=1), "ContactAttempted", {"outcome": "no_answer"})
    contacted = fact(
        OPENED + timedelta(hours=2),
        "SurvivorContacted",
        {"contacted_at": iso(OPENED + timedelta(hours=2)), "first_contact": True},
    )
    safe = fact(OPENED + timedelta(hours=2), "SafeContactUpdated", {})
    dash = fact(
        OPENED + timedelta(hours=3), "DashCompleted", {"risk_level": "medium"}, service="risk"
    )
    referral = fact(
        OPENED + timedelta(hours=4),
        "ReferralMade",
        {"referral_type": "police"},
        service="referrals",
    )
    people = fact(OPENED + timedelta(hours=5), "PeopleUpdated", {"children": [{"name": "y"}]})
    history = [received, raised, other, removed, attempt, contacted, safe, dash, referral, people]

    early = case_as_of(history, OPENED)
    assert (early.abuse_types, early.alleged_perpetrators, early.children) == (
        ("physical", "coercive_control"),
        1,
        2,
    )
    assert (early.safe_contact_recorded, sorted(early.flags.values())) == (
        False,
        ["potential_risk", "potentially_vulnerable"],
    )
    late = case_as_of(history, OPENED + timedelta(hours=5))
    assert (late.contact_attempts, late.contacts, late.assessments) == (1, 1, 1)
    assert (late.safe_contact_recorded, late.referrals, late.children) == (True, ("police",), 1)
    assert list(late.flags.values()) == ["potentially_vulnerable"]
    assert late.to_json()["known"]["active_flags"] == ["potentially_vulnerable"]
    assert "Quinn Perpname" not in str(late.to_json())


def test_someone_opening_the_case_is_not_something_done_to_it() -> None:
    reader = ("cso-0001", "case_manager")
    facts = [
        *HISTORY,
        fact(OPENED + timedelta(hours=1), "CaseRecordRead", {"view": "timeline"}, actor=reader),
        fact(
            OPENED + timedelta(hours=1),
            "RiskRecordRead",
            {"view": "risk_record"},
            service="risk",
            actor=reader,
        ),
    ]
    with_reads = case_as_of(facts, OPENED + timedelta(hours=2))
    without = case_as_of(HISTORY, OPENED + timedelta(hours=2))
    assert with_reads.events == without.events + 2
    assert with_reads.actors == without.actors
    assert with_reads.status == without.status
