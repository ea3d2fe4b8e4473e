"""Builders of the four services' events about one case, as those services publish them,
with personal values in them (names, phones, accounts) that reporting must never need.

`kit` hands the builders to test modules (a conftest is not importable).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any
from uuid import UUID

import pytest

from hearth.contracts.envelope import Actor, Role
from hearth.contracts.events import cases as ev
from hearth.contracts.events import intake, referrals, risk
from hearth.contracts.events.base import DomainEvent
from hearth.contracts.events.case_values import (
    CaseManager,
    ClosureReason,
    DashOutcome,
    EmergencyRepairDue,
    ErasureBasis,
    ErasureReason,
    FeedbackRating,
    Restriction,
    RestrictionReason,
    ReviewOutcome,
    SecurityMeasure,
    SurvivorFeedback,
)
from hearth.contracts.events.common import (
    AgeBand,
    AllegedPerpetrator,
    Channel,
    Child,
    ContactMethod,
    EqualityMonitoring,
    Ethnicity,
    MaracCriterion,
    MonitoringAnswer,
    PerpetratorActionKind,
    ReferralType,
    Relationship,
    ReporterKind,
    RiskLevel,
    SafeContact,
    Sex,
    SexualOrientation,
    Survivor,
)

MONDAY = datetime(2026, 7, 6, 10, 0, tzinfo=UTC)
"""A Monday in July 2026 (no bank holiday that week), 11:00 in London."""
QUESTIONS = 24  # the size of the question set risk publishes with each assessment

CASES_ACTOR = Actor(id="hearth.cases", role=Role.SYSTEM)
CM = Actor(id="cso-0001", role=Role.CASE_MANAGER)
MANAGER = Actor(id="dalead-0001", role=Role.MANAGER)
INTAKE = Actor(id="intake-0007", role=Role.INTAKE)


@dataclass
class Published:
    """An event as a service appends it: which service, which stream, by whom, when."""

    service: str
    stream: str
    event: DomainEvent
    actor: Actor
    at: datetime
    event_id: UUID = field(default_factory=uuid.uuid4)


@dataclass
class CaseStory:
    """The events of one case across the four services, built step by step."""

    case_id: UUID = field(default_factory=uuid.uuid4)
    events: list[Published] = field(default_factory=list)

    def _add(
        self, service: str, stream: str, event: DomainEvent, actor: Actor, at: datetime
    ) -> Any:
        self.events.append(Published(service, stream, event, actor, at))
        return event

    def cases(self, event: DomainEvent, at: datetime, actor: Actor = CM) -> Any:
        return self._add("cases", f"case-{self.case_id}", event, actor, at)

    def report(self, at: datetime = MONDAY, *, enquiry_id: UUID | None = None) -> Any:
        event = intake.ReportReceived(
            report_id=uuid.uuid4(),
            case_id=self.case_id,
            received_at=at,
            channel=Channel.PHONE,
            reporter=intake.Reporter(kind=ReporterKind.SURVIVOR),
            survivor=Survivor(person_id=uuid.uuid4(), name="Alex Example", phone="07700 900111"),
            immediate_danger=False,
            advised_to_call_999=False,
            account="He threw my phone at the wall.",
            enquiry_id=enquiry_id,
        )
        return self._add("intake", f"report-{event.report_id}", event, INTAKE, at)

    def opened(
        self,
        at: datetime = MONDAY,
        *,
        channel: Channel = Channel.PHONE,
        reporter_kind: ReporterKind = ReporterKind.SURVIVOR,
        equality: EqualityMonitoring | None = None,
        children: int = 1,
        staff_survivor: str | None = None,
        restricted_to: tuple[str, ...] = (),
        repair: bool = False,
        contact_due: timedelta = timedelta(days=1),
        dash_due: timedelta = timedelta(days=2),
    ) -> ev.CaseOpened:
        survivor = Survivor(
            person_id=uuid.uuid4(),
            name="Alex Example",
            date_of_birth=date(1990, 4, 1),
            phone="07700 900111",
            equality=equality,
            is_staff_member=staff_survivor is not None,
            staff_id=staff_survivor,
        )
        restriction = (
            Restriction(
                reason=RestrictionReason.SURVIVOR_IS_STAFF, permitted_staff_ids=restricted_to
            )
            if restricted_to
            else None
        )
        event = ev.CaseOpened(
            case_id=self.case_id,
            report_id=uuid.uuid4(),
            opened_at=at,
            reported_at=at,
            channel=channel,
            reporter_kind=reporter_kind,
            survivor=survivor,
            alleged_perpetrators=(
                AllegedPerpetrator(
                    person_id=uuid.uuid4(),
                    name="Sam Sample",
                    relationship_to_survivor=Relationship.INTIMATE_PARTNER,
                ),
            ),
            children=tuple(
                Child(
                    person_id=uuid.uuid4(),
                    name=f"Kit {n}",
                    lives_in_household=True,
                    affected_by_abuse=n == 0,
                )
                for n in range(children)
            ),
            immediate_danger=False,
            contact_due_at=at + contact_due,
            dash_due_at=at + dash_due,
            timescale_policy="west-kent-2024",
            restriction=restriction,
            emergency_repair=(
                EmergencyRepairDue(repair_id=uuid.uuid4(), due_at=at + timedelta(hours=24))
                if repair
                else None
            ),
        )
        return self.cases(event, at, CASES_ACTOR)

    def assigned(self, staff_id: str, at: datetime = MONDAY) -> Any:
        return self.cases(
            ev.CaseManagerAssigned(
                case_id=self.case_id, assigned_at=at, case_manager=CaseManager(staff_id=staff_id)
            ),
            at,
            CASES_ACTOR,
        )

    def contacted(self, opened: ev.CaseOpened, at: datetime) -> Any:
        due = opened.contact_due_at
        return self.cases(
            ev.SurvivorContacted(
                case_id=self.case_id,
                contact_id=uuid.uuid4(),
                contacted_at=at,
                method=ContactMethod.CALL,
                first_contact=True,
                due_at=due,
                late=at > due,
                notes="Spoke to Alex; safe to talk.",
                phone_number="07700 900111",
            ),
            at,
        )

    def contact_overdue(self, opened: ev.CaseOpened, at: datetime) -> Any:
        return self.cases(
            ev.ContactOverdue(case_id=self.case_id, due_at=opened.contact_due_at, detected_at=at),
            at,
            CASES_ACTOR,
        )

    def dash(
        self, yes: int, level: RiskLevel, at: datetime, *, previous: RiskLevel | None = None
    ) -> Any:
        answers = tuple(
            risk.DashAnswer(
                question=q,
                answer=risk.DashAnswerValue.YES if q <= yes else risk.DashAnswerValue.NO,
                comment="Said he has a knife." if q == 1 else None,
            )
            for q in range(1, QUESTIONS + 1)
        )
        completed = risk.DashCompleted(
            case_id=self.case_id,
            assessment_id=uuid.uuid4(),
            question_set_id="dash-ric-24",
            question_count=QUESTIONS,
            completed_at=at,
            answers=answers,
            score=yes,
            yes_count=yes,
            dont_know_count=0,
            scored_level=level,
            risk_level=level,
        )
        stream = f"risk-case-{self.case_id}"
        self._add("risk", stream, completed, CM, at)
        if previous != level:
            self._add(
                "risk",
                stream,
                risk.RiskLevelChanged(
                    case_id=self.case_id,
                    changed_at=at,
                    previous_level=previous,
                    new_level=level,
                    basis=risk.RiskChangeBasis.ASSESSMENT,
                    assessment_id=completed.assessment_id,
                ),
                CM,
                at,
            )
        return completed

    def dash_met(self, opened: ev.CaseOpened, assessment: risk.DashCompleted) -> Any:
        at = assessment.completed_at
        return self.cases(
            ev.DashDeadlineMet(
                case_id=self.case_id,
                met_at=at,
                due_at=opened.dash_due_at,
                late=at > opened.dash_due_at,
                outcome=DashOutcome.COMPLETED,
                assessment_id=assessment.assessment_id,
            ),
            at,
            CASES_ACTOR,
        )

    def repair_done(self, opened: ev.CaseOpened, at: datetime) -> Any:
        due = opened.emergency_repair
        assert due is not None
        return self.cases(
            ev.EmergencyRepairCompleted(
                case_id=self.case_id,
                repair_id=due.repair_id,
                completed_at=at,
                due_at=due.due_at,
                late=at > due.due_at,
                notes="Lock changed at the back door.",
            ),
            at,
        )

    def marac(self, at: datetime, *, repeat: bool = False) -> referrals.MaracReferred:
        criteria = (MaracCriterion.REPEAT,) if repeat else (MaracCriterion.VISIBLE_HIGH_RISK,)
        event = referrals.MaracReferred(
            case_id=self.case_id,
            referral_id=uuid.uuid4(),
            referred_at=at,
            marac_area="West Kent",
            criteria=criteria,
            survivor_informed=True,
            information_shared=(referrals.SharedInformation.RISK_ASSESSMENT,),
            risk_summary="Threats to kill; strangulation.",
        )
        return self._add("referrals", f"referrals-{self.case_id}", event, CM, at)

    def heard(self, referral: referrals.MaracReferred, on: date, actions: int) -> Any:
        event = referrals.MaracHeard(
            case_id=self.case_id,
            referral_id=referral.referral_id,
            heard_on=on,
            actions=tuple(
                referrals.MaracAction(
                    action_id=uuid.uuid4(),
                    description="Change the locks.",
                    owner_agency="Landlord",
                    landlord_action=True,
                    due_on=on + timedelta(days=14),
                )
                for _ in range(actions)
            ),
        )
        at = datetime.combine(on, datetime.min.time(), tzinfo=UTC)
        return self._add("referrals", f"referrals-{self.case_id}", event, CM, at)

    def referral(self, kind: ReferralType, at: datetime, consent_id: UUID) -> Any:
        event = referrals.ReferralMade(
            case_id=self.case_id,
            referral_id=uuid.uuid4(),
            referral_type=kind,
            made_at=at,
            agency_name="Victim Support Kent",
            sharing_basis=referrals.SharingBasis.CONSENT,
            consent_id=consent_id,
            information_shared=(referrals.SharedInformation.CONTACT_DETAILS,),
        )
        return self._add("referrals", f"referrals-{self.case_id}", event, CM, at)

    def referral_closed(self, made: referrals.ReferralMade, at: datetime) -> Any:
        event = referrals.ReferralClosed(
            case_id=self.case_id,
            referral_id=made.referral_id,
            referral_type=made.referral_type,
            closed_at=at,
            outcome=referrals.ReferralOutcome.SUPPORT_COMPLETED,
        )
        return self._add("referrals", f"referrals-{self.case_id}", event, CM, at)

    def consent(self, given: bool, at: datetime) -> referrals.ConsentRecorded:
        event = referrals.ConsentRecorded(
            case_id=self.case_id,
            consent_id=uuid.uuid4(),
            person_id=uuid.uuid4(),
            recorded_at=at,
            given=given,
            scope=(ReferralType.VICTIM_SUPPORT,),
            method=referrals.ConsentMethod.VERBAL,
            notes="Alex said yes on the phone." if given else "Alex does not want police told.",
        )
        return self._add("referrals", f"referrals-{self.case_id}", event, CM, at)

    def closed(self, at: datetime, reason: ClosureReason = ClosureReason.SURVIVOR_MOVED) -> Any:
        return self.cases(
            ev.CaseClosed(
                case_id=self.case_id,
                closed_at=at,
                reason=reason,
                approved_by="dalead-0001",
                survivor_feedback=SurvivorFeedback(
                    feels_safer=True,
                    rating=FeedbackRating.SATISFIED,
                    comments="Alex says the new locks help her sleep.",
                ),
            ),
            at,
            MANAGER,
        )

    def casework(self, at: datetime) -> None:
        """Safe contact recorded, wishes recorded, an action they led, a sanctuary
        installation and a manager's review, an hour apart from `at`."""
        hour = timedelta(hours=1)
        self.cases(
            ev.SafeContactUpdated(
                case_id=self.case_id,
                updated_at=at,
                safe_contact=SafeContact(
                    safe_to_call=True,
                    safe_to_text=False,
                    safe_to_email=False,
                    safe_to_write=False,
                    safe_to_visit=False,
                    safe_phone_numbers=("07700 900111",),
                    withheld_number_only=True,
                    never_leave_voicemail=True,
                    interpreter_needed=False,
                ),
                survivors_own=True,
            ),
            at,
        )
        wishes = ev.SurvivorWishesRecorded(
            case_id=self.case_id,
            wishes_id=uuid.uuid4(),
            recorded_at=at + hour,
            wanted_actions=(PerpetratorActionKind.TENANCY_WARNING,),
            in_own_words="I want him warned but not evicted.",
        )
        self.cases(wishes, at + hour)
        self.cases(
            ev.PerpetratorActionTaken(
                case_id=self.case_id,
                action_id=uuid.uuid4(),
                perpetrator_person_id=uuid.uuid4(),
                kind=PerpetratorActionKind.TENANCY_WARNING,
                taken_at=at + 2 * hour,
                survivor_wishes_id=wishes.wishes_id,
                survivor_agreed=True,
            ),
            at + 2 * hour,
        )
        request_id = uuid.uuid4()
        self.cases(
            ev.SecurityMeasureRequested(
                case_id=self.case_id,
                request_id=request_id,
                requested_at=at + 2 * hour,
                measures=(SecurityMeasure.LOCK_CHANGE,),
                sanctuary_scheme=True,
            ),
            at + 2 * hour,
        )
        self.cases(
            ev.SecurityMeasureInstalled(
                case_id=self.case_id,
                request_id=request_id,
                installed_at=at + 3 * hour,
                measures=(SecurityMeasure.LOCK_CHANGE,),
            ),
            at + 3 * hour,
        )
        self.cases(
            ev.CaseReviewed(
                case_id=self.case_id,
                review_id=uuid.uuid4(),
                reviewed_at=at + 4 * hour,
                outcome=ReviewOutcome.CONTINUE,
            ),
            at + 4 * hour,
            MANAGER,
        )

    def erased(self, at: datetime, closed_at: datetime) -> Any:
        return self.cases(
            ev.CaseErased(
                case_id=self.case_id,
                erased_at=at,
                basis=ErasureBasis.RETENTION_EXPIRED,
                reason=ErasureReason.RETENTION_PERIOD_ENDED,
                retention_policy="west-kent-2024",
                retention_years=6,
                closed_at=closed_at,
            ),
            at,
            CASES_ACTOR,
        )

    def reopened(self, at: datetime) -> Any:
        return self.cases(
            ev.CaseReopened(
                case_id=self.case_id, reopened_at=at, reason=ev.ReopenReason.NEW_INCIDENT
            ),
            at,
            MANAGER,
        )


def enquiry(at: datetime) -> Published:
    event = intake.EnquiryRaised(
        enquiry_id=uuid.uuid4(),
        raised_at=at,
        trigger=intake.EnquiryTrigger.ASB_REPORT,
        asb_category="shouting_and_arguing",
        indicators="Neighbours heard screaming at 2am.",
    )
    return Published("intake", f"enquiry-{event.enquiry_id}", event, INTAKE, at)


EQUALITY = EqualityMonitoring(
    sex=Sex.MALE,
    age_band=AgeBand.AGE_16_17,
    disability=MonitoringAnswer.YES,
    sexual_orientation=SexualOrientation.GAY_OR_LESBIAN,
    ethnicity=Ethnicity.ASIAN_OR_ASIAN_BRITISH,
)


def quarter() -> list[Any]:
    """Cases by several channels, contacts on time and late, DASH at several levels, MARAC
    referrals with a repeat and a hearing, referrals, consent given and refused, an ASB
    enquiry that became a case, closures and a reopening."""
    day = timedelta(days=1)
    published: list[Any] = []
    asb = enquiry(MONDAY - day)
    published.append(asb)
    for n, (channel, level, yes) in enumerate(
        [
            (Channel.PHONE, RiskLevel.HIGH, 15),
            (Channel.WEB_FORM, RiskLevel.STANDARD, 4),
            (Channel.EMAIL, RiskLevel.MEDIUM, 11),
            (Channel.PHONE, RiskLevel.HIGH, 17),
        ]
    ):
        story = CaseStory()
        at = MONDAY + n * 7 * day
        if n == 0:
            story.report(at, enquiry_id=asb.event.enquiry_id)
        opened = story.opened(at, channel=channel, equality=EQUALITY if n % 2 else None)
        story.assigned(f"cso-000{n % 2 + 1}", at)
        story.contacted(opened, at + (timedelta(hours=2) if n % 2 else 2 * day))
        assessment = story.dash(yes, level, at + day)
        story.dash_met(opened, assessment)
        consent = story.consent(n != 2, at + day)
        made = story.referral(ReferralType.VICTIM_SUPPORT, at + day, consent.consent_id)
        if level is RiskLevel.HIGH:
            referral = story.marac(at + day, repeat=n == 3)
            story.heard(referral, (at + 9 * day).date(), actions=1)
        if n < 2:
            story.referral_closed(made, at + 20 * day)
            story.closed(at + 30 * day)
        if n == 0:
            story.reopened(at + 40 * day)
        published.extend(story.events)
    return published


@pytest.fixture(scope="session")
def kit() -> SimpleNamespace:
    return SimpleNamespace(
        CaseStory=CaseStory,
        Published=Published,
        enquiry=enquiry,
        EQUALITY=EQUALITY,
        MONDAY=MONDAY,
        CM=CM,
        MANAGER=MANAGER,
        RiskLevel=RiskLevel,
        ReferralType=ReferralType,
        Channel=Channel,
        ReporterKind=ReporterKind,
        ClosureReason=ClosureReason,
        quarter=quarter,
    )
