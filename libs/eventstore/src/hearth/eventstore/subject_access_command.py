"""The `subject-access <case_id> <person_id>` operator command every service that holds
personal data builds the same way: parse the two ids, load the answer, print it as JSON.
What goes in the answer is the service's own pure domain code (see
`hearth.eventstore.subject_access` for the parts they share).
"""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from hearth.eventstore.errors import NotFound
from hearth.eventstore.runtime import Argument, OperatorCommand, Runtime

Ctx = TypeVar("Ctx")

Loader = Callable[[Runtime[Ctx], uuid.UUID, uuid.UUID], Awaitable[dict[str, Any]]]


def subject_access_command(service: str, load: Loader[Ctx]) -> OperatorCommand[Ctx]:
    """`python -m hearth.<service> subject-access <case_id> <person_id>`: `load` gives the
    answer (raising `NotFound` for an unknown case or person), printed as JSON."""

    async def run(runtime: Runtime[Ctx], args: Mapping[str, str]) -> int:
        try:
            case_id, person_id = uuid.UUID(args["case_id"]), uuid.UUID(args["person_id"])
        except ValueError:
            print("case_id and person_id must be UUIDs", file=sys.stderr)
            return 2
        try:
            answer = await load(runtime, case_id, person_id)
        except NotFound as exc:
            print(f"{exc.code}: {exc}", file=sys.stderr)
            return 1
        print(json.dumps(answer, indent=2, ensure_ascii=False))
        return 0

    return OperatorCommand(
        name="subject-access",
        help=f"print as JSON what {service} holds about one person on one case "
        "(never anyone else's personal data; free text listed for review, not printed)",
        run=run,
        arguments=(
            Argument("case_id", "the case's id"),
            Argument("person_id", "the person's id on the case"),
        ),
    )
