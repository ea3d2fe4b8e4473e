"""Anti-social behaviour reports that signal domestic abuse raise a DA enquiry.

"Shouting and arguing", banging, screaming, door slamming late at night: most ASB cases
of this kind turn out to be rooted in domestic abuse, so the DA procedure looks first.
Which ASB categories count is the landlord's policy.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from hearth.contracts.events.base import ContractModel
from hearth.contracts.events.common import Account, Code, ExternalReference, TenancyReference
from hearth.contracts.events.intake import EnquiryRaised, EnquiryTrigger
from hearth.intake.domain.policy import IntakePolicy


class AsbReport(ContractModel):
    """An ASB report passed on by housing staff: its category and the ASB case reference."""

    category: Code
    """The ASB system's category code, e.g. `shouting_and_arguing`."""
    asb_case_reference: ExternalReference
    tenancy_reference: TenancyReference | None = None
    indicators: Account | None = None
    """What was seen or heard, in the words of whoever reported it."""


def is_da_signal(category: str, policy: IntakePolicy) -> bool:
    """True when reports in this ASB category are a signal of domestic abuse."""
    return category in policy.asb_da_signal_categories


def enquiry_for_asb_report(
    report: AsbReport, *, enquiry_id: UUID, now: datetime, policy: IntakePolicy
) -> EnquiryRaised | None:
    """The DA enquiry an ASB report raises, or None when its category is no DA signal."""
    if not is_da_signal(report.category, policy):
        return None
    return EnquiryRaised(
        enquiry_id=enquiry_id,
        raised_at=now,
        trigger=EnquiryTrigger.ASB_REPORT,
        asb_category=report.category,
        asb_case_reference=report.asb_case_reference,
        tenancy_reference=report.tenancy_reference,
        indicators=report.indicators,
    )
