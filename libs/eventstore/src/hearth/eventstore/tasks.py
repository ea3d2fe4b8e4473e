"""Small helpers for the long-running loops of a service (relay, consumers, schedulers)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import structlog

from hearth.eventstore.logs import describe_error

log = structlog.get_logger(__name__)


async def sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    """Sleep for `seconds`, or less if `stop` is set meanwhile."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


async def sweep_until_stopped(
    sweep: Callable[[int], Awaitable[int]],
    stop: asyncio.Event,
    *,
    what: str,
    batch_size: int,
    poll_seconds: float,
) -> None:
    """A scheduler's loop: `sweep(batch_size)` settles up to that many due items and says
    how many it settled. Straight on while whole batches settle; otherwise (or after a
    failure, which is logged without its details and tried again) wait a poll."""
    while not stop.is_set():
        settled = 0
        try:
            settled = await sweep(batch_size)
        except Exception as exc:
            log.warning(f"{what} sweep failed; trying again", error=describe_error(exc))
        if settled < batch_size:
            await sleep_or_stop(stop, poll_seconds)


@dataclass(frozen=True)
class Erasures:
    """What one retention pass did: erased, refused by the item's own events (not due
    after all), and failed (logged; tried again next pass)."""

    erased: int
    refused: int
    failed: int

    def __add__(self, other: Erasures) -> Erasures:
        return Erasures(
            self.erased + other.erased, self.refused + other.refused, self.failed + other.failed
        )


async def erase_until_done(
    erase: Callable[[int], Awaitable[Erasures]], batch_size: int
) -> Erasures:
    """Run a retention pass (`erase(limit)`) again and again until one erases fewer than
    `batch_size`: what an operator's `erase-expired...` command does, all in one go."""
    total = Erasures(0, 0, 0)
    while True:
        swept = await erase(batch_size)
        total += swept
        if swept.erased < batch_size:
            return total
