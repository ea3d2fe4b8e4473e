"""Building a report's events from a validated submission and the link decision."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from hearth.contracts.events.common import AllegedPerpetrator, Child, Survivor
from hearth.contracts.events.intake import (
    RelatedCase,
    ReportLinkedToCase,
    ReportReceived,
    SharedPerpetrator,
)
from hearth.intake.domain.linking import LinkDecision, Relation
from hearth.intake.domain.matching import PersonRef, PersonRole
from hearth.intake.domain.submission import ReportSubmission


@dataclass(frozen=True, slots=True)
class PersonIds:
    """The person ids a report's people get: reused on a known case, otherwise fresh."""

    survivor: UUID
    alleged_perpetrators: tuple[UUID, ...]
    children: tuple[UUID, ...]


def assign_person_ids(
    submission: ReportSubmission,
    reused: Mapping[PersonRef, UUID],
    fresh: Callable[[], UUID],
) -> PersonIds:
    """Ids for everyone in the submission: a reused one where the case knows them."""
    survivor = reused.get(PersonRef(PersonRole.SURVIVOR)) or fresh()
    perpetrators = tuple(
        reused.get(PersonRef(PersonRole.ALLEGED_PERPETRATOR, index)) or fresh()
        for index in range(len(submission.alleged_perpetrators))
    )
    children = tuple(fresh() for _ in submission.children)
    return PersonIds(survivor, perpetrators, children)


def build_report_events(
    submission: ReportSubmission,
    *,
    report_id: UUID,
    received_at: datetime,
    decision: LinkDecision,
    person_ids: PersonIds,
) -> tuple[ReportReceived, ReportLinkedToCase]:
    """`ReportReceived` then `ReportLinkedToCase`, both about the decided case."""
    survivor = Survivor.model_validate(
        {**submission.survivor.model_dump(), "person_id": person_ids.survivor}
    )
    perpetrators = tuple(
        AllegedPerpetrator.model_validate({**p.model_dump(), "person_id": person_id})
        for p, person_id in zip(
            submission.alleged_perpetrators, person_ids.alleged_perpetrators, strict=True
        )
    )
    children = tuple(
        Child.model_validate({**c.model_dump(), "person_id": person_id})
        for c, person_id in zip(submission.children, person_ids.children, strict=True)
    )
    received = ReportReceived(
        report_id=report_id,
        case_id=decision.case_id,
        received_at=received_at,
        channel=submission.channel,
        reporter=submission.reporter,
        survivor=survivor,
        alleged_perpetrators=perpetrators,
        children=children,
        tenancy_reference=submission.tenancy_reference,
        abuse_types=submission.abuse_types,
        immediate_danger=submission.immediate_danger,
        # Anyone in immediate danger is told to call 999: the intake script and the web
        # form both say so before anything else.
        advised_to_call_999=submission.immediate_danger or submission.advised_to_call_999,
        consent_to_contact=submission.consent_to_contact,
        safe_contact=submission.safe_contact,
        account=submission.account,
        enquiry_id=submission.enquiry_id,
        partner_reference=submission.partner_reference,
        preferred_case_manager_gender=submission.preferred_case_manager_gender,
        home_damaged_safety_at_risk=submission.home_damaged_safety_at_risk,
    )
    linked = ReportLinkedToCase(
        report_id=report_id,
        case_id=decision.case_id,
        linked_at=received_at,
        basis=decision.basis,
        repeat_reasons=decision.repeat_reasons,
        previous_case_id=decision.previous_case_id,
        related_cases=tuple(_related_case(relation, person_ids) for relation in decision.related),
    )
    return received, linked


def _related_case(relation: Relation, person_ids: PersonIds) -> RelatedCase:
    """The contract's form of a link: the report's perpetrators by their person ids."""
    return RelatedCase(
        case_id=relation.case_id,
        basis=relation.basis,
        shared_perpetrators=tuple(
            SharedPerpetrator(
                person_id=person_ids.alleged_perpetrators[index], related_person_id=there
            )
            for index, there in relation.shared_perpetrators
        ),
        conflicting_details=relation.conflicting_details,
    )
