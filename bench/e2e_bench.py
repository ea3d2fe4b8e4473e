"""End to end: reports accepted by intake, and the time until cases opens their case.

Runs the real intake and cases services (`python -m hearth.intake`, `python -m
hearth.cases`) as subprocesses on a fresh topic namespace and fresh schemas, with a
given number of cases already present (1,000 and 50,000 by default), and measures:

- reports/s that `POST /reports` accepts (202), at a fixed rate and flat out;
- p50/p99 time from sending the request to `CaseOpened` being readable
  (`read_committed`) on the cases topic.

Each size is printed beside raw baselines measured in the same run (an idempotent
aiokafka producer, and asyncpg committing one row per transaction), then each figure
with the most cases is compared with the figure with the fewest: costs must not grow
with the number of cases, so it should be within 20%.

The cases present are seeded the way they would have arrived, but without HTTP: report
streams are appended to intake's event store in large transactions (with intake's
match index), then the services start, intake's relay publishes the backlog and cases
opens every case. Each seeded case, and each measured report, is about different
people, so every report opens a new case (the costliest path: caseload counting and
the choice of case manager).

Servers from KAFKA_BOOTSTRAP_SERVERS / DATABASE_URL (default: the local stack). Only
127.0.0.1; everything started is stopped, and the schemas and topics are dropped.
`--quick` is a smoke run of a minute or two.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import socket
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Final

import asyncpg
import httpx
import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from hearth.contracts.envelope import Actor, Role
from hearth.contracts.events.cases import CaseOpened
from hearth.contracts.events.intake import LinkBasis, ReportLinkedToCase, ReportReceived
from hearth.contracts.topics import CASES_EVENTS, INTAKE_EVENTS
from hearth.eventstore.auth import issue_token
from hearth.eventstore.db import Conn, create_pool
from hearth.eventstore.kafka import ISOLATION, end_offsets, ensure_topics, namespaced, partitions_of
from hearth.eventstore.store import EventStore, NewEvent
from hearth.eventstore.testing.kafka import delete_topics_named

DSN: Final = os.environ.get("DATABASE_URL", "postgresql://hearth@127.0.0.1:15432/hearth")
KAFKA: Final = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092")

STAFF: Final = Actor(id="staff-bench", role=Role.INTAKE)
MATCH_KEY: Final = f"bench-match-key-{uuid.uuid4().hex}"
"""Given to the intake service and used to seed its match index: the two must agree."""
CASE_OPENED: Final = CaseOpened.event_type().encode()
MEASURED_PEOPLE_START: Final = 500_000_000
"""Measured reports are about people numbered from here: never a seeded case's people."""

# Bounds on every wait, so a broken service fails the run instead of hanging it.
READY_TIMEOUT: Final = 120.0
DRAIN_TIMEOUT: Final = 180.0
SETTLE_TIMEOUT: Final = 300.0
STOP_TIMEOUT: Final = 20.0


# --- people and reports --------------------------------------------------------------

_SYLLABLES: Final = tuple(consonant + vowel for consonant in "bdfklmnprstv" for vowel in "aeiou")
_FIRST_NAMES: Final = (
    *("Alex", "Sam", "Jo", "Chris", "Robin", "Jamie", "Morgan", "Casey", "Taylor"),
    *("Jordan", "Riley", "Avery", "Quinn", "Rowan", "Charlie", "Frankie", "Hayden"),
    *("Kit", "Lee", "Max", "Nico", "Pat", "Reese", "Sasha", "Toni"),
)


def _surname(n: int) -> str:
    """A made-up surname unique to `n` (three or more syllables)."""
    parts = []
    for _ in range(3):
        n, digit = divmod(n, len(_SYLLABLES))
        parts.append(_SYLLABLES[digit])
    while n:
        n, digit = divmod(n, len(_SYLLABLES))
        parts.append(_SYLLABLES[digit])
    return "".join(parts).capitalize()


def report_body(n: int) -> dict[str, Any]:
    """A valid staff report (phone, third-party reporter) about people no other `n` names.

    Unique names with dates of birth, phone numbers and tenancy references: no two
    reports share a match key, so each one opens a case of its own.
    """
    birthday = date(1950, 1, 1) + timedelta(days=n % 18_000)
    return {
        "channel": "phone",
        "reporter": {
            "kind": "third_party",
            "relationship": "neighbour",
            "name": f"Pat {_surname(n + 7)}",
            "phone": "07700 900789",
        },
        "survivor": {
            "name": f"{_FIRST_NAMES[n % len(_FIRST_NAMES)]} {_surname(n)}",
            "date_of_birth": birthday.isoformat(),
            "phone": f"07{n // 1_000_000:03d} {n % 1_000_000:06d}",
            "address": {"lines": [f"Flat {n % 40 + 1}", "1 Example Street"], "postcode": "ZZ1 1ZZ"},
            "gender": "woman",
        },
        "alleged_perpetrators": [
            {"name": f"Sam {_surname(n + 1)}", "relationship_to_survivor": "intimate_partner"}
        ],
        "children": [{"age_band": "under_16", "affected_by_abuse": True}],
        "tenancy_reference": f"T{n:010d}",
        "abuse_types": ["physical", "controlling_or_coercive"],
        "immediate_danger": False,
        "account": "I heard something smash and screaming next door again last night.",
    }


def seeded_report(n: int, at: datetime) -> tuple[ReportReceived, ReportLinkedToCase]:
    """The events intake records for `report_body(n)` opening a new case at `at`."""
    body = report_body(n)
    report_id, case_id = uuid.uuid4(), uuid.uuid4()
    received = ReportReceived.model_validate(
        {
            **body,
            "report_id": report_id,
            "case_id": case_id,
            "received_at": at,
            "survivor": {**body["survivor"], "person_id": uuid.uuid4()},
            "alleged_perpetrators": [
                {**p, "person_id": uuid.uuid4()} for p in body["alleged_perpetrators"]
            ],
            "children": [
                {**c, "person_id": uuid.uuid4(), "lives_in_household": True}
                for c in body["children"]
            ],
            "advised_to_call_999": False,
        }
    )
    linked = ReportLinkedToCase(
        report_id=report_id, case_id=case_id, linked_at=at, basis=LinkBasis.NEW_CASE
    )
    return received, linked


# --- seeding -------------------------------------------------------------------------


async def write_intake_index(
    conn: Conn, schema: str, reports: Sequence[ReportReceived], at: datetime
) -> None:
    """What intake's own tables hold after these reports: their match keys, their cases.

    The one place this benchmark writes intake's tables rather than its event store, so
    that lookups run against an index of realistic size. It follows
    `hearth.intake.handlers.submit_report`; keep the two in step.
    """
    from hearth.intake.domain.matching import PersonRole, people_keys

    keys: list[tuple[Any, ...]] = []
    for report in reports:
        for person in people_keys(
            MATCH_KEY.encode(),
            survivor=report.survivor,
            alleged_perpetrators=report.alleged_perpetrators,
            tenancy_reference=report.tenancy_reference,
        ):
            role = person.ref.role
            if role is PersonRole.SURVIVOR:
                person_id = report.survivor.person_id
            elif role is PersonRole.ALLEGED_PERPETRATOR:
                person_id = report.alleged_perpetrators[person.ref.index].person_id
            else:
                person_id = None
            keys.extend(
                (digest, role.value, report.case_id, person_id, "intake", at)
                for digest in sorted(person.digests)
            )
    await conn.executemany(
        f"""INSERT INTO {schema}.match_keys (digest, role, case_id, person_id, source, recorded_at)
            VALUES ($1, $2, $3, $4, $5, $6)""",
        keys,
    )
    await conn.executemany(
        f"""INSERT INTO {schema}.assigned_cases (case_id, report_id, assigned_at)
            VALUES ($1, $2, $3)""",
        [(r.case_id, r.report_id, at) for r in reports],
    )


async def seed_reports(pool: asyncpg.Pool, schema: str, count: int, batch: int) -> None:
    """Append `count` reports opening new cases to intake's event store, `batch` a transaction."""
    store = EventStore(pool, schema, "intake")
    for start in range(0, count, batch):
        at = datetime.now(UTC)
        reports = [seeded_report(n, at) for n in range(start, min(count, start + batch))]
        async with store.transaction() as conn:
            for received, linked in reports:
                correlation_id, received_id = uuid.uuid4(), uuid.uuid4()
                await store.append(
                    f"report-{received.report_id}",
                    [
                        NewEvent(received, STAFF, at, correlation_id, event_id=received_id),
                        NewEvent(linked, STAFF, at, correlation_id, causation_id=received_id),
                    ],
                    expected_version=0,
                    subject=str(received.case_id),
                    conn=conn,
                )
            await write_intake_index(conn, schema, [r for r, _ in reports], at)


# --- services as subprocesses ----------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Service:
    """One Hearth service run as `python -m hearth.<name>` in the environment's own names."""

    name: str
    schema: str
    namespace: str
    logs: Path
    port: int = field(default_factory=free_port)
    process: asyncio.subprocess.Process | None = None

    @property
    def log_file(self) -> Path:
        return self.logs / f"{self.name}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "HEARTH_KAFKA_BOOTSTRAP_SERVERS": KAFKA,
            "HEARTH_DATABASE_URL": DSN,
            "HEARTH_DB_SCHEMA": self.schema,
            "HEARTH_TOPIC_NAMESPACE": self.namespace,
            "HEARTH_HTTP_HOST": "127.0.0.1",
            "HEARTH_HTTP_PORT": str(self.port),
            "HEARTH_INTAKE_MATCH_KEY": MATCH_KEY,
        }

    async def _spawn(self, *args: str) -> asyncio.subprocess.Process:
        with self.log_file.open("ab") as log:
            return await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                f"hearth.{self.name}",
                *args,
                env=self.env(),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )

    async def migrate(self) -> None:
        """Create the schema and tables (the operator's `migrate` command)."""
        process = await self._spawn("migrate")
        code = await asyncio.wait_for(process.wait(), timeout=READY_TIMEOUT)
        if code != 0:
            raise RuntimeError(f"{self.name} migrate exited {code}\n{self.tail()}")

    async def start(self) -> None:
        self.process = await self._spawn("serve")

    async def wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        async with httpx.AsyncClient(base_url=self.url, timeout=3) as client:
            while time.monotonic() < deadline:
                if self.process is not None and self.process.returncode is not None:
                    raise RuntimeError(f"{self.name} exited at start-up\n{self.tail()}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get("/readyz")).status_code == 200:
                        return
                await asyncio.sleep(0.3)
        raise RuntimeError(f"{self.name} not ready in {READY_TIMEOUT:.0f}s\n{self.tail()}")

    async def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.returncode is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), timeout=STOP_TIMEOUT)
        except TimeoutError:
            process.kill()
            await process.wait()

    def tail(self, lines: int = 30) -> str:
        try:
            text = self.log_file.read_text(errors="replace").splitlines()
        except OSError:
            return "(no log)"
        return "\n".join(f"  {self.name}| {line}" for line in text[-lines:])


# --- watching the pipeline -------------------------------------------------------------


async def unpublished(pool: asyncpg.Pool, schema: str) -> int:
    """Events in the schema's outbox the relay has not published yet."""
    row = await pool.fetchrow(
        f"SELECT tx_id::text AS tx_id, global_position FROM {schema}.outbox_position LIMIT 1"
    )
    after = (row["tx_id"], row["global_position"]) if row else ("0", 0)
    return int(
        await pool.fetchval(
            f"""SELECT count(*) FROM {schema}.events
                WHERE (tx_id, global_position) > ($1::text::xid8, $2::bigint)""",
            *after,
        )
    )


async def consumer_lag(pool: asyncpg.Pool, schema: str, topic: str) -> int:
    """Records on `topic` the schema's consumers have not handled yet.

    The relays publish in Kafka transactions, so a partition's end is one past the last
    record's commit marker: a checkpoint one short of the end has handled everything.
    """
    ends = await end_offsets(KAFKA, [topic])
    rows = await pool.fetch(
        f"""SELECT partition, max(next_offset) AS next_offset FROM {schema}.consumer_offsets
            WHERE topic = $1 GROUP BY partition""",
        topic,
    )
    handled = {r["partition"]: r["next_offset"] for r in rows}
    return sum(max(0, end - handled.get(tp.partition, 0) - 1) for tp, end in ends.items())


async def wait_settled(pool: asyncpg.Pool, env: Environment, timeout: float) -> None:
    """Until both relays have published everything and both consumers have handled it."""
    deadline = time.monotonic() + timeout
    quiet = 0
    while quiet < 2:
        if time.monotonic() > deadline:
            raise TimeoutError(f"the services did not settle in {timeout:.0f}s")
        for service in env.services:
            if service.process is None or service.process.returncode is not None:
                raise RuntimeError(f"{service.name} stopped\n{service.tail()}")
        behind = (
            await unpublished(pool, env.intake.schema)
            + await unpublished(pool, env.cases.schema)
            + await consumer_lag(pool, env.cases.schema, env.topic(INTAKE_EVENTS))
            + await consumer_lag(pool, env.intake.schema, env.topic(CASES_EVENTS))
        )
        quiet = quiet + 1 if behind == 0 else 0
        await asyncio.sleep(1.0)


async def open_cases(pool: asyncpg.Pool, schema: str) -> int:
    return int(await pool.fetchval(f"SELECT count(*) FROM {schema}.case_summary"))


class OpenedReader:
    """Notes when each `CaseOpened` becomes readable on the cases topic (`read_committed`).

    Runs in a thread with its own event loop, so the load generator's busy loop does
    not delay the moment a record is seen.
    """

    def __init__(self, topic: str) -> None:
        self.topic = topic
        self.seen: dict[str, float] = {}
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._main, name="opened-reader", daemon=True)

    def _main(self) -> None:
        try:
            asyncio.run(self._read())
        except BaseException as exc:  # reported by check() in the main thread
            self._error = exc
            self._ready.set()

    async def _read(self) -> None:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=KAFKA,
            isolation_level=ISOLATION,
            enable_auto_commit=False,
            fetch_max_wait_ms=50,
        )
        await consumer.start()
        try:
            tps = await partitions_of(KAFKA, self.topic)
            consumer.assign(tps)
            await consumer.seek_to_end(*tps)
            for tp in tps:
                await consumer.position(tp)
            self._ready.set()
            while not self._stop.is_set():
                batches = await consumer.getmany(timeout_ms=100, max_records=5_000)
                now = time.perf_counter()
                for records in batches.values():
                    for record in records:
                        if record.key and ("ce_type", CASE_OPENED) in record.headers:
                            self.seen[record.key.decode()] = now
        finally:
            await consumer.stop()

    async def start(self) -> None:
        self._thread.start()
        await asyncio.to_thread(self._ready.wait, 60)
        self.check()

    def check(self) -> None:
        if self._error is not None:
            raise RuntimeError(f"the cases topic reader failed: {self._error!r}")
        if not self._ready.is_set():
            raise RuntimeError("the cases topic reader did not start")

    async def stop(self) -> None:
        self._stop.set()
        await asyncio.to_thread(self._thread.join, 10)


# --- the environment ------------------------------------------------------------------


@dataclass
class Environment:
    """Fresh names for one size: a topic namespace and a schema per service."""

    namespace: str
    intake: Service
    cases: Service

    @classmethod
    def fresh(cls, logs: Path) -> Environment:
        tag = uuid.uuid4().hex[:8]
        namespace = f"bench-{tag}"
        return cls(
            namespace,
            Service("intake", f"bench_intake_{tag}", namespace, logs),
            Service("cases", f"bench_cases_{tag}", namespace, logs),
        )

    @property
    def services(self) -> list[Service]:
        return [self.intake, self.cases]

    @property
    def raw_schema(self) -> str:
        return self.intake.schema.replace("_intake_", "_raw_")

    def topic(self, name: str) -> str:
        return namespaced(name, self.namespace)

    async def tear_down(self, pool: asyncpg.Pool) -> None:
        await asyncio.gather(*(s.stop() for s in self.services))
        for schema in (self.intake.schema, self.cases.schema, self.raw_schema):
            await pool.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        with contextlib.suppress(Exception):
            await delete_topics_named(KAFKA, [f"{self.namespace}."])


# --- raw baselines ----------------------------------------------------------------------


async def raw_produce_rate(topic: str, records: int) -> float:
    """Idempotent aiokafka producer, acks=all, linger 5 ms, 300-byte values: records/s."""
    await ensure_topics(KAFKA, [topic], partitions=3)
    producer = AIOKafkaProducer(bootstrap_servers=KAFKA, enable_idempotence=True, linger_ms=5)
    await producer.start()
    try:
        value = b"x" * 300
        started = time.perf_counter()
        futures = [
            await producer.send(topic, value=value, key=str(i).encode()) for i in range(records)
        ]
        await asyncio.gather(*futures)
        return records / (time.perf_counter() - started)
    finally:
        await producer.stop()


async def raw_commit_rate(pool: asyncpg.Pool, schema: str, rows: int) -> float:
    """asyncpg inserting one row per transaction (one commit each): rows/s."""
    await pool.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    await pool.execute(f"CREATE TABLE IF NOT EXISTS {schema}.raw (id uuid, body jsonb)")
    body = {"seq": 1, "note": "x" * 200}
    started = time.perf_counter()
    for _ in range(rows):
        await pool.execute(f"INSERT INTO {schema}.raw VALUES ($1, $2)", uuid.uuid4(), body)
    return rows / (time.perf_counter() - started)


# --- load -------------------------------------------------------------------------------


@dataclass
class Sent:
    """One request: when it was sent and answered, the status, the case it opened."""

    started: float
    answered: float
    status: int
    case_id: str | None


@dataclass
class Phase:
    """One measured load: what was sent, and when each case was seen opened."""

    name: str
    sent: list[Sent]
    window: float
    """From the first request to the last answer, seconds."""
    to_opened: list[float] = field(default_factory=list)
    missing: int = 0

    @property
    def accepted(self) -> list[Sent]:
        return [s for s in self.sent if s.status == 202 and s.case_id]

    @property
    def rate(self) -> float:
        return len(self.accepted) / self.window if self.window else 0.0

    @property
    def refused(self) -> int:
        return len(self.sent) - len(self.accepted)

    def answered_in(self) -> list[float]:
        return [s.answered - s.started for s in self.accepted]


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile; NaN when there are no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


class Load:
    """Staff reports posted to intake, each about people no other report names."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {issue_token(STAFF.id, STAFF.role)}"}
        self.next_person = MEASURED_PEOPLE_START

    async def post(self) -> Sent:
        n, self.next_person = self.next_person, self.next_person + 1
        body = report_body(n)
        started = time.perf_counter()
        try:
            response = await self.client.post("/reports", json=body, headers=self.headers)
        except httpx.HTTPError:
            return Sent(started, time.perf_counter(), 0, None)
        answered = time.perf_counter()
        case_id = response.json().get("case_id") if response.status_code == 202 else None
        return Sent(started, answered, response.status_code, case_id)

    async def fixed_rate(self, rate: float, seconds: float) -> Phase:
        """Open loop: a request every 1/rate s whatever the answers, for `seconds`."""
        count = max(1, round(rate * seconds))
        started = time.perf_counter()
        tasks = []
        for i in range(count):
            delay = started + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(self.post()))
        sent = list(await asyncio.gather(*tasks))
        window = max(s.answered for s in sent) - started
        return Phase(f"fixed rate {rate:g}/s for {seconds:g} s", sent, window)

    async def flat_out(self, clients: int, seconds: float) -> Phase:
        """Closed loop: `clients` clients each posting the next report as soon as answered."""
        sent: list[Sent] = []
        started = time.perf_counter()
        until = started + seconds

        async def client() -> None:
            while time.perf_counter() < until:
                sent.append(await self.post())

        await asyncio.gather(*(client() for _ in range(clients)))
        window = max(s.answered for s in sent) - started
        return Phase(f"flat out, {clients} clients for {seconds:g} s", sent, window)


async def drain(phase: Phase, reader: OpenedReader, timeout: float) -> Phase:
    """Wait for every accepted report's `CaseOpened`, then note the times."""
    accepted = phase.accepted
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(s.case_id not in reader.seen for s in accepted):
        reader.check()
        await asyncio.sleep(0.1)
    phase.to_opened = [
        reader.seen[s.case_id] - s.started for s in accepted if s.case_id in reader.seen
    ]
    phase.missing = len(accepted) - len(phase.to_opened)
    return phase


# --- one size ---------------------------------------------------------------------------


@dataclass
class SizeResult:
    """The figures for one number of cases present, with the mean raw baselines."""

    cases: int
    seed_seconds: float
    open_seconds: float
    produce_rate: float
    commit_rate: float
    fixed: Phase
    flat: Phase


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7,.0f} ms"


def print_phase(phase: Phase, commit_rate: float) -> None:
    refused = f", {phase.refused} refused" if phase.refused else ""
    missing = f", {phase.missing} CaseOpened not seen" if phase.missing else ""
    print(f"  {phase.name}: {len(phase.accepted):,} accepted{refused}{missing}")
    print(
        f"    accepted {phase.rate:9,.1f} reports/s  "
        f"({phase.rate / commit_rate:.3f}x the mean one-row commits/s)"
    )
    print(
        f"    to CaseOpened  p50 {ms(percentile(phase.to_opened, 50))}  "
        f"p99 {ms(percentile(phase.to_opened, 99))}   "
        f"(HTTP 202 p50 {ms(percentile(phase.answered_in(), 50)).strip()}, "
        f"p99 {ms(percentile(phase.answered_in(), 99)).strip()})"
    )


async def measure_size(pool: asyncpg.Pool, cases: int, args: argparse.Namespace) -> SizeResult:
    with tempfile.TemporaryDirectory(prefix="hearth-e2e-bench-") as logs:
        env = Environment.fresh(Path(logs))
        print(f"\n== {cases:,} cases present (namespace {env.namespace})", flush=True)
        try:
            return await _measure(pool, env, cases, args)
        except BaseException:
            for service in env.services:
                print(service.tail(), file=sys.stderr)
            raise
        finally:
            await env.tear_down(pool)


async def _measure(
    pool: asyncpg.Pool, env: Environment, cases: int, args: argparse.Namespace
) -> SizeResult:
    await env.intake.migrate()
    started = time.perf_counter()
    await seed_reports(pool, env.intake.schema, cases, args.seed_batch)
    seed_seconds = time.perf_counter() - started
    print(
        f"  seeded {cases:,} reports ({2 * cases:,} events) into intake's event store "
        f"in {seed_seconds:.1f} s ({cases / seed_seconds:,.0f} reports/s)",
        flush=True,
    )

    started = time.perf_counter()
    for service in env.services:
        await service.start()
    for service in env.services:
        await service.wait_ready()
    await wait_settled(pool, env, args.seed_timeout)
    open_seconds = time.perf_counter() - started
    opened = await open_cases(pool, env.cases.schema)
    if opened != cases:
        raise RuntimeError(f"cases opened {opened:,} cases, expected {cases:,}")
    print(
        f"  services started, intake published the backlog, cases opened {opened:,} cases: "
        f"{open_seconds:.1f} s ({opened / open_seconds:,.0f} cases/s)",
        flush=True,
    )

    before = await baselines(pool, env, args)
    print(
        f"  raw baselines before: aiokafka idempotent produce {before[0]:9,.0f} records/s; "
        f"asyncpg one row per commit {before[1]:7,.0f} rows/s",
        flush=True,
    )
    reader = OpenedReader(env.topic(CASES_EVENTS))
    await reader.start()
    try:
        limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients)
        async with httpx.AsyncClient(base_url=env.intake.url, timeout=60, limits=limits) as client:
            load = Load(client)
            # Warm up (and prove the path works) before anything is timed.
            warm = Phase("warm-up", [await load.post() for _ in range(args.warmup)], 1.0)
            await drain(warm, reader, DRAIN_TIMEOUT)
            if warm.refused or warm.missing:
                raise RuntimeError(
                    f"warm-up: {warm.refused} refused, {warm.missing} CaseOpened not seen "
                    f"(statuses {sorted({s.status for s in warm.sent})})"
                )
            await wait_settled(pool, env, SETTLE_TIMEOUT)

            fixed = await drain(
                await load.fixed_rate(args.rate, args.seconds), reader, DRAIN_TIMEOUT
            )
            await wait_settled(pool, env, SETTLE_TIMEOUT)

            flat = await drain(
                await load.flat_out(args.clients, args.seconds), reader, DRAIN_TIMEOUT
            )
            await wait_settled(pool, env, SETTLE_TIMEOUT)
    finally:
        await reader.stop()
    after = await baselines(pool, env, args)
    produce_rate, commit_rate = (before[0] + after[0]) / 2, (before[1] + after[1]) / 2
    print(
        f"  raw baselines after:  aiokafka idempotent produce {after[0]:9,.0f} records/s; "
        f"asyncpg one row per commit {after[1]:7,.0f} rows/s",
        flush=True,
    )
    print_phase(fixed, commit_rate)
    print_phase(flat, commit_rate)
    return SizeResult(cases, seed_seconds, open_seconds, produce_rate, commit_rate, fixed, flat)


async def baselines(
    pool: asyncpg.Pool, env: Environment, args: argparse.Namespace
) -> tuple[float, float]:
    """Raw aiokafka produce records/s and asyncpg one-row commits/s, measured now."""
    return (
        await raw_produce_rate(env.topic("bench.raw"), args.raw_records),
        await raw_commit_rate(pool, env.raw_schema, args.raw_commits),
    )


# --- comparison -------------------------------------------------------------------------


def _ms(seconds: Sequence[float], p: float) -> float:
    return 1000 * percentile(seconds, p)


Figure = tuple[str, Callable[[SizeResult], float], bool]
"""A name, how to read it from a size's result, and whether higher is better."""

FIGURES: Final[Sequence[Figure]] = (
    (
        "fixed rate: p50 to CaseOpened (ms)",
        lambda r: 1000 * percentile(r.fixed.to_opened, 50),
        False,
    ),
    (
        "fixed rate: p99 to CaseOpened (ms)",
        lambda r: 1000 * percentile(r.fixed.to_opened, 99),
        False,
    ),
    ("flat out: accepted reports/s", lambda r: r.flat.rate, True),
    ("flat out: p50 to CaseOpened (ms)", lambda r: 1000 * percentile(r.flat.to_opened, 50), False),
    ("flat out: p99 to CaseOpened (ms)", lambda r: 1000 * percentile(r.flat.to_opened, 99), False),
)


def compare(small: SizeResult, large: SizeResult, tolerance: float) -> bool:
    """Print each figure for both sizes; True when every large one is within `tolerance`."""
    print(
        f"\n== {large.cases:,} cases against {small.cases:,} cases "
        f"(within {tolerance:.0%} means no worse than {1 - tolerance:.2f}x throughput "
        f"or {1 + tolerance:.2f}x time)"
    )
    print(f"  {'figure':40} {small.cases:>10,} {large.cases:>10,}   ratio  within")
    within_all = True
    for name, read, higher_is_better in FIGURES:
        a, b = read(small), read(large)
        ratio = b / a if a else float("inf")
        within = ratio >= 1 - tolerance if higher_is_better else ratio <= 1 + tolerance
        within_all &= within
        print(f"  {name:40} {a:10,.1f} {b:10,.1f}  {ratio:5.2f}x  {'yes' if within else 'NO'}")
    print(
        f"  {'raw: aiokafka produce records/s':40} {small.produce_rate:10,.0f} "
        f"{large.produce_rate:10,.0f}  {large.produce_rate / small.produce_rate:5.2f}x  (baseline)"
    )
    print(
        f"  {'raw: asyncpg one-row commits/s':40} {small.commit_rate:10,.0f} "
        f"{large.commit_rate:10,.0f}  {large.commit_rate / small.commit_rate:5.2f}x  (baseline)"
    )
    print(
        f"  {'backlog: cases opened/s at start':40} "
        f"{small.cases / small.open_seconds:10,.0f} {large.cases / large.open_seconds:10,.0f}"
    )
    verdict = "within" if within_all else "NOT within"
    print(
        f"  => with {large.cases:,} cases the end-to-end figures are {verdict} "
        f"{tolerance:.0%} of those with {small.cases:,} cases"
    )
    return within_all


# --- main -------------------------------------------------------------------------------


async def main(args: argparse.Namespace) -> int:
    # The libraries' own progress lines (topics created...) would break up the figures.
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    sizes = sorted({int(c) for c in args.cases.split(",")})
    print(
        f"end to end: intake POST /reports -> CaseOpened on the cases topic; "
        f"cases present {', '.join(f'{c:,}' for c in sizes)}; "
        f"fixed {args.rate:g}/s and flat out {args.clients} clients, {args.seconds:g} s each",
        flush=True,
    )
    started = time.perf_counter()
    pool = await create_pool(DSN, min_size=1, max_size=4)
    try:
        results = [await measure_size(pool, cases, args) for cases in sizes]
    finally:
        await pool.close()
    within = True
    for result in results[1:]:
        within &= compare(results[0], result, args.tolerance)
    print(f"\nwhole run {time.perf_counter() - started:.0f} s")
    return 0 if within or not args.strict else 1


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", default="1000,50000", help="cases present, comma-separated")
    parser.add_argument("--rate", type=float, default=20.0, help="fixed rate, reports/s")
    parser.add_argument("--clients", type=int, default=64, help="concurrent clients flat out")
    parser.add_argument("--seconds", type=float, default=15.0, help="length of each load")
    parser.add_argument("--warmup", type=int, default=20, help="reports sent before timing")
    parser.add_argument("--seed-batch", type=int, default=2_500, help="reports per transaction")
    parser.add_argument("--seed-timeout", type=float, default=1_800.0, help="for the backlog")
    parser.add_argument("--raw-records", type=int, default=20_000, help="raw produce baseline")
    parser.add_argument("--raw-commits", type=int, default=2_000, help="raw commit baseline")
    parser.add_argument("--tolerance", type=float, default=0.20, help="allowed change")
    parser.add_argument("--strict", action="store_true", help="exit 1 when not within")
    parser.add_argument("--quick", action="store_true", help="smoke run: small and short")
    args = parser.parse_args(argv)
    if args.quick:
        args.cases, args.rate, args.clients, args.seconds = "100,1000", 10.0, 8, 3.0
        args.warmup, args.raw_records, args.raw_commits = 5, 2_000, 200
    return args


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_args())))
