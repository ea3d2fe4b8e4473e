"""The shared `subject-access <case_id> <person_id>` operator command: it checks the two
ids, answers a `NotFound` from the loader with its code on stderr (exit 1), and prints
the loader's answer as JSON (exit 0). No runtime is opened: the loader is given one."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from hearth.eventstore.errors import NotFound
from hearth.eventstore.subject_access import PersonNotOnCase
from hearth.eventstore.subject_access_command import subject_access_command

CASE = uuid.uuid4()
PERSON = uuid.uuid4()


async def _load(runtime: Any, case_id: uuid.UUID, person_id: uuid.UUID) -> dict[str, Any]:
    if case_id != CASE:
        raise NotFound("no such case", code="case_not_found")
    if person_id != PERSON:
        raise PersonNotOnCase()
    return {"case_id": str(case_id), "person_id": str(person_id), "name": "Zoë"}


COMMAND = subject_access_command("a service", _load)


async def test_the_answer_is_printed_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    code = await COMMAND.run(None, {"case_id": str(CASE), "person_id": str(PERSON)})  # type: ignore[arg-type]
    assert code == 0
    assert json.loads(capsys.readouterr().out) == {
        "case_id": str(CASE),
        "person_id": str(PERSON),
        "name": "Zoë",
    }


@pytest.mark.parametrize(
    ("case_id", "person_id", "code", "error"),
    [
        ("not-a-uuid", str(PERSON), 2, "case_id and person_id must be UUIDs"),
        (str(uuid.uuid4()), str(PERSON), 1, "case_not_found"),
        (str(CASE), str(uuid.uuid4()), 1, "person_not_on_case"),
    ],
)
async def test_bad_ids_and_unknown_cases_or_people_are_refused_on_stderr(
    capsys: pytest.CaptureFixture[str], case_id: str, person_id: str, code: int, error: str
) -> None:
    assert await COMMAND.run(None, {"case_id": case_id, "person_id": person_id}) == code  # type: ignore[arg-type]
    printed = capsys.readouterr()
    assert printed.out == ""
    assert error in printed.err


def test_the_command_is_named_and_takes_both_ids() -> None:
    assert COMMAND.name == "subject-access"
    assert [a.name for a in COMMAND.arguments] == ["case_id", "person_id"]
