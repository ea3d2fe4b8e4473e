"""The figures for a period read only the facts the period needs (`load_period_facts`),
and they are exactly the figures every fact gives (`load_facts`): for every report, for
months, quarters and the year, before, during and after the history, and as they stood
part-way through a period."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from hearth.reporting import read_model
from hearth.reporting.domain.figures import ReportKind, report
from hearth.reporting.domain.periods import parse_period
from hearth.reporting.settings import load_policy

pytestmark = pytest.mark.integration

PERIODS = (
    "2026-05",
    "2026-06",
    "2026-07",
    "2026-08",
    "2026-09",
    "2026-10",
    "2026-Q2",
    "2026-Q3",
    "2026-Q4",
    "2026",
    "2027",
)


async def test_period_facts_give_the_figures_every_fact_gives(
    reporting: Any,
    producers: Any,
    until_caught_up: Callable[..., Any],
    kit: SimpleNamespace,
) -> None:
    await producers.append(kit.quarter())
    await until_caught_up(reporting, producers)
    policy = load_policy()
    schema = reporting.runtime.schema
    moments = [kit.MONDAY + timedelta(days=d) for d in (-40, 0, 5, 12, 26, 45, 80, 400)]
    checked = 0
    async with reporting.runtime.event_store.transaction() as conn:
        every = await read_model.load_facts(conn, schema)
        for text in PERIODS:
            period = parse_period(text, policy.working_days.timezone)
            for now in moments:
                until = min(period.end, now)
                some = await read_model.load_period_facts(conn, schema, period.start, until)
                for kind in ReportKind:
                    assert report(kind, some, period, now, policy) == report(
                        kind, every, period, now, policy
                    ), (kind, text, now)
                    checked += 1
                assert len(some.deadlines) <= len(every.deadlines)
    assert checked == len(PERIODS) * len(moments) * len(ReportKind)
    # And the period's slice is smaller than the whole where the history allows.
    async with reporting.runtime.event_store.transaction() as conn:
        may = parse_period("2026-05", policy.working_days.timezone)
        before = await read_model.load_period_facts(conn, schema, may.start, may.end)
    assert before.cases == () and before.assessments == () and every.assessments
