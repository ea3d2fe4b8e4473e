"""A case belongs to one survivor: links between cases, and nobody else's details on hers.

Given/when/then on the cases decider: a further report adds its people and safe-contact
arrangements only when it is about the case's own survivor; intake's link records the
other cases on both sides, and flags an alleged perpetrator reported by more than one
survivor on each.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from hearth.cases.domain.commands import ReceiveReport, RecordLink, RecordRelatedLink
from hearth.cases.domain.people import MORE_THAN_ONE_SURVIVOR_FLAG_REASON
from hearth.contracts.events import cases as ev
from hearth.contracts.events.case_values import FlagKind
from hearth.contracts.events.common import (
    AllegedPerpetrator,
    Relationship,
    SafeContact,
    Survivor,
)
from hearth.contracts.events.intake import (
    IdentityDetail,
    LinkBasis,
    RelatedCase,
    RelatedCaseBasis,
    ReportLinkedToCase,
    SharedPerpetrator,
)

FRIDAY_1630 = datetime(2025, 3, 7, 16, 30, tzinfo=UTC)
NOW = FRIDAY_1630 + timedelta(minutes=2)
LATER = NOW + timedelta(days=1)
SAFE_CONTACT = SafeContact(
    safe_to_call=False,
    safe_to_text=False,
    safe_to_email=False,
    safe_to_write=False,
    safe_to_visit=True,
    withheld_number_only=False,
    never_leave_voicemail=True,
    interpreter_needed=False,
)


def _another_survivors_report(scenario, **changes):
    bea = Survivor(person_id=uuid.uuid4(), name="Bea Other", date_of_birth=date(1970, 1, 1))
    stranger = AllegedPerpetrator(
        person_id=uuid.uuid4(), relationship_to_survivor=Relationship.RELATIVE
    )
    return scenario.report(
        received_at=LATER,
        survivor=bea,
        alleged_perpetrators=(stranger,),
        safe_contact=SAFE_CONTACT,
        **changes,
    )


def _link(scenario, *related: RelatedCase, case_id=None, report_id=None) -> ReportLinkedToCase:
    return ReportLinkedToCase(
        report_id=report_id or scenario.state.report_ids[0],
        case_id=case_id or scenario.case_id,
        linked_at=NOW,
        basis=LinkBasis.NEW_CASE,
        related_cases=related,
    )


# --- nobody else's details -------------------------------------------------------------


def test_another_survivors_report_adds_none_of_her_people_or_safe_numbers(scenario, actors) -> None:
    scenario.opened()
    events = scenario.when(ReceiveReport(actors.system, _another_survivors_report(scenario)), LATER)
    assert [type(e) for e in events] == [ev.ReportAddedToCase]


def test_a_report_naming_no_survivor_adds_its_people_but_no_safe_numbers(scenario, actors) -> None:
    scenario.opened()
    unnamed = Survivor(person_id=uuid.uuid4())
    newcomer = AllegedPerpetrator(
        person_id=uuid.uuid4(), relationship_to_survivor=Relationship.RELATIVE
    )
    report = scenario.report(
        received_at=LATER,
        survivor=unnamed,
        alleged_perpetrators=(*scenario.state.perpetrators, newcomer),
        safe_contact=SAFE_CONTACT,
    )
    events = scenario.when(ReceiveReport(actors.system, report), LATER)
    assert not scenario.of_type(events, ev.SafeContactUpdated)
    [people] = scenario.of_type(events, ev.PeopleUpdated)
    assert newcomer in people.alleged_perpetrators


def test_the_survivors_own_further_report_adds_her_safe_numbers(scenario, actors) -> None:
    scenario.opened()
    report = scenario.report(received_at=LATER, safe_contact=SAFE_CONTACT)
    events = scenario.when(ReceiveReport(actors.system, report), LATER)
    [updated] = scenario.of_type(events, ev.SafeContactUpdated)
    assert updated.safe_contact == SAFE_CONTACT


def test_a_name_written_differently_is_still_the_survivor(scenario, actors) -> None:
    scenario.opened()
    same = scenario.state.survivor.model_copy(update={"name": "  ALEX   example "})
    newcomer = AllegedPerpetrator(
        person_id=uuid.uuid4(), relationship_to_survivor=Relationship.RELATIVE
    )
    report = scenario.report(received_at=LATER, survivor=same, alleged_perpetrators=(newcomer,))
    events = scenario.when(ReceiveReport(actors.system, report), LATER)
    assert scenario.of_type(events, ev.PeopleUpdated)


# --- links between cases ---------------------------------------------------------------


def test_a_link_to_another_survivors_case_is_recorded_and_the_perpetrator_flagged(
    scenario, actors
) -> None:
    scenario.opened()
    other_case = uuid.uuid4()
    sam = scenario.state.perpetrators[0].person_id
    related = RelatedCase(
        case_id=other_case,
        basis=RelatedCaseBasis.SAME_ALLEGED_PERPETRATOR,
        shared_perpetrators=(SharedPerpetrator(person_id=sam, related_person_id=uuid.uuid4()),),
    )
    events = scenario.apply(RecordLink(actors.system, _link(scenario, related)), NOW)
    [linked] = scenario.of_type(events, ev.CasesLinked)
    assert (linked.related_case_id, linked.basis) == (
        other_case,
        RelatedCaseBasis.SAME_ALLEGED_PERPETRATOR,
    )
    [flag] = scenario.of_type(events, ev.FlagRaised)
    assert (flag.person_id, flag.kind) == (sam, FlagKind.POTENTIAL_RISK)
    assert flag.reason == MORE_THAN_ONE_SURVIVOR_FLAG_REASON
    assert scenario.state.links[other_case] == linked
    # Delivered again: nothing more.
    assert scenario.when(RecordLink(actors.system, _link(scenario, related)), NOW) == []


def test_the_other_case_records_the_link_and_flags_its_own_perpetrator(scenario, actors) -> None:
    scenario.opened()
    reporting_case = uuid.uuid4()
    sam_here = scenario.state.perpetrators[0].person_id
    related = RelatedCase(
        case_id=scenario.case_id,
        basis=RelatedCaseBasis.SAME_ALLEGED_PERPETRATOR,
        shared_perpetrators=(
            SharedPerpetrator(person_id=uuid.uuid4(), related_person_id=sam_here),
        ),
    )
    link = _link(scenario, related, case_id=reporting_case, report_id=uuid.uuid4())
    events = scenario.apply(RecordRelatedLink(actors.system, link, related), NOW)
    [linked] = scenario.of_type(events, ev.CasesLinked)
    assert linked.case_id == scenario.case_id
    assert linked.related_case_id == reporting_case
    assert linked.report_id == link.report_id
    [flag] = scenario.of_type(events, ev.FlagRaised)
    assert flag.person_id == sam_here
    assert flag.reason == MORE_THAN_ONE_SURVIVOR_FLAG_REASON
    # A third survivor naming him flags him no more, but links her case too.
    third = _link(scenario, related, case_id=uuid.uuid4(), report_id=uuid.uuid4())
    again = scenario.when(RecordRelatedLink(actors.system, third, related), NOW)
    assert [type(e) for e in again] == [ev.CasesLinked]


def test_a_possible_same_survivor_is_linked_for_staff_to_confirm_and_flags_nobody(
    scenario, actors
) -> None:
    scenario.opened()
    candidate = RelatedCase(
        case_id=uuid.uuid4(),
        basis=RelatedCaseBasis.POSSIBLY_SAME_SURVIVOR,
        conflicting_details=(IdentityDetail.NAME,),
    )
    events = scenario.when(RecordLink(actors.system, _link(scenario, candidate)), NOW)
    [linked] = events
    assert isinstance(linked, ev.CasesLinked)
    assert linked.basis is RelatedCaseBasis.POSSIBLY_SAME_SURVIVOR
    assert linked.conflicting_details == (IdentityDetail.NAME,)


def test_a_household_link_flags_nobody(scenario, actors) -> None:
    scenario.opened()
    household = RelatedCase(case_id=uuid.uuid4(), basis=RelatedCaseBasis.SAME_HOUSEHOLD)
    events = scenario.when(RecordLink(actors.system, _link(scenario, household)), NOW)
    assert [type(e) for e in events] == [ev.CasesLinked]


def test_a_link_naming_an_unknown_case_records_nothing(scenario, actors) -> None:
    related = RelatedCase(case_id=scenario.case_id, basis=RelatedCaseBasis.SAME_HOUSEHOLD)
    link = ReportLinkedToCase(
        report_id=uuid.uuid4(),
        case_id=uuid.uuid4(),
        linked_at=NOW,
        basis=LinkBasis.NEW_CASE,
        related_cases=(related,),
    )
    assert scenario.when(RecordRelatedLink(actors.system, link, related), NOW) == []


def test_the_survivor_intake_found_by_her_person_id_is_hers_whatever_name_was_given(
    scenario, actors
) -> None:
    # Recorded under another name since (intake compares every name she was known by).
    scenario.opened()
    renamed = scenario.state.survivor.model_copy(update={"name": "Alexandra Newname"})
    newcomer = AllegedPerpetrator(
        person_id=uuid.uuid4(), relationship_to_survivor=Relationship.RELATIVE
    )
    report = scenario.report(received_at=LATER, survivor=renamed, alleged_perpetrators=(newcomer,))
    events = scenario.when(ReceiveReport(actors.system, report), LATER)
    assert scenario.of_type(events, ev.PeopleUpdated)
