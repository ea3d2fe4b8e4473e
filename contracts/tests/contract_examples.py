"""One fictional, valid example of every event type, for contract tests and any test that
needs real events (`import contract_examples`: pytest puts this folder on the path).

Test data, so it lives beside the tests and is not shipped in the `hearth-contracts` wheel.

Every person, number and address here is invented. The events tell one story: a
third-party report, a case, first contact, a DASH, MARAC and other referrals, closure.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID

from hearth.contracts.events import cases as c
from hearth.contracts.events import intake as i
from hearth.contracts.events import referrals as r
from hearth.contracts.events import risk as k
from hearth.contracts.events.base import DomainEvent
from hearth.contracts.events.case_values import (
    CaseManager,
    ClosureReason,
    ContactAttemptOutcome,
    DashOutcome,
    EmergencyRepairDue,
    ErasureBasis,
    ErasureReason,
    FeedbackRating,
    FlagKind,
    InterpreterUse,
    ReopenReason,
    RepairKind,
    RestrictedView,
    Restriction,
    RestrictionReason,
    ReviewOutcome,
    SecurityMeasure,
    SurvivorFeedback,
    UnconfirmedSafeContact,
    WishesOverride,
    WishesOverrideReason,
)
from hearth.contracts.events.common import (
    AbuseType,
    AgeBand,
    AllegedPerpetrator,
    Channel,
    Child,
    ContactMethod,
    EqualityMonitoring,
    Ethnicity,
    Gender,
    MaracCriterion,
    MonitoringAnswer,
    PerpetratorActionKind,
    PostalAddress,
    ReferralType,
    Relationship,
    ReporterKind,
    RiskLevel,
    SafeContact,
    SafeTimeWindow,
    Sex,
    Survivor,
    ThirdPartyRelationship,
    Weekday,
)

CASE_ID = UUID("6f1c2a5e-3b7d-4c1e-9a2f-0d8e7b6c5a41")
REPORT_ID = UUID("0b9e8d7c-6a5f-4e3d-8c2b-1a0f9e8d7c6b")
SURVIVOR_ID = UUID("a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d")
PERPETRATOR_ID = UUID("b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e")
CHILD_ID = UUID("c3d4e5f6-a7b8-4c9d-8e1f-2a3b4c5d6e7f")
ASSESSMENT_ID = UUID("d4e5f6a7-b8c9-4d0e-9f2a-3b4c5d6e7f80")
MARAC_REFERRAL_ID = UUID("e5f6a7b8-c9d0-4e1f-8a3b-4c5d6e7f8091")
REFERRAL_ID = UUID("f6a7b8c9-d0e1-4f2a-9b4c-5d6e7f8091a2")
CONSENT_ID = UUID("17a8b9c0-d1e2-4f3a-8b5c-6d7e8f9a0b1c")
REPAIR_ID = UUID("28b9c0d1-e2f3-4a4b-9c6d-7e8f9a0b1c2d")
SURVIVOR_NAME = "Alex Example"
ACCOUNT = "My neighbour's partner shouts at her most nights and I heard something smash."

REPORTED_AT = datetime(2025, 3, 7, 16, 30, tzinfo=UTC)
"""A Friday afternoon: first contact is due Monday 16:30, the DASH Tuesday 16:30."""


def _at(hours: float) -> datetime:
    return REPORTED_AT + timedelta(hours=hours)


def _uuid(n: int) -> UUID:
    return UUID(int=n, version=4)


_ADDRESS = PostalAddress(lines=("Flat 2", "1 Example Street", "Exampletown"), postcode="ZZ1 1ZZ")
_SURVIVOR = Survivor(
    person_id=SURVIVOR_ID,
    name=SURVIVOR_NAME,
    date_of_birth=date(1990, 5, 17),
    phone="07700 900123",
    address=_ADDRESS,
    gender=Gender.WOMAN,
    equality=EqualityMonitoring(
        sex=Sex.FEMALE,
        age_band=AgeBand.AGE_35_44,
        disability=MonitoringAnswer.NO,
        lgbtq_plus=MonitoringAnswer.PREFER_NOT_TO_SAY,
        ethnicity=Ethnicity.WHITE,
    ),
)
_PERPETRATOR = AllegedPerpetrator(
    person_id=PERPETRATOR_ID,
    name="Sam Sample",
    relationship_to_survivor=Relationship.INTIMATE_PARTNER,
    lives_with_survivor=True,
    is_tenant=True,
    age_band=AgeBand.AGE_25_34,
)
_CHILD = Child(
    person_id=CHILD_ID,
    name="Jo Example",
    date_of_birth=date(2018, 9, 2),
    age_band=AgeBand.UNDER_16,
    lives_in_household=True,
    affected_by_abuse=True,
)
_SAFE_CONTACT = SafeContact(
    safe_to_call=True,
    safe_to_text=False,
    safe_to_email=False,
    safe_to_write=False,
    safe_to_visit=False,
    safe_phone_numbers=("07700 900456",),
    safe_times=(
        SafeTimeWindow(day=Weekday.MONDAY, start=time(9, 30), end=time(11, 30)),
        SafeTimeWindow(day=Weekday.WEDNESDAY, start=time(9, 30), end=time(11, 30)),
    ),
    withheld_number_only=True,
    never_leave_voicemail=True,
    interpreter_needed=False,
    safe_people_to_speak_to=("Chris Example (sister)",),
    notes="Call the work phone only; he checks her mobile.",
)


def _answer(question: int) -> k.DashAnswer:
    if question == 24:
        return k.DashAnswer(
            question=24, answer=k.DashAnswerValue.DONT_KNOW, source=k.AnswerSource.POLICE
        )
    return k.DashAnswer(
        question=question,
        answer=k.DashAnswerValue.YES if question <= 15 else k.DashAnswerValue.NO,
        comment="Bruising to her arm last week." if question == 1 else None,
        wording="Has the current incident resulted in injury?" if question == 1 else None,
    )


_ANSWERS = tuple(_answer(question) for question in range(1, 25))
"""15 yes, 8 no, 1 don't know (answered from police information)."""


def _intake() -> list[DomainEvent]:
    return [
        i.ReportReceived(
            report_id=REPORT_ID,
            case_id=CASE_ID,
            received_at=REPORTED_AT,
            channel=Channel.PHONE,
            reporter=i.Reporter(
                kind=ReporterKind.THIRD_PARTY,
                relationship=ThirdPartyRelationship.NEIGHBOUR,
                name="Pat Neighbour",
                phone="07700 900789",
            ),
            survivor=_SURVIVOR,
            alleged_perpetrators=(_PERPETRATOR,),
            children=(_CHILD,),
            tenancy_reference="T-000123",
            abuse_types=(AbuseType.PHYSICAL, AbuseType.CONTROLLING_OR_COERCIVE),
            immediate_danger=False,
            advised_to_call_999=True,
            account=ACCOUNT,
            home_damaged_safety_at_risk=True,
        ),
        i.ReportLinkedToCase(
            report_id=REPORT_ID,
            case_id=CASE_ID,
            linked_at=_at(0.1),
            basis=i.LinkBasis.NEW_CASE,
            related_cases=(
                i.RelatedCase(
                    case_id=_uuid(20),
                    basis=i.RelatedCaseBasis.SAME_ALLEGED_PERPETRATOR,
                    shared_perpetrators=(
                        i.SharedPerpetrator(
                            person_id=_PERPETRATOR.person_id, related_person_id=_uuid(21)
                        ),
                    ),
                ),
            ),
        ),
        i.EnquiryRaised(
            enquiry_id=_uuid(1),
            raised_at=_at(-48),
            trigger=i.EnquiryTrigger.ASB_REPORT,
            asb_category="shouting_and_arguing",
            asb_case_reference="ASB-2025-0042",
            tenancy_reference="T-000123",
            indicators="Repeated reports of shouting and arguing late at night.",
        ),
        i.EnquiryErased(
            enquiry_id=_uuid(1),
            erased_at=_at(52_600),
            raised_at=_at(-48),
            retention_policy="west-kent-2024",
            retention_years=6,
        ),
        i.CaseWithheldFromSubmitter(
            case_id=CASE_ID,
            withheld_at=_at(1),
            report_id=_uuid(41),
            answered_case_id=_uuid(42),
        ),
    ]


def _case_lifecycle() -> list[DomainEvent]:
    restriction = Restriction(
        reason=RestrictionReason.ALLEGED_PERPETRATOR_IS_STAFF,
        permitted_staff_ids=("staff-0007", "staff-0012"),
    )
    return [
        c.CaseOpened(
            case_id=CASE_ID,
            report_id=REPORT_ID,
            opened_at=_at(0.2),
            reported_at=REPORTED_AT,
            channel=Channel.PHONE,
            reporter_kind=ReporterKind.THIRD_PARTY,
            survivor=_SURVIVOR,
            alleged_perpetrators=(_PERPETRATOR,),
            children=(_CHILD,),
            tenancy_reference="T-000123",
            abuse_types=(AbuseType.PHYSICAL, AbuseType.CONTROLLING_OR_COERCIVE),
            immediate_danger=False,
            emergency_repair=EmergencyRepairDue(repair_id=_uuid(20), due_at=_at(24)),
            contact_due_at=_at(72),
            dash_due_at=_at(96),
            review_due_at=_at(28 * 24),
            timescale_policy="west-kent-2024",
        ),
        c.PeopleUpdated(case_id=CASE_ID, updated_at=_at(70), children=(_CHILD,)),
        c.SurvivorIdentified(case_id=CASE_ID, identified_at=_at(70), contact_due_at=_at(94)),
        c.CaseManagerAssigned(
            case_id=CASE_ID,
            assigned_at=_at(0.5),
            case_manager=CaseManager(staff_id="staff-0007", gender=Gender.WOMAN),
            preferred_gender=Gender.WOMAN,
            preference_met=True,
        ),
        c.CaseManagerPreferenceRecorded(
            case_id=CASE_ID,
            recorded_at=_at(74),
            preferred_gender=Gender.WOMAN,
            current_case_manager_matches=True,
        ),
        c.CaseManagerPreferenceWithdrawn(
            case_id=CASE_ID, withdrawn_at=_at(75), previous_gender=Gender.WOMAN
        ),
        c.ReportAddedToCase(
            case_id=CASE_ID,
            report_id=_uuid(12),
            added_at=_at(50),
            reported_at=_at(49.9),
            channel=Channel.WEB_FORM,
            reporter_kind=ReporterKind.SURVIVOR,
            abuse_types=(AbuseType.PSYCHOLOGICAL_EMOTIONAL_OR_OTHER,),
            immediate_danger=False,
        ),
        c.RepeatCaseIdentified(
            case_id=CASE_ID,
            report_id=REPORT_ID,
            identified_at=_at(0.2),
            repeat_reasons=(i.RepeatReason.CASE_CLOSED_WITHIN_12_MONTHS,),
            previous_case_id=_uuid(13),
        ),
        c.CasesLinked(
            case_id=CASE_ID,
            related_case_id=_uuid(20),
            linked_at=_at(0.3),
            basis=i.RelatedCaseBasis.SAME_ALLEGED_PERPETRATOR,
            report_id=REPORT_ID,
        ),
        c.CaseRestricted(case_id=CASE_ID, restricted_at=_at(1), restriction=restriction),
        c.CaseRestrictionLifted(
            case_id=CASE_ID, lifted_at=_at(200), reason="The member of staff has left."
        ),
        c.RestrictedCaseRead(
            case_id=CASE_ID,
            read_at=_at(2),
            staff_id="staff-0099",
            view=RestrictedView.TIMELINE,
            access_granted=False,
        ),
        c.CaseRecordRead(
            case_id=CASE_ID, read_at=_at(2.5), staff_id="staff-0042", view=RestrictedView.TIMELINE
        ),
        c.FlagRaised(
            case_id=CASE_ID,
            flag_id=_uuid(2),
            person_id=SURVIVOR_ID,
            kind=FlagKind.POTENTIALLY_VULNERABLE,
            raised_at=_at(1),
            reason="Survivor in an open DA case.",
        ),
        c.FlagRemoved(
            case_id=CASE_ID,
            flag_id=_uuid(2),
            person_id=SURVIVOR_ID,
            kind=FlagKind.POTENTIALLY_VULNERABLE,
            removed_at=_at(2000),
            reason="Case closed; survivor safe and support in place.",
        ),
        c.CaseReviewed(
            case_id=CASE_ID,
            review_id=_uuid(3),
            reviewed_at=_at(28 * 24),
            outcome=ReviewOutcome.CONTINUE,
            next_review_due_at=_at(56 * 24),
            notes="MARAC actions on track.",
        ),
        c.ReviewOverdue(case_id=CASE_ID, due_at=_at(56 * 24), detected_at=_at(56 * 24 + 1)),
        c.CaseClosureRequested(
            case_id=CASE_ID,
            requested_at=_at(1900),
            reason=ClosureReason.SURVIVOR_SAFE_SUPPORT_IN_PLACE,
        ),
        c.CaseClosureDeclined(
            case_id=CASE_ID, declined_at=_at(1910), reason="Wait for the injunction hearing."
        ),
        c.CaseClosed(
            case_id=CASE_ID,
            closed_at=_at(2000),
            reason=ClosureReason.SURVIVOR_SAFE_SUPPORT_IN_PLACE,
            approved_by="staff-0001",
            survivor_feedback=SurvivorFeedback(
                feels_safer=True, rating=FeedbackRating.VERY_SATISFIED, comments="Thank you."
            ),
        ),
        c.CaseReopened(
            case_id=CASE_ID,
            reopened_at=_at(3000),
            reason=ReopenReason.NEW_INCIDENT,
            report_id=_uuid(4),
            contact_due_at=_at(3024),
            dash_due_at=_at(3048),
        ),
        c.ErasureRequested(
            case_id=CASE_ID,
            request_id=_uuid(40),
            requested_at=_at(4000),
            reason=ErasureReason.CONSENT_WITHDRAWN,
            data_protection_reference="DPO-2025-0042",
        ),
        c.ErasureRequestDeclined(
            case_id=CASE_ID,
            request_id=_uuid(39),
            declined_at=_at(3990),
            reason="An injunction hearing still relies on these records.",
        ),
        c.CaseErased(
            case_id=CASE_ID,
            erased_at=_at(4010),
            basis=ErasureBasis.SUBJECT_REQUEST,
            reason=ErasureReason.CONSENT_WITHDRAWN,
            retention_policy="west-kent-2024",
            retention_years=6,
            closed_at=_at(2000),
            request_id=_uuid(40),
            requested_by="staff-0002",
            approved_by="staff-0001",
        ),
        c.ErasureRequested(
            case_id=CASE_ID,
            request_id=_uuid(41),
            requested_at=_at(3995),
            reason=ErasureReason.OBJECTION_UPHELD,
            person_id=_uuid(42),
        ),
        c.PersonErased(
            case_id=CASE_ID,
            person_id=_uuid(42),
            erased_at=_at(4005),
            basis=ErasureBasis.SUBJECT_REQUEST,
            reason=ErasureReason.OBJECTION_UPHELD,
            request_id=_uuid(41),
            requested_by="staff-0002",
            approved_by="staff-0001",
        ),
    ]


def _case_work() -> list[DomainEvent]:
    return [
        c.ContactAttempted(
            case_id=CASE_ID,
            attempt_id=_uuid(5),
            attempted_at=_at(65),
            method=ContactMethod.CALL,
            outcome=ContactAttemptOutcome.SOMEONE_ELSE_ANSWERED,
            number_withheld=True,
            phone_number="07700 900456",
            spoke_to="Chris Example (sister)",
            happened_at=_at(64),
        ),
        c.SurvivorContacted(
            case_id=CASE_ID,
            contact_id=_uuid(6),
            contacted_at=_at(74),
            method=ContactMethod.CALL,
            first_contact=True,
            due_at=_at(72),
            late=True,
            notes="Spoke at 10am on the safe number.",
            number_withheld=True,
            interpreter=InterpreterUse.NOT_USED,
            phone_number="+44 7700 900456",
            happened_at=_at(73),
        ),
        c.SafeContactUpdated(
            case_id=CASE_ID,
            updated_at=_at(74),
            safe_contact=_SAFE_CONTACT,
            survivors_own=False,
            unconfirmed_because=UnconfirmedSafeContact.GIVEN_BY_THIRD_PARTY,
        ),
        c.ContactOverdue(case_id=CASE_ID, due_at=_at(72), detected_at=_at(72)),
        c.DashOverdue(case_id=CASE_ID, due_at=_at(96), detected_at=_at(96)),
        c.ReassessmentScheduled(
            case_id=CASE_ID,
            assessment_id=ASSESSMENT_ID,
            scheduled_at=_at(75),
            due_at=_at(75 + 24 * 90),
        ),
        c.ReassessmentDeadlineMet(
            case_id=CASE_ID,
            follows_assessment_id=ASSESSMENT_ID,
            met_at=_at(75 + 24 * 91),
            due_at=_at(75 + 24 * 90),
            late=True,
            outcome=DashOutcome.DECLINED,
        ),
        c.ReassessmentOverdue(
            case_id=CASE_ID,
            follows_assessment_id=ASSESSMENT_ID,
            due_at=_at(75 + 24 * 90),
            detected_at=_at(75 + 24 * 90),
        ),
        c.DashDeadlineMet(
            case_id=CASE_ID,
            met_at=_at(75),
            due_at=_at(96),
            late=False,
            outcome=DashOutcome.COMPLETED,
            assessment_id=ASSESSMENT_ID,
        ),
        c.EmergencyRepairRaised(
            case_id=CASE_ID,
            repair_id=REPAIR_ID,
            raised_at=_at(74),
            kind=RepairKind.LOCKS,
            description="Front door lock forced; he still has a key.",
            due_at=_at(98),
            works_order_reference="WO-778812",
        ),
        c.EmergencyRepairCompleted(
            case_id=CASE_ID, repair_id=REPAIR_ID, completed_at=_at(80), due_at=_at(98), late=False
        ),
        c.EmergencyRepairOverdue(
            case_id=CASE_ID, repair_id=REPAIR_ID, due_at=_at(98), detected_at=_at(98)
        ),
        c.SecurityMeasureRequested(
            case_id=CASE_ID,
            request_id=_uuid(7),
            requested_at=_at(80),
            measures=(SecurityMeasure.DOOR_REINFORCEMENT, SecurityMeasure.FIRE_SAFE_LETTERBOX),
            sanctuary_scheme=True,
        ),
        c.SecurityMeasureInstalled(
            case_id=CASE_ID,
            request_id=_uuid(7),
            installed_at=_at(200),
            measures=(SecurityMeasure.DOOR_REINFORCEMENT, SecurityMeasure.FIRE_SAFE_LETTERBOX),
        ),
        c.SurvivorWishesRecorded(
            case_id=CASE_ID,
            wishes_id=_uuid(8),
            recorded_at=_at(74),
            wanted_actions=(PerpetratorActionKind.INJUNCTION, PerpetratorActionKind.SOLE_TENANCY),
            unwanted_actions=(PerpetratorActionKind.INFORMATION_TO_POLICE,),
            wants_to_stay_in_home=True,
            in_own_words="I want to stay here with my son and for him to leave.",
        ),
        c.PerpetratorActionTaken(
            case_id=CASE_ID,
            action_id=_uuid(9),
            perpetrator_person_id=PERPETRATOR_ID,
            kind=PerpetratorActionKind.INFORMATION_TO_POLICE,
            taken_at=_at(100),
            survivor_wishes_id=_uuid(8),
            against_survivor_wishes=True,
            survivor_agreed=False,
            override=WishesOverride(
                reason=WishesOverrideReason.SAFEGUARDING_CHILD,
                explanation="A child in the household is at risk.",
                approved_by="staff-0001",
            ),
        ),
    ]


def _risk() -> list[DomainEvent]:
    return [
        k.DashCompleted(
            case_id=CASE_ID,
            assessment_id=ASSESSMENT_ID,
            question_set_id="dash-ric-24",
            question_count=24,
            completed_at=_at(75),
            answers=_ANSWERS,
            score=15,
            yes_count=15,
            dont_know_count=1,
            scored_level=RiskLevel.HIGH,
            risk_level=RiskLevel.HIGH,
            marac_criteria_met=(MaracCriterion.VISIBLE_HIGH_RISK,),
            question_set_version="2024.1",
            visible_high_risk_at=14,
            reassessment_due_at=_at(75 + 24 * 28),
        ),
        k.DashCompletedV1(
            case_id=CASE_ID,
            assessment_id=ASSESSMENT_ID,
            completed_at=_at(75),
            answers=_ANSWERS[:12],
            yes_count=12,
            dont_know_count=0,
            scored_level=RiskLevel.MEDIUM,
            professional_judgement=k.ProfessionalJudgement(
                raised_to=RiskLevel.HIGH, reason="Strangulation disclosed; escalating."
            ),
            risk_level=RiskLevel.HIGH,
            marac_criteria_met=(MaracCriterion.PROFESSIONAL_JUDGEMENT,),
        ),
        k.DashDeclined(
            case_id=CASE_ID,
            declined_at=_at(75),
            notes="Not ready to talk about it.",
            reason="Wants to talk to her sister first.",
        ),
        k.DashCompletedElsewhere(
            case_id=CASE_ID,
            recorded_at=_at(75),
            completed_on=date(2025, 3, 6),
            agency=k.AssessingAgency.POLICE,
            agency_name="Example Constabulary",
            question_set_id="police-dash-27",
            risk_level=RiskLevel.HIGH,
            referred_to_marac=True,
        ),
        k.RiskLevelChanged(
            case_id=CASE_ID,
            changed_at=_at(75),
            new_level=RiskLevel.HIGH,
            basis=k.RiskChangeBasis.ASSESSMENT,
            assessment_id=ASSESSMENT_ID,
        ),
        k.RestrictedRiskRecordRead(
            case_id=CASE_ID,
            read_at=_at(76),
            staff_id="staff-0042",
            view=k.RiskRecordView.RISK_RECORD,
            access_granted=False,
        ),
        k.RiskRecordRead(
            case_id=CASE_ID,
            read_at=_at(76.5),
            staff_id="staff-0042",
            view=k.RiskRecordView.ASSESSMENT,
        ),
    ]


def _referrals() -> list[DomainEvent]:
    return [
        r.IncidentRecorded(
            case_id=CASE_ID,
            incident_id=_uuid(12),
            occurred_on=date(2025, 2, 14),
            recorded_at=_at(75),
            source=r.IncidentSource.OTHER_AGENCY,
            notes="Reported to the GP practice.",
        ),
        r.MaracReferralDue(
            case_id=CASE_ID,
            criteria=(MaracCriterion.VISIBLE_HIGH_RISK,),
            decided_at=_at(75),
            assessment_id=ASSESSMENT_ID,
            incidents_in_last_12_months=2,
        ),
        r.MaracReferred(
            case_id=CASE_ID,
            referral_id=MARAC_REFERRAL_ID,
            referred_at=_at(76),
            marac_area="Example District MARAC",
            criteria=(MaracCriterion.VISIBLE_HIGH_RISK,),
            assessment_id=ASSESSMENT_ID,
            survivor_consented=True,
            survivor_informed=True,
            information_shared=(
                r.SharedInformation.CONTACT_DETAILS,
                r.SharedInformation.RISK_ASSESSMENT,
                r.SharedInformation.CHILDREN_DETAILS,
            ),
        ),
        r.MaracListed(
            case_id=CASE_ID,
            referral_id=MARAC_REFERRAL_ID,
            listed_at=_at(80),
            meeting_date=date(2025, 3, 20),
        ),
        r.MaracHeard(
            case_id=CASE_ID,
            referral_id=MARAC_REFERRAL_ID,
            heard_on=date(2025, 3, 20),
            actions=(
                r.MaracAction(
                    action_id=_uuid(10),
                    description="Fit a fire-safe letterbox.",
                    owner_agency="Example Homes",
                    landlord_action=True,
                    owner_staff_id="staff-0007",
                    due_on=date(2025, 3, 27),
                ),
            ),
        ),
        r.MaracActionOverdue(
            case_id=CASE_ID,
            referral_id=MARAC_REFERRAL_ID,
            action_id=_uuid(10),
            due_on=date(2025, 3, 27),
            detected_at=_at(390),
        ),
        r.RestrictedReferralRecordRead(
            case_id=CASE_ID,
            read_at=_at(395),
            staff_id="staff-0007",
            view=RestrictedView.SUMMARY,
            access_granted=True,
        ),
        r.ReferralRecordRead(
            case_id=CASE_ID,
            read_at=_at(396),
            staff_id="staff-0007",
            view=RestrictedView.DOCUMENTS,
        ),
        r.MaracActionCompleted(
            case_id=CASE_ID,
            referral_id=MARAC_REFERRAL_ID,
            action_id=_uuid(10),
            completed_at=_at(400),
        ),
        r.ConsentRecorded(
            case_id=CASE_ID,
            consent_id=CONSENT_ID,
            person_id=SURVIVOR_ID,
            recorded_at=_at(74),
            given=True,
            scope=(ReferralType.SPECIALIST_SERVICE, ReferralType.SANCTUARY),
            method=r.ConsentMethod.VERBAL,
            recipients=("Example Women's Aid",),
            expires_on=date(2025, 9, 1),
        ),
        r.ConsentWithdrawn(
            case_id=CASE_ID,
            consent_id=CONSENT_ID,
            withdrawn_at=_at(500),
            scope=(ReferralType.SPECIALIST_SERVICE,),
        ),
        r.ReferralMade(
            case_id=CASE_ID,
            referral_id=REFERRAL_ID,
            referral_type=ReferralType.SPECIALIST_SERVICE,
            made_at=_at(76),
            agency_name="Example Women's Aid",
            sharing_basis=r.SharingBasis.CONSENT,
            consent_id=CONSENT_ID,
            information_shared=(
                r.SharedInformation.CONTACT_DETAILS,
                r.SharedInformation.SAFE_CONTACT_ARRANGEMENTS,
            ),
        ),
        r.ReferralAccepted(
            case_id=CASE_ID,
            referral_id=REFERRAL_ID,
            referral_type=ReferralType.SPECIALIST_SERVICE,
            accepted_at=_at(90),
            agency_reference="EWA-5521",
        ),
        r.ReferralDeclined(
            case_id=CASE_ID,
            referral_id=_uuid(11),
            referral_type=ReferralType.HOUSING_OPTIONS,
            declined_at=_at(90),
            reason=r.DeclineReason.NOT_ELIGIBLE,
        ),
        r.ReferralClosed(
            case_id=CASE_ID,
            referral_id=REFERRAL_ID,
            referral_type=ReferralType.SPECIALIST_SERVICE,
            closed_at=_at(1800),
            outcome=r.ReferralOutcome.SUPPORT_COMPLETED,
        ),
    ]


def examples() -> dict[str, DomainEvent]:
    """One example of every event type, by wire type."""
    events = _intake() + _case_lifecycle() + _case_work() + _risk() + _referrals()
    return {event.event_type(): event for event in events}
