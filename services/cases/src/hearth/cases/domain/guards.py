"""Checks every decision starts with: the case exists for this caller, it is open, the role."""

from __future__ import annotations

from hearth.cases.domain.access import may_see
from hearth.cases.domain.state import CaseState
from hearth.contracts.envelope import Actor, Role
from hearth.eventstore.errors import DomainError, NotAllowed, NotFound


class CaseNotFound(NotFound):
    """No such case, or one the caller may not know exists: the answer is the same."""

    code = "case_not_found"

    def __init__(self) -> None:
        super().__init__("no such case")


def require_case(state: CaseState, actor: Actor) -> None:
    """The case exists and the actor may see it (a restricted case is otherwise unknown)."""
    if not state.exists or not may_see(state, actor):
        raise CaseNotFound()


def require_open(state: CaseState) -> None:
    if not state.is_open:
        raise DomainError("the case is closed; reopen it first", code="case_closed")


def require_manager(actor: Actor, doing: str) -> None:
    """Only the DA lead (role manager) may do this."""
    if actor.role is not Role.MANAGER:
        raise NotAllowed(f"only a manager may {doing}", code="manager_only")


def require_open_case(state: CaseState, actor: Actor) -> None:
    require_case(state, actor)
    require_open(state)
