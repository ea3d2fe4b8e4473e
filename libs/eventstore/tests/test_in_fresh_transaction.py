"""`in_fresh_transaction`: work that meets a deadlock or a stale transaction runs afresh."""

from __future__ import annotations

import asyncpg
import pytest

from hearth.eventstore.commands import in_fresh_transaction
from hearth.eventstore.store import StaleTransaction


async def test_a_stale_transaction_or_a_deadlock_runs_the_work_again_afresh() -> None:
    raised = [StaleTransaction("case-1", 3, 4), asyncpg.exceptions.DeadlockDetectedError()]
    calls = 0

    async def work() -> str:
        nonlocal calls
        calls += 1
        if raised:
            raise raised.pop(0)
        return "done"

    assert await in_fresh_transaction(work) == "done"
    assert calls == 3


async def test_it_gives_up_after_its_attempts_and_other_errors_go_straight_back() -> None:
    calls = 0

    async def stale() -> None:
        nonlocal calls
        calls += 1
        raise StaleTransaction("case-1", 3, 4)

    with pytest.raises(StaleTransaction):
        await in_fresh_transaction(stale, attempts=2)
    assert calls == 2

    async def refused() -> None:
        nonlocal calls
        calls += 1
        raise ValueError("refused by the rules")

    calls = 0
    with pytest.raises(ValueError, match="refused by the rules"):
        await in_fresh_transaction(refused)
    assert calls == 1
