"""The cases handlers on the in-memory store, and the same handlers on PostgreSQL.

Each test runs twice: on `InMemoryEventStore` with a read model in a dict (no servers),
and on the PostgreSQL `EventStore` with the service's own tables in a fresh schema.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from hearth.cases.consumers import CaseEvents, intake_command
from hearth.cases.domain.commands import (
    ApproveErasure,
    DecideClosure,
    EraseExpired,
    ReceiveReport,
    RecordContactAttempt,
    RecordRead,
    RequestClosure,
    RequestErasure,
)
from hearth.cases.domain.guards import CaseNotFound
from hearth.cases.domain.state import CaseState, CaseStatus
from hearth.cases.handlers import (
    CASES_SYSTEM,
    CaseBatch,
    CaseHandlers,
    ErasureUnavailable,
    Outcome,
    SqlCaseRecords,
)
from hearth.cases.scheduler import RETENTION
from hearth.cases.service import SPEC
from hearth.cases.settings import load_config
from hearth.contracts.envelope import Actor, Envelope, Role
from hearth.contracts.events import InvalidEvent
from hearth.contracts.events.case_values import (
    ClosureReason,
    ContactAttemptOutcome,
    ErasureReason,
    RestrictedView,
)
from hearth.contracts.events.common import (
    AllegedPerpetrator,
    Channel,
    ContactMethod,
    Relationship,
    ReporterKind,
    Survivor,
)
from hearth.contracts.events.intake import Reporter, ReportReceived
from hearth.eventstore.clock import ControllableClock
from hearth.eventstore.db import create_pool, migrate
from hearth.eventstore.decider import Decider, Recorded
from hearth.eventstore.memory import InMemoryEventStore
from hearth.eventstore.reads import reads_stream_id
from hearth.eventstore.store import EventStore, NewEvent
from hearth.eventstore.testing.round_trips import CountingConn
from hearth.eventstore.testing.service import fresh_schema

FRIDAY_1630 = datetime(2025, 3, 7, 16, 30, tzinfo=UTC)
LEAD = Actor(id="dalead-0001", role=Role.MANAGER)
OTHER_LEAD = Actor(id="dalead-0002", role=Role.MANAGER)
INTAKE = Actor(id="hearth.intake", role=Role.SYSTEM)
INVOLVED = "cso-0003"
"""A member of staff named as the alleged perpetrator on restricted cases."""


class DictCaseRecords:
    """The read model in a dict: each case's latest saved state."""

    def __init__(self) -> None:
        self.cases: dict[UUID, CaseState] = {}

    async def caseloads(self, conn: object) -> Mapping[str, int]:
        return Counter(
            s.case_manager.staff_id
            for s in self.cases.values()
            if s.status is CaseStatus.OPEN and s.case_manager is not None
        )

    async def save(self, conn: object, state: CaseState) -> None:
        assert state.case_id is not None
        self.cases[state.case_id] = state


@dataclass
class Cases:
    """The handlers under test, and what their read model holds."""

    handlers: CaseHandlers[Any]
    saved_version: Any
    """`await saved_version(case_id)`: the version the read model holds (0: none)."""


@pytest.fixture(params=["memory", pytest.param("postgres", marks=pytest.mark.integration)])
async def cases(request: pytest.FixtureRequest) -> AsyncIterator[Cases]:
    clock = ControllableClock(datetime(2025, 3, 7, 16, 31, tzinfo=UTC))
    rules = load_config().rules
    if request.param == "memory":
        records = DictCaseRecords()

        async def in_dict(case_id: UUID) -> int:
            state = records.cases.get(case_id)
            return state.version if state else 0

        store = InMemoryEventStore("cases", clock)
        yield Cases(CaseHandlers(store, records, rules, clock), in_dict)
        return

    # getfixturevalue cannot set up an async fixture from here: the pool is this one's.
    pool = await create_pool(request.getfixturevalue("database_url"), min_size=1, max_size=2)
    schema = fresh_schema("cases")
    assert SPEC.migrations is not None
    await migrate(pool, schema, [SPEC.migrations])

    async def in_table(case_id: UUID) -> int:
        version = await pool.fetchval(
            f"SELECT version FROM {schema}.case_summary WHERE case_id = $1", case_id
        )
        return int(version or 0)

    pg = EventStore(pool, schema, "cases", clock)
    yield Cases(CaseHandlers(pg, SqlCaseRecords(schema), rules, clock), in_table)
    await pool.close()


def _report(*, involving_staff: bool = False) -> ReportReceived:
    perpetrator = AllegedPerpetrator(
        person_id=uuid.uuid4(),
        name="Sam Sample",
        relationship_to_survivor=Relationship.INTIMATE_PARTNER,
        **({"is_staff_member": True, "staff_id": INVOLVED} if involving_staff else {}),
    )
    return ReportReceived(
        report_id=uuid.uuid4(),
        case_id=uuid.uuid4(),
        received_at=FRIDAY_1630,
        channel=Channel.PHONE,
        reporter=Reporter(kind=ReporterKind.SURVIVOR),
        survivor=Survivor(person_id=uuid.uuid4(), name="Alex Example"),
        alleged_perpetrators=(perpetrator,),
        immediate_danger=False,
        advised_to_call_999=True,
    )


async def _open(cases: Cases, *, involving_staff: bool = False) -> tuple[UUID, str]:
    """A case opened from a report, as the intake consumer opens it; and its manager."""
    report = _report(involving_staff=involving_staff)
    handlers = cases.handlers
    async with handlers.store.transaction() as conn:
        outcome = await handlers.run(conn, report.case_id, ReceiveReport(CASES_SYSTEM, report))
    assert outcome.state.case_manager is not None
    return report.case_id, outcome.state.case_manager.staff_id


def _attempt(case_manager: str) -> RecordContactAttempt:
    """A case manager's unanswered call."""
    actor = Actor(id=case_manager, role=Role.CASE_MANAGER)
    return RecordContactAttempt(
        actor,
        uuid.uuid4(),
        ContactMethod.CALL,
        ContactAttemptOutcome.NO_ANSWER,
        happened_at=FRIDAY_1630 + timedelta(seconds=30),
        message_left=False,
        safe_to_talk_checked=True,
    )


def _names(outcome: Outcome) -> list[str]:
    return [e.event_name for e in outcome.appended]


def _counting_evolve(handlers: CaseHandlers[Any]) -> list[int]:
    """Count the decider's evolve calls from now on."""
    calls = [0]
    decider = handlers.decider

    def evolve(state: CaseState, recorded: Recorded) -> CaseState:
        calls[0] += 1
        return decider.evolve(state, recorded)

    handlers.decider = Decider(decider.initial_state, evolve, decider.decide)
    return calls


async def test_a_report_opens_a_case_and_the_read_model_follows(cases: Cases) -> None:
    report = _report()
    handlers = cases.handlers
    async with handlers.store.transaction() as conn:
        outcome = await handlers.run(conn, report.case_id, ReceiveReport(CASES_SYSTEM, report))

    assert _names(outcome)[0] == "CaseOpened"
    assert "CaseManagerAssigned" in _names(outcome)
    assert outcome.state.status is CaseStatus.OPEN
    assert outcome.state.version == len(outcome.appended) == outcome.stream.version
    assert await cases.saved_version(report.case_id) == outcome.state.version
    stored = await handlers.store.read_stream(f"case-{report.case_id}")
    assert [e.event_id for e in stored] == [e.event_id for e in outcome.appended]


async def test_a_staff_command_folds_the_case_once(cases: Cases) -> None:
    case_id, manager = await _open(cases)
    handlers = cases.handlers
    before = await handlers.store.stream_version(f"case-{case_id}")
    evolved = _counting_evolve(handlers)

    outcome = await handlers.staff_command(case_id, _attempt(manager))

    assert _names(outcome) == ["ContactAttempted"]
    assert outcome.state.version == before + 1
    assert evolved[0] == before + 1  # the stored events once, then the appended one
    assert await cases.saved_version(case_id) == before + 1


async def test_a_refused_member_of_staff_is_told_nothing_and_the_attempt_is_recorded(
    cases: Cases,
) -> None:
    case_id, manager = await _open(cases, involving_staff=True)
    handlers = cases.handlers
    outsider = next(s for s in ("cso-0001", "cso-0002") if s != manager)
    before = await handlers.store.stream_version(f"case-{case_id}")

    with pytest.raises(CaseNotFound):
        await handlers.staff_command(case_id, _attempt(outsider))
    with pytest.raises(CaseNotFound):
        await handlers.staff_command(uuid.uuid4(), _attempt(outsider))

    history = await handlers.store.read_stream(f"case-{case_id}")
    assert [e.event_name for e in history[before:]] == ["RestrictedCaseRead"]
    read = history[-1].payload
    assert (read["staff_id"], read["view"], read["access_granted"]) == (
        outsider,
        "summary",
        False,
    )


async def test_a_named_reader_of_a_restricted_case_sees_their_read_in_its_history(
    cases: Cases,
) -> None:
    case_id, _ = await _open(cases, involving_staff=True)
    handlers = cases.handlers
    evolved = _counting_evolve(handlers)

    read = await handlers.read_case(case_id, LEAD, RestrictedView.TIMELINE)

    stored = await handlers.store.read_stream(f"case-{case_id}")
    assert [e.event_id for e in read.history] == [e.event_id for e in stored]
    assert read.history[-1].event_name == "RestrictedCaseRead"
    assert read.state.version == len(stored)
    assert evolved[0] == len(stored)
    involved = Actor(id=INVOLVED, role=Role.CASE_MANAGER)
    with pytest.raises(CaseNotFound):
        await handlers.read_case(case_id, involved, RestrictedView.TIMELINE)
    assert (await handlers.store.read_stream(f"case-{case_id}"))[-1].payload["staff_id"] == INVOLVED


async def test_reads_of_an_ordinary_case_at_once_all_succeed_on_its_reads_stream(
    cases: Cases,
) -> None:
    """Ten staff reads of one case at the same moment: none fails, each is one event on
    the case's reads stream, in an unbroken order, and the case's own stream is untouched."""
    case_id, manager = await _open(cases)
    handlers = cases.handlers
    before = await handlers.store.read_stream(f"case-{case_id}")
    readers = [Actor(id=manager, role=Role.CASE_MANAGER), LEAD] * 5

    read = await asyncio.gather(
        *(handlers.read_case(case_id, who, RestrictedView.TIMELINE) for who in readers)
    )

    assert all(r.state.case_id == case_id for r in read)
    after = await handlers.store.read_stream(f"case-{case_id}")
    assert [e.event_id for e in after] == [e.event_id for e in before]
    recorded = await handlers.store.read_stream(reads_stream_id("cases", case_id))
    assert [e.stream_version for e in recorded] == list(range(1, len(readers) + 1))
    assert {e.event_name for e in recorded} == {"CaseRecordRead"}
    assert {e.subject for e in recorded} == {str(case_id)}
    assert Counter(e.payload["staff_id"] for e in recorded) == Counter(r.id for r in readers)
    assert all(e.payload["staff_id"] == e.actor.id for e in recorded)
    assert all(set(e.payload) == {"case_id", "read_at", "staff_id", "view"} for e in recorded)


async def test_a_read_that_cannot_be_recorded_shows_nothing(
    cases: Cases, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id, _ = await _open(cases)
    handlers = cases.handlers

    async def unavailable(*args: Any, **kwargs: Any) -> None:
        raise OSError("the database went away")

    monkeypatch.setattr(handlers.store, "lock_stream", unavailable)
    with pytest.raises(OSError, match="went away"):
        await handlers.read_case(case_id, LEAD, RestrictedView.TIMELINE)
    assert await handlers.store.read_stream(reads_stream_id("cases", case_id)) == []


async def test_reads_of_many_listed_cases_are_recorded_from_one_load(cases: Cases) -> None:
    opened = [(await _open(cases, involving_staff=True))[0] for _ in range(3)]
    handlers = cases.handlers
    evolved = _counting_evolve(handlers)
    lengths = [await handlers.store.stream_version(f"case-{c}") for c in opened]

    async with handlers.store.transaction() as conn:
        await handlers.record_reads(conn, opened, LEAD, RestrictedView.SUMMARY)

    assert evolved[0] == sum(lengths) + len(opened)
    for case_id, length in zip(opened, lengths, strict=True):
        history = await handlers.store.read_stream(f"case-{case_id}")
        assert len(history) == length + 1 and history[-1].event_name == "RestrictedCaseRead"


def _counting_reads(handlers: CaseHandlers[Any]) -> Counter[str]:
    """Count the store's reads of one stream and of many, from now on."""
    reads: Counter[str] = Counter()
    store = handlers.store
    one, many = store.read_stream, store.read_streams

    async def read_stream(*args: Any, **kwargs: Any) -> Any:
        reads["read_stream"] += 1
        return await one(*args, **kwargs)

    async def read_streams(*args: Any, **kwargs: Any) -> Any:
        reads["read_streams"] += 1
        return await many(*args, **kwargs)

    store.read_stream, store.read_streams = read_stream, read_streams  # type: ignore[method-assign]
    return reads


async def test_a_consumer_batch_reads_its_cases_together_and_each_once(cases: Cases) -> None:
    opened = [(await _open(cases, involving_staff=True))[0] for _ in range(3)]
    handlers = cases.handlers
    lengths = [await handlers.store.stream_version(f"case-{c}") for c in opened]
    evolved = _counting_evolve(handlers)
    reads = _counting_reads(handlers)
    batch = CaseBatch()

    async with handlers.store.transaction() as conn:
        await batch.prefetch(handlers, conn, opened)
        for case_id in [*opened, *opened]:  # two events of the batch on each case
            read = RecordRead(LEAD, RestrictedView.SUMMARY, granted=True)
            outcome = await batch.run(handlers, conn, case_id, read)
            assert outcome.state.version == outcome.stream.version

    assert reads == {"read_streams": 1}
    assert evolved[0] == sum(lengths) + 2 * len(opened)
    for case_id, length in zip(opened, lengths, strict=True):
        assert await handlers.store.stream_version(f"case-{case_id}") == length + 2
        assert await cases.saved_version(case_id) == length + 2


async def test_a_batch_forgets_its_cases_when_a_command_fails(cases: Cases) -> None:
    case_id, _ = await _open(cases, involving_staff=True)
    handlers = cases.handlers
    reads = _counting_reads(handlers)
    batch = CaseBatch()
    read = RecordRead(LEAD, RestrictedView.SUMMARY, granted=True)

    async with handlers.store.transaction() as conn:
        await batch.prefetch(handlers, conn, [case_id])
        with pytest.raises(CaseNotFound):
            await batch.run(handlers, conn, uuid.uuid4(), read)
        await batch.run(handlers, conn, case_id, read)

    assert reads == {"read_streams": 1, "read_stream": 2}  # the unknown case, then afresh


async def _intake_envelopes(*reports: ReportReceived) -> list[Envelope]:
    """Reports sealed as intake stores them."""
    intake = InMemoryEventStore("intake")
    sealed: list[Envelope] = []
    for report in reports:
        new = NewEvent(report, INTAKE, report.received_at, uuid.uuid4())
        stream = f"report-{report.report_id}"
        sealed += await intake.append(stream, [new], expected_version=0, subject=stream)
    return sealed


async def test_intake_events_of_a_batch_open_and_join_cases_from_one_read(cases: Cases) -> None:
    first, second = _report(), _report()
    again = _report().model_copy(update={"case_id": first.case_id})
    envelopes = await _intake_envelopes(first, second, again)
    handlers = cases.handlers
    reads = _counting_reads(handlers)
    handle = CaseEvents(lambda: handlers, intake_command)

    async with handlers.store.transaction() as conn:
        in_batch = await handle.prepare(conn, envelopes)
        for envelope in envelopes:
            await in_batch(conn, envelope)

    assert reads == {"read_streams": 1}
    names = [e.event_name for e in await handlers.store.read_stream(f"case-{first.case_id}")]
    assert names[0] == "CaseOpened" and "ReportAddedToCase" in names
    assert await handlers.store.stream_version(f"case-{second.case_id}") > 0


async def test_a_failed_batch_redone_event_by_event_opens_its_cases_all_the_same(
    cases: Cases,
) -> None:
    report = _report()
    (good,) = await _intake_envelopes(report)
    broken = good.model_copy(update={"event_id": uuid.uuid4(), "payload": {"case_id": "?"}})
    handlers = cases.handlers
    handle = CaseEvents(lambda: handlers, intake_command)

    async def fast_path(conn: Any) -> None:  # the batch in one go, as the consumer runs it
        async with conn.transaction():
            in_batch = await handle.prepare(conn, [good, broken])
            await in_batch(conn, good)
            await in_batch(conn, broken)

    async with handlers.store.transaction() as conn:
        with pytest.raises(InvalidEvent):
            await fast_path(conn)
        async with conn.transaction():  # then event by event, on the same connection
            await handle(conn, good)

    history = await handlers.store.read_stream(f"case-{report.case_id}")
    assert history[0].event_name == "CaseOpened"


@pytest.mark.integration
@pytest.mark.parametrize("cases", ["postgres"], indirect=True)
async def test_a_command_costs_the_same_round_trips_on_a_long_case(cases: Cases) -> None:
    handlers = cases.handlers
    short, _ = await _open(cases)
    long, _ = await _open(cases, involving_staff=True)
    async with handlers.store.transaction() as conn:
        for _ in range(300):  # every read of a restricted case is one more event
            await handlers.run(conn, long, RecordRead(LEAD, RestrictedView.SUMMARY, granted=True))

    async def round_trips(case_id: UUID) -> int:
        async with handlers.store.transaction() as conn:
            counting = CountingConn(conn)
            outcome = await handlers.run(
                counting, case_id, RecordRead(LEAD, RestrictedView.SUMMARY, granted=True)
            )
        assert len(outcome.appended) == 1
        return counting.round_trips

    assert await handlers.store.stream_version(f"case-{long}") > 300
    assert await round_trips(short) == await round_trips(long)


class RecordingShredder:
    """The key store's part of erasure: records what it destroyed, or fails."""

    def __init__(self, *, fail: bool = False) -> None:
        self.destroyed: list[tuple[UUID, str]] = []
        self.people: list[tuple[UUID, UUID, str]] = []
        self.fail = fail

    async def destroy_case(self, conn: object, case_id: UUID, *, reason: str) -> int:
        if self.fail:
            raise RuntimeError("the key store is unreachable")
        self.destroyed.append((case_id, reason))
        return 1

    async def destroy_person(
        self, conn: object, case_id: UUID, person_id: UUID, *, reason: str
    ) -> int:
        if self.fail:
            raise RuntimeError("the key store is unreachable")
        self.people.append((case_id, person_id, reason))
        return 1


async def _closed(cases: Cases) -> UUID:
    case_id, manager = await _open(cases)
    handlers = cases.handlers
    cm = Actor(id=manager, role=Role.CASE_MANAGER)
    await handlers.staff_command(case_id, RequestClosure(cm, ClosureReason.SURVIVOR_MOVED))
    await handlers.staff_command(case_id, DecideClosure(LEAD, approve=True))
    return case_id


async def _erase(cases: Cases, case_id: UUID) -> Outcome:
    handlers = cases.handlers
    later = FRIDAY_1630 + timedelta(days=7 * 366)
    async with handlers.store.transaction() as conn:
        return await handlers.run(conn, case_id, EraseExpired(RETENTION), now=later)


async def test_an_erasure_destroys_the_case_keys_in_its_own_transaction(cases: Cases) -> None:
    case_id = await _closed(cases)
    shredder = RecordingShredder()
    cases.handlers.shredder = shredder

    outcome = await _erase(cases, case_id)

    assert _names(outcome) == ["CaseErased"]
    assert shredder.destroyed == [
        (
            case_id,
            "retention_expired: retention_period_ended (west-kent-2024, 6 years after closure)",
        )
    ]
    assert await cases.saved_version(case_id) == outcome.state.version


@pytest.mark.parametrize("shredder", [None, RecordingShredder(fail=True)])
async def test_an_erasure_whose_keys_cannot_be_destroyed_writes_nothing(
    cases: Cases, shredder: RecordingShredder | None
) -> None:
    case_id = await _closed(cases)
    cases.handlers.shredder = shredder
    version = await cases.saved_version(case_id)

    with pytest.raises((ErasureUnavailable, RuntimeError)):
        await _erase(cases, case_id)

    stored = await cases.handlers.store.read_stream(f"case-{case_id}")
    assert [e.event_name for e in stored][-1] == "CaseClosed"
    assert await cases.saved_version(case_id) == version


async def _person_erasure(cases: Cases) -> tuple[UUID, UUID, UUID]:
    """A closed case with a request waiting to erase its alleged perpetrator."""
    case_id = await _closed(cases)
    async with cases.handlers.store.transaction() as conn:
        loaded = await cases.handlers.load(conn, case_id)
    [perpetrator] = loaded.state.perpetrators
    request_id = uuid.uuid4()
    asked = RequestErasure(
        LEAD, request_id, ErasureReason.OBJECTION_UPHELD, person_id=perpetrator.person_id
    )
    await cases.handlers.staff_command(case_id, asked)
    return case_id, perpetrator.person_id, request_id


async def test_a_persons_erasure_destroys_only_their_key_in_its_own_transaction(
    cases: Cases,
) -> None:
    case_id, person_id, request_id = await _person_erasure(cases)
    shredder = RecordingShredder()
    cases.handlers.shredder = shredder

    outcome = await cases.handlers.staff_command(case_id, ApproveErasure(OTHER_LEAD, request_id))

    assert _names(outcome) == ["PersonErased"]
    assert shredder.people == [
        (case_id, person_id, f"subject_request: objection_upheld (request {request_id})")
    ]
    assert shredder.destroyed == []
    assert await cases.saved_version(case_id) == outcome.state.version


@pytest.mark.parametrize("shredder", [None, RecordingShredder(fail=True)])
async def test_a_persons_erasure_whose_key_cannot_be_destroyed_writes_nothing(
    cases: Cases, shredder: RecordingShredder | None
) -> None:
    case_id, _, request_id = await _person_erasure(cases)
    cases.handlers.shredder = shredder
    version = await cases.saved_version(case_id)

    with pytest.raises((ErasureUnavailable, RuntimeError)):
        await cases.handlers.staff_command(case_id, ApproveErasure(OTHER_LEAD, request_id))

    stored = await cases.handlers.store.read_stream(f"case-{case_id}")
    assert [e.event_name for e in stored][-1] == "ErasureRequested"
    assert await cases.saved_version(case_id) == version
