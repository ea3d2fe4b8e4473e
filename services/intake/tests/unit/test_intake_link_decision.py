"""The link decision: given matches, case statuses and now → new case, existing case, repeat."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from hearth.contracts.events.intake import (
    IdentityDetail,
    LinkBasis,
    RelatedCaseBasis,
    RepeatReason,
)
from hearth.eventstore.errors import NotFound
from hearth.intake.domain.linking import (
    CaseNotOpen,
    CaseStatus,
    IndexEntry,
    LinkDecision,
    Relation,
    decide_link,
    reused_person_ids,
)
from hearth.intake.domain.matching import PersonKeys, PersonRef, PersonRole

NOW = datetime(2025, 3, 7, 16, 30, tzinfo=UTC)
NEW = UUID("00000000-0000-4000-8000-000000000001")
A = UUID("00000000-0000-4000-8000-00000000000a")
B = UUID("00000000-0000-4000-8000-00000000000b")
PERPETRATOR_ON_A = UUID("00000000-0000-4000-8000-0000000000ab")
SURVIVOR = PersonRef(PersonRole.SURVIVOR)
PERPETRATOR = PersonRef(PersonRole.ALLEGED_PERPETRATOR, 0)
HOUSEHOLD = PersonRef(PersonRole.HOUSEHOLD)


def _people(**digests: str) -> list[PersonKeys]:
    refs = {"survivor": SURVIVOR, "perpetrator": PERPETRATOR, "household": HOUSEHOLD}
    return [PersonKeys(refs[who], frozenset({digest})) for who, digest in digests.items()]


def _decide(
    people: list[PersonKeys],
    entries: list[IndexEntry],
    statuses: dict[UUID, CaseStatus] | None = None,
    *,
    now: datetime = NOW,
    months: int = 12,
    named: UUID | None = None,
) -> LinkDecision:
    return decide_link(
        people=people,
        entries=entries,
        statuses=statuses or {},
        now=now,
        repeat_window_months=months,
        new_case_id=NEW,
        named_case_id=named,
    )


def test_a_report_about_nobody_known_opens_a_new_case() -> None:
    decision = _decide(_people(survivor="s1"), [])
    assert decision == LinkDecision(case_id=NEW, basis=LinkBasis.NEW_CASE)
    assert decision.is_new_case


def test_the_same_survivor_with_an_open_case_joins_it() -> None:
    entries = [IndexEntry("s1", PersonRole.SURVIVOR, A)]
    decision = _decide(_people(survivor="s1"), entries, {A: CaseStatus(A, assigned_at=NOW)})
    assert decision == LinkDecision(case_id=A, basis=LinkBasis.SAME_SURVIVOR)


def test_a_case_intake_just_assigned_counts_as_open_before_anything_else_is_heard() -> None:
    entries = [IndexEntry("s1", PersonRole.SURVIVOR, A)]
    assert _decide(_people(survivor="s1"), entries).case_id == A


def test_another_survivor_of_the_same_perpetrator_opens_her_own_case_linked() -> None:
    by_perpetrator = _decide(
        _people(survivor="new", perpetrator="p1"),
        [IndexEntry("p1", PersonRole.ALLEGED_PERPETRATOR, A, PERPETRATOR_ON_A)],
    )
    assert by_perpetrator == LinkDecision(
        case_id=NEW,
        basis=LinkBasis.NEW_CASE,
        related=(Relation(A, RelatedCaseBasis.SAME_ALLEGED_PERPETRATOR, ((0, PERPETRATOR_ON_A),)),),
    )


def test_a_report_naming_no_survivor_joins_the_households_open_case() -> None:
    by_household = _decide(_people(household="t1"), [IndexEntry("t1", PersonRole.HOUSEHOLD, B)])
    assert by_household == LinkDecision(case_id=B, basis=LinkBasis.SAME_HOUSEHOLD)


def test_a_report_naming_no_survivor_links_the_perpetrators_case_without_sharing() -> None:
    # Nobody named: it may be the same survivor, so no "more than one survivor" is claimed.
    decision = _decide(
        _people(perpetrator="p1"), [IndexEntry("p1", PersonRole.ALLEGED_PERPETRATOR, A)]
    )
    assert decision == LinkDecision(
        case_id=NEW,
        basis=LinkBasis.NEW_CASE,
        related=(Relation(A, RelatedCaseBasis.SAME_ALLEGED_PERPETRATOR),),
    )


def test_a_match_in_another_role_does_not_join_the_case() -> None:
    # The survivor of this report is named as the alleged perpetrator on case A.
    entries = [IndexEntry("s1", PersonRole.ALLEGED_PERPETRATOR, A)]
    assert _decide(_people(survivor="s1"), entries).is_new_case


def test_the_survivors_own_case_wins_over_the_perpetrators() -> None:
    entries = [
        IndexEntry("p1", PersonRole.ALLEGED_PERPETRATOR, A),
        IndexEntry("s1", PersonRole.SURVIVOR, B),
    ]
    statuses = {
        A: CaseStatus(A, assigned_at=NOW),
        B: CaseStatus(B, assigned_at=NOW - timedelta(days=90)),
    }
    decision = _decide(_people(survivor="s1", perpetrator="p1"), entries, statuses)
    assert decision == LinkDecision(
        case_id=B,
        basis=LinkBasis.SAME_SURVIVOR,
        related=(Relation(A, RelatedCaseBasis.SAME_ALLEGED_PERPETRATOR, ((0, None),)),),
    )


def test_of_two_open_cases_on_the_same_basis_the_newest_is_joined() -> None:
    entries = [IndexEntry("s1", PersonRole.SURVIVOR, A), IndexEntry("s1", PersonRole.SURVIVOR, B)]
    statuses = {
        A: CaseStatus(A, assigned_at=NOW - timedelta(days=30)),
        B: CaseStatus(B, assigned_at=NOW - timedelta(days=3)),
    }
    assert _decide(_people(survivor="s1"), entries, statuses).case_id == B


def test_another_survivors_open_case_is_never_joined_even_when_hers_is_closed() -> None:
    entries = [
        IndexEntry("s1", PersonRole.SURVIVOR, A),
        IndexEntry("p1", PersonRole.ALLEGED_PERPETRATOR, B),
    ]
    statuses = {
        A: CaseStatus(A, closed_at=NOW - timedelta(days=5)),
        B: CaseStatus(B, assigned_at=NOW - timedelta(days=5)),
    }
    decision = _decide(_people(survivor="s1", perpetrator="p1"), entries, statuses)
    assert decision == LinkDecision(
        case_id=NEW,
        basis=LinkBasis.NEW_CASE,
        repeat_reasons=(RepeatReason.CASE_CLOSED_WITHIN_12_MONTHS,),
        previous_case_id=A,
        related=(Relation(B, RelatedCaseBasis.SAME_ALLEGED_PERPETRATOR, ((0, None),)),),
    )


def test_a_survivor_found_by_a_key_under_another_name_is_a_candidate() -> None:
    people = [PersonKeys(SURVIVOR, frozenset({"phone"}), frozenset({(IdentityDetail.NAME, "bea")}))]
    entries = [
        IndexEntry("phone", PersonRole.SURVIVOR, A),
        IndexEntry("alex", PersonRole.SURVIVOR, A, detail=IdentityDetail.NAME),
    ]
    decision = _decide(people, entries, {A: CaseStatus(A, assigned_at=NOW)})
    assert decision == LinkDecision(
        case_id=NEW,
        basis=LinkBasis.NEW_CASE,
        related=(
            Relation(
                A,
                RelatedCaseBasis.POSSIBLY_SAME_SURVIVOR,
                conflicting_details=(IdentityDetail.NAME,),
            ),
        ),
    )


def test_any_name_the_survivor_was_recorded_under_agrees() -> None:
    people = [
        PersonKeys(SURVIVOR, frozenset({"phone"}), frozenset({(IdentityDetail.NAME, "alex")}))
    ]
    entries = [
        IndexEntry("phone", PersonRole.SURVIVOR, A),
        IndexEntry("alexandra", PersonRole.SURVIVOR, A, detail=IdentityDetail.NAME),
        IndexEntry("alex", PersonRole.SURVIVOR, A, detail=IdentityDetail.NAME),
    ]
    decision = _decide(people, entries, {A: CaseStatus(A, assigned_at=NOW)})
    assert decision == LinkDecision(case_id=A, basis=LinkBasis.SAME_SURVIVOR)


def test_a_detail_is_never_a_key() -> None:
    # Someone else of the same name is not found by it.
    people = [PersonKeys(SURVIVOR, frozenset(), frozenset({(IdentityDetail.NAME, "alex")}))]
    entries = [IndexEntry("alex", PersonRole.SURVIVOR, A, detail=IdentityDetail.NAME)]
    assert _decide(people, entries).is_new_case


def test_a_case_closed_within_12_months_makes_the_new_case_a_repeat() -> None:
    entries = [IndexEntry("s1", PersonRole.SURVIVOR, A)]
    statuses = {A: CaseStatus(A, closed_at=NOW - timedelta(days=100))}
    decision = _decide(_people(survivor="s1"), entries, statuses)
    assert decision == LinkDecision(
        case_id=NEW,
        basis=LinkBasis.NEW_CASE,
        repeat_reasons=(RepeatReason.CASE_CLOSED_WITHIN_12_MONTHS,),
        previous_case_id=A,
    )


@pytest.mark.parametrize(
    ("closed_at", "repeat"),
    [
        (datetime(2024, 3, 7, 16, 30, tzinfo=UTC), True),  # exactly 12 months before
        (datetime(2024, 3, 7, 16, 29, 59, tzinfo=UTC), False),  # one second more
        (datetime(2024, 3, 8, 0, 0, tzinfo=UTC), True),
        (datetime(2024, 3, 6, 23, 59, tzinfo=UTC), False),
        (NOW, True),
    ],
)
def test_the_12_month_boundary_is_inclusive(closed_at: datetime, repeat: bool) -> None:
    entries = [IndexEntry("s1", PersonRole.SURVIVOR, A)]
    decision = _decide(_people(survivor="s1"), entries, {A: CaseStatus(A, closed_at=closed_at)})
    assert decision.is_new_case
    assert (decision.repeat_reasons == (RepeatReason.CASE_CLOSED_WITHIN_12_MONTHS,)) is repeat
    assert (decision.previous_case_id == A) is repeat


def test_a_marac_referral_within_12_months_is_a_repeat_reason_too() -> None:
    entries = [IndexEntry("s1", PersonRole.SURVIVOR, A)]
    statuses = {
        A: CaseStatus(
            A, closed_at=NOW - timedelta(days=500), last_marac_at=NOW - timedelta(days=200)
        )
    }
    decision = _decide(_people(survivor="s1"), entries, statuses)
    assert decision.repeat_reasons == (RepeatReason.MARAC_WITHIN_12_MONTHS,)
    assert decision.previous_case_id == A


def test_both_reasons_name_the_most_recent_earlier_case() -> None:
    entries = [
        IndexEntry("s1", PersonRole.SURVIVOR, A),
        IndexEntry("s1", PersonRole.SURVIVOR, B),
    ]
    statuses = {
        A: CaseStatus(A, closed_at=NOW - timedelta(days=300)),
        B: CaseStatus(
            B, closed_at=NOW - timedelta(days=700), last_marac_at=NOW - timedelta(days=20)
        ),
    }
    decision = _decide(_people(survivor="s1", perpetrator="p1"), entries, statuses)
    assert decision.repeat_reasons == (
        RepeatReason.CASE_CLOSED_WITHIN_12_MONTHS,
        RepeatReason.MARAC_WITHIN_12_MONTHS,
    )
    assert decision.previous_case_id == B


def test_the_repeat_window_is_the_policys_figure() -> None:
    entries = [IndexEntry("s1", PersonRole.SURVIVOR, A)]
    statuses = {A: CaseStatus(A, closed_at=NOW - timedelta(days=200))}
    assert _decide(_people(survivor="s1"), entries, statuses, months=12).repeat_reasons
    assert not _decide(_people(survivor="s1"), entries, statuses, months=6).repeat_reasons


def test_a_reopened_case_is_open_again() -> None:
    status = CaseStatus(A, closed_at=NOW - timedelta(days=10), reopened_at=NOW - timedelta(days=2))
    assert status.is_open
    assert not CaseStatus(A, closed_at=NOW, reopened_at=NOW - timedelta(days=1)).is_open
    entries = [IndexEntry("s1", PersonRole.SURVIVOR, A)]
    assert _decide(_people(survivor="s1"), entries, {A: status}).case_id == A


def test_staff_can_name_an_open_case_but_not_a_closed_or_unknown_one() -> None:
    named = _decide([], [], {A: CaseStatus(A, assigned_at=NOW)}, named=A)
    assert named == LinkDecision(case_id=A, basis=LinkBasis.NAMED_BY_STAFF)
    with pytest.raises(CaseNotOpen):
        _decide([], [], {A: CaseStatus(A, closed_at=NOW)}, named=A)
    with pytest.raises(NotFound):
        _decide([], [], {}, named=B)


def test_people_known_on_the_joined_case_keep_their_person_ids() -> None:
    survivor_id, perpetrator_id = uuid.uuid4(), uuid.uuid4()
    people = _people(survivor="s1", perpetrator="p1")
    entries = [
        IndexEntry("s1", PersonRole.SURVIVOR, A, survivor_id),
        IndexEntry("p1", PersonRole.ALLEGED_PERPETRATOR, A, perpetrator_id),
        IndexEntry("s1", PersonRole.SURVIVOR, B, uuid.uuid4()),
    ]
    joined = LinkDecision(case_id=A, basis=LinkBasis.SAME_SURVIVOR)
    assert reused_person_ids(joined, people, entries) == {
        SURVIVOR: survivor_id,
        PERPETRATOR: perpetrator_id,
    }
    new = LinkDecision(case_id=NEW, basis=LinkBasis.NEW_CASE)
    assert reused_person_ids(new, people, entries) == {}


def test_two_people_in_one_report_never_share_a_known_person_id() -> None:
    shared = uuid.uuid4()
    people = _people(survivor="x", perpetrator="y")
    entries = [
        IndexEntry("x", PersonRole.SURVIVOR, A, shared),
        IndexEntry("y", PersonRole.ALLEGED_PERPETRATOR, A, shared),
    ]
    joined = LinkDecision(case_id=A, basis=LinkBasis.SAME_SURVIVOR)
    assert reused_person_ids(joined, people, entries) == {}
