"""A consumer batch about several cases, its cases locked and loaded together
(`ReferralEvents.prepare`), comes to exactly what handling its events one by one does."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

import pytest

from hearth.contracts.envelope import GENESIS_HASH, Actor, Envelope, Role
from hearth.contracts.events import cases as ev
from hearth.contracts.events.base import DomainEvent
from hearth.contracts.events.case_values import ClosureReason
from hearth.contracts.events.common import Channel, ReporterKind
from hearth.eventstore.clock import ControllableClock
from hearth.eventstore.db import advisory_key
from hearth.eventstore.testing.service import RunningService
from hearth.referrals.consumers import ReferralEvents, cases_events, risk_events

pytestmark = pytest.mark.integration

MONDAY = datetime.fromisoformat("2025-03-10T10:00:00+00:00")
CASES = Actor(id="hearth.cases", role=Role.SYSTEM)
RISK = Actor(id="cso-0001", role=Role.CASE_MANAGER)


class Sealer:
    """Events sealed into other services' streams, as their relays publish them."""

    def __init__(self) -> None:
        self.heads: dict[str, tuple[int, str]] = {}

    def seal(self, service: str, stream: str, case_id: uuid.UUID, event: DomainEvent) -> Envelope:
        version, prev_hash = self.heads.get(stream, (0, GENESIS_HASH))
        envelope = Envelope.seal(
            event_id=uuid.uuid4(),
            type=event.event_type(),
            source=f"hearth.{service}",
            subject=str(case_id),
            stream_id=stream,
            stream_version=version + 1,
            occurred_at=MONDAY,
            recorded_at=MONDAY,
            correlation_id=uuid.uuid4(),
            causation_id=None,
            actor=CASES if service == "cases" else RISK,
            prev_hash=prev_hash,
            payload=event.model_dump(mode="json"),
        )
        self.heads[stream] = (version + 1, envelope.hash)
        return envelope

    def cases(self, event: Any) -> Envelope:
        return self.seal("cases", f"case-{event.case_id}", event.case_id, event)

    def risk(self, event: Any) -> Envelope:
        return self.seal("risk", f"risk-case-{event.case_id}", event.case_id, event)


def _report(case_id: uuid.UUID, at: datetime) -> ev.ReportAddedToCase:
    return ev.ReportAddedToCase(
        case_id=case_id,
        report_id=uuid.uuid4(),
        added_at=at,
        reported_at=at,
        channel=Channel.PHONE,
        reporter_kind=ReporterKind.SURVIVOR,
        immediate_danger=False,
    )


def _counting_reads(service: RunningService) -> Counter[str]:
    """Count the store's reads of one stream and of many, from now on."""
    reads: Counter[str] = Counter()
    store = service.runtime.event_store
    one, many = store.read_stream, store.read_streams

    async def read_stream(*args: Any, **kwargs: Any) -> Any:
        reads["read_stream"] += 1
        return await one(*args, **kwargs)

    async def read_streams(*args: Any, **kwargs: Any) -> Any:
        reads["read_streams"] += 1
        return await many(*args, **kwargs)

    store.read_stream, store.read_streams = read_stream, read_streams  # type: ignore[method-assign]
    return reads


async def _in_one_batch(
    service: RunningService, handle: ReferralEvents, envelopes: Sequence[Envelope]
) -> None:
    """As the consumer's fast path runs a batch: one transaction, prepared once."""
    async with service.runtime.event_store.transaction() as conn:
        in_batch = await handle.prepare(conn, envelopes)
        assert in_batch is not None
        for envelope in envelopes:
            await in_batch(conn, envelope)


async def _one_by_one(
    service: RunningService, handle: ReferralEvents, envelopes: Sequence[Envelope]
) -> None:
    """Each event on its own, reading its case afresh (the careful path, DLQ replays)."""
    for envelope in envelopes:
        async with service.runtime.event_store.transaction() as conn:
            await handle(conn, envelope)


async def _what_it_came_to(service: RunningService, case_ids: Sequence[uuid.UUID]) -> Any:
    """What is known of each case, and each case's referrals stream."""
    store = service.runtime.event_store
    async with store.transaction() as conn:
        rows = await conn.fetch(
            f"SELECT case_id, facts FROM {store.schema}.known_cases WHERE case_id = ANY($1)",
            list(case_ids),
        )
    known = {r["case_id"]: r["facts"] for r in rows}
    streams = {}
    for case_id in case_ids:
        history = await store.read_stream(f"referrals-{case_id}")
        streams[case_id] = [(e.event_name, e.payload, e.causation_id) for e in history]
    return known, streams


async def test_a_batch_about_several_cases_comes_to_what_one_by_one_does(
    start_referrals: Callable[..., Any],
    cases: Any,
    risk_service: Any,
    high_risk_yes: int,
    clock: ControllableClock,
) -> None:
    sealer = Sealer()
    a, b, c, d = (cases.opened() for _ in range(4))
    ids = [a.case_id, b.case_id, c.case_id, d.case_id]
    day = timedelta(days=1)
    closed = ev.CaseClosed(
        case_id=d.case_id,
        closed_at=MONDAY + day,
        reason=ClosureReason.SURVIVOR_MOVED,
        approved_by="dalead-0001",
    )
    # Cases' events about four cases, interleaved as one partition would carry them:
    # A gets enough reports for potential escalation, B one more, C none; D is closed.
    from_cases = [
        sealer.cases(a),
        sealer.cases(b),
        sealer.cases(cases.safe_contact(a.case_id)),
        sealer.cases(_report(a.case_id, MONDAY + day)),
        sealer.cases(c),
        sealer.cases(d),
        sealer.cases(_report(b.case_id, MONDAY + day)),
        sealer.cases(closed),
        sealer.cases(_report(a.case_id, MONDAY + 2 * day)),
    ]
    # Risk's: B assessed below the threshold, then at it; A at it; closed D at it.
    low_b = risk_service.dash(b.case_id, high_risk_yes - 1, MONDAY + day)
    from_risk = [
        sealer.risk(low_b),
        sealer.risk(risk_service.dash(a.case_id, high_risk_yes, MONDAY + day)),
        sealer.risk(risk_service.dash(d.case_id, high_risk_yes, MONDAY + day)),
        sealer.risk(risk_service.dash(b.case_id, high_risk_yes, MONDAY + 2 * day)),
    ]

    clock.set(MONDAY + 3 * day)
    async with start_referrals() as batched, start_referrals() as single:
        reads = _counting_reads(batched)
        await _in_one_batch(batched, cases_events(batched.runtime), from_cases)
        assert reads == {"read_streams": 1}  # every case's stream in one read
        await _in_one_batch(batched, risk_events(batched.runtime), from_risk)
        assert reads == {"read_streams": 2}

        await _one_by_one(single, cases_events(single.runtime), from_cases)
        await _one_by_one(single, risk_events(single.runtime), from_risk)

        known, streams = await _what_it_came_to(batched, ids)
        assert (known, streams) == await _what_it_came_to(single, ids)

    # And it is what those events should come to, not merely the same twice.
    assert set(known) == set(ids)
    assert len(known[a.case_id]["incidents"]) == 3
    assert known[b.case_id]["assessment"]["score"] == high_risk_yes
    dues = {
        case_id: [p["criteria"] for name, p, _ in stream if name == "MaracReferralDue"]
        for case_id, stream in streams.items()
    }
    escalated = ["potential_escalation"]
    assert dues[a.case_id] == [escalated, ["visible_high_risk", *escalated]]
    assert dues[b.case_id] == [["visible_high_risk"]]
    assert dues[c.case_id] == []
    assert dues[d.case_id] == []  # closed: nobody is working it
    assert known[d.case_id]["open"] is False


async def test_a_prepared_batch_holds_its_cases_so_the_other_consumer_waits_its_turn(
    referrals: RunningService, cases: Any
) -> None:
    sealer = Sealer()
    a, b = cases.opened(), cases.opened()
    envelopes = [sealer.cases(a), sealer.cases(b)]
    store = referrals.runtime.event_store
    keys = [advisory_key("hearth-referrals-known", store.schema, str(e.case_id)) for e in (a, b)]

    async def free(key: int) -> bool:
        """Whether another transaction (the other consumer's) could take the case now."""
        async with store.transaction() as other:
            taken: bool = await other.fetchval("SELECT pg_try_advisory_xact_lock($1)", key)
            return taken

    async with store.transaction() as conn:
        await cases_events(referrals.runtime).prepare(conn, envelopes)
        assert [await free(key) for key in keys] == [False, False]
    assert [await free(key) for key in keys] == [True, True]
