"""Reports from intake: a new report opens its case; a further one joins it.

A report for a case that does not exist yet opens it with the policy's deadlines, a
case manager (honouring a preferred gender), the automatic flags and, where a member
of staff is involved, a restriction. A further report about an open case is added to
it; about a closed case it reopens the case. A report seen before changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from hearth.cases.domain.commands import ReceiveReport, RecordLink
from hearth.cases.domain.identification import identified_now, report_identifies
from hearth.cases.domain.people import (
    auto_flags,
    case_manager_of,
    da_leads_only,
    merge_people,
    named_staff,
    restriction_reason,
    staff_safeguards,
)
from hearth.cases.domain.rules import CaseRules
from hearth.cases.domain.staff import Choice, choose_case_manager
from hearth.cases.domain.state import CaseState, Recorded, fold, staff_unidentified
from hearth.contracts.events import cases as ev
from hearth.contracts.events.case_values import ReopenReason, Restriction
from hearth.contracts.events.intake import ReportReceived


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
        )
    )
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
    if state.safe_contact is None and report.safe_contact is not None:
        events.append(
            ev.SafeContactUpdated(
                case_id=report.case_id, updated_at=now, safe_contact=report.safe_contact
            )
        )
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
    if report.safe_contact is not None:
        events.append(
            ev.SafeContactUpdated(
                case_id=report.case_id, updated_at=now, safe_contact=report.safe_contact
            )
        )
    return events


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
    """A repeat (case closed or MARAC in the last 12 months) is recorded on the case once."""
    link = command.link
    if not state.exists or not link.repeat_reasons or state.repeat is not None:
        return []
    return [
        ev.RepeatCaseIdentified(
            case_id=link.case_id,
            report_id=link.report_id,
            identified_at=now,
            repeat_reasons=link.repeat_reasons,
            previous_case_id=link.previous_case_id,
        )
    ]
