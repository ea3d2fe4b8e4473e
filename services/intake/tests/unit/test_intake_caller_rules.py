"""Who may submit what: the channel and reporter rules for staff and partner systems."""

from __future__ import annotations

from hearth.contracts.envelope import Actor, Role
from hearth.contracts.events.common import Channel, ReporterKind
from hearth.contracts.events.intake import Reporter
from hearth.intake.domain.submission import ReportSubmission, caller_problems

PARTNER = Actor(id="idva-service", role=Role.PARTNER)
STAFF = Actor(id="intake-0001", role=Role.INTAKE)


def _report(channel: Channel, kind: ReporterKind = ReporterKind.SURVIVOR) -> ReportSubmission:
    staff_id = "intake-0001" if kind is ReporterKind.STAFF else None
    reporter = Reporter(kind=kind, staff_id=staff_id)
    return ReportSubmission(channel=channel, reporter=reporter, immediate_danger=False)


def test_a_partner_reports_on_its_own_channel_and_never_as_staff() -> None:
    assert caller_problems(_report(Channel.PARTNER_AGENCY), PARTNER) == []
    fields = [f for f, _, _ in caller_problems(_report(Channel.PHONE, ReporterKind.STAFF), PARTNER)]
    assert fields == ["body.channel", "body.reporter.kind"]


def test_staff_never_use_the_public_forms_channel() -> None:
    assert caller_problems(_report(Channel.PHONE), STAFF) == []
    assert [f for f, _, _ in caller_problems(_report(Channel.WEB_FORM), STAFF)] == ["body.channel"]
