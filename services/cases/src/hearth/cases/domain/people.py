"""The people of a case: who is flagged automatically, and what staff involvement demands.

DOMAIN.md: every DA case is flagged, the survivor as potentially vulnerable and the
alleged perpetrator for potential risk (affected children are victims in their own
right and are flagged like the survivor). Where the survivor or an alleged perpetrator
works for the landlord, the case is restricted to its case manager and the DA lead(s),
and the member of staff involved is never its case manager nor named on it.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from uuid import UUID

from hearth.cases.domain.rules import CaseRules
from hearth.cases.domain.staff import StaffMember, choose_case_manager
from hearth.cases.domain.state import CaseState
from hearth.contracts.events import cases as ev
from hearth.contracts.events.case_values import (
    CaseManager,
    FlagKind,
    Restriction,
    RestrictionReason,
)
from hearth.contracts.events.common import AllegedPerpetrator, Child, Survivor
from hearth.eventstore.errors import DomainError

SURVIVOR_FLAG_REASON = "Survivor in a domestic abuse case: every DA case is flagged."
PERPETRATOR_FLAG_REASON = "Alleged perpetrator in a domestic abuse case: every DA case is flagged."
CHILD_FLAG_REASON = "Child affected by domestic abuse: a victim in their own right."
MORE_THAN_ONE_SURVIVOR_FLAG_REASON = (
    "Alleged perpetrator reported by more than one survivor: a risk signal (see the linked cases)."
)


def auto_flags(
    case_id: UUID,
    source_id: UUID,
    now: datetime,
    survivor: Survivor | None,
    perpetrators: Iterable[AllegedPerpetrator],
    children: Iterable[Child],
) -> list[ev.FlagRaised]:
    """Flags for the people given; ids derive from the case, person and report, so a
    replayed decision names the same flags."""
    wanted: list[tuple[UUID, FlagKind, str]] = []
    if survivor is not None:
        wanted.append((survivor.person_id, FlagKind.POTENTIALLY_VULNERABLE, SURVIVOR_FLAG_REASON))
    wanted += [
        (p.person_id, FlagKind.POTENTIAL_RISK, PERPETRATOR_FLAG_REASON) for p in perpetrators
    ]
    wanted += [
        (c.person_id, FlagKind.POTENTIALLY_VULNERABLE, CHILD_FLAG_REASON)
        for c in children
        if c.affected_by_abuse
    ]
    return [
        ev.FlagRaised(
            case_id=case_id,
            flag_id=uuid.uuid5(case_id, f"flag:{kind.value}:{person_id}:{source_id}"),
            person_id=person_id,
            kind=kind,
            raised_at=now,
            reason=reason,
        )
        for person_id, kind, reason in wanted
    ]


def restriction_reason(survivor: Survivor | None) -> RestrictionReason:
    if survivor is not None and survivor.is_staff_member:
        return RestrictionReason.SURVIVOR_IS_STAFF
    return RestrictionReason.ALLEGED_PERPETRATOR_IS_STAFF


def named_staff(
    rules: CaseRules, case_manager_id: str | None, involved: Iterable[str]
) -> tuple[str, ...]:
    """Who a case restricted because staff are involved names: its case manager and the
    DA lead(s), never the staff involved."""
    excluded = set(involved)
    ids = [case_manager_id, *(m.staff_id for m in rules.roster.da_leads())]
    named = tuple(dict.fromkeys(i for i in ids if i and i not in excluded))
    if not named:
        raise DomainError(
            "nobody could be named on this restricted case; the roster needs a DA lead "
            "who is not involved in it",
            code="nobody_to_name",
        )
    return named


def case_manager_of(member: StaffMember) -> CaseManager:
    return CaseManager(staff_id=member.staff_id, gender=member.gender)


def renamed(
    restriction: Restriction,
    previous: str | None,
    case_manager: str | None,
    involved: Iterable[str],
) -> Restriction:
    """The restriction after the case manager changed or more staff became involved: the
    new case manager replaces the previous one, staff involved drop out, the rest stay."""
    excluded = {*involved, *([previous] if previous and previous != case_manager else [])}
    ids = [case_manager, *restriction.permitted_staff_ids]
    named = tuple(dict.fromkeys(i for i in ids if i and i not in excluded))
    if not named:
        raise DomainError(
            "nobody would be left named on this restricted case", code="nobody_to_name"
        )
    return Restriction(reason=restriction.reason, permitted_staff_ids=named)


def da_leads_only(
    rules: CaseRules, survivor: Survivor | None, involved: Iterable[str]
) -> Restriction:
    """The restriction while a member of staff involved is not identified: the DA leads
    only (that person could be any officer, the case manager included)."""
    return Restriction(
        reason=restriction_reason(survivor), permitted_staff_ids=named_staff(rules, None, involved)
    )


def staff_safeguards(
    after: CaseState, caseloads: Mapping[str, int], now: datetime, rules: CaseRules
) -> list[ev.CasesEvent]:
    """What a change of the case's people requires: a new case manager when the current
    one is involved (or when the case has none), and a restriction (or a corrected list)
    when staff are involved: the DA leads only while one of them has no staff id."""
    assert after.case_id is not None
    events: list[ev.CasesEvent] = []
    involved = after.involved_staff_ids
    if after.staff_unidentified:
        wanted = da_leads_only(rules, after.survivor, involved)
        if wanted == after.restriction:
            return events
        return [ev.CaseRestricted(case_id=after.case_id, restricted_at=now, restriction=wanted)]
    current = after.case_manager.staff_id if after.case_manager else None
    case_manager = current
    if current is None or current in involved:
        # Involved, or none yet (nobody was free, or staff were not identified until now).
        choice = choose_case_manager(
            rules.roster,
            caseloads,
            after.preferred_gender,
            exclude={*involved, *([current] if current else [])},
        )
        if choice.member is not None:
            case_manager = choice.member.staff_id
            events.append(
                ev.CaseManagerAssigned(
                    case_id=after.case_id,
                    assigned_at=now,
                    case_manager=case_manager_of(choice.member),
                    previous_staff_id=current,
                    preferred_gender=after.preferred_gender,
                    preference_met=choice.preference_met,
                )
            )
    if after.restriction is not None:
        wanted = renamed(after.restriction, current, case_manager, involved)
        if wanted.permitted_staff_ids == after.restriction.permitted_staff_ids:
            return events
    elif after.staff_involved:
        wanted = Restriction(
            reason=restriction_reason(after.survivor),
            permitted_staff_ids=named_staff(rules, case_manager, involved),
        )
    else:
        return events
    events.append(ev.CaseRestricted(case_id=after.case_id, restricted_at=now, restriction=wanted))
    return events


def merge_people(
    state: CaseState, perpetrators: Sequence[AllegedPerpetrator], children: Sequence[Child]
) -> tuple[tuple[AllegedPerpetrator, ...], tuple[Child, ...]]:
    """People a further report names who are not on the case yet (by person id)."""
    known = state.person_ids()
    new_perpetrators = tuple(p for p in perpetrators if p.person_id not in known)
    new_children = tuple(c for c in children if c.person_id not in known)
    return new_perpetrators, new_children


def more_than_one_survivor_flags(
    state: CaseState, person_ids: Iterable[UUID], now: datetime
) -> list[ev.FlagRaised]:
    """The flag on each of the case's alleged perpetrators whom another survivor reported
    too, unless already raised (one per person, whatever report showed it)."""
    assert state.case_id is not None
    on_case = {p.person_id for p in state.perpetrators}
    flags: list[ev.FlagRaised] = []
    for person_id in dict.fromkeys(person_ids):
        kind = FlagKind.POTENTIAL_RISK
        flag_id = uuid.uuid5(state.case_id, f"flag:{kind.value}:{person_id}:more-than-one-survivor")
        if person_id in on_case and flag_id not in state.flags:
            flags.append(
                ev.FlagRaised(
                    case_id=state.case_id,
                    flag_id=flag_id,
                    person_id=person_id,
                    kind=kind,
                    raised_at=now,
                    reason=MORE_THAN_ONE_SURVIVOR_FLAG_REASON,
                )
            )
    return flags


def another_survivor(on_case: Survivor | None, reported: Survivor) -> bool:
    """True when a report's survivor (not known by the case's survivor's person id) is
    someone other than the case's: their names or dates of birth, where both are known,
    disagree.

    Intake joins a report to a case only as its own survivor's (or, naming nobody, as the
    household's); this keeps one survivor's details off another's case all the same."""
    if on_case is None:
        return False
    names = (_comparable_name(on_case.name), _comparable_name(reported.name))
    if None not in names and names[0] != names[1]:
        return True
    births = (on_case.date_of_birth, reported.date_of_birth)
    return None not in births and births[0] != births[1]


def _comparable_name(name: str | None) -> str | None:
    """No case, accents, punctuation or extra spaces (as intake compares names)."""
    if name is None:
        return None
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    words = re.sub(r"[^\w]+", " ", bare).replace("_", " ").split()
    return " ".join(words) or None
