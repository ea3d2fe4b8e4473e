"""What pages show: plain words, UK times, overdue first, safe ways of contact."""

from __future__ import annotations

from hearth.web import views


def test_words_reads_names_and_event_names_as_plain_words() -> None:
    assert views.words("safe_to_call") == "Safe to call"
    assert views.words("CaseManagerAssigned") == "Case manager assigned"
    assert views.words("dash_declined") == "DASH declined"
    assert views.words("marac-referral") == "MARAC referral"


def test_times_are_shown_in_uk_time_winter_and_summer() -> None:
    assert views.when("2026-11-30T16:30:00+00:00") == "Mon 30 Nov 2026, 16:30"
    assert views.when("2026-07-01T08:00:00Z") == "Wed 1 Jul 2026, 09:00"  # BST
    assert views.day("2026-07-01") == "1 Jul 2026"
    assert views.clock("09:00:00") == "09:00"
    assert views.when(None) == ""


def _case(case_id: str, *deadlines: tuple[str, str], overdue: bool = False) -> dict:
    return {
        "case_id": case_id,
        "overdue": overdue,
        "deadlines": [
            {"kind": "contact", "status": status, "due_at": due} for status, due in deadlines
        ],
    }


def test_cases_are_overdue_first_then_by_their_soonest_open_deadline() -> None:
    later = _case("a", ("due", "2026-12-09T10:00:00+00:00"))
    sooner = _case("b", ("met", "2026-12-01T10:00:00+00:00"), ("due", "2026-12-03T10:00:00+00:00"))
    late = _case("c", ("overdue", "2026-11-20T10:00:00+00:00"), overdue=True)
    nothing_due = _case("d", ("met", "2026-11-01T10:00:00+00:00"))
    ordered = views.sort_cases([later, nothing_due, sooner, late])
    assert [c["case_id"] for c in ordered] == ["c", "b", "a", "d"]


def test_open_deadlines_leave_out_met_and_cancelled_ones() -> None:
    deadlines = [
        {"kind": "review", "status": "due", "due_at": "2026-12-29T10:00:00+00:00"},
        {"kind": "contact", "status": "met", "due_at": "2026-12-01T10:00:00+00:00"},
        {"kind": "dash", "status": "overdue", "due_at": "2026-12-02T10:00:00+00:00"},
        {"kind": "emergency_repair", "status": "cancelled", "due_at": "2026-12-01T10:00:00Z"},
    ]
    assert [d["kind"] for d in views.open_deadlines(deadlines)] == ["dash", "review"]


def test_safe_ways_list_only_what_the_arrangements_allow() -> None:
    allowed, refused = views.safe_ways({"safe_to_call": True, "safe_to_text": False})
    assert allowed == ["Phone call"]
    assert refused == ["Text message", "Email", "Letter", "Visit"]


def test_facts_leave_out_ids_and_empty_values_and_name_who() -> None:
    rows = views.facts(
        {
            "flag_id": "x",
            "person_id": "y",
            "kind": "potentially_vulnerable",
            "raised_by": {"id": "cso-0001", "role": "case_manager"},
            "removed_at": None,
            "notes": [],
            "active": True,
        },
        skip=("flag_id",),
    )
    assert rows == [
        ("Kind", "Potentially vulnerable"),
        ("Raised by", "cso-0001 (Case manager)"),
        ("Active", "Yes"),
    ]
    assert views.actor({"id": "hearth.cases", "role": "system"}) == "Hearth (automatic)"


def test_the_timeline_merges_other_services_steps_newest_first() -> None:
    merged = views.merged_timeline(
        [
            {
                "event": "CaseOpened",
                "occurred_at": "2026-12-01T10:00:00+00:00",
                "actor": {"id": "hearth.cases", "role": "system"},
            },
            {
                "event": "ContactRecorded",
                "occurred_at": "2026-12-01T12:00:00+00:00",
                "actor": {"id": "cso-0001", "role": "case_manager"},
            },
        ],
        [
            {
                "at": "2026-12-01T11:00:00Z",
                "service": "risk",
                "event_type": "AssessmentRecorded",
                "actor_role": "case_manager",
            }
        ],
    )
    assert [(e["what"], e["who"], e["service"]) for e in merged] == [
        ("Contact recorded", "cso-0001 (Case manager)", "cases"),
        ("Assessment recorded", "Case manager", "risk"),
        ("Case opened", "Hearth (automatic)", "cases"),
    ]
