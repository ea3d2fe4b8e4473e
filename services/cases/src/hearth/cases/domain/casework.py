"""Day-to-day work on an open case: contact, repairs and security, flags, the perpetrator."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from hearth.cases.domain.commands import (
    CompleteEmergencyRepair,
    RaiseEmergencyRepair,
    RaiseFlag,
    RecordContact,
    RecordContactAttempt,
    RecordSecurityInstalled,
    RecordWishes,
    RemoveFlag,
    RequestSecurityMeasures,
    TakePerpetratorAction,
    UpdateSafeContact,
)
from hearth.cases.domain.deadlines import DeadlineKind
from hearth.cases.domain.guards import require_case, require_open_case
from hearth.cases.domain.rules import CaseRules
from hearth.cases.domain.safe_contact import (
    ContactIntent,
    check_not_perpetrators,
    check_safe_contact,
)
from hearth.cases.domain.state import CaseState
from hearth.contracts.events import cases as ev
from hearth.contracts.events.case_values import ContactAttemptOutcome, FlagKind, WishesOverride
from hearth.contracts.events.common import WRITTEN_METHODS, SafeContact
from hearth.eventstore.errors import DomainError, NotFound
from hearth.eventstore.survivor_wishes import Wishes, follow_survivor_wishes

# --- contact ---------------------------------------------------------------------------


def check_happened_at(
    happened_at: datetime, state: CaseState, now: datetime, rules: CaseRules
) -> None:
    """A contact or attempt is judged at the time it happened, which the caseworker gives:
    never in the future, never before this episode's report, and no further back than the
    policy allows."""
    if happened_at > now:
        raise DomainError("a contact cannot have happened in the future", code="happened_in_future")
    if state.episode_reported_at is not None and happened_at < state.episode_reported_at:
        raise DomainError(
            "a contact cannot have happened before the report", code="happened_before_report"
        )
    days = rules.policy.contact_recording.max_days_back
    if happened_at < now - timedelta(days=days):
        raise DomainError(
            f"a contact must be recorded within {days} days of when it happened",
            code="happened_too_long_ago",
        )


def attempt_contact(
    command: RecordContactAttempt, state: CaseState, now: datetime, rules: CaseRules
) -> list[ev.CasesEvent]:
    """An attempt is recorded with its outcome; it is not contact and meets no deadline."""
    require_open_case(state, command.actor)
    check_happened_at(command.happened_at, state, now, rules)
    # A text, email or letter sent is a message; so is anything whose outcome says so.
    message_left = command.message_left
    if command.method in WRITTEN_METHODS or command.outcome is ContactAttemptOutcome.MESSAGE_LEFT:
        message_left = True
    intent = ContactIntent(
        command.method,
        command.happened_at,
        outcome=command.outcome,
        message_left=message_left,
        number_withheld=command.number_withheld,
        interpreter=command.interpreter,
        phone_number=command.phone_number,
        spoke_to=command.spoke_to,
        place=command.place,
        safe_to_talk_checked=command.safe_to_talk_checked,
    )
    _check_intent(state, intent, rules)
    assert state.case_id is not None
    return [
        ev.ContactAttempted(
            case_id=state.case_id,
            attempt_id=command.attempt_id,
            attempted_at=now,
            method=command.method,
            outcome=command.outcome,
            notes=command.notes,
            number_withheld=command.number_withheld,
            interpreter=command.interpreter,
            phone_number=command.phone_number,
            spoke_to=command.spoke_to,
            happened_at=command.happened_at,
            place=command.place,
            message_left=message_left,
            safe_to_talk_checked=command.safe_to_talk_checked,
        )
    ]


def contact(
    command: RecordContact, state: CaseState, now: datetime, rules: CaseRules
) -> list[ev.CasesEvent]:
    """A safe contact with the survivor; the first one meets the contact deadline, on
    time or late by when it happened (a contact that happened before the one that met
    the deadline, recorded after it, meets it instead). Until the survivor's own
    arrangements are recorded, the contact records them."""
    require_open_case(state, command.actor)
    happened_at = command.happened_at
    check_happened_at(happened_at, state, now, rules)
    intent = ContactIntent(
        command.method,
        happened_at,
        number_withheld=command.number_withheld,
        interpreter=command.interpreter,
        phone_number=command.phone_number,
        place=command.place,
        safe_to_talk_checked=command.safe_to_talk_checked,
        survivor_replied=command.survivor_replied is True,
    )
    _check_intent(state, intent, rules)
    recorded = state.arrangements
    if command.safe_contact is None and (recorded is None or not recorded.survivors_own):
        raise DomainError(
            "the first contact records the survivor's own safe-contact arrangements: "
            "give safe_contact",
            code="safe_contact_required",
        )
    if command.safe_contact is not None:
        check_not_perpetrators(command.safe_contact, state.perpetrators)
    assert state.case_id is not None
    deadline = state.contact_deadline_met_by(happened_at)
    events: list[ev.CasesEvent] = [
        ev.SurvivorContacted(
            case_id=state.case_id,
            contact_id=command.contact_id,
            contacted_at=now,
            method=command.method,
            first_contact=deadline is not None,
            due_at=deadline.due_at if deadline else None,
            late=deadline is not None and happened_at > deadline.due_at,
            notes=command.notes,
            number_withheld=command.number_withheld,
            interpreter=command.interpreter,
            phone_number=command.phone_number,
            happened_at=happened_at,
            place=command.place,
            safe_to_talk_checked=command.safe_to_talk_checked,
            survivor_replied=command.survivor_replied,
        )
    ]
    if command.safe_contact is not None:
        events.append(_survivors_own(state.case_id, command.safe_contact, now))
    return events


def _check_intent(state: CaseState, intent: ContactIntent, rules: CaseRules) -> None:
    """The safe-contact rules, under the arrangements in force when it happened."""
    in_force = state.arrangements_at(intent.at)
    check_safe_contact(
        in_force.safe_contact if in_force else None,
        intent,
        rules.zone,
        state.perpetrators,
        survivors_own=in_force is not None and in_force.survivors_own,
    )


def update_safe_contact(
    command: UpdateSafeContact, state: CaseState, now: datetime
) -> list[ev.CasesEvent]:
    """The survivor's arrangements, recorded by their caseworker as the survivor's own:
    this is also how arrangements a report gave are confirmed with the survivor."""
    require_open_case(state, command.actor)
    check_not_perpetrators(command.safe_contact, state.perpetrators)
    assert state.case_id is not None
    return [_survivors_own(state.case_id, command.safe_contact, now)]


def _survivors_own(case_id: UUID, safe_contact: SafeContact, now: datetime) -> ev.CasesEvent:
    """Arrangements the survivor gave, or confirmed, to their caseworker."""
    return ev.SafeContactUpdated(
        case_id=case_id, updated_at=now, safe_contact=safe_contact, survivors_own=True
    )


# --- repairs and security --------------------------------------------------------------


def raise_repair(
    command: RaiseEmergencyRepair, state: CaseState, now: datetime, rules: CaseRules
) -> list[ev.CasesEvent]:
    """An emergency repair, at no cost to the survivor, due within the policy's hours.

    While a report's damaged home still waits for its repair, the repair raised is that
    one: it takes the id and the deadline the report started (counted from the report,
    overdue already if so), so typing it in later never restarts the clock."""
    require_open_case(state, command.actor)
    assert state.case_id is not None
    if command.repair_id in state.repairs:
        raise DomainError("that repair is already raised", code="repair_exists")
    repair_id, due_at, report_id = command.repair_id, rules.repair_due(now), None
    waiting = _reported_damage_waiting(state)
    if waiting is not None:
        repair_id, due_at, report_id = waiting
    return [
        ev.EmergencyRepairRaised(
            case_id=state.case_id,
            repair_id=repair_id,
            raised_at=now,
            kind=command.kind,
            description=command.description,
            due_at=due_at,
            works_order_reference=command.works_order_reference,
            report_id=report_id,
        )
    ]


def _reported_damage_waiting(state: CaseState) -> tuple[UUID, datetime, UUID] | None:
    """The earliest report's repair not raised yet whose clock still runs: its repair
    id, due time and report."""
    for repair_id, report_id in state.reported_damage.items():
        deadline = state.deadline(DeadlineKind.EMERGENCY_REPAIR, str(repair_id))
        if repair_id not in state.repairs and deadline is not None and deadline.is_open:
            return repair_id, deadline.due_at, report_id
    return None


def complete_repair(
    command: CompleteEmergencyRepair, state: CaseState, now: datetime
) -> list[ev.CasesEvent]:
    """Completion is recorded even after closure: it happened, late or not."""
    require_case(state, command.actor)
    repair = state.repairs.get(command.repair_id)
    if repair is None:
        raise NotFound("no such repair on this case", code="repair_not_found")
    if repair.completed is not None:
        raise DomainError("the repair is already completed", code="repair_already_completed")
    assert state.case_id is not None
    return [
        ev.EmergencyRepairCompleted(
            case_id=state.case_id,
            repair_id=command.repair_id,
            completed_at=now,
            due_at=repair.raised.due_at,
            late=now > repair.raised.due_at,
            notes=command.notes,
        )
    ]


def request_security(
    command: RequestSecurityMeasures, state: CaseState, now: datetime
) -> list[ev.CasesEvent]:
    require_open_case(state, command.actor)
    assert state.case_id is not None
    if command.request_id in state.security:
        raise DomainError("that request already exists", code="security_request_exists")
    return [
        ev.SecurityMeasureRequested(
            case_id=state.case_id,
            request_id=command.request_id,
            requested_at=now,
            measures=command.measures,
            sanctuary_scheme=command.sanctuary_scheme,
            works_order_reference=command.works_order_reference,
            notes=command.notes,
        )
    ]


def install_security(
    command: RecordSecurityInstalled, state: CaseState, now: datetime
) -> list[ev.CasesEvent]:
    require_case(state, command.actor)
    work = state.security.get(command.request_id)
    if work is None:
        raise NotFound("no such security request on this case", code="security_request_not_found")
    requested = {m.value for m in work.requested.measures}
    if any(m.value not in requested for m in command.measures):
        raise DomainError("only requested measures can be installed", code="measure_not_requested")
    if any(m.value in work.installed_measures for m in command.measures):
        raise DomainError("a measure is already recorded as installed", code="already_installed")
    assert state.case_id is not None
    return [
        ev.SecurityMeasureInstalled(
            case_id=state.case_id,
            request_id=command.request_id,
            installed_at=now,
            measures=command.measures,
            notes=command.notes,
        )
    ]


# --- flags -----------------------------------------------------------------------------


def raise_flag(command: RaiseFlag, state: CaseState, now: datetime) -> list[ev.CasesEvent]:
    """Potential risk goes on an alleged perpetrator; potentially vulnerable on the
    survivor or a child. One active flag of a kind per person."""
    require_open_case(state, command.actor)
    assert state.case_id is not None
    perpetrators = {p.person_id for p in state.perpetrators}
    if command.person_id not in state.person_ids():
        raise DomainError("that person is not on this case", code="person_not_on_case")
    is_perpetrator = command.person_id in perpetrators
    if (command.kind is FlagKind.POTENTIAL_RISK) != is_perpetrator:
        raise DomainError(
            "potential risk flags go on alleged perpetrators, potentially vulnerable "
            "flags on the survivor and children",
            code="flag_kind_does_not_fit",
        )
    if any(
        f.active and f.raised.person_id == command.person_id and f.raised.kind is command.kind
        for f in state.flags.values()
    ):
        raise DomainError("that person already has this flag", code="flag_already_raised")
    return [
        ev.FlagRaised(
            case_id=state.case_id,
            flag_id=command.flag_id,
            person_id=command.person_id,
            kind=command.kind,
            raised_at=now,
            reason=command.reason,
        )
    ]


def remove_flag(command: RemoveFlag, state: CaseState, now: datetime) -> list[ev.CasesEvent]:
    """Removal needs a reason; allowed after closure too."""
    require_case(state, command.actor)
    flag = state.flags.get(command.flag_id)
    if flag is None:
        raise NotFound("no such flag on this case", code="flag_not_found")
    if not flag.active:
        raise DomainError("the flag is already removed", code="flag_already_removed")
    assert state.case_id is not None
    return [
        ev.FlagRemoved(
            case_id=state.case_id,
            flag_id=command.flag_id,
            person_id=flag.raised.person_id,
            kind=flag.raised.kind,
            removed_at=now,
            reason=command.reason,
        )
    ]


# --- the perpetrator, led by the survivor's wishes -------------------------------------


def record_wishes(command: RecordWishes, state: CaseState, now: datetime) -> list[ev.CasesEvent]:
    require_open_case(state, command.actor)
    assert state.case_id is not None
    return [
        ev.SurvivorWishesRecorded(
            case_id=state.case_id,
            wishes_id=command.wishes_id,
            recorded_at=now,
            wanted_actions=command.wanted_actions,
            unwanted_actions=command.unwanted_actions,
            wants_to_stay_in_home=command.wants_to_stay_in_home,
            in_own_words=command.in_own_words,
        )
    ]


def take_perpetrator_action(
    command: TakePerpetratorAction, state: CaseState, now: datetime
) -> list[ev.CasesEvent]:
    """Taken "where agreed by the survivor" (policy 7.1): the rule every service shares,
    `hearth.eventstore.survivor_wishes.follow_survivor_wishes`."""
    require_open_case(state, command.actor)
    assert state.case_id is not None
    if command.perpetrator_person_id not in {p.person_id for p in state.perpetrators}:
        raise DomainError(
            "that person is not an alleged perpetrator on this case", code="perpetrator_not_on_case"
        )
    wishes = state.wishes
    recorded = (
        Wishes(wanted=wishes.wanted_actions, unwanted=wishes.unwanted_actions) if wishes else None
    )
    followed = follow_survivor_wishes(
        command.kind, recorded, overridden=command.override is not None, actor=command.actor
    )
    override = None
    if command.override is not None:
        override = WishesOverride(
            reason=command.override.reason,
            explanation=command.override.explanation,
            approved_by=command.actor.id,
        )
    return [
        ev.PerpetratorActionTaken(
            case_id=state.case_id,
            action_id=command.action_id,
            perpetrator_person_id=command.perpetrator_person_id,
            kind=command.kind,
            taken_at=now,
            referral_type=command.referral_type,
            survivor_wishes_id=wishes.wishes_id if wishes else None,
            against_survivor_wishes=followed.against_survivor_wishes,
            override=override,
            details=command.details,
            survivor_agreed=followed.survivor_agreed,
        )
    ]
