"""Referrals to agencies other than MARAC: made on a lawful basis, then accepted or
declined (with the agency's reason) and closed with an outcome.

The basis:
- consent: the survivor's recorded consent to that kind of referral and that recipient
  (`consent.consent_for`); without it the referral is refused (409) and nothing written;
- safeguarding a child or an adult at risk: goes ahead without consent, recording the
  lawful reason and who approved it;
- an information-sharing agreement or a legal duty: only for a case at the MARAC
  threshold (criteria met now, or referred to MARAC within the repeat window); below
  it, consent is required. MARAC itself never needs consent (`marac.refer`).
A referral against the perpetrator (MAPPA, a perpetrator programme, information to the
police about them) also follows the survivor's wishes (`perpetrator`).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from hearth.contracts.events import referrals as ev
from hearth.contracts.events.common import ReferralType
from hearth.eventstore.calendar import within_months
from hearth.eventstore.errors import DomainError, InvalidCommand, NotFound
from hearth.referrals.domain import commands as c
from hearth.referrals.domain.consent import ConsentRefused, consent_for
from hearth.referrals.domain.criteria import local_date
from hearth.referrals.domain.guards import require_case, require_open_case
from hearth.referrals.domain.marac import current_criteria
from hearth.referrals.domain.perpetrator import action_kind, follow_wishes
from hearth.referrals.domain.policy import Policy
from hearth.referrals.domain.state import OtherReferral, ReferralsState, ReferralStatus


def at_marac_threshold(
    state: ReferralsState, command: c.Command, now: datetime, policy: Policy
) -> bool:
    """The case meets a MARAC criterion now, or was referred to MARAC within the window."""
    last = state.last_marac
    if last is not None and within_months(
        last.referred.referred_at, now, policy.marac.repeat_window_months
    ):
        return True
    return bool(current_criteria(state, command, now, policy).criteria)


def make(
    command: c.MakeReferral, state: ReferralsState, now: datetime, policy: Policy
) -> list[ev.ReferralsEvent]:
    known = command.known
    require_open_case(known, command.actor)
    assert known.case_id is not None
    if command.referral_id in state.referrals:
        return []
    about = command.about_person_id
    if about is not None and not known.is_on_case(about):
        raise InvalidCommand("that person is not on this case", field="about_person_id")
    kind = action_kind(command, known)
    against_perpetrator = kind is not None and command.referral_type is not ReferralType.POLICE
    if against_perpetrator and (about is None or not known.is_perpetrator(about)):
        raise InvalidCommand(
            f"a {command.referral_type.value} referral is about an alleged perpetrator "
            "on this case",
            field="about_person_id",
        )
    if kind is None and command.override is not None:
        raise InvalidCommand(
            "an override of the survivor's wishes is only for referrals against the perpetrator",
            field="override",
        )
    consent_id = _basis(command, state, now, policy)
    followed = follow_wishes(kind, known.wishes, command.override, command.actor) if kind else None
    return [
        ev.ReferralMade(
            case_id=known.case_id,
            referral_id=command.referral_id,
            referral_type=command.referral_type,
            made_at=now,
            agency_name=command.agency_name,
            about_person_id=about,
            specialist_focus=command.specialist_focus,
            sharing_basis=command.sharing_basis,
            consent_id=consent_id,
            safeguarding_reason=command.safeguarding_reason,
            information_shared=command.information_shared,
            approved_by=command.approved_by if command.sharing_basis in c.SAFEGUARDING else None,
            wishes_override=followed.override if followed else None,
            survivor_agreed=followed.survivor_agreed if followed else None,
        )
    ]


def _basis(
    command: c.MakeReferral, state: ReferralsState, now: datetime, policy: Policy
) -> UUID | None:
    basis = command.sharing_basis
    if basis in c.SAFEGUARDING:
        return None  # a safeguarding duty: the reason and approver are checked in `check`
    if basis is ev.SharingBasis.CONSENT:
        return consent_for(
            state, command.referral_type, command.agency_name, local_date(now, policy)
        )
    if at_marac_threshold(state, command, now, policy):
        return None
    # Below the MARAC threshold only consent (or a safeguarding duty) allows sharing.
    consent_for(state, command.referral_type, command.agency_name, local_date(now, policy))
    raise ConsentRefused(
        "below the MARAC threshold a referral is made on the survivor's consent: "
        "use sharing_basis consent",
        code="consent_required",
    )


def _referral(state: ReferralsState, command: c.Command, referral_id: UUID) -> OtherReferral:
    require_case(command.known, command.actor)
    referral = state.referrals.get(referral_id)
    if referral is None:
        raise NotFound("no such referral on this case", code="referral_not_found")
    return referral


def accept(
    command: c.AcceptReferral, state: ReferralsState, now: datetime
) -> list[ev.ReferralsEvent]:
    referral = _referral(state, command, command.referral_id)
    if referral.status is not ReferralStatus.MADE:
        raise DomainError(
            f"the referral is {referral.status.value}, not awaiting an answer", code="not_awaiting"
        )
    assert command.known.case_id is not None
    return [
        ev.ReferralAccepted(
            case_id=command.known.case_id,
            referral_id=command.referral_id,
            referral_type=referral.made.referral_type,
            accepted_at=now,
            agency_reference=command.agency_reference,
        )
    ]


def decline(
    command: c.DeclineReferral, state: ReferralsState, now: datetime
) -> list[ev.ReferralsEvent]:
    referral = _referral(state, command, command.referral_id)
    if referral.status is not ReferralStatus.MADE:
        raise DomainError(
            f"the referral is {referral.status.value}, not awaiting an answer", code="not_awaiting"
        )
    if command.reason is ev.DeclineReason.OTHER and not command.notes:
        raise InvalidCommand("say why the agency declined", field="notes")
    assert command.known.case_id is not None
    return [
        ev.ReferralDeclined(
            case_id=command.known.case_id,
            referral_id=command.referral_id,
            referral_type=referral.made.referral_type,
            declined_at=now,
            reason=command.reason,
            notes=command.notes,
        )
    ]


def close(
    command: c.CloseReferral, state: ReferralsState, now: datetime
) -> list[ev.ReferralsEvent]:
    referral = _referral(state, command, command.referral_id)
    if referral.status is ReferralStatus.CLOSED:
        raise DomainError("the referral is closed already", code="referral_closed")
    assert command.known.case_id is not None
    return [
        ev.ReferralClosed(
            case_id=command.known.case_id,
            referral_id=command.referral_id,
            referral_type=referral.made.referral_type,
            closed_at=now,
            outcome=command.outcome,
            notes=command.notes,
        )
    ]
