"""Day-to-day work on an open case: contact, repairs and security, flags, the perpetrator."""

from __future__ import annotations

from datetime import datetime
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
from hearth.cases.domain.guards import require_case, require_manager, require_open_case
from hearth.cases.domain.rules import CaseRules
from hearth.cases.domain.safe_contact import ContactIntent, check_safe_contact
from hearth.cases.domain.state import CaseState
from hearth.contracts.events import cases as ev
from hearth.contracts.events.case_values import FlagKind, WishesOverride
from hearth.eventstore.errors import DomainError, NotFound

# --- contact ---------------------------------------------------------------------------


def attempt_contact(
    command: RecordContactAttempt, state: CaseState, now: datetime, rules: CaseRules
) -> list[ev.CasesEvent]:
    """An attempt is recorded with its outcome; it is not contact and meets no deadline."""
    require_open_case(state, command.actor)
    intent = ContactIntent(
        command.method,
        now,
        outcome=command.outcome,
        number_withheld=command.number_withheld,
        interpreter=command.interpreter,
        phone_number=command.phone_number,
        spoke_to=command.spoke_to,
    )
    check_safe_contact(state.safe_contact, intent, rules.zone)
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
        )
    ]


def contact(
    command: RecordContact, state: CaseState, now: datetime, rules: CaseRules
) -> list[ev.CasesEvent]:
    """A safe contact with the survivor; the first one meets the contact deadline."""
    require_open_case(state, command.actor)
    intent = ContactIntent(
        command.method,
        now,
        number_withheld=command.number_withheld,
        interpreter=command.interpreter,
        phone_number=command.phone_number,
    )
    check_safe_contact(state.safe_contact, intent, rules.zone)
    assert state.case_id is not None
    deadline = state.open_deadline(DeadlineKind.CONTACT)
    return [
        ev.SurvivorContacted(
            case_id=state.case_id,
            contact_id=command.contact_id,
            contacted_at=now,
            method=command.method,
            first_contact=deadline is not None,
            due_at=deadline.due_at if deadline else None,
            late=deadline is not None and now > deadline.due_at,
            notes=command.notes,
            number_withheld=command.number_withheld,
            interpreter=command.interpreter,
            phone_number=command.phone_number,
        )
    ]


def update_safe_contact(
    command: UpdateSafeContact, state: CaseState, now: datetime
) -> list[ev.CasesEvent]:
    require_open_case(state, command.actor)
    assert state.case_id is not None
    return [
        ev.SafeContactUpdated(
            case_id=state.case_id, updated_at=now, safe_contact=command.safe_contact
        )
    ]


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
    """Taken "where agreed by the survivor" (policy 7.1): the action's kind must be among
    the survivor's recorded wanted actions. Otherwise (no wishes recorded, the action
    unwanted, or simply not asked for) only a manager's override with a reason allows it."""
    require_open_case(state, command.actor)
    assert state.case_id is not None
    if command.perpetrator_person_id not in {p.person_id for p in state.perpetrators}:
        raise DomainError(
            "that person is not an alleged perpetrator on this case", code="perpetrator_not_on_case"
        )
    wishes = state.wishes
    against = wishes is not None and command.kind in wishes.unwanted_actions
    agreed = wishes is not None and command.kind in wishes.wanted_actions
    if command.override is not None:
        require_manager(command.actor, "override the survivor's wishes")
    elif wishes is None:
        raise DomainError(
            "record the survivor's wishes before any action against the perpetrator, "
            "or a manager must record an override",
            code="wishes_not_recorded",
        )
    elif against:
        raise DomainError(
            "the survivor does not want this action; only a manager's override allows it",
            code="against_survivor_wishes",
        )
    elif not agreed:
        # No objection is not agreement: the survivor must want this action.
        raise DomainError(
            "the survivor has not agreed to this action: record it among the actions they "
            "want, or a manager must record an override",
            code="survivor_not_agreed",
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
            against_survivor_wishes=against,
            override=override,
            details=command.details,
            survivor_agreed=agreed,
        )
    ]
