"""Checks every decision starts with: the case is known to the caller, and open."""

from __future__ import annotations

from hearth.contracts.envelope import Actor
from hearth.eventstore.errors import DomainError, NotFound
from hearth.referrals.domain.known import KnownCase


class CaseNotFound(NotFound):
    """No such case, or one the caller may not know exists: the answer is the same."""

    code = "case_not_found"

    def __init__(self) -> None:
        super().__init__("no such case")


def require_case(known: KnownCase, actor: Actor) -> None:
    if not known.opened or not known.may_see(actor):
        raise CaseNotFound()


def require_open_case(known: KnownCase, actor: Actor) -> None:
    require_case(known, actor)
    if not known.open:
        raise DomainError("the case is closed; reopen it first", code="case_closed")
