"""The reporting API on real Kafka and PostgreSQL: figures from what the services
published, as JSON and CSV, suppressed for external sharing; roles; the case list hides
restricted cases from staff not named on them while the figures count them."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from hearth.contracts.envelope import Role
from hearth.eventstore.testing.service import RunningService
from hearth.reporting.domain import daha

pytestmark = pytest.mark.integration

MANAGER = ("dalead-0001", Role.MANAGER)


async def _publish_quarter(producers: Any, kit: SimpleNamespace) -> list[Any]:
    """Three cases in July 2026: one restricted to two named staff, contacts on time and late."""
    stories = []
    on_time = kit.CaseStory()
    opened = on_time.opened(kit.MONDAY, equality=kit.EQUALITY, children=2)
    on_time.contacted(opened, kit.MONDAY + timedelta(hours=3))
    stories.append(on_time)
    late = kit.CaseStory()
    opened = late.opened(kit.MONDAY + timedelta(days=1), channel=kit.Channel.WEB_FORM)
    late.contacted(opened, kit.MONDAY + timedelta(days=3))
    stories.append(late)
    hidden = kit.CaseStory()
    hidden.opened(
        kit.MONDAY + timedelta(days=2),
        staff_survivor="cso-0099",
        restricted_to=("dalead-0002", "auditor-0001"),
    )
    hidden.closed(kit.MONDAY + timedelta(days=9))
    stories.append(hidden)
    await producers.append([p for s in stories for p in s.events])
    return stories


async def _get(service: RunningService, path: str, who: tuple[str, Role] = MANAGER) -> Any:
    return await service.client.get(path, headers=service.auth(*who))


async def test_figures_as_json_and_csv_and_suppressed_for_sharing(
    reporting: RunningService,
    producers: Any,
    until_caught_up: Callable[..., Any],
    kit: SimpleNamespace,
) -> None:
    await _publish_quarter(producers, kit)
    await until_caught_up(reporting, producers)

    answer = await _get(reporting, "/figures/committee?period=2026-Q3")
    assert answer.status_code == 200, answer.text
    shown = answer.json()
    assert (shown["report"], shown["period"], shown["suppressed_below"]) == (
        "committee",
        "2026-Q3",
        None,
    )
    sections = shown["sections"]
    # The restricted case is counted like any other.
    assert sections["cases"]["new"] == {"count": 3}
    assert sections["cases"]["closed"] == {"count": 1}
    # On time; late; never (the restricted case closed a week after its target passed).
    contact = sections["timescales"]["first_contact_within_target"]
    assert contact == {"count": 1, "of": 3, "percent": 33.3}
    assert sections["reports"]["by_channel"]["counts"]["web_form"] == 1
    assert sections["equality"]["sex"]["counts"]["male"] == 1
    assert sections["children"]["children_in_households"] == {"count": 4}

    external = (await _get(reporting, "/figures/committee?period=2026-Q3&external=true")).json()
    assert external["suppressed_below"] == 5
    assert external["sections"]["cases"]["new"] == {"count": "<5"}
    assert external["sections"]["timescales"]["first_contact_within_target"]["percent"] == (
        "suppressed"
    )

    as_csv = await _get(reporting, "/figures/executive?period=2026-07&format=csv")
    assert as_csv.status_code == 200
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(as_csv.text)))
    assert rows[0][:4] == ["report", "executive", "period", "2026-07"]
    assert ["cases", "new", "", "count", "3"] in rows

    page = await _get(reporting, "/figures/committee?period=2026-Q3&format=html&external=true")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert "<svg" in page.text and "show as &lt;5" in page.text

    marac = (await _get(reporting, "/figures/marac?period=2026")).json()
    assert marac["sections"]["volume"]["cases_referred"] == {"count": 0}


@pytest.mark.parametrize("role", [Role.CASE_MANAGER, Role.INTAKE, Role.PARTNER])
async def test_figures_and_the_case_list_need_a_manager_auditor_or_admin(
    reporting: RunningService, role: Role
) -> None:
    for path in ("/figures/executive?period=2026-07", "/cases"):
        answer = await _get(reporting, path, ("someone-0001", role))
        assert answer.status_code == 403, path
    assert (await reporting.client.get("/cases")).status_code == 401


@pytest.mark.parametrize("period", ["2026-13", "2026-Q5", "1999-01", "26"])
async def test_a_period_that_names_none_is_a_422_naming_it(
    reporting: RunningService, period: str
) -> None:
    answer = await _get(reporting, f"/figures/executive?period={period}")
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "query.period"


async def test_the_case_list_hides_restricted_cases_from_staff_not_named(
    reporting: RunningService,
    producers: Any,
    until_caught_up: Callable[..., Any],
    kit: SimpleNamespace,
) -> None:
    stories = await _publish_quarter(producers, kit)
    await until_caught_up(reporting, producers)
    hidden = str(stories[2].case_id)

    seen = (await _get(reporting, "/cases")).json()
    assert hidden not in [c["case_id"] for c in seen["cases"]]
    assert seen["total"] == 2
    named = (await _get(reporting, "/cases", ("auditor-0001", Role.AUDITOR))).json()
    [row] = [c for c in named["cases"] if c["case_id"] == hidden]
    assert (row["restricted"], row["status"]) == (True, "closed")
    assert named["total"] == 3
    # The survivor works here: never their own case, even as a manager named nowhere.
    theirs = (await _get(reporting, "/cases", ("cso-0099", Role.MANAGER))).json()
    assert hidden not in [c["case_id"] for c in theirs["cases"]]
    page = (await _get(reporting, "/cases?limit=1&offset=1")).json()
    assert [c["case_id"] for c in page["cases"]] == [seen["cases"][1]["case_id"]]


async def test_an_erased_case_is_listed_to_nobody_and_still_counted(
    reporting: RunningService,
    producers: Any,
    until_caught_up: Callable[..., Any],
    kit: SimpleNamespace,
) -> None:
    story = kit.CaseStory()
    story.opened(kit.MONDAY, equality=kit.EQUALITY)
    closed_at = kit.MONDAY + timedelta(days=3)
    story.closed(closed_at)
    story.erased(kit.MONDAY + timedelta(days=4), closed_at)
    await producers.append(story.events)
    await until_caught_up(reporting, producers)

    for who in (MANAGER, ("auditor-0001", Role.AUDITOR), ("admin-0001", Role.ADMIN)):
        assert (await _get(reporting, "/cases", who)).json()["cases"] == []
    figures = (await _get(reporting, "/figures/committee?period=2026-07")).json()["sections"]
    assert figures["cases"]["new"] == {"count": 1}
    assert figures["equality"]["male"]["count"] == 1


async def test_deadlines_due_and_overdue_on_the_cases_the_caller_may_see(
    reporting: RunningService,
    producers: Any,
    until_caught_up: Callable[..., Any],
    kit: SimpleNamespace,
) -> None:
    seen = kit.CaseStory()
    opened = seen.opened(kit.MONDAY)
    seen.contact_overdue(opened, opened.contact_due_at + timedelta(minutes=1))
    hidden = kit.CaseStory()
    hidden.opened(kit.MONDAY, staff_survivor="cso-0099", restricted_to=("dalead-0002",))
    await producers.append([*seen.events, *hidden.events])
    await until_caught_up(reporting, producers)

    running = (await _get(reporting, "/deadlines")).json()
    assert {(d["case_id"], d["kind"]) for d in running["deadlines"]} == {
        (str(seen.case_id), "first_contact"),
        (str(seen.case_id), "dash"),
    }
    assert running["deadlines"][0]["kind"] == "first_contact"  # the soonest due first
    overdue = (await _get(reporting, "/deadlines?overdue=true")).json()
    assert [(d["case_id"], d["kind"]) for d in overdue["deadlines"]] == [
        (str(seen.case_id), "first_contact")
    ]
    named = (await _get(reporting, "/deadlines", ("dalead-0002", Role.MANAGER))).json()
    assert named["total"] == 4


async def test_a_daha_sample_is_reproducible_with_each_cases_evidence_and_no_restricted_case(
    reporting: RunningService,
    producers: Any,
    until_caught_up: Callable[..., Any],
    kit: SimpleNamespace,
) -> None:
    stories = []
    for n in range(4):
        story = kit.CaseStory()
        at = kit.MONDAY + timedelta(days=n)
        opened = story.opened(at)
        story.contacted(opened, at + timedelta(hours=1))
        story.casework(at + timedelta(hours=2))
        story.closed(at + timedelta(days=10))
        stories.append(story)
    hidden = kit.CaseStory()
    hidden.opened(kit.MONDAY, staff_survivor="cso-0099", restricted_to=("auditor-0001",))
    hidden.closed(kit.MONDAY + timedelta(days=3))
    await producers.append([p for s in [*stories, hidden] for p in s.events])
    await until_caught_up(reporting, producers)

    auditor = ("auditor-0001", Role.AUDITOR)
    path = "/daha/sample?period=2026-07&size=3&seed=7"
    first = (await _get(reporting, path, auditor)).json()
    assert (await _get(reporting, path, auditor)).json() == first
    assert first["closed_cases"] == 4  # the restricted case is never sampled
    sampled = [c["case_id"] for c in first["cases"]]
    assert len(sampled) == 3 and str(hidden.case_id) not in sampled
    assert set(sampled) <= {str(s.case_id) for s in stories}
    # Drawn in SQL in exactly the pure draw's order.
    assert sampled == [str(c) for c in daha.sample([s.case_id for s in stories], 3, seed=7)]
    other = (await _get(reporting, "/daha/sample?period=2026-07&size=4&seed=7", auditor)).json()
    assert [c["case_id"] for c in other["cases"]][:3] == sampled

    file = first["cases"][0]
    assert file["first_contact"][0]["within_target"] is True
    assert file["safe_contact"][0]["survivors_own"] is True
    [action] = file["perpetrator_actions"]
    assert (action["kind"], action["wishes_recorded_before"]) == ("tenancy_warning", True)
    assert file["manager_oversight"]["reviews"][0]["outcome"] == "continue"
    assert file["manager_oversight"]["closures_approved_by"] == ["dalead-0001"]
    assert file["closures"][0]["feels_safer"] is True
    assert "locks help" not in str(first)

    part4 = (await _get(reporting, "/figures/part4?period=2026-07")).json()["sections"]
    assert part4["supported"]["cases"] == {"count": 5}
    assert part4["sanctuary_scheme"]["installations"] == {"count": 4}
    regulator = await _get(reporting, "/figures/regulator?period=2026-Q3")
    assert regulator.status_code == 200
    assert "outcomes_by_type" in regulator.json()["sections"]


async def test_a_case_timeline_in_order_and_never_for_a_case_the_caller_may_not_see_here(
    reporting: RunningService,
    producers: Any,
    until_caught_up: Callable[..., Any],
    kit: SimpleNamespace,
) -> None:
    stories = await _publish_quarter(producers, kit)
    await until_caught_up(reporting, producers)
    late, hidden = str(stories[1].case_id), str(stories[2].case_id)

    answer = await _get(reporting, f"/cases/{late}/timeline")
    assert answer.status_code == 200, answer.text
    timeline = answer.json()
    events = timeline["events"]
    assert timeline["total"] == len(events) == len(stories[1].events)
    assert [e["at"] for e in events] == sorted(e["at"] for e in events)
    assert {"service", "event_type", "actor_role", "at"} == set(events[0])
    assert "CaseOpened" in [e["event_type"] for e in events]
    page = (await _get(reporting, f"/cases/{late}/timeline?limit=1&offset=1")).json()
    assert page["events"] == events[1:2] and page["total"] == timeline["total"]

    # Restricted: read in cases, where every read is recorded; even staff named on it get
    # the same 404 as for a case that does not exist.
    for who in (MANAGER, ("auditor-0001", Role.AUDITOR)):
        refused = await _get(reporting, f"/cases/{hidden}/timeline", who)
        assert refused.status_code == 404 and refused.json()["code"] == "case_not_found"
    unknown = await _get(reporting, "/cases/00000000-0000-4000-8000-000000000000/timeline")
    assert unknown.status_code == 404
    worker = await _get(reporting, f"/cases/{late}/timeline", ("intake-0007", Role.INTAKE))
    assert worker.status_code == 403
