"""The shared `subject-access <case_id> <person_id>` operator command: it checks the two
ids, answers a `NotFound` from the loader with its code on stderr (exit 1), and prints
the loader's answer as JSON (exit 0). No runtime is opened: the loader is given one."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
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


async def test_the_answer_is_written_as_json_to_a_new_file_only_its_owner_reads(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "answer.json"
    args = {"case_id": str(CASE), "person_id": str(PERSON), "out": str(out)}
    code = await COMMAND.run(None, args)  # type: ignore[arg-type]
    assert code == 0
    assert json.loads(out.read_text()) == {
        "case_id": str(CASE),
        "person_id": str(PERSON),
        "name": "Zoë",
    }
    assert out.stat().st_mode & 0o777 == 0o600
    printed = capsys.readouterr()
    assert "Zoë" not in printed.out + printed.err
    assert str(out) in printed.out


async def test_an_existing_file_is_never_overwritten(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "answer.json"
    out.write_text("kept")
    args = {"case_id": str(CASE), "person_id": str(PERSON), "out": str(out)}
    assert await COMMAND.run(None, args) == 2  # type: ignore[arg-type]
    assert out.read_text() == "kept"
    assert "exists" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("case_id", "person_id", "code", "error"),
    [
        ("not-a-uuid", str(PERSON), 2, "case_id and person_id must be UUIDs"),
        (str(uuid.uuid4()), str(PERSON), 1, "case_not_found"),
        (str(CASE), str(uuid.uuid4()), 1, "person_not_on_case"),
    ],
)
async def test_bad_ids_and_unknown_cases_or_people_are_refused_on_stderr(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    case_id: str,
    person_id: str,
    code: int,
    error: str,
) -> None:
    out = tmp_path / "answer.json"
    args = {"case_id": case_id, "person_id": person_id, "out": str(out)}
    assert await COMMAND.run(None, args) == code  # type: ignore[arg-type]
    printed = capsys.readouterr()
    assert printed.out == ""
    assert error in printed.err
    assert not out.exists()


def test_the_command_is_named_and_takes_both_ids_and_the_file() -> None:
    assert COMMAND.name == "subject-access"
    assert [a.name for a in COMMAND.arguments] == ["case_id", "person_id", "out"]
