"""Each service's events → the facts reporting keeps: plain categories, never a personal value."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from hearth.contracts.events import cases as ev
from hearth.contracts.events import parse_event, referrals, risk
from hearth.contracts.events.base import ENCRYPTED_PREFIX, DomainEvent, personal_paths
from hearth.contracts.events.case_values import RestrictedView
from hearth.contracts.events.common import AgeBand
from hearth.reporting.domain import changes as c
from hearth.reporting.domain.projection import EventMeta, changes, deadline_ref


def meta(published: Any) -> EventMeta:
    return EventMeta(
        uuid.uuid4(),
        published.service,
        published.event.event_name(),
        published.at,
        published.actor.role.value,
    )


def project(published: Any) -> list[c.Change]:
    return changes(published.event, meta(published))


def _encrypted(event: DomainEvent) -> DomainEvent:
    """The event as a reader without key access parses it: every personal value ciphertext."""
    data = event.model_dump(mode="json")

    def seal(node: Any, path: list[str]) -> Any:
        if not path:
            return f"{ENCRYPTED_PREFIX}k1:AAAA" if node is not None else None
        head, rest = path[0], path[1:]
        if isinstance(node, list):
            return [seal(item, path) for item in node]
        if isinstance(node, dict) and head in node and node[head] is not None:
            value = node[head]
            if not rest and isinstance(value, list):
                node[head] = [f"{ENCRYPTED_PREFIX}k1:AAAA" for _ in value]
            else:
                node[head] = seal(value, rest)
        return node

    for path in personal_paths(type(event)):
        data = seal(data, path.split("."))
    return parse_event(event.event_type(), data)


def test_a_case_opened_gives_its_facts_report_deadlines_and_timeline(kit: SimpleNamespace) -> None:
    story = kit.CaseStory()
    opened = story.opened(equality=kit.EQUALITY, children=2, repair=True)
    out = project(story.events[-1])

    [entry] = [x for x in out if isinstance(x, c.TimelineEntry)]
    assert (entry.service, entry.event_type, entry.actor_role) == ("cases", "CaseOpened", "system")
    [facts] = [x for x in out if isinstance(x, c.CaseFacts)]
    assert facts.channel == "phone" and facts.reporter_kind == "survivor"
    assert facts.survivor == c.SurvivorCategories(
        sex="male",
        age_band="16_17",
        disability="yes",
        sexual_orientation="gay_or_lesbian",
        ethnicity="asian_or_asian_british",
    )
    assert facts.children == c.ChildrenCount(in_household=2, affected=1)
    started = {x.kind: x for x in out if isinstance(x, c.DeadlineStarted)}
    assert started[c.DeadlineKind.FIRST_CONTACT].due_at == opened.contact_due_at
    assert started[c.DeadlineKind.DASH].ref == deadline_ref(opened.dash_due_at)
    assert opened.emergency_repair is not None
    assert started[c.DeadlineKind.EMERGENCY_REPAIR].ref == str(opened.emergency_repair.repair_id)
    assert [x.report_id for x in out if isinstance(x, c.ReportFacts)] == [opened.report_id]


def test_the_same_facts_come_from_ciphertext_as_from_plaintext(kit: SimpleNamespace) -> None:
    story = kit.CaseStory()
    opened = story.opened(equality=kit.EQUALITY, children=3, repair=True)
    story.contacted(opened, kit.MONDAY + timedelta(hours=2))
    story.dash(15, kit.RiskLevel.HIGH, kit.MONDAY + timedelta(hours=3))
    story.marac(kit.MONDAY + timedelta(hours=4))
    story.consent(False, kit.MONDAY + timedelta(hours=5))
    story.report(kit.MONDAY, enquiry_id=uuid.uuid4())
    sealed_events = 0
    for published in story.events:
        sealed = _encrypted(published.event)
        sealed_events += sealed != published.event
        fixed = meta(published)
        assert changes(sealed, fixed) == changes(published.event, fixed)
    assert sealed_events >= 6  # the report, the case, the contact, the DASH, MARAC, consent


def test_nothing_personal_reaches_the_facts(kit: SimpleNamespace) -> None:
    story = kit.CaseStory()
    opened = story.opened(equality=kit.EQUALITY)
    story.contacted(opened, kit.MONDAY + timedelta(hours=2))
    story.consent(False, kit.MONDAY)
    text = repr([project(p) for p in story.events])
    for planted in ("Alex Example", "07700 900111", "Sam Sample", "Kit 0", "Spoke to Alex", "1990"):
        assert planted not in text


def test_first_contact_on_a_case_opened_without_a_survivor_to_contact_starts_when_identified(
    kit: SimpleNamespace,
) -> None:
    story = kit.CaseStory()
    opened = story.opened()
    hidden = opened.model_copy(update={"survivor_to_identify": True})
    out = changes(hidden, meta(story.events[-1]))
    kinds = {x.kind for x in out if isinstance(x, c.DeadlineStarted)}
    assert kinds == {c.DeadlineKind.DASH}


def test_meeting_and_missing_deadlines_name_the_deadline_by_its_due_time(
    kit: SimpleNamespace,
) -> None:
    story = kit.CaseStory()
    opened = story.opened()
    late = kit.MONDAY + timedelta(days=2)
    story.contact_overdue(opened, kit.MONDAY + timedelta(days=1, minutes=1))
    story.contacted(opened, late)
    overdue, met = project(story.events[-2])[-1], project(story.events[-1])[-1]
    assert overdue == c.DeadlineOverdue(
        story.case_id,
        c.DeadlineKind.FIRST_CONTACT,
        deadline_ref(opened.contact_due_at),
        kit.MONDAY + timedelta(days=1, minutes=1),
    )
    assert met == c.DeadlineMet(
        story.case_id, c.DeadlineKind.FIRST_CONTACT, deadline_ref(opened.contact_due_at), late
    )


def test_a_repeat_marac_referral_is_flagged_and_counted_as_a_referral(kit: SimpleNamespace) -> None:
    story = kit.CaseStory()
    referred = story.marac(kit.MONDAY, repeat=True)
    out = project(story.events[-1])
    [marac] = [x for x in out if isinstance(x, c.MaracReferralFacts)]
    assert (marac.referral_id, marac.repeat, marac.by_housing) == (referred.referral_id, True, True)
    [referral] = [x for x in out if isinstance(x, c.ReferralFacts)]
    assert (referral.referral_type, referral.made_at) == ("marac", kit.MONDAY)


def test_a_report_out_of_an_enquiry_says_the_enquiry_became_a_case(kit: SimpleNamespace) -> None:
    raised = kit.enquiry(kit.MONDAY)
    [facts] = project(raised)
    assert facts == c.EnquiryFacts(raised.event.enquiry_id, kit.MONDAY, "asb_report")
    story = kit.CaseStory()
    story.report(kit.MONDAY, enquiry_id=raised.event.enquiry_id)
    out = project(story.events[-1])
    assert c.EnquiryBecameCase(raised.event.enquiry_id, story.case_id, kit.MONDAY) in out


def test_closing_stops_running_deadlines_and_records_the_reason(kit: SimpleNamespace) -> None:
    story = kit.CaseStory()
    story.closed(kit.MONDAY, kit.ClosureReason.SURVIVOR_WITHDREW)
    out = project(story.events[-1])
    assert (
        c.CaseClosedFacts(
            story.case_id,
            kit.MONDAY,
            "survivor_withdrew",
            approved_by="dalead-0001",
            feels_safer=True,
            rating="satisfied",
        )
        in out
    )
    assert "new locks" not in repr(out)  # the survivor's own words stay out
    assert c.DeadlinesCancelled(story.case_id, kit.MONDAY) in out


def test_the_alleged_perpetrators_age_bands_are_kept_and_replaced_by_a_people_update(
    kit: SimpleNamespace,
) -> None:
    story = kit.CaseStory()
    story.opened()
    published = story.events[-1]
    opened = published.event
    [perpetrator] = opened.alleged_perpetrators
    young = perpetrator.model_copy(update={"age_band": AgeBand.AGE_16_17})
    unbanded = perpetrator.model_copy(update={"person_id": uuid.uuid4()})
    with_bands = opened.model_copy(update={"alleged_perpetrators": (young, unbanded)})
    [facts] = [x for x in changes(with_bands, meta(published)) if isinstance(x, c.CaseFacts)]
    assert facts.perpetrator_age_bands == ("16_17", None)
    # Sealed as a reader without keys sees it: the band is plain, so it is the same.
    [sealed] = [
        x for x in changes(_encrypted(with_bands), meta(published)) if isinstance(x, c.CaseFacts)
    ]
    assert sealed.perpetrator_age_bands == ("16_17", None)

    update = ev.PeopleUpdated(
        case_id=opened.case_id,
        updated_at=opened.opened_at,
        alleged_perpetrators=(young.model_copy(update={"age_band": AgeBand.AGE_18_24}),),
    )
    [updated] = [x for x in changes(update, meta(published)) if isinstance(x, c.CaseFacts)]
    assert updated.perpetrator_age_bands == ("18_24",)
    children_only = ev.PeopleUpdated(
        case_id=opened.case_id, updated_at=opened.opened_at, children=opened.children
    )
    [kept] = [x for x in changes(children_only, meta(published)) if isinstance(x, c.CaseFacts)]
    assert kept.perpetrator_age_bands is None  # not given: the earlier bands stand


def test_a_staff_read_is_no_line_on_the_timeline_and_changes_no_fact() -> None:
    case_id = uuid.uuid4()
    at = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)
    reads: list[DomainEvent] = [
        ev.CaseRecordRead(
            case_id=case_id, read_at=at, staff_id="cso-1", view=RestrictedView.TIMELINE
        ),
        risk.RiskRecordRead(
            case_id=case_id, read_at=at, staff_id="cso-1", view=risk.RiskRecordView.RISK_RECORD
        ),
        referrals.ReferralRecordRead(
            case_id=case_id, read_at=at, staff_id="cso-1", view=RestrictedView.SUMMARY
        ),
    ]
    for read in reads:
        described = EventMeta(uuid.uuid4(), read.service, read.event_name(), at, "case_manager")
        assert changes(read, described) == []
    restricted = ev.RestrictedCaseRead(
        case_id=case_id,
        read_at=at,
        staff_id="cso-1",
        view=RestrictedView.TIMELINE,
        access_granted=True,
    )
    described = EventMeta(uuid.uuid4(), "cases", "RestrictedCaseRead", at, "case_manager")
    assert [type(x) for x in changes(restricted, described)] == [c.TimelineEntry]
