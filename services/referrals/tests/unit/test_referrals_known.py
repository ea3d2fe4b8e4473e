"""What referrals knows of a case, who may see it, and the referral document."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from html import escape
from typing import Any

from hearth.contracts.envelope import Actor, Role
from hearth.contracts.events import cases as cases_ev
from hearth.contracts.events import referrals as ev
from hearth.contracts.events.case_values import RestrictedView, Restriction, RestrictionReason
from hearth.contracts.events.common import MaracCriterion, SafeContact
from hearth.contracts.events.intake import RepeatReason
from hearth.referrals.document import render
from hearth.referrals.domain import commands as c
from hearth.referrals.domain.decider import staff_read

MONDAY = datetime(2025, 3, 10, 10, 0, tzinfo=UTC)


def restrict_to_dalead(case: Any) -> None:
    """Cases restricts the case: only dalead-0001 may see it."""
    case.learn(
        cases_ev.CaseRestricted(
            case_id=case.case_id,
            restricted_at=MONDAY,
            restriction=Restriction(
                reason=RestrictionReason.OTHER_SENSITIVITY, permitted_staff_ids=("dalead-0001",)
            ),
        )
    )


def test_every_report_is_an_incident_once(kit: Any, case: Any) -> None:
    added = kit.report_added(case.case_id, MONDAY)
    case.learn(added, added)
    assert len(case.known.incidents) == 2


def test_a_restricted_case_is_hidden_and_every_read_recorded(case: Any) -> None:
    restrict_to_dalead(case)
    outsider = Actor(id="cso-0002", role=Role.CASE_MANAGER)
    named = Actor(id="dalead-0001", role=Role.MANAGER)
    assert not case.known.may_see(outsider)
    assert case.known.may_see(named)

    read = c.RecordRead(actor=outsider, view=RestrictedView.SUMMARY, granted=False)
    [recorded] = case.when(read, MONDAY)
    assert recorded == ev.RestrictedReferralRecordRead(
        case_id=case.case_id,
        read_at=MONDAY,
        staff_id="cso-0002",
        view=RestrictedView.SUMMARY,
        access_granted=False,
    )


def test_an_unrestricted_read_is_not_recorded(case: Any) -> None:
    read = c.RecordRead(actor=case.scenario.actor, view=RestrictedView.SUMMARY, granted=True)
    assert case.when(read, MONDAY) == []


def test_an_unrestricted_read_is_recorded_apart_with_no_personal_data(case: Any) -> None:
    reader = case.scenario.actor
    read = staff_read(case.known, reader, RestrictedView.DOCUMENTS, MONDAY)
    assert read == ev.ReferralRecordRead(
        case_id=case.case_id, read_at=MONDAY, staff_id=reader.id, view=RestrictedView.DOCUMENTS
    )
    system = Actor(id="hearth.referrals", role=Role.SYSTEM)
    assert staff_read(case.known, system, RestrictedView.SUMMARY, MONDAY) is None


def test_a_restricted_case_read_is_recorded_on_the_referrals_stream_only(case: Any) -> None:
    restrict_to_dalead(case)
    named = Actor(id="dalead-0001", role=Role.MANAGER)
    assert staff_read(case.known, named, RestrictedView.SUMMARY, MONDAY) is None
    read = c.RecordRead(actor=named, view=RestrictedView.SUMMARY, granted=True)
    [recorded] = case.when(read, MONDAY)
    assert isinstance(recorded, ev.RestrictedReferralRecordRead)


def test_the_document_carries_the_answers_escaped_and_no_perpetrator_contact(
    kit: Any, case: Any, policy: Any
) -> None:
    case.learn(
        cases_ev.SafeContactUpdated(
            case_id=case.case_id,
            updated_at=MONDAY,
            safe_contact=SafeContact(
                safe_to_call=True,
                safe_to_text=False,
                safe_to_email=False,
                safe_to_write=False,
                safe_to_visit=False,
                safe_phone_numbers=("07700 900456",),
                withheld_number_only=True,
                never_leave_voicemail=True,
                interpreter_needed=False,
                notes="<script>alert(1)</script>",
            ),
        )
    )
    assessment = kit.dash(case.case_id, policy.marac.visible_high_risk["dash-ric-24"])
    case.learn(assessment)
    referred = ev.MaracReferred(
        case_id=case.case_id,
        referral_id=uuid.uuid4(),
        referred_at=MONDAY,
        marac_area="Example & District MARAC",
        criteria=(MaracCriterion.VISIBLE_HIGH_RISK,),
        assessment_id=assessment.assessment_id,
        survivor_informed=False,
        survivor_not_informed_reason="He reads her post.",
        information_shared=(ev.SharedInformation.RISK_ASSESSMENT,),
    )

    html = render(referred, case.known)

    assert "How to contact the survivor safely" in html
    assert "07700 900456" in html
    assert "07700 900123" not in html  # the perpetrator's phone
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "Example &amp; District MARAC" in html
    assert "He reads her post." in html
    assert html.count("<tr><td>") >= len(assessment.answers)
    assert "@media print" in html


def _referred(case: Any, assessment: Any) -> ev.MaracReferred:
    return ev.MaracReferred(
        case_id=case.case_id,
        referral_id=uuid.uuid4(),
        referred_at=MONDAY,
        marac_area="Example MARAC",
        criteria=(MaracCriterion.VISIBLE_HIGH_RISK,),
        assessment_id=assessment.assessment_id,
        survivor_informed=True,
        information_shared=(ev.SharedInformation.RISK_ASSESSMENT,),
    )


def test_the_document_shows_each_question_as_risk_worded_it_escaped(
    kit: Any, case: Any, policy: Any
) -> None:
    def wording(question: int) -> str:
        return f"Q{question}: has the abuser threatened to kill you <or> anyone & others?"

    yes = policy.marac.visible_high_risk["dash-ric-24"]
    assessment = kit.dash(case.case_id, yes, wording=wording)
    case.learn(assessment)

    html = render(_referred(case, assessment), case.known)

    assert "<th>No.</th><th>Question</th><th>Answer</th>" in html
    for a in assessment.answers:
        worded = escape(wording(a.question))
        assert f"<td>{a.question}</td><td>{worded}</td><td>{a.answer.value}</td>" in html
    assert "<or>" not in html


def test_an_assessment_published_without_wording_shows_the_numbers_only(
    kit: Any, case: Any, policy: Any
) -> None:
    assessment = kit.dash(case.case_id, policy.marac.visible_high_risk["dash-ric-24"])
    case.learn(assessment)

    html = render(_referred(case, assessment), case.known)

    assert "<th>No.</th>" not in html
    for a in assessment.answers:
        assert f"<td>{a.question}</td><td>{a.answer.value}</td>" in html


def test_a_repeat_identified_names_the_earlier_case(case: Any) -> None:
    earlier = uuid.uuid4()
    case.learn(
        cases_ev.RepeatCaseIdentified(
            case_id=case.case_id,
            report_id=uuid.uuid4(),
            identified_at=MONDAY,
            repeat_reasons=(RepeatReason.MARAC_WITHIN_12_MONTHS,),
            previous_case_id=earlier,
        )
    )
    assert case.known.repeat_of_case_id == earlier
