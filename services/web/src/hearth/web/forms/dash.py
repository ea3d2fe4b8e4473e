"""The DASH checklist (or any risk instrument) as a form, question by question.

Pure. The questions, their wording, their number and the answer options are the risk
service's (`GET /instruments/{id}`): nothing here knows how many questions a checklist
has or which answer counts. An instrument may group its questions in sections (a
`section` on each question); one without sections is shown as one group.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from hearth.contracts.events.common import RiskLevel
from hearth.contracts.events.risk import AnswerSource
from hearth.web.forms.catalogue import DASH
from hearth.web.forms.fields import Field, Form, Kind, Section, choices, words

Instrument = Mapping[str, Any]
"""An instrument as the risk service answers `GET /instruments/{id}`."""


@dataclass(frozen=True)
class Question:
    """One question on the page: its number, the instrument's wording, its fields."""

    number: int
    text: str
    answer: Field
    source: Field
    comment: Field


def answer_name(number: int) -> str:
    return f"q{number}"


def questions(instrument: Instrument) -> list[Question]:
    """The instrument's questions in its order, each with its answer fields. The answers
    go to the API as `answers[i]`, in this order, each naming its question."""
    options = choices(instrument["answer_options"])
    out = []
    for index, q in enumerate(instrument["questions"]):
        number = int(q["number"])
        name = answer_name(number)
        text = str(q["text"])
        out.append(
            Question(
                number,
                text,
                Field(
                    name,
                    f"{number}. {text}",
                    Kind.RADIO,
                    required=True,
                    choices=options,
                    path=f"answers.{index}.answer",
                ),
                Field(
                    f"{name}_source",
                    "Where the answer came from, if not the survivor",
                    Kind.SELECT,
                    choices=choices(AnswerSource),
                    path=f"answers.{index}.source",
                ),
                Field(
                    f"{name}_comment",
                    "Comment",
                    Kind.TEXTAREA,
                    path=f"answers.{index}.comment",
                ),
            )
        )
    return out


def _number_field(index: int, number: int) -> Field:
    return Field(
        f"q{number}_number", "Question", Kind.HIDDEN, path=f"answers.{index}.question", value=number
    )


def sections_of(instrument: Instrument) -> list[tuple[str, list[Question]]]:
    """The questions grouped by the instrument's sections, in order of first appearance."""
    grouped: dict[str, list[Question]] = {}
    by_number = {int(q["number"]): str(q.get("section") or "") for q in instrument["questions"]}
    for question in questions(instrument):
        grouped.setdefault(by_number[question.number], []).append(question)
    return list(grouped.items())


def dash_form(instrument: Instrument, base: Form = DASH) -> Form:
    """The DASH form for this instrument: every question, when it was done, and the
    practitioner's judgement (which can only raise the level, with a reason)."""
    checklist: list[Field] = []
    for index, question in enumerate(questions(instrument)):
        checklist += [
            _number_field(index, question.number),
            question.answer,
            question.source,
            question.comment,
        ]
    return replace(
        base,
        title=base.title,
        sections=(
            Section(
                "",
                (
                    Field("instrument_id", "Checklist", Kind.HIDDEN, value=str(instrument["id"])),
                    Field(
                        "completed_at",
                        "When the checklist was completed",
                        Kind.DATETIME,
                        required=True,
                        hint="UK time.",
                    ),
                ),
            ),
            Section(str(instrument.get("title") or "Questions"), tuple(checklist), id="questions"),
            Section(
                "Professional judgement",
                (
                    Field(
                        "professional_judgement.raised_to",
                        "Raise the risk level to",
                        Kind.SELECT,
                        choices=choices(RiskLevel),
                        hint="Only to raise the level above the score, never to lower it.",
                    ),
                    Field(
                        "professional_judgement.reason",
                        "Why",
                        Kind.TEXTAREA,
                        hint="Required when you raise the level.",
                    ),
                ),
                id="judgement",
            ),
        ),
    )


def band_words(instrument: Instrument) -> list[str]:
    """The instrument's bands in plain words, lowest first ("High: 14 or more")."""
    bands = sorted(instrument.get("bands", {}).items(), key=lambda kv: kv[1])
    out = []
    for i, (level, low) in enumerate(bands):
        high = bands[i + 1][1] - 1 if i + 1 < len(bands) else None
        out.append(
            f"{words(level)}: {low} to {high}"
            if high is not None
            else f"{words(level)}: {low} or more"
        )
    return out
