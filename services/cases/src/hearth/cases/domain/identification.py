"""A survivor nobody can identify or reach: a task for the DA lead, not a contact deadline.

An anonymous report may say nothing about who the survivor is or how to reach them. A
first-contact deadline on such a case could never be met; instead the case carries a
task for the DA lead to identify the survivor (`CaseOpened.survivor_to_identify`), and
first contact is due from the moment details that identify or reach them are recorded
(`SurvivorIdentified`, from a people update, a further report or safe-contact details).

The survivor can be identified or reached when the case has any of:

- the survivor's own name, phone number, email address, postal address or staff id;
- the household's tenancy reference;
- a safe phone number, safe email address or safe postal address;
- someone to ask who reported it: the survivor reporting with a name, phone or email; a
  third party or professional who left a phone number or email address; a partner
  agency's reference (the agency knows who the survivor is).

Never through the alleged perpetrator: their name, number or address is no way to the
survivor that could be used safely, so it does not count. A date of birth, a gender or
children's details alone identify nobody. Anything less than the list above is an
anonymous survivor: the task stays until someone records one of these.
"""

from __future__ import annotations

from datetime import datetime

from hearth.cases.domain.rules import CaseRules
from hearth.cases.domain.state import CaseState
from hearth.contracts.events import cases as ev
from hearth.contracts.events.common import ReporterKind, SafeContact, Survivor
from hearth.contracts.events.intake import Reporter, ReportReceived

__all__ = ["identified_now", "report_identifies", "survivor_identifiable"]


def survivor_identifiable(
    survivor: Survivor | None,
    tenancy_reference: str | None,
    safe_contact: SafeContact | None,
    reporter: Reporter | None = None,
    partner_reference: str | None = None,
) -> bool:
    """True when any of these is a way to identify or reach the survivor (see above)."""
    if survivor is not None and any(
        (survivor.name, survivor.phone, survivor.email, survivor.address, survivor.staff_id)
    ):
        return True
    if tenancy_reference or partner_reference:
        return True
    if safe_contact is not None and any(
        (safe_contact.safe_phone_numbers, safe_contact.safe_email, safe_contact.safe_postal_address)
    ):
        return True
    return reporter is not None and _reporter_can_be_asked(reporter)


def _reporter_can_be_asked(reporter: Reporter) -> bool:
    if reporter.kind is ReporterKind.SURVIVOR:
        return any((reporter.name, reporter.phone, reporter.email))
    if reporter.kind in (ReporterKind.ANONYMOUS, ReporterKind.STAFF):
        # Staff who took an anonymous disclosure do not know who it was either.
        return False
    return any((reporter.phone, reporter.email))


def report_identifies(report: ReportReceived) -> bool:
    """Whether a report gives any way to identify or reach the survivor."""
    return survivor_identifiable(
        report.survivor,
        report.tenancy_reference,
        report.safe_contact,
        report.reporter,
        report.partner_reference,
    )


def identified_now(
    after: CaseState, now: datetime, rules: CaseRules, report: ReportReceived | None = None
) -> list[ev.CasesEvent]:
    """`SurvivorIdentified` when the case is waiting for its survivor to be identified and
    what it now records (with `report`, a further report's details) identifies them.

    A further report that identifies them is a report of the abuse like any other: first
    contact is due counted from when it was reported, as for every new report."""
    task = after.identify_survivor
    if task is None or not task.is_open or after.case_id is None:
        return []
    tenancy = after.opened.tenancy_reference if after.opened else None
    found = survivor_identifiable(after.survivor, tenancy, after.safe_contact) or (
        report is not None and report_identifies(report)
    )
    if not found:
        return []
    since = now if report is None else min(now, report.received_at)
    return [
        ev.SurvivorIdentified(
            case_id=after.case_id, identified_at=since, contact_due_at=rules.contact_due(since)
        )
    ]
