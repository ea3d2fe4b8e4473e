"""Reports from intake: a new report opens its case; a further one joins it.

A report for a case that does not exist yet opens it with the policy's deadlines, a
case manager (honouring a preferred gender), the automatic flags and, where a member
of staff is involved, a restriction. A further report about an open case is added to
it; about a closed case it reopens the case. A report seen before changes nothing.

A case belongs to one survivor: a further report adds its people (and safe-contact
arrangements) only when it is about the case's own survivor. Intake's link says which
other cases a report's case is linked to (another survivor's case sharing an alleged
perpetrator or the household, or a possible same survivor for staff to confirm): both
cases record the link, and an alleged perpetrator reported by more than one survivor is
flagged as such on each.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from uuid import UUID

from hearth.cases.domain.commands import ReceiveReport, RecordLink, RecordRelatedLink
from hearth.cases.domain.deadlines import DeadlineKind
from hearth.cases.domain.identification import identified_now, report_identifies
from hearth.cases.domain.people import (
    another_survivor,
    auto_flags,
    case_manager_of,
    da_leads_only,
    merge_people,
    more_than_one_survivor_flags,
    named_staff,
    restriction_reason,
    staff_safeguards,
)
from hearth.cases.domain.rules import CaseRules
from hearth.cases.domain.safe_contact import reported_arrangements
from hearth.cases.domain.staff import Choice, choose_case_manager
from hearth.cases.domain.state import CaseState, Recorded, fold, staff_unidentified
from hearth.contracts.events import cases as ev
from hearth.contracts.events.case_values import EmergencyRepairDue, ReopenReason, Restriction
from hearth.contracts.events.intake import RelatedCase, ReportReceived


def receive_report(
    command: ReceiveReport, state: CaseState, now: datetime, rules: CaseRules
) -> list[ev.CasesEvent]:
    report = command.report
    if not state.exists:
        return open_case(report, command.caseloads, now, rules)
    if report.report_id in state.report_ids:
        return []
    events: list[ev.CasesEvent] = []
    if not state.is_open:
        events.append(_reopening(report, state, now, rules))
    current = fold((Recorded(e, command.actor, 0, now) for e in events), state)
    contact_due, dash_due = _new_report_deadlines(report, current, rules)
    events.append(
        ev.ReportAddedToCase(
            case_id=report.case_id,
            report_id=report.report_id,
            added_at=now,
            reported_at=report.received_at,
            channel=report.channel,
            reporter_kind=report.reporter.kind,
            abuse_types=report.abuse_types,
            immediate_danger=report.immediate_danger,
            emergency_repair=emergency_repair_due(report, rules),
            contact_due_at=contact_due,
            dash_due_at=dash_due,
        )
    )
    her_own = state.survivor is not None and report.survivor.person_id == state.survivor.person_id
    if not her_own and another_survivor(state.survivor, report.survivor):
        # Not this case's survivor: nothing of the report's people lands on her case.
        return events
    new_perpetrators, new_children = merge_people(
        state, report.alleged_perpetrators, report.children
    )
    if new_perpetrators or new_children:
        events.append(
            ev.PeopleUpdated(
                case_id=report.case_id,
                updated_at=now,
                alleged_perpetrators=(*state.perpetrators, *new_perpetrators)
                if new_perpetrators
                else None,
                children=(*state.children, *new_children) if new_children else None,
            )
        )
        events += auto_flags(
            report.case_id, report.report_id, now, None, new_perpetrators, new_children
        )
    arrangements = (
        reported_arrangements(report, (*state.perpetrators, *new_perpetrators), now)
        if her_own
        else None
    )
    # A report's arrangements never replace the survivor's own; the survivor's own replace
    # ones not yet confirmed.
    recorded = state.arrangements
    if arrangements is not None and (
        recorded is None or (not recorded.survivors_own and arrangements.survivors_own)
    ):
        events.append(arrangements)
    after = fold((Recorded(e, command.actor, 0, now) for e in events), state)
    identified = identified_now(after, now, rules, report)
    after = fold((Recorded(e, command.actor, 0, now) for e in identified), after)
    return events + identified + staff_safeguards(after, command.caseloads, now, rules)


def open_case(
    report: ReportReceived, caseloads: Mapping[str, int], now: datetime, rules: CaseRules
) -> list[ev.CasesEvent]:
    people = [report.survivor, *report.alleged_perpetrators]
    involved = {p.staff_id for p in people if p.staff_id}
    preferred = report.preferred_case_manager_gender
    restriction = None
    if staff_unidentified(people):
        # Said to be staff, with no staff id: it could be any officer, so nobody is chosen
        # and only the DA leads see the case until the id is recorded (`staff_safeguards`).
        choice = Choice(None, None)
        restriction = da_leads_only(rules, report.survivor, involved)
    else:
        choice = choose_case_manager(rules.roster, caseloads, preferred, exclude=involved)
    manager_id = choice.member.staff_id if choice.member else None
    if restriction is None and any(p.is_staff_member for p in people):
        restriction = Restriction(
            reason=restriction_reason(report.survivor),
            permitted_staff_ids=named_staff(rules, manager_id, involved),
        )
    events: list[ev.CasesEvent] = [
        ev.CaseOpened(
            case_id=report.case_id,
            report_id=report.report_id,
            opened_at=now,
            reported_at=report.received_at,
            channel=report.channel,
            reporter_kind=report.reporter.kind,
            survivor=report.survivor,
            alleged_perpetrators=report.alleged_perpetrators,
            children=report.children,
            tenancy_reference=report.tenancy_reference,
            abuse_types=report.abuse_types,
            immediate_danger=report.immediate_danger,
            contact_due_at=rules.contact_due(report.received_at),
            dash_due_at=rules.dash_due(report.received_at),
            review_due_at=rules.review_due(now),
            timescale_policy=rules.policy.id,
            restriction=restriction,
            preferred_case_manager_gender=preferred,
            survivor_to_identify=not report_identifies(report),
            emergency_repair=emergency_repair_due(report, rules),
        )
    ]
    if choice.member is not None:
        events.append(
            ev.CaseManagerAssigned(
                case_id=report.case_id,
                assigned_at=now,
                case_manager=case_manager_of(choice.member),
                preferred_gender=preferred,
                preference_met=choice.preference_met,
            )
        )
    if restriction is not None:
        events.append(
            ev.CaseRestricted(case_id=report.case_id, restricted_at=now, restriction=restriction)
        )
    events += auto_flags(
        report.case_id,
        report.report_id,
        now,
        report.survivor,
        report.alleged_perpetrators,
        report.children,
    )
    arrangements = reported_arrangements(report, report.alleged_perpetrators, now)
    if arrangements is not None:
        events.append(arrangements)
    return events


def emergency_repair_due(report: ReportReceived, rules: CaseRules) -> EmergencyRepairDue | None:
    """The repair a report of a damaged home where safety is at risk makes due: elapsed
    hours from the report, under an id derived from the case and the report (the same
    when decided again), which the repair takes when a caseworker raises it."""
    if not report.home_damaged_safety_at_risk:
        return None
    return EmergencyRepairDue(
        repair_id=uuid.uuid5(report.case_id, f"emergency-repair:{report.report_id}"),
        due_at=rules.repair_due(report.received_at),
    )


def _new_report_deadlines(
    report: ReportReceived, state: CaseState, rules: CaseRules
) -> tuple[datetime | None, datetime | None]:
    """The contact and DASH deadlines a new report on an open case starts (policy
    `new_report_restarts_deadlines`), counted from when it was reported. A deadline of
    that kind still open (the one just started by a reopening, say) already covers the
    report: it is due sooner."""
    if not rules.policy.new_report_restarts_deadlines:
        return None, None
    contact = state.open_deadline(DeadlineKind.CONTACT)
    dash = state.open_deadline(DeadlineKind.DASH)
    # While nobody can identify or reach the survivor the DA lead's task stands in for a
    # contact deadline: a report that identifies them starts contact (`identified_now`).
    no_contact = contact is not None or state.survivor_unidentified
    return (
        rules.contact_due(report.received_at) if not no_contact else None,
        rules.dash_due(report.received_at) if dash is None else None,
    )


def _reopening(
    report: ReportReceived, state: CaseState, now: datetime, rules: CaseRules
) -> ev.CaseReopened:
    restart = rules.policy.reopening_restarts_deadlines
    # Still nobody to contact: the DA lead's task comes back instead of a contact deadline.
    contact = restart and not state.survivor_unidentified
    return ev.CaseReopened(
        case_id=report.case_id,
        reopened_at=now,
        reason=ReopenReason.NEW_INCIDENT,
        report_id=report.report_id,
        contact_due_at=rules.contact_due(report.received_at) if contact else None,
        dash_due_at=rules.dash_due(report.received_at) if restart else None,
        review_due_at=rules.review_due(now),
    )


def record_link(command: RecordLink, state: CaseState, now: datetime) -> list[ev.CasesEvent]:
    """A repeat (case closed or MARAC in the last 12 months) is recorded once per report;
    each other case the report's case is linked to is recorded once per basis, with the
    flag on the alleged perpetrators another survivor reported too."""
    link = command.link
    if not state.exists:
        return []
    assert state.case_id is not None
    events: list[ev.CasesEvent] = []
    if link.repeat_reasons and all(r.report_id != link.report_id for r in state.repeats):
        events.append(
            ev.RepeatCaseIdentified(
                case_id=state.case_id,
                report_id=link.report_id,
                identified_at=now,
                repeat_reasons=link.repeat_reasons,
                previous_case_id=link.previous_case_id,
            )
        )
    flagged: list[UUID] = []
    for related in link.related_cases:
        events += _link(state, related.case_id, related, link.report_id, now)
        flagged += [p.person_id for p in related.shared_perpetrators]
    return events + more_than_one_survivor_flags(state, flagged, now)


def record_related_link(
    command: RecordRelatedLink, state: CaseState, now: datetime
) -> list[ev.CasesEvent]:
    """Another case's report named this case as related: this case records the link too,
    and flags its alleged perpetrators whom that report's survivor named."""
    link, related = command.link, command.related
    if not state.exists or state.case_id != related.case_id:
        return []
    events = _link(state, link.case_id, related, link.report_id, now)
    here = [p.related_person_id for p in related.shared_perpetrators if p.related_person_id]
    return events + more_than_one_survivor_flags(state, here, now)


def _link(
    state: CaseState, other: UUID, related: RelatedCase, report_id: UUID, now: datetime
) -> list[ev.CasesEvent]:
    assert state.case_id is not None
    known = state.links.get(other)
    if other == state.case_id or (known is not None and known.basis is related.basis):
        return []
    return [
        ev.CasesLinked(
            case_id=state.case_id,
            related_case_id=other,
            linked_at=now,
            basis=related.basis,
            report_id=report_id,
            conflicting_details=related.conflicting_details,
        )
    ]
