"""Instrument validation: every answer checked against the instrument, and instrument
files checked when they are loaded."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from hearth.contracts.events.risk import DashAnswerValue
from hearth.eventstore.errors import InvalidCommand
from hearth.risk.domain.commands import GivenAnswer
from hearth.risk.domain.instruments import Instrument
from hearth.risk.settings import (
    SHIPPED_INSTRUMENTS_DIR,
    ConfigurationError,
    RiskSettings,
    load_config,
    load_instrument,
)


def _refused(scenario: Any, kit: SimpleNamespace, command: Any) -> InvalidCommand:
    refusal = scenario.then_refused(command, kit.now, InvalidCommand)
    assert isinstance(refusal, InvalidCommand)
    return refusal


def test_given_a_question_left_out_then_refused_naming_it(
    scenario: Any, kit: SimpleNamespace, dash: Instrument
) -> None:
    answers = tuple(a for a in kit.answers_with(dash, 3) if a.question != 7)
    refusal = _refused(scenario, kit, kit.assessment(dash, 3, answers=answers))
    assert refusal.field == "answers"
    assert refusal.code == "unanswered_question"
    assert "question 7 " in str(refusal)


def test_given_several_questions_left_out_then_each_is_named(
    scenario: Any, kit: SimpleNamespace, dash: Instrument
) -> None:
    answers = kit.answers_with(dash, 3)[:-2]
    refusal = _refused(scenario, kit, kit.assessment(dash, 3, answers=answers))
    last = dash.question_count
    assert f"questions {last - 1}, {last} " in str(refusal)


def test_given_an_answer_to_a_question_the_instrument_does_not_have_then_refused(
    scenario: Any, kit: SimpleNamespace, dash: Instrument
) -> None:
    extra = GivenAnswer(dash.question_count + 1, DashAnswerValue.YES)
    answers = (*kit.answers_with(dash, 3), extra)
    refusal = _refused(scenario, kit, kit.assessment(dash, 3, answers=answers))
    assert refusal.field == f"answers.{dash.question_count}.question"
    assert refusal.code == "unknown_question"
    assert f"question {dash.question_count + 1} " in str(refusal)


def test_given_a_question_answered_twice_then_refused(
    scenario: Any, kit: SimpleNamespace, dash: Instrument
) -> None:
    answers = (*kit.answers_with(dash, 3), GivenAnswer(5, DashAnswerValue.NO))
    refusal = _refused(scenario, kit, kit.assessment(dash, 3, answers=answers))
    assert refusal.field == f"answers.{dash.question_count}.question"
    assert refusal.code == "answered_twice"


def test_given_an_answer_the_instrument_does_not_offer_then_refused_naming_the_question(
    scenario: Any, kit: SimpleNamespace, rules: Any, dash: Instrument
) -> None:
    # An instrument answered only yes or no (as some are): "don't know" is not an answer.
    yes_no = dash.model_copy(
        update={
            "id": "yes-no",
            "answer_options": (DashAnswerValue.YES, DashAnswerValue.NO),
        }
    )
    offered = {**rules.catalogue.instruments, "yes-no": yes_no}
    catalogue = replace(rules.catalogue, instruments=offered)
    from hearth.risk.domain.decider import risk_decider

    scenario.decider = risk_decider(replace(rules, catalogue=catalogue))
    command = kit.assessment(dash, 3, dont_know=1, instrument_id="yes-no")
    refusal = _refused(scenario, kit, command)
    assert refusal.field == "answers.3.answer"
    assert refusal.code == "invalid_answer"
    assert "question 4:" in str(refusal)


def test_given_an_unknown_instrument_then_refused(
    scenario: Any, kit: SimpleNamespace, dash: Instrument
) -> None:
    refusal = _refused(scenario, kit, kit.assessment(dash, 3, instrument_id="no-such-set"))
    assert refusal.field == "instrument_id"
    assert refusal.code == "unknown_instrument"


# --- instrument files -------------------------------------------------------------------


def _shipped() -> dict[str, Any]:
    with (SHIPPED_INSTRUMENTS_DIR / "dash-ric-24.toml").open("rb") as file:
        return tomllib.load(file)


def _write(tmp_path: Path, data: dict[str, Any], name: str = "mine.toml") -> Path:
    lines = [f"{k} = {_toml(v)}" for k, v in data.items() if k not in ("bands", "questions")]
    lines += ["[bands]", *(f"{k} = {v}" for k, v in data["bands"].items())]
    for q in data["questions"]:
        lines += ["[[questions]]", f"number = {q['number']}", f"text = {_toml(q['text'])}"]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


def _toml(value: Any) -> str:
    if isinstance(value, str):
        return '"' + value.replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return str(value)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"bands": {"standard": 0, "medium": 14, "high": 10}}, "rise"),
        ({"bands": {"standard": 1, "medium": 10, "high": 14}}, "starts at a score of 0"),
        ({"bands": {"standard": 0, "medium": 10}}, "every level"),
        ({"bands": {"standard": 0, "medium": 10, "high": 99}}, "beyond"),
        ({"visible_high_risk_at": 99}, "beyond"),
        ({"answer_options": ["no", "dont_know"]}, "include yes"),
        ({"questions": [{"number": 2, "text": "Out of order"}]}, "numbered"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_an_instrument_file_that_does_not_add_up_is_refused_at_start_up(
    tmp_path: Path, change: dict[str, Any], problem: str
) -> None:
    path = _write(tmp_path, {**_shipped(), **change})
    with pytest.raises(ConfigurationError) as refused:
        load_instrument(path)
    assert "mine.toml" in str(refused.value)
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match=problem):
        Instrument.model_validate(tomllib.loads(path.read_text()))


def test_an_instruments_dir_adds_instruments_and_replaces_shipped_ones_by_id(
    tmp_path: Path,
) -> None:
    stricter = {**_shipped(), "version": "local-1", "visible_high_risk_at": 12}
    stricter["bands"] = {"standard": 0, "medium": 8, "high": 12}
    _write(tmp_path, stricter, "dash.toml")
    young = {**_shipped(), "id": "ypric-13-17", "version": "1"}
    young["questions"] = _shipped()["questions"][:5]
    young["bands"] = {"standard": 0, "medium": 2, "high": 4}
    young["visible_high_risk_at"] = 4
    _write(tmp_path, young, "young.toml")
    catalogue = load_config(RiskSettings(instruments_dir=tmp_path)).rules.catalogue
    assert catalogue.default.version == "local-1"
    assert catalogue.default.visible_high_risk_at == 12
    assert set(catalogue.instruments) == {"dash-ric-24", "police-dash-27", "ypric-13-17"}
    assert catalogue.instruments["ypric-13-17"].question_count == 5


def test_a_policy_naming_an_instrument_not_loaded_is_refused(tmp_path: Path) -> None:
    policy = (Path(SHIPPED_INSTRUMENTS_DIR).parent / "policy.toml").read_text()
    path = tmp_path / "policy.toml"
    path.write_text(policy.replace('"dash-ric-24"', '"no-such-set"'))
    with pytest.raises(ConfigurationError, match="no-such-set"):
        load_config(RiskSettings(policy_file=path))
