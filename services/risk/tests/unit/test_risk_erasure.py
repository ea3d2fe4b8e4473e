"""An erased case (cases' `CaseErased`): risk refuses every command on it with 409
`case_erased`, and no member of staff sees it, restricted or not, named or not."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from hearth.contracts.envelope import Actor, Role
from hearth.contracts.events import cases as ev
from hearth.contracts.events.case_values import (
    ErasureBasis,
    ErasureReason,
    Restriction,
    RestrictionReason,
)
from hearth.contracts.events.risk import AssessingAgency
from hearth.eventstore.case_access import CaseAccess, CaseWasErased, follow
from hearth.eventstore.errors import NotFound
from hearth.risk.domain.commands import RecordDecline, RecordElsewhere
from hearth.risk.domain.instruments import Instrument


def erased(access: CaseAccess, at: datetime) -> CaseAccess:
    """What risk knows of the case after cases erased it."""
    assert access.case_id is not None
    closed = follow(access, ev.CaseClosed.model_construct(case_id=access.case_id))
    return follow(
        closed,
        ev.CaseErased(
            case_id=access.case_id,
            erased_at=at,
            basis=ErasureBasis.RETENTION_EXPIRED,
            reason=ErasureReason.RETENTION_PERIOD_ENDED,
            retention_policy="west-kent-2024",
            retention_years=6,
            closed_at=at - timedelta(days=7 * 365),
        ),
    )


@pytest.fixture
def erased_case(kit: SimpleNamespace) -> CaseAccess:
    restricted = replace(
        kit.open_case,
        restriction=Restriction(
            reason=RestrictionReason.OTHER_SENSITIVITY,
            permitted_staff_ids=(kit.case_manager.id,),
        ),
    )
    return erased(restricted, datetime(2031, 3, 10, tzinfo=UTC))


def test_erasure_leaves_no_people_no_restriction_and_nobody_who_sees_it(
    erased_case: CaseAccess, kit: SimpleNamespace
) -> None:
    assert erased_case.erased and erased_case.opened and not erased_case.open
    assert erased_case.people == () and erased_case.restriction is None
    for actor in (kit.case_manager, Actor(id="mgr-1", role=Role.MANAGER)):
        assert not erased_case.may_see(actor)
        assert not erased_case.read_is_recorded(actor)
    assert erased_case.may_see(Actor(id="hearth.risk", role=Role.SYSTEM))


def test_an_erased_case_moves_no_more(erased_case: CaseAccess) -> None:
    assert erased_case.case_id is not None
    reopened = ev.CaseReopened.model_construct(case_id=erased_case.case_id)
    assert follow(erased_case, reopened) == erased_case


def test_given_an_erased_case_then_every_command_is_refused_as_erased(
    scenario: Any, kit: SimpleNamespace, dash: Instrument, erased_case: CaseAccess
) -> None:
    commands = [
        kit.assessment(dash, 3, access=erased_case),
        RecordDecline(
            kit.case_manager,
            kit.case_id,
            declined_at=kit.now,
            reason="Did not want to.",
            access=erased_case,
            case_opened_at=kit.opened_at,
        ),
        RecordElsewhere(
            kit.case_manager,
            kit.case_id,
            agency=AssessingAgency.POLICE,
            completed_on=kit.now.date(),
            access=erased_case,
            case_opened_at=kit.opened_at,
        ),
    ]
    for command in commands:
        refusal = scenario.then_refused(command, kit.now, CaseWasErased)
        assert refusal.code == "case_erased"
        assert not isinstance(refusal, NotFound)  # answered 409, not as if unknown
