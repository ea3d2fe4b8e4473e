"""The answers of intake's JSON API: shape only.

The request bodies are the submission models in `domain/submission.py` (a report as
someone submits it) and `domain/asb.py`; what is decided from them is in `domain/`.
"""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict

from hearth.contracts.events.intake import LinkBasis, RepeatReason

__all__ = ["AsbOutcome", "LinkOut", "ReportAccepted", "ReportReference"]


class LinkOut(BaseModel):
    """Why the report joined its case."""

    basis: LinkBasis
    repeat_reasons: list[RepeatReason]
    previous_case_id: UUID | None


class ReportAccepted(BaseModel):
    """To staff: the report was stored, its id, and the case it belongs to.

    When the report joins, or repeats, a restricted case (the survivor or alleged
    perpetrator is staff) and the submitter is not one of the staff named on it, the
    answer is the one a report about a person with no case gets: a case id that stands
    in for the real one (the same one each time they report about that case), basis
    `new_case` (then the real basis for later reports) and no repeat. The report is on
    the case all the same, and the case's named staff see it there.
    """

    model_config = ConfigDict(extra="forbid")

    report_id: UUID
    case_id: UUID
    link: LinkOut


class ReportReference(BaseModel):
    """To a partner agency's system: the report was stored, its id and a reference to
    quote. Nothing about other reports or cases (whether the person already has a case,
    or why the report joined it) is a partner's to know."""

    model_config = ConfigDict(extra="forbid")

    report_id: UUID
    reference: str


class AsbOutcome(BaseModel):
    """Whether the ASB report raised a DA enquiry."""

    enquiry_raised: bool
    enquiry_id: UUID | None
    detail: str | None
