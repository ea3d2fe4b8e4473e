"""`erase_until_done`: an operator's retention command runs passes until one comes short."""

from __future__ import annotations

from hearth.eventstore.tasks import Erasures, erase_until_done


async def test_passes_run_until_one_erases_fewer_than_a_batch_and_add_up() -> None:
    due = 7
    limits: list[int] = []

    async def erase(limit: int) -> Erasures:
        nonlocal due
        limits.append(limit)
        erased = min(due, limit)
        due -= erased
        return Erasures(erased, refused=1, failed=0)

    total = await erase_until_done(erase, 3)

    assert total == Erasures(7, 3, 0)
    assert limits == [3, 3, 3]


async def test_a_pass_with_nothing_due_ends_it_at_once() -> None:
    calls = 0

    async def erase(limit: int) -> Erasures:
        nonlocal calls
        calls += 1
        return Erasures(0, 0, 2)

    assert await erase_until_done(erase, 50) == Erasures(0, 0, 2)
    assert calls == 1
