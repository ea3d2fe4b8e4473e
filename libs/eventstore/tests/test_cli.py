"""`python -m hearth.<service>`: one CLI with the common commands and the service's own."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping

import pytest
import structlog

from hearth.eventstore.runtime import (
    Argument,
    OperatorCommand,
    Runtime,
    ServiceSpec,
    main,
)
from hearth.eventstore.testing.service import fresh_schema


async def _greet(runtime: Runtime[str], args: Mapping[str, str]) -> int:
    print(f"{runtime.context} {args['whom']} in {runtime.schema}")
    return 3


GREET = OperatorCommand(
    name="greet",
    help="say hello from the opened runtime",
    run=_greet,
    arguments=[Argument("whom", "who")],
)
SPEC = ServiceSpec(name="testing", context=lambda: "hello", commands=[GREET])


@pytest.fixture(autouse=True)
def _logging_restored() -> Iterator[None]:
    """`main` sets up logging on this test's captured stdout, closed once the test ends:
    later tests must not write their log lines there."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    structlog.reset_defaults()
    root.handlers[:] = handlers
    root.setLevel(level)


def test_help_lists_the_common_commands_and_the_services_own(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(SPEC, ["--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    for name in ("serve", "migrate", "verify", "replay-dlq", "rebuild", "greet"):
        assert name in out
    assert "say hello from the opened runtime" in out


@pytest.mark.integration
def test_a_services_command_runs_on_the_opened_runtime_with_its_context(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    schema = fresh_schema("testing")
    monkeypatch.setenv("HEARTH_DATABASE_URL", database_url)
    monkeypatch.setenv("HEARTH_DB_SCHEMA", schema)

    assert main(SPEC, ["greet", "world"]) == 3
    assert f"hello world in {schema}" in capsys.readouterr().out


def test_a_command_named_twice_is_refused() -> None:
    twice = ServiceSpec(name="testing", context=lambda: "hi", commands=[GREET, GREET])
    with pytest.raises(ValueError, match="greet"):
        main(twice, ["greet", "x"])


async def _greet_anyone(runtime: Runtime[str], args: Mapping[str, str | None]) -> int:
    print(f"{runtime.context} {args['whom'] or 'everyone'}")
    return 0


@pytest.mark.integration
def test_an_optional_argument_may_be_left_out(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    # As `rebuild` takes no consumer to rebuild each of a service's consumers.
    anyone = OperatorCommand(
        name="greet-anyone",
        help="say hello to someone, or everyone",
        run=_greet_anyone,
        arguments=[Argument("whom", "who", optional=True)],
    )
    spec = ServiceSpec(name="testing", context=lambda: "hello", commands=[anyone])
    monkeypatch.setenv("HEARTH_DATABASE_URL", database_url)
    monkeypatch.setenv("HEARTH_DB_SCHEMA", fresh_schema("testing"))

    assert main(spec, ["greet-anyone"]) == 0
    assert "hello everyone" in capsys.readouterr().out
    assert main(spec, ["greet-anyone", "you"]) == 0
    assert "hello you" in capsys.readouterr().out
