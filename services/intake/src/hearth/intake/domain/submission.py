"""What someone submits when they report: the contract's value types, without the ids.

A submission is not an event: the server assigns the report, case and person ids and
the time. The staff and partner API takes it as JSON; the web form builds one from
its fields. Unknown fields are refused, so a client cannot set what the server decides.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Final
from uuid import UUID

from pydantic import Field

from hearth.contracts.envelope import Actor, Role
from hearth.contracts.events.base import ContractModel, PersonalDate
from hearth.contracts.events.common import (
    AbuseType,
    Account,
    AgeBand,
    Channel,
    Distinct,
    EmailAddress,
    EqualityMonitoring,
    ExternalReference,
    Gender,
    PersonName,
    PhoneNumber,
    PostalAddress,
    Relationship,
    ReporterKind,
    SafeContact,
    StaffId,
    TenancyReference,
)
from hearth.contracts.events.intake import Reporter
from hearth.eventstore.errors import InvalidCommand

STAFF_ROLES: Final = frozenset({Role.INTAKE, Role.CASE_MANAGER, Role.MANAGER, Role.ADMIN})
"""Staff who take reports: they can look a colleague's staff id up in the directory."""


class PersonDetailsIn(ContractModel):
    """An adult's details as the reporter or member of staff gave them; all optional."""

    name: PersonName | None = None
    date_of_birth: PersonalDate | None = None
    phone: PhoneNumber | None = None
    email: EmailAddress | None = None
    address: PostalAddress | None = None
    gender: Gender | None = None
    is_staff_member: bool = False
    """The person works for the landlord: the case will be restricted to named staff."""
    staff_id: StaffId | None = None
    """Their id in the staff directory, when they are a member of staff."""


class SurvivorIn(PersonDetailsIn):
    """The person experiencing abuse; may be unnamed (an anonymous report)."""

    equality: EqualityMonitoring | None = None


class AllegedPerpetratorIn(PersonDetailsIn):
    """A person alleged to be causing the abuse."""

    relationship_to_survivor: Relationship = Relationship.NOT_KNOWN
    lives_with_survivor: bool | None = None
    is_tenant: bool | None = None
    age_band: AgeBand | None = None
    """Their age band; left out, intake derives it from the date of birth, if given."""


class ChildIn(ContractModel):
    """A child in the household."""

    name: PersonName | None = None
    date_of_birth: PersonalDate | None = None
    age_band: AgeBand | None = None
    lives_in_household: bool = True
    affected_by_abuse: bool
    """Sees, hears or experiences the effects of the abuse."""


class ReportSubmission(ContractModel):
    """A report as submitted: by staff, a partner agency's system or the web form."""

    channel: Channel
    reporter: Reporter
    survivor: SurvivorIn = Field(default_factory=SurvivorIn)
    alleged_perpetrators: Annotated[tuple[AllegedPerpetratorIn, ...], Field(max_length=10)] = ()
    children: Annotated[tuple[ChildIn, ...], Field(max_length=20)] = ()
    tenancy_reference: TenancyReference | None = None
    abuse_types: Distinct[AbuseType] = ()
    immediate_danger: bool
    advised_to_call_999: bool = False
    """The reporter was told to call 999; always recorded as true when anyone is in danger."""
    consent_to_contact: bool | None = None
    safe_contact: SafeContact | None = None
    account: Account | None = None
    preferred_case_manager_gender: Gender | None = None
    """The survivor asked for a case manager of this gender."""
    home_damaged_safety_at_risk: bool = False
    """The home is damaged and the occupants' safety is at risk (a forced lock, a broken
    door or window): the case opens with an emergency repair due from this report."""
    partner_reference: ExternalReference | None = None
    enquiry_id: UUID | None = None
    """The enquiry this report came out of, if any."""
    case_id: UUID | None = None
    """An open case a member of staff knows this report belongs to (staff only)."""


def people_named_as_staff(
    submission: ReportSubmission,
) -> Iterator[tuple[str, PersonDetailsIn]]:
    """The survivor and each alleged perpetrator, with where they are in the request."""
    yield "survivor", submission.survivor
    for index, person in enumerate(submission.alleged_perpetrators):
        yield f"alleged_perpetrators.{index}", person


def check_staff_details(submission: ReportSubmission, actor: Actor) -> None:
    """Refuse (InvalidCommand, naming the field) a report that leaves a colleague unnamed.

    A member of staff named as the survivor or an alleged perpetrator is kept off their
    own case by their staff id; staff submitting a report can look it up, so they must
    give it. (A resident or a partner cannot: their report restricts the case to the DA
    leads until someone records it.) A staff id also says the person is staff: given for
    someone not marked as staff, it is a contradiction rather than a silent "not staff".
    """
    for where, person in people_named_as_staff(submission):
        if person.staff_id is not None and not person.is_staff_member:
            raise InvalidCommand(
                "a staff id is given for someone not marked as a member of staff: set "
                "is_staff_member, or leave the staff id out",
                field=f"{where}.is_staff_member",
                code="staff_id_without_staff",
            )
        if actor.role in STAFF_ROLES and person.is_staff_member and person.staff_id is None:
            raise InvalidCommand(
                "a member of staff named in a report needs their staff id, so they are "
                "never shown their own case",
                field=f"{where}.staff_id",
                code="staff_id_required",
            )


STAFF_CHANNELS: Final = frozenset(Channel) - {Channel.WEB_FORM}
"""Staff record what reached them any way but the public web form, which residents use."""
PARTNER_CHANNELS: Final = frozenset({Channel.PARTNER_AGENCY})


def caller_problems(submission: ReportSubmission, actor: Actor) -> list[tuple[str, str, str]]:
    """What this caller may not submit, beyond the shape of the request: each problem as
    (field, problem, kind), for a 422 naming every one."""
    problems: list[tuple[str, str, str]] = []
    if actor.role is Role.PARTNER:
        if submission.channel not in PARTNER_CHANNELS:
            problems.append(
                ("body.channel", "a partner system reports on channel partner_agency", "channel")
            )
        if submission.reporter.kind is ReporterKind.STAFF:
            problems.append(
                ("body.reporter.kind", "a partner system cannot report as staff", "reporter")
            )
        if submission.case_id is not None:
            problems.append(("body.case_id", "only staff can name a case", "case_id"))
    elif submission.channel not in STAFF_CHANNELS:
        problems.append(
            (
                "body.channel",
                "web_form is the public form's channel; staff use the channel the report "
                "came in by",
                "channel",
            )
        )
    return problems
