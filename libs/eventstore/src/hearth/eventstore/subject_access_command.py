"""The `subject-access <case_id> <person_id> <out>` operator command every service that holds
personal data builds the same way: parse the two ids, load the answer, write it as JSON to
a new file only its owner may read. The answer is personal data: it never goes to stdout,
where a terminal's scrollback or a job's log collector would keep it; stdout gets the ids,
the file's name and its size.
What goes in the answer is the service's own pure domain code (see
`hearth.eventstore.subject_access` for the parts they share).
"""

from __future__ import annotations

import json
import os
import sys
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from hearth.eventstore.errors import NotFound
from hearth.eventstore.logs import operator_logger
from hearth.eventstore.runtime import Argument, OperatorCommand, Runtime

Ctx = TypeVar("Ctx")

Loader = Callable[[Runtime[Ctx], uuid.UUID, uuid.UUID], Awaitable[dict[str, Any]]]


def subject_access_command(service: str, load: Loader[Ctx]) -> OperatorCommand[Ctx]:
    """`python -m hearth.<service> subject-access <case_id> <person_id> <out>`: `load` gives
    the answer (raising `NotFound` for an unknown case or person), written as JSON to `out`."""

    async def run(runtime: Runtime[Ctx], args: Mapping[str, str]) -> int:
        # What the command says goes through the logs' masking: never the answer.
        done, refused = operator_logger(sys.stdout), operator_logger(sys.stderr)
        try:
            case_id, person_id = uuid.UUID(args["case_id"]), uuid.UUID(args["person_id"])
        except ValueError:
            refused.error("case_id and person_id must be UUIDs")
            return 2
        out = args["out"]
        try:
            answer = await load(runtime, case_id, person_id)
        except NotFound as exc:
            refused.error("nothing to answer", code=exc.code, detail=str(exc))
            return 1
        text = json.dumps(answer, indent=2, ensure_ascii=False) + "\n"
        try:
            written = write_private(out, text)
        except FileExistsError:
            refused.error("the file exists: name a new file for the answer", file=out)
            return 2
        # Ids, the file's name and its size only: the answer itself stays in the file.
        done.info(
            "subject access written (readable by its owner only)",
            case_id=str(case_id),
            person_id=str(person_id),
            file=out,
            bytes=written,
        )
        return 0

    return OperatorCommand(
        name="subject-access",
        help=f"write as JSON to a new file what {service} holds about one person on one case "
        "(never anyone else's personal data; free text listed for review, not included)",
        run=run,
        arguments=(
            Argument("case_id", "the case's id"),
            Argument("person_id", "the person's id on the case"),
            Argument("out", "a new file for the answer (made readable by its owner only)"),
        ),
    )


def write_private(path: str, text: str) -> int:
    """Write `text` to a new file at `path` that only its owner may read or write (never an
    existing file, never readable by others for a moment); the bytes written."""
    data = text.encode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    return len(data)
