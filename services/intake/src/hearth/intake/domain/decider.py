"""The intake decider: which case a report joins, and the events that follow.

`decide(command, state, now, policy)` is pure: the edge loads the facts (`IntakeState`),
generates the ids (in the command), decides, then stores what was decided. A report
gets `ReportReceived` then `ReportLinkedToCase` (then `CaseWithheldFromSubmitter` for
a restricted case kept from its submitter), or a DomainError and nothing; an ASB
report in a DA-signal category gets `EnquiryRaised`, any other category nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hearth.contracts.events.intake import (
    CaseWithheldFromSubmitter,
    EnquiryRaised,
    IntakeEvent,
    ReportLinkedToCase,
    ReportReceived,
)
from hearth.eventstore.decider import Decider
from hearth.eventstore.errors import DomainError
from hearth.intake.domain.age import report_day, with_perpetrator_age_bands
from hearth.intake.domain.asb import enquiry_for_asb_report
from hearth.intake.domain.commands import Command, RaiseAsbEnquiry, SubmitReport
from hearth.intake.domain.disclosure import (
    ReportAnswer,
    RestrictionMark,
    disclose,
    named_case,
    restriction_mark,
)
from hearth.intake.domain.linking import decide_link, reused_person_ids
from hearth.intake.domain.policy import IntakePolicy
from hearth.intake.domain.reports import assign_person_ids, build_report_events
from hearth.intake.domain.state import IntakeState, evolve, initial_state
from hearth.intake.domain.submission import check_staff_details

__all__ = [
    "ReportOutcome",
    "UnknownEnquiry",
    "decide",
    "intake_decider",
    "raise_asb_enquiry",
    "receive_report",
]


class UnknownEnquiry(DomainError):
    """The report names an enquiry intake has not raised."""

    code = "unknown_enquiry"


def intake_decider(policy: IntakePolicy) -> Decider[Command, IntakeState]:
    """Intake's decisions under one landlord's policy."""

    def decide_under_policy(
        command: Command, state: IntakeState, now: datetime
    ) -> list[IntakeEvent]:
        return decide(command, state, now, policy)

    return Decider(initial_state=initial_state, evolve=evolve, decide=decide_under_policy)


@dataclass(frozen=True, slots=True)
class ReportOutcome:
    """A report's events, and what its submitter is told (`disclosure`)."""

    received: ReportReceived
    linked: ReportLinkedToCase
    answer: ReportAnswer
    withheld: tuple[CaseWithheldFromSubmitter, ...] = ()
    """Restricted cases kept from the submitter (each its own stream, keyed by the case)."""
    restriction: RestrictionMark | None = None
    """The report names staff involved: intake records its case as restricted at once."""

    @property
    def events(self) -> list[IntakeEvent]:
        return [self.received, self.linked, *self.withheld]


def decide(
    command: Command, state: IntakeState, now: datetime, policy: IntakePolicy
) -> list[IntakeEvent]:
    """The events `command` causes, given what intake knows at `now`."""
    match command:
        case SubmitReport():
            return receive_report(command, state, now, policy).events
        case RaiseAsbEnquiry():
            enquiry = raise_asb_enquiry(command, now, policy)
            return [enquiry] if enquiry is not None else []


def receive_report(
    command: SubmitReport, state: IntakeState, now: datetime, policy: IntakePolicy
) -> ReportOutcome:
    """The report's case (named, an open match, or a new one, maybe a repeat), its events
    and the answer to its submitter.

    Raises InvalidCommand when staff name a colleague without their staff id
    (`submission.check_staff_details`) or a report gives an alleged perpetrator an age
    band their date of birth contradicts (`age.with_perpetrator_age_bands`),
    UnknownEnquiry for an enquiry intake never raised (a report naming an enquiry erased
    at the end of retention is received as a new report, following up no enquiry), and
    NotFound or CaseNotOpen when staff name a case that is unknown or closed
    (NamedCaseWithheld, a NotFound, for a restricted case they may not know of).
    """
    submission = command.submission
    check_staff_details(submission, command.actor)
    submission = with_perpetrator_age_bands(submission, report_day(now))
    if submission.enquiry_id is not None and submission.enquiry_id in state.erased_enquiries:
        # The enquiry was erased at the end of retention: what it said is gone, so there
        # is nothing to follow up. The report is never lost for it: it is received as a
        # new report, linked to no enquiry, and decided like any other.
        submission = submission.model_copy(update={"enquiry_id": None})
    elif submission.enquiry_id is not None and submission.enquiry_id not in state.known_enquiries:
        raise UnknownEnquiry("no enquiry with this id was raised by intake")
    named = submission.case_id
    if named is not None:
        named = named_case(
            command.actor,
            named,
            state.restrictions,
            state.stand_ins,
            known=named in state.statuses,
            now=now,
        )
    link = decide_link(
        people=command.people,
        entries=state.entries,
        statuses=state.statuses,
        now=now,
        repeat_window_months=policy.repeat_window_months,
        new_case_id=command.new_case_id,
        named_case_id=named,
    )
    fresh = iter(command.fresh_person_ids)
    person_ids = assign_person_ids(
        submission, reused_person_ids(link, command.people, state.entries), fresh.__next__
    )
    received, linked = build_report_events(
        submission,
        report_id=command.report_id,
        received_at=now,
        decision=link,
        person_ids=person_ids,
    )
    disclosure = disclose(
        command.actor,
        linked,
        state.restrictions,
        state.stand_ins,
        new_stand_in=command.stand_in_case_id,
        named_by_stand_in=named if named != submission.case_id else None,
        repeat_sources=link.repeat_sources,
        repeat_window_months=policy.repeat_window_months,
    )
    return ReportOutcome(
        received, linked, disclosure.answer, disclosure.withheld, restriction_mark(received)
    )


def raise_asb_enquiry(
    command: RaiseAsbEnquiry, now: datetime, policy: IntakePolicy
) -> EnquiryRaised | None:
    """The DA enquiry an ASB report raises, or None when its category is no DA signal."""
    return enquiry_for_asb_report(
        command.report, enquiry_id=command.enquiry_id, now=now, policy=policy
    )
