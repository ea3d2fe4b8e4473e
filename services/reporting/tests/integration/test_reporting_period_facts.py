"""The figures for a period read only the facts the period needs (`load_period_facts`),
and they are exactly the figures every fact gives (`load_facts`): for every report, for
months, quarters and the year, before, during and after the history, and as they stood
part-way through a period."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, timedelta
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


async def test_a_case_closed_before_a_period_and_never_reopened_is_not_read_for_it(
    reporting: Any,
    producers: Any,
    until_caught_up: Callable[..., Any],
    kit: SimpleNamespace,
) -> None:
    """Old closed cases, most of the history in time, are not read for a later period's
    figures (nor their closures and risk levels); the period of the closure reads them."""
    await producers.append(kit.quarter())
    await until_caught_up(reporting, producers)
    tz = load_policy().working_days.timezone
    schema = reporting.runtime.schema
    async with reporting.runtime.event_store.transaction() as conn:
        every = await read_model.load_facts(conn, schema)
        later = parse_period("2027", tz)
        for_good = [
            c for c in every.closures if c.reopened_at is None and c.closed_at < later.start
        ]
        assert for_good
        after = await read_model.load_period_facts(conn, schema, later.start, later.end)
        for closure in for_good:
            assert closure.case_id not in {c.case_id for c in after.cases}
            assert closure.case_id not in {c.case_id for c in after.closures}
            assert closure.case_id not in {r.case_id for r in after.risk_levels}
            month = parse_period(closure.closed_at.astimezone(UTC).strftime("%Y-%m"), tz)
            then = await read_model.load_period_facts(conn, schema, month.start, month.end)
            assert closure.case_id in {c.case_id for c in then.cases}
            assert closure.case_id in {c.case_id for c in then.closures}
    # Cases still open are read for the later period, whenever they were opened.
    still_open = {c.case_id for c in every.cases} - {c.case_id for c in every.closures}
    assert still_open and still_open <= {c.case_id for c in after.cases}
