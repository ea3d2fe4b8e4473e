"""Subject access: what intake holds about one person on a case (the reports put on it),
and nothing about anyone else.

`subject_access(case_id, history, person_id, erased_at=None)` reads the reports intake
put on the case and returns JSON-ready data for the person. Pure: the events in, the
answer out.

Who asks, and what they get (where a rule could be read two ways, the reading that
protects the survivor, and anyone who reported the abuse):

- **The survivor** (`survivor.person_id`) gets each report about them: their own details
  as reported, when, the tenancy, the kinds of abuse, danger, consent to contact, the
  safe-contact arrangements and their preferences. **Never who reported it** when it was
  not them: no reporter kind, name or contact, no channel, no partner reference, no
  enquiry (each can say who told the landlord); safe-contact arrangements from a
  third party are held for review (the numbers may be the reporter's). Never the alleged
  perpetrators' or children's details (theirs), nor how the report was linked.
- **A reporter** is not a person on the case and has no person id: they are identified
  by their report's id (`person_id` = the `report_id`, found by the operator once their
  identity is checked). They get what is theirs in what they submitted: their own
  details as reporter, when and how they reported. The people they told us about are
  other people's personal data: each is listed under `held_for_review`, not printed.
- **An alleged perpetrator or a child** gets only that a report names them, and when:
  their details as reported are held for review (a report gives where the survivor lives
  as easily as where they do; cases answers their details with the survivor's values
  held back).
- **Free text** (the account, notes) is never printed: it is listed under
  `held_for_review` for a reviewer to redact and release by hand.
- An erased case answers only that it was erased, and when.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final
from uuid import UUID

from hearth.contracts.events.common import ReporterKind
from hearth.contracts.events.intake import ReportReceived
from hearth.eventstore.decider import Recorded
from hearth.eventstore.errors import NotFound
from hearth.eventstore.subject_access import (
    ALLEGED_PERPETRATOR,
    CHILD,
    REPORTER,
    SURVIVOR,
    PersonNotOnCase,
    erased_answer,
    json_value,
    pick,
)

NOTE: Final = (
    "What the intake service holds about this person on this case: the reports put on it. "
    "Other people's personal data is not included. Free text (accounts, notes) is listed "
    "under held_for_review, not printed: a reviewer redacts it before it is released."
)

_FOR_THE_SURVIVOR: Final = (
    "report_id",
    "received_at",
    "tenancy_reference",
    "abuse_types",
    "immediate_danger",
    "advised_to_call_999",
    "consent_to_contact",
    "preferred_case_manager_gender",
    "home_damaged_safety_at_risk",
)
_FOR_THE_REPORTER: Final = ("report_id", "received_at", "channel")
_PEOPLE_THEY_NAMED: Final = ("survivor", "alleged_perpetrators", "children", "safe_contact")


def subject_access(
    case_id: UUID,
    history: Sequence[Recorded],
    person_id: UUID,
    *,
    erased_at: datetime | None = None,
) -> dict[str, Any]:
    """What intake holds about `person_id` on the case, and nothing of anyone else's."""
    if erased_at is not None:
        return erased_answer(case_id, person_id, erased_at)
    reports = [
        r for r in history if isinstance(r.event, ReportReceived) and r.event.case_id == case_id
    ]
    if not reports:
        raise NotFound("no such case", code="case_not_found")
    role = _role_of(reports, person_id)
    if role is None:
        raise PersonNotOnCase()
    events: list[dict[str, Any]] = []
    held_back: list[dict[str, Any]] = []
    for one in reports:
        report = one.event
        assert isinstance(report, ReportReceived)
        if role == SURVIVOR and report.survivor.person_id == person_id:
            events.append(_for_survivor(one, report, held_back))
        elif role == REPORTER and report.report_id == person_id:
            events.append(_for_reporter(one, report, held_back))
        elif role in (ALLEGED_PERPETRATOR, CHILD) and _names(report, person_id):
            events.append(_when(one) | {"report_id": str(report.report_id)})
            held_back.append(_held(one, f"{_list_of(role)}[{person_id}]"))
    return {
        "case_id": str(case_id),
        "person_id": str(person_id),
        "role": role,
        "erased": False,
        "note": NOTE,
        "events": events,
        "held_for_review": held_back,
    }


def _role_of(reports: Sequence[Recorded], person_id: UUID) -> str | None:
    for one in reports:
        report = one.event
        assert isinstance(report, ReportReceived)
        if report.survivor.person_id == person_id:
            return SURVIVOR
        if report.report_id == person_id:
            return REPORTER
        if any(p.person_id == person_id for p in report.alleged_perpetrators):
            return ALLEGED_PERPETRATOR
        if any(c.person_id == person_id for c in report.children):
            return CHILD
    return None


def _names(report: ReportReceived, person_id: UUID) -> bool:
    ids = [p.person_id for p in report.alleged_perpetrators]
    ids += [c.person_id for c in report.children]
    return person_id in ids


def _list_of(role: str) -> str:
    return "alleged_perpetrators" if role == ALLEGED_PERPETRATOR else "children"


def _for_survivor(
    one: Recorded, report: ReportReceived, held_back: list[dict[str, Any]]
) -> dict[str, Any]:
    own = report.reporter.kind is ReporterKind.SURVIVOR
    details = json_value(report.survivor)
    details.pop("person_id", None)
    answer = _when(one) | pick(report, _FOR_THE_SURVIVOR) | {"details": details}
    if own:
        # They reported it themselves: how they did is theirs (their contact as reporter too).
        answer |= {"channel": report.channel.value, "reporter": json_value(report.reporter)}
    if report.safe_contact is not None:
        if own:
            contact = json_value(report.safe_contact)
            contact.pop("safe_people_to_speak_to", None)  # other people's names: left out
            if contact.pop("notes", None):
                held_back.append(_held(one, "safe_contact.notes"))
            answer["safe_contact"] = contact
        else:
            held_back.append(_held(one, "safe_contact"))
    if report.account is not None:
        held_back.append(_held(one, "account"))
    return answer


def _for_reporter(
    one: Recorded, report: ReportReceived, held_back: list[dict[str, Any]]
) -> dict[str, Any]:
    answer = _when(one) | pick(report, _FOR_THE_REPORTER)
    answer["reporter"] = json_value(report.reporter)
    for name in _PEOPLE_THEY_NAMED:
        if getattr(report, name) not in (None, ()):
            held_back.append(_held(one, name))
    if report.account is not None:
        held_back.append(_held(one, "account"))
    return answer


def _when(one: Recorded) -> dict[str, Any]:
    return {"recorded_at": one.recorded_at.isoformat(), "event": type(one.event).__name__}


def _held(one: Recorded, field: str) -> dict[str, Any]:
    return _when(one) | {"field": field}
