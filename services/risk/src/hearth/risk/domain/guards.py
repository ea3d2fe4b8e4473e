"""Checks every decision starts with: risk knows the case, the caller may see it, it is open."""

from __future__ import annotations

from datetime import datetime, timedelta

from hearth.contracts.envelope import Actor
from hearth.eventstore.case_access import CaseAccess
from hearth.eventstore.errors import DomainError, InvalidCommand, NotFound


class CaseNotFound(NotFound):
    """No such case, or one the caller may not know exists: the answer is the same."""

    code = "case_not_found"

    def __init__(self) -> None:
        super().__init__("no such case")


def require_case(access: CaseAccess, actor: Actor) -> None:
    """Risk has seen the case open and the actor may see it (a restricted case the actor is
    not named on is otherwise unknown). An erased case is refused with why (409
    `case_erased`), as cases refuses it, rather than answered as if it never existed."""
    if not access.opened:
        raise CaseNotFound()
    access.require_not_erased()
    if not access.may_see(actor):
        raise CaseNotFound()


def require_open(access: CaseAccess) -> None:
    if not access.open:
        raise DomainError(
            "the case is closed; it must be reopened before risk is recorded on it",
            code="case_closed",
        )


def require_open_case(access: CaseAccess, actor: Actor) -> None:
    require_case(access, actor)
    require_open(access)


def check_when(
    moment: datetime, field: str, now: datetime, opened_at: datetime | None, max_days_back: int
) -> None:
    """When something happened: not in the future, not before the case opened, not more
    than the policy's `max_days_back` days ago."""
    if moment > now:
        raise InvalidCommand(f"{field} is in the future", field=field, code="in_the_future")
    if opened_at is not None and moment < opened_at:
        raise InvalidCommand(
            f"{field} is before the case opened", field=field, code="before_the_case"
        )
    if moment < now - timedelta(days=max_days_back):
        raise InvalidCommand(
            f"{field} is more than {max_days_back} days ago: the policy allows recording "
            f"at most that far back",
            field=field,
            code="too_far_back",
        )
