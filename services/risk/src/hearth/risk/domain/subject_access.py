"""Subject access: what the risk service holds about one person on a case, and nothing
about anyone else.

`subject_access(access, history, person_id, erased_at=None)` reads what risk knows of the
case (who the survivor is) and the case's risk record, and returns JSON-ready data for
the person. Pure: the facts in, the answer out.

What decides it (where a rule could be read two ways, the reading that protects the
survivor):

- **The survivor** gets the DASH assessments about their case: each answer (question,
  answer, wording), the score and counts, the levels (scored, professional judgement's,
  final), the MARAC criteria met and the dates; assessments declined, completed by
  another agency, and level changes. **Free text** (answer comments, the judgement's
  reason, notes) is never printed: each is listed under `held_for_review`. Where an
  answer came from (`source`: the police, family or a friend...) can point at a third
  party: held for review, not printed. Staff reads of a restricted record are not about
  them and are left out.
- **Anyone else** (an alleged perpetrator, a child; risk does not know who the children
  are) gets nothing of the assessments: the DASH is the survivor's account, and every
  answer, level and date in it says what she told us about him. Their answer is only a
  statement that risk holds assessments in which they may be mentioned, each listed
  under `held_for_review` for a reviewer to decide what, if anything, is theirs.
- An erased case answers only that it was erased, and when.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final
from uuid import UUID

from hearth.contracts.events import risk as ev
from hearth.eventstore.case_access import CaseAccess
from hearth.eventstore.decider import Recorded
from hearth.eventstore.errors import NotFound
from hearth.eventstore.subject_access import (
    SURVIVOR,
    entry,
    erased_answer,
    held,
    json_value,
)

NOTE: Final = (
    "What the risk service holds about this person on this case. Other people's personal "
    "data is not included. Free text (comments, reasons, notes) is listed under "
    "held_for_review, not printed: a reviewer redacts it before it is released."
)

MAY_BE_MENTIONED: Final = (
    "The risk service holds risk assessments on this case, made with the survivor, in "
    "which this person may be mentioned. They are the survivor's account and are not "
    "released here: each is listed under held_for_review for a reviewer to decide what, "
    "if anything, is this person's own data."
)

SOMEONE_ELSE: Final = "other"
"""Anyone but the survivor: an alleged perpetrator, a child (risk does not hold who)."""

_DASH: Final = (
    "assessment_id",
    "question_set_id",
    "question_set_version",
    "question_count",
    "completed_at",
    "score",
    "yes_count",
    "dont_know_count",
    "scored_level",
    "risk_level",
    "marac_criteria_met",
    "reassessment_due_at",
)
_ELSEWHERE: Final = (
    "recorded_at",
    "completed_on",
    "agency",
    "agency_name",
    "question_set_id",
    "score",
    "risk_level",
    "referred_to_marac",
)
_LEVEL_CHANGED: Final = ("changed_at", "previous_level", "new_level", "basis", "assessment_id")
_ASSESSMENTS: Final = (ev.DashCompleted, ev.DashDeclined, ev.DashCompletedElsewhere)


def subject_access(
    access: CaseAccess | None,
    history: Sequence[Recorded],
    person_id: UUID,
    *,
    erased_at: datetime | None = None,
) -> dict[str, Any]:
    """What risk holds about `person_id` on the case, and nothing of anyone else's."""
    if access is None or not access.opened or access.case_id is None:
        raise NotFound("no such case", code="case_not_found")
    case_id = access.case_id
    if access.erased:
        if erased_at is not None:
            return erased_answer(case_id, person_id, erased_at)
        return {"case_id": str(case_id), "person_id": str(person_id), "erased": True}
    survivor = access.people[0].person_id if access.people else None
    role = SURVIVOR if person_id == survivor else SOMEONE_ELSE
    events: list[dict[str, Any]] = []
    held_back: list[dict[str, Any]] = []
    if role == SURVIVOR:
        for one in history:
            _for_survivor(one, events, held_back)
        note = NOTE
    else:
        for one in history:
            if isinstance(one.event, _ASSESSMENTS):
                held_back.extend(held(one, _assessment_field(one.event)))
        note = MAY_BE_MENTIONED
    return {
        "case_id": str(case_id),
        "person_id": str(person_id),
        "role": role,
        "erased": False,
        "note": note,
        "events": events,
        "held_for_review": held_back,
    }


def _assessment_field(event: ev.RiskEvent) -> tuple[str, ...]:
    """The field a non-survivor's review starts from, for each kind of assessment."""
    if isinstance(event, ev.DashCompleted):
        return ("answers",)
    if isinstance(event, ev.DashDeclined):
        return ("declined_at",)
    return ("completed_on",)


def _for_survivor(
    one: Recorded, events: list[dict[str, Any]], held_back: list[dict[str, Any]]
) -> None:
    event = one.event
    match event:
        case ev.DashCompleted():
            shown = entry(one, _DASH)
            shown["answers"] = [
                json_value(a.model_copy(update={"comment": None, "source": None}))
                for a in event.answers
            ]
            judgement = event.professional_judgement
            if judgement is not None:
                shown["professional_judgement"] = {"raised_to": judgement.raised_to.value}
                held_back.append(_held_at(one, "professional_judgement.reason"))
            for answer in event.answers:
                if answer.comment is not None:
                    held_back.append(_held_at(one, f"answers[question={answer.question}].comment"))
                if answer.source is not None:
                    held_back.append(_held_at(one, f"answers[question={answer.question}].source"))
            events.append(shown)
        case ev.DashDeclined():
            events.append(entry(one, ("declined_at",)))
            held_back.extend(held(one, ("notes", "reason")))
        case ev.DashCompletedElsewhere():
            events.append(entry(one, _ELSEWHERE))
        case ev.RiskLevelChanged():
            events.append(entry(one, _LEVEL_CHANGED))
            held_back.extend(held(one, ("reason",)))


def _held_at(one: Recorded, field: str) -> dict[str, Any]:
    """A nested free-text value held for review (`held` names top-level fields)."""
    return {
        "recorded_at": one.recorded_at.isoformat(),
        "event": type(one.event).__name__,
        "field": field,
    }
