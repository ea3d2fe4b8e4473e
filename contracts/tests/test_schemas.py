"""Committed JSON Schemas and AsyncAPI: current with the code, and compatible with history."""

from __future__ import annotations

import json
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from hearth.contracts import topics
from hearth.contracts.compat import check_backward_compatible
from hearth.contracts.events import event_types
from hearth.contracts.schemas import (
    ASYNCAPI_PATH,
    CONTRACTS_DIR,
    ENVELOPE_FILE,
    asyncapi_document,
    committed_schemas,
    compatibility_problems,
    drift,
    generated_schemas,
    main,
)

SCHEMA_DIR = CONTRACTS_DIR / "schemas"
COMMITTED = committed_schemas()


# --- drift ---------------------------------------------------------------------------


def test_committed_files_match_the_models() -> None:
    assert drift() == [], "run: uv run python -m hearth.contracts.schemas write"


def test_check_passes_on_the_committed_files() -> None:
    assert main(["check"]) == 0


def test_there_is_one_schema_per_event_type_and_the_envelope() -> None:
    expected = {f"{t}.json" for t in event_types()} | {ENVELOPE_FILE}
    assert set(COMMITTED) == expected


def test_generation_is_deterministic() -> None:
    assert generated_schemas() == generated_schemas()
    for text in generated_schemas().values():
        assert text.endswith("}\n")
        assert text == json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n"


@pytest.mark.parametrize("event_type", event_types())
def test_event_schemas_refuse_unknown_properties(event_type: str) -> None:
    schema = json.loads(COMMITTED[f"{event_type}.json"])
    assert schema["additionalProperties"] is False
    assert schema["x-hearth-event-type"] == event_type
    assert schema["x-hearth-topic"] == f"hearth.{event_type.split('.')[1]}.events"


def test_a_retained_older_version_keeps_its_schema() -> None:
    v1 = json.loads(COMMITTED["hearth.risk.DashCompleted.v1.json"])
    v2 = json.loads(COMMITTED["hearth.risk.DashCompleted.v2.json"])
    assert "question_set_id" not in v1["properties"]
    assert "question_set_id" in v2["required"]


# --- write refuses breaking changes --------------------------------------------------


def _with_change(name: str, change: Any) -> dict[str, str]:
    schema = json.loads(COMMITTED[name])
    change(schema)
    return {**COMMITTED, name: json.dumps(schema)}


def test_write_accepts_the_current_schemas() -> None:
    assert compatibility_problems(COMMITTED, generated_schemas()) == []


def test_write_refuses_a_removed_property_naming_the_event_type() -> None:
    name = "hearth.cases.CaseOpened.v1.json"
    incoming = _with_change(name, lambda s: s["properties"].pop("dash_due_at"))
    assert compatibility_problems(COMMITTED, incoming) == [
        "hearth.cases.CaseOpened.v1: dash_due_at: property removed"
    ]


def test_write_refuses_every_problem_of_a_breaking_change() -> None:
    name = "hearth.risk.RiskLevelChanged.v1.json"

    def change(schema: dict[str, Any]) -> None:
        schema["$defs"]["RiskLevel"]["enum"].remove("medium")
        schema["required"].append("reason")

    problems = compatibility_problems(COMMITTED, _with_change(name, change))
    assert "hearth.risk.RiskLevelChanged.v1: reason: now required" in problems
    assert "hearth.risk.RiskLevelChanged.v1: new_level: enum value 'medium' removed" in problems


def test_write_refuses_to_drop_a_committed_schema() -> None:
    incoming = dict(COMMITTED)
    del incoming["hearth.risk.DashCompleted.v1.json"]
    [problem] = compatibility_problems(COMMITTED, incoming)
    assert problem.startswith("hearth.risk.DashCompleted.v1: schema would be dropped")


def test_write_accepts_an_added_optional_property() -> None:
    name = "hearth.cases.ContactOverdue.v1.json"
    incoming = _with_change(name, lambda s: s["properties"].update(note={"type": "string"}))
    assert compatibility_problems(COMMITTED, incoming) == []


# --- compatibility with every earlier committed version ------------------------------


@cache
def _repository() -> Path | None:
    """The git work tree holding contracts/, or None when there is no git or no checkout."""
    if shutil.which("git") is None:
        return None
    found = subprocess.run(
        ["git", "-C", str(CONTRACTS_DIR), "rev-parse", "--show-toplevel"],
        capture_output=True,
        text=True,
        check=False,
    )
    return Path(found.stdout.strip()) if found.returncode == 0 else None


def _git(repository: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repository), *args], capture_output=True, text=True, check=True
    ).stdout


def _history(repository: Path, path: Path) -> list[tuple[str, str]]:
    """(commit, text) of every committed version of `path`, newest first."""
    has_commits = subprocess.run(
        ["git", "-C", str(repository), "rev-parse", "--verify", "--quiet", "HEAD"],
        capture_output=True,
        check=False,
    )
    if has_commits.returncode != 0:
        return []
    relative = path.resolve().relative_to(repository.resolve()).as_posix()
    commits = _git(repository, "log", "--format=%H", "--", relative).split()
    return [(sha, _git(repository, "show", f"{sha}:{relative}")) for sha in commits]


@pytest.mark.parametrize("name", sorted(COMMITTED))
def test_schema_is_compatible_with_every_earlier_version(name: str) -> None:
    repository = _repository()
    if repository is None:
        pytest.skip("not a git checkout: there is no schema history to compare")
    current = json.loads(COMMITTED[name])
    for sha, text in _history(repository, SCHEMA_DIR / name):
        problems = check_backward_compatible(json.loads(text), current)
        assert problems == [], f"{name} breaks events written under {sha[:12]}: {problems}"


# --- AsyncAPI ------------------------------------------------------------------------


def test_asyncapi_has_the_four_topics_as_channels() -> None:
    document = asyncapi_document()
    assert document["asyncapi"].startswith("3.")
    addresses = sorted(channel["address"] for channel in document["channels"].values())
    assert addresses == sorted(topics.EVENT_TOPICS)


def test_asyncapi_lists_every_event_type_with_its_committed_payload_schema() -> None:
    document = asyncapi_document()
    messages = document["components"]["messages"]
    assert sorted(messages) == event_types()
    asyncapi_dir = (CONTRACTS_DIR / ASYNCAPI_PATH).parent
    for event_type, message in messages.items():
        payload = (asyncapi_dir / message["payload"]["$ref"]).resolve()
        assert payload == (SCHEMA_DIR / f"{event_type}.json").resolve()
        assert payload.name in COMMITTED
    for service, channel in document["channels"].items():
        for event_type in channel["messages"]:
            assert event_type.startswith(f"hearth.{service}.")


def test_asyncapi_describes_the_cloudevents_headers() -> None:
    headers = asyncapi_document()["components"]["schemas"]["CloudEventsHeaders"]
    required = set(headers["required"])
    assert {"ce_specversion", "ce_id", "ce_type", "ce_source", "ce_subject", "ce_time"} <= required
    assert "content-type" in required
    assert "ce_causationid" not in required
    assert headers["properties"]["ce_specversion"] == {"const": "1.0"}
