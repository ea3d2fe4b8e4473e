"""Subject access: what the referrals service holds about one person on a case, and
nothing about anyone else.

`subject_access(known, history, person_id)` reads what referrals knows of the case (who
the survivor, the alleged perpetrators and the children are) and the case's referrals
stream, and returns JSON-ready data for the person. Pure: the facts in, the answer out.

What decides it (where a rule could be read two ways, the reading that protects the
survivor):

- **The survivor** gets their referrals: MARAC referrals (dates, area, criteria, whether
  they consented and were informed, what was shared, listing and hearing dates) and the
  other referrals about them (type, agency, date, basis, what was shared), with each
  referral's outcome; the consents they gave or refused and their withdrawals; the
  incidents recorded (dates only: the source can say who told the landlord). Never a
  referral about someone else (a perpetrator's MAPPA, a child's safeguarding): that is
  the other person's data.
- **An alleged perpetrator** gets only the referrals about them (`about_person_id` =
  them: MAPPA, DAPP, police information) as type, date and agency, and how each went
  (accepted, declined, closed, with the date). Never a MARAC referral (a perpetrator is
  never told of one), the survivor's consents, what was shared, the basis, the outcome
  (it can say the survivor withdrew consent) or anything of the survivor's.
- **A child** gets the safeguarding referrals about them, the same way.
- **Free text** (risk summaries, reasons, notes, MARAC actions) is never printed: each
  piece is listed under `held_for_review` for a reviewer to redact and release by hand.
- An erased case answers only that it was erased, and when.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final
from uuid import UUID

from hearth.contracts.events import referrals as ev
from hearth.contracts.events.common import ReferralType
from hearth.eventstore.decider import Recorded
from hearth.eventstore.errors import NotFound
from hearth.eventstore.subject_access import (
    ALLEGED_PERPETRATOR,
    CHILD,
    SURVIVOR,
    PersonNotOnCase,
    entry,
    erased_answer,
    held,
)
from hearth.referrals.domain.known import KnownCase

NOTE: Final = (
    "What the referrals service holds about this person on this case. Other people's "
    "personal data is not included. Free text (summaries, reasons, notes) is listed under "
    "held_for_review, not printed: a reviewer redacts it before it is released."
)

SAFEGUARDING: Final = frozenset(
    {ReferralType.SAFEGUARDING_CHILDREN, ReferralType.SAFEGUARDING_ADULTS}
)
"""The referrals a child is told of when they are about them."""

_MARAC_REFERRED: Final = (
    "referral_id",
    "referred_at",
    "marac_area",
    "criteria",
    "survivor_consented",
    "survivor_informed",
    "information_shared",
)
_MARAC_FREE_TEXT: Final = ("risk_summary", "survivor_not_informed_reason")
_REFERRAL_FOR_SURVIVOR: Final = (
    "referral_id",
    "referral_type",
    "made_at",
    "agency_name",
    "specialist_focus",
    "sharing_basis",
    "consent_id",
    "information_shared",
)
_REFERRAL_ABOUT_SOMEONE: Final = ("referral_id", "referral_type", "made_at", "agency_name")
"""What an alleged perpetrator or a child is told of a referral about them."""
_OUTCOMES_FOR_SURVIVOR: Final = {
    ev.ReferralAccepted: ("referral_id", "referral_type", "accepted_at", "agency_reference"),
    ev.ReferralDeclined: ("referral_id", "referral_type", "declined_at", "reason"),
    ev.ReferralClosed: ("referral_id", "referral_type", "closed_at", "outcome"),
}
_OUTCOMES_FOR_OTHERS: Final = {
    ev.ReferralAccepted: ("referral_id", "referral_type", "accepted_at"),
    ev.ReferralDeclined: ("referral_id", "referral_type", "declined_at"),
    ev.ReferralClosed: ("referral_id", "referral_type", "closed_at"),
}


def subject_access(
    known: KnownCase, history: Sequence[Recorded], person_id: UUID
) -> dict[str, Any]:
    """What referrals holds about `person_id` on the case, and nothing of anyone else's."""
    if not known.opened or known.case_id is None:
        raise NotFound("no such case", code="case_not_found")
    if known.erased:
        erased_at = known.erased_at
        if erased_at is None:  # erased before referrals kept the date: the last event's
            erased_at = max((r.recorded_at for r in history), default=None)
        if erased_at is not None:
            return erased_answer(known.case_id, person_id, erased_at)
        return {"case_id": str(known.case_id), "person_id": str(person_id), "erased": True}
    role = _role_of(known, person_id)
    if role is None:
        raise PersonNotOnCase()
    events: list[dict[str, Any]] = []
    held_back: list[dict[str, Any]] = []
    if role == SURVIVOR:
        _for_survivor(history, person_id, events, held_back)
    else:
        _about_them(history, person_id, role, events, held_back)
    return {
        "case_id": str(known.case_id),
        "person_id": str(person_id),
        "role": role,
        "erased": False,
        "note": NOTE,
        "events": events,
        "held_for_review": held_back,
    }


def _role_of(known: KnownCase, person_id: UUID) -> str | None:
    if known.survivor is not None and known.survivor.person_id == person_id:
        return SURVIVOR
    if known.is_perpetrator(person_id):
        return ALLEGED_PERPETRATOR
    if any(c.person_id == person_id for c in known.children):
        return CHILD
    return None


def _for_survivor(
    history: Sequence[Recorded],
    person_id: UUID,
    events: list[dict[str, Any]],
    held_back: list[dict[str, Any]],
) -> None:
    theirs: set[UUID] = set()
    consents: set[UUID] = set()
    for one in history:
        event = one.event
        match event:
            case ev.MaracReferred():
                theirs.add(event.referral_id)
                events.append(entry(one, _MARAC_REFERRED))
                held_back.extend(held(one, _MARAC_FREE_TEXT))
            case ev.MaracListed():
                events.append(entry(one, ("referral_id", "listed_at", "meeting_date")))
            case ev.MaracHeard():
                events.append(entry(one, ("referral_id", "heard_on")))
                # What was agreed names agencies, staff and other people: for review.
                held_back.extend(held(one, ("actions",)))
            case ev.ReferralMade():
                if event.about_person_id not in (None, person_id):
                    continue  # about someone else (a perpetrator, a child): theirs
                theirs.add(event.referral_id)
                events.append(entry(one, _REFERRAL_FOR_SURVIVOR))
                held_back.extend(held(one, ("safeguarding_reason",)))
            case ev.ReferralAccepted() | ev.ReferralDeclined() | ev.ReferralClosed():
                if event.referral_id in theirs:
                    events.append(entry(one, _OUTCOMES_FOR_SURVIVOR[type(event)]))
                    held_back.extend(held(one, ("notes",)))
            case ev.ConsentRecorded():
                if event.person_id == person_id:
                    consents.add(event.consent_id)
                    fields = ("consent_id", "recorded_at", "given", "scope", "method")
                    events.append(entry(one, (*fields, "recipients", "expires_on")))
                    held_back.extend(held(one, ("notes",)))
            case ev.ConsentWithdrawn():
                if event.consent_id in consents:
                    events.append(entry(one, ("consent_id", "withdrawn_at", "scope")))
                    held_back.extend(held(one, ("notes",)))
            case ev.IncidentRecorded():
                # Dates only: who told the landlord (the source) can name a third party.
                events.append(entry(one, ("incident_id", "occurred_on", "recorded_at")))
                held_back.extend(held(one, ("notes",)))


def _about_them(
    history: Sequence[Recorded],
    person_id: UUID,
    role: str,
    events: list[dict[str, Any]],
    held_back: list[dict[str, Any]],
) -> None:
    about: set[UUID] = set()
    for one in history:
        event = one.event
        match event:
            case ev.ReferralMade():
                if event.about_person_id != person_id:
                    continue
                if role == CHILD and event.referral_type not in SAFEGUARDING:
                    continue
                about.add(event.referral_id)
                events.append(entry(one, _REFERRAL_ABOUT_SOMEONE))
                held_back.extend(held(one, ("safeguarding_reason",)))
            case ev.ReferralAccepted() | ev.ReferralDeclined() | ev.ReferralClosed():
                if event.referral_id in about:
                    events.append(entry(one, _OUTCOMES_FOR_OTHERS[type(event)]))
