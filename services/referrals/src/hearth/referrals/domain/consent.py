"""Consent to referrals: recorded, withdrawn, and looked up for a referral.

Below the MARAC threshold a referral needs the survivor's consent to that kind of
referral and that recipient. The survivor's latest decision covering both stands: a
refusal, a withdrawal (for that kind) or an expired consent refuses the referral
(409, each with its own code) and nothing is written.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from hearth.contracts.events import referrals as ev
from hearth.contracts.events.common import ReferralType
from hearth.eventstore.errors import DomainError, InvalidCommand, NotFound
from hearth.referrals.domain import commands as c
from hearth.referrals.domain.criteria import local_date
from hearth.referrals.domain.guards import require_case, require_open_case
from hearth.referrals.domain.policy import Policy
from hearth.referrals.domain.state import ConsentState, ReferralsState


class ConsentRefused(DomainError):
    """No consent stands for this referral."""


def _names_recipient(consent: ConsentState, agency_name: str) -> bool:
    recipients = consent.recorded.recipients
    wanted = agency_name.strip().casefold()
    return not recipients or any(r.strip().casefold() == wanted for r in recipients)


def consent_for(
    state: ReferralsState, referral_type: ReferralType, agency_name: str, today: date
) -> UUID:
    """The consent a referral of this kind to this agency rests on, or ConsentRefused."""
    covering = [
        consent
        for consent in state.consents.values()
        if consent.covers(referral_type) and _names_recipient(consent, agency_name)
    ]
    if not covering:
        raise ConsentRefused(
            f"the survivor's consent to a {referral_type.value} referral to this agency is "
            "not recorded",
            code="consent_required",
        )
    latest = max(covering, key=lambda one: one.recorded.recorded_at)
    if not latest.recorded.given:
        raise ConsentRefused(
            f"the survivor did not consent to a {referral_type.value} referral",
            code="consent_refused",
        )
    if latest.withdrawn_for(referral_type):
        raise ConsentRefused(
            f"the survivor withdrew consent to {referral_type.value} referrals",
            code="consent_withdrawn",
        )
    expires = latest.recorded.expires_on
    if expires is not None and expires < today:
        raise ConsentRefused(
            f"the survivor's consent to {referral_type.value} referrals expired on "
            f"{expires.isoformat()}",
            code="consent_expired",
        )
    return latest.recorded.consent_id


def record(
    command: c.RecordConsent, state: ReferralsState, now: datetime, policy: Policy
) -> list[ev.ReferralsEvent]:
    known = command.known
    require_open_case(known, command.actor)
    assert known.case_id is not None
    if known.survivor is None:
        raise DomainError("the case has no survivor to consent", code="no_survivor")
    if not command.scope:
        raise InvalidCommand("name the referrals the decision covers", field="scope")
    if command.expires_on is not None and command.expires_on < local_date(now, policy):
        raise InvalidCommand("a consent cannot expire in the past", field="expires_on")
    if command.consent_id in state.consents:
        return []
    return [
        ev.ConsentRecorded(
            case_id=known.case_id,
            consent_id=command.consent_id,
            person_id=known.survivor.person_id,
            recorded_at=now,
            given=command.given,
            scope=command.scope,
            method=command.method,
            notes=command.notes,
            recipients=command.recipients,
            expires_on=command.expires_on,
        )
    ]


def withdraw(
    command: c.WithdrawConsent, state: ReferralsState, now: datetime
) -> list[ev.ReferralsEvent]:
    """Withdrawn for some kinds of referral or all of it: future referrals of those kinds
    are refused, and open ones show it. A closed case keeps its survivor's right to
    withdraw."""
    known = command.known
    require_case(known, command.actor)
    assert known.case_id is not None
    consent = state.consents.get(command.consent_id)
    if consent is None:
        raise NotFound("no such consent on this case", code="consent_not_found")
    if not consent.recorded.given:
        raise DomainError("a refusal cannot be withdrawn", code="consent_not_given")
    outside = [t for t in command.scope if not consent.covers(t)]
    if outside:
        raise InvalidCommand("the consent does not cover that referral", field="scope")
    remaining = set(command.scope or consent.recorded.scope) - consent.withdrawn
    if not remaining:
        raise DomainError("that consent is withdrawn already", code="consent_withdrawn")
    return [
        ev.ConsentWithdrawn(
            case_id=known.case_id,
            consent_id=command.consent_id,
            withdrawn_at=now,
            scope=command.scope,
            notes=command.notes,
        )
    ]


def withdrawn_for_referral(state: ReferralsState, made: ev.ReferralMade) -> bool:
    """An open referral made on consent the survivor has since withdrawn."""
    if made.consent_id is None:
        return False
    consent = state.consents.get(made.consent_id)
    return consent is not None and consent.withdrawn_for(made.referral_type)
