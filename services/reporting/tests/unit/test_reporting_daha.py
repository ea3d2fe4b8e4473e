"""DAHA evidence: a sample drawn reproducibly, and each sampled case's file as facts."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta

from hearth.reporting.domain import facts as f
from hearth.reporting.domain.daha import draw_key, evidence, sample
from hearth.reporting.settings import load_policy

MONDAY = datetime(2026, 7, 6, 10, 0, tzinfo=UTC)  # 11:00 in London


def test_the_same_seed_and_cases_give_the_same_sample_in_any_order() -> None:
    cases = [uuid.uuid4() for _ in range(30)]
    drawn = sample(cases, 5, seed=42)
    assert len(drawn) == len(set(drawn)) == 5 and set(drawn) <= set(cases)
    assert sample(list(reversed(cases)), 5, seed=42) == drawn
    assert sample(cases, 5, seed=43) != drawn
    assert sorted(sample(cases[:3], 5, seed=1), key=str) == sorted(cases[:3], key=str)


def test_the_draw_is_by_a_hash_of_seed_and_case_a_larger_sample_extends_a_smaller() -> None:
    cases = [uuid.UUID(int=n) for n in range(1, 40)]
    drawn = sample(cases, 10, seed=7)
    assert drawn == sorted(cases, key=lambda c: draw_key(7, c))[:10]
    digest = hashlib.md5(f"7:{cases[0]}".encode(), usedforsecurity=False).hexdigest()
    assert draw_key(7, cases[0]) == (digest, cases[0])
    assert sample(cases, 4, seed=7) == drawn[:4]
    assert drawn != sorted(drawn)  # not the id order


def test_a_case_file_shows_contact_dash_wishes_before_action_oversight_and_closure() -> None:
    case = uuid.uuid4()
    hour = timedelta(hours=1)
    facts = f.Facts(
        cases=(f.Case(case, MONDAY, reported_at=MONDAY, channel="phone", case_manager_id="cso-1"),),
        deadlines=(
            f.Deadline(
                case, "first_contact", "c", MONDAY, MONDAY + timedelta(days=1), MONDAY + hour
            ),
            f.Deadline(case, "dash", "d", MONDAY, MONDAY + timedelta(days=2)),
        ),
        assessments=(f.Assessment(uuid.uuid4(), case, MONDAY + 2 * hour, "declined", None),),
        safe_contact=(f.SafeContactRecord(uuid.uuid4(), case, MONDAY + hour, True),),
        wishes=(f.Wishes(uuid.uuid4(), case, MONDAY + 3 * hour),),
        perpetrator_actions=(
            f.PerpetratorAction(
                uuid.uuid4(),
                case,
                MONDAY + 2 * hour,
                "tenancy_warning",
                False,
                override_reason="safeguarding_child",
            ),
            f.PerpetratorAction(uuid.uuid4(), case, MONDAY + 4 * hour, "injunction", True, True),
        ),
        reviews=(f.Review(uuid.uuid4(), case, MONDAY + timedelta(days=20), "closure_agreed"),),
        closures=(
            f.Closure(
                case,
                MONDAY + timedelta(days=21),
                "survivor_moved",
                approved_by="dalead-1",
                feels_safer=True,
                rating="satisfied",
            ),
        ),
    )
    file = evidence(case, facts, load_policy())
    [contact] = file["first_contact"]
    assert contact["within_target"] is True
    assert contact["target"] == (MONDAY + timedelta(days=1)).isoformat()  # Tuesday 11:00
    [dash] = file["dash"]["deadlines"]
    assert (dash["met_at"], dash["within_target"]) == (None, False)
    assert file["dash"]["assessments"] == [
        {"at": (MONDAY + 2 * hour).isoformat(), "kind": "declined", "risk_level": None}
    ]
    assert file["safe_contact"][0]["survivors_own"] is True
    warning, injunction = file["perpetrator_actions"]
    assert (warning["wishes_recorded_before"], warning["override_reason"]) == (
        False,
        "safeguarding_child",
    )
    assert (injunction["wishes_recorded_before"], injunction["survivor_agreed"]) == (True, True)
    assert file["manager_oversight"] == {
        "reviews": [
            {"reviewed_at": (MONDAY + timedelta(days=20)).isoformat(), "outcome": "closure_agreed"}
        ],
        "closures_approved_by": ["dalead-1"],
    }
    [closure] = file["closures"]
    assert (closure["days_open"], closure["feels_safer"], closure["rating"]) == (
        21.0,
        True,
        "satisfied",
    )
