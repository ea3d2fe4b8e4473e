"""What the risk API answers with: instruments, a case's risk record, one assessment."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from hearth.contracts.envelope import Envelope
from hearth.risk.domain.instruments import Catalogue, Instrument
from hearth.risk.domain.state import Assessment, Decline, Elsewhere, RiskState


def command_answer(case_id: UUID, version: int, appended: list[Envelope]) -> dict[str, Any]:
    """Ids and versions of what a command wrote."""
    return {
        "case_id": str(case_id),
        "version": version,
        "events": [
            {"event_id": str(e.event_id), "type": e.type, "stream_version": e.stream_version}
            for e in appended
        ],
    }


def instrument_summary(instrument: Instrument, catalogue: Catalogue) -> dict[str, Any]:
    return {
        "id": instrument.id,
        "version": instrument.version,
        "title": instrument.title,
        "applies_to": instrument.applies_to,
        "question_count": instrument.question_count,
        "default": instrument.id == catalogue.default_id,
    }


def instrument_view(instrument: Instrument, catalogue: Catalogue) -> dict[str, Any]:
    """An instrument in full, for the staff form: its questions, options and bands."""
    return {
        **instrument_summary(instrument, catalogue),
        "source": instrument.source,
        "answer_options": [o.value for o in instrument.answer_options],
        "scoring": instrument.scoring,
        "bands": {level.value: low for level, low in instrument.bands.items()},
        "visible_high_risk_at": instrument.visible_high_risk_at,
        "reassessment_interval_days": instrument.reassessment_interval_days,
        "questions": [{"number": q.number, "text": q.text} for q in instrument.questions],
    }


def assessment_summary(kept: Assessment) -> dict[str, Any]:
    e = kept.event
    return {
        "assessment_id": str(e.assessment_id),
        "instrument_id": e.question_set_id,
        "instrument_version": e.question_set_version,
        "completed_at": e.completed_at.isoformat(),
        "question_count": e.question_count,
        "answered": len(e.answers),
        "score": e.score,
        "yes_count": e.yes_count,
        "dont_know_count": e.dont_know_count,
        "scored_level": e.scored_level.value,
        "risk_level": e.risk_level.value,
        "professional_judgement": (
            e.professional_judgement.model_dump(mode="json") if e.professional_judgement else None
        ),
        "marac_criteria_met": [c.value for c in e.marac_criteria_met],
        "visible_high_risk_at": e.visible_high_risk_at,
        "reassessment_due_at": e.reassessment_due_at.isoformat() if e.reassessment_due_at else None,
        "recorded_by": kept.recorded_by.model_dump(mode="json"),
        "recorded_at": kept.recorded_at.isoformat(),
    }


def assessment_view(kept: Assessment, catalogue: Catalogue) -> dict[str, Any]:
    """One assessment with every answer and each question's wording: as recorded with the
    answer, or, for answers recorded before the wording was, from the instrument while
    the same id and version is still offered."""
    e = kept.event
    instrument = catalogue.instruments.get(e.question_set_id)
    same = instrument is not None and instrument.version == e.question_set_version
    answers = []
    for answer in e.answers:
        question = instrument.question(answer.question) if same and instrument else None
        text = answer.wording or (question.text if question else None)
        answers.append({**answer.model_dump(mode="json", exclude={"wording"}), "text": text})
    return {**assessment_summary(kept), "answers": answers}


def _decline(kept: Decline) -> dict[str, Any]:
    data = kept.event.model_dump(mode="json", exclude={"case_id"})
    return {**data, "recorded_by": kept.recorded_by.model_dump(mode="json")}


def _elsewhere(kept: Elsewhere) -> dict[str, Any]:
    data = kept.event.model_dump(mode="json", exclude={"case_id"})
    return {**data, "recorded_by": kept.recorded_by.model_dump(mode="json")}


def record_view(case_id: UUID, state: RiskState, case_open: bool) -> dict[str, Any]:
    """A case's risk record: the current level, every assessment (newest first), every
    decline and every other agency's assessment."""
    newest = sorted(
        state.assessments, key=lambda a: (a.event.completed_at, a.recorded_at), reverse=True
    )
    latest = newest[0].event if newest else None
    return {
        "case_id": str(case_id),
        "version": state.version,
        "case_status": "open" if case_open else "closed",
        "risk_level": state.level.value if state.level else None,
        "risk_level_as_of": state.level_as_of.isoformat() if state.level_as_of else None,
        "reassessment_due_at": (
            latest.reassessment_due_at.isoformat()
            if latest and latest.reassessment_due_at
            else None
        ),
        "assessments": [assessment_summary(a) for a in newest],
        "declines": [_decline(d) for d in reversed(state.declines)],
        "assessed_elsewhere": [_elsewhere(e) for e in reversed(state.elsewhere)],
    }
