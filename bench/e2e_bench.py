"""End to end: reports accepted by intake, and the time until cases opens their case.

Runs the real intake and cases services (`python -m hearth.intake`, `python -m
hearth.cases`) as subprocesses, one pair per size of caseload, each pair on a fresh
topic namespace and fresh schemas, with a given number of cases already present (1,000
and 50,000 by default), and measures:

- reports/s that `POST /reports` accepts (202), at a fixed rate and flat out;
- p50/p99 time from sending the request to `CaseOpened` being readable
  (`read_committed`) on the cases topic.

Costs must not grow with the number of cases, so each figure with the most cases must
be within 20% (`--tolerance`) of the figure with the fewest. The machine this runs on
is shared and noisy (the raw client rates can move 2x within minutes), so two sizes
measured one after the other cannot be compared. Instead:

1. Every size is prepared first and kept running: seeded, its services started, and
   waited for until they have opened every seeded case.
2. Then `--rounds` rounds (3 by default). In each, the fixed-rate phase runs on each
   size in turn, then the flat-out phase likewise; which size goes first alternates
   from round to round. The raw baselines (an idempotent aiokafka producer, and asyncpg
   committing one row per transaction) are measured right before and right after each
   such pair of phases, and every figure is printed beside them.
3. Within one round both sizes saw much the same noise, so each round gives a ratio
   (most cases / fewest) per figure, and the verdict takes the median of those ratios.
   Per size, the median of each figure over the rounds is printed as well. An even
   number of rounds balances which size goes first exactly. At the fixed rate a phase
   has only `--rate` x `--seconds` reports (200 by default), so its p99 is decided by
   whether the shared machine stalled for a moment during it; more rounds
   (`--rounds 5`) or longer phases give a firmer figure.

While one size is measured the others are idle: no load is sent to them, and nothing
is pending in them. Preparing a size, and each phase, ends only once its environment
has settled: relays published, consumers caught up, and its tables vacuumed and
analysed (else autovacuum would start within a minute, during the next phase, often
another size's). Idle services still wake now and then (each relay's poll every
second, the deadline scheduler and the broker check every 5 s), which costs little;
the CPU time the idle services used during each phase is printed, so that this can be
checked. They are not paused (SIGSTOP): a paused Kafka consumer drops out of its group
and rebalances when resumed, which would disturb more than it spares.

The cases present are seeded the way they would have arrived, but without HTTP: report
streams are appended to intake's event store in large transactions (with intake's
match index), then the services start, intake's relay publishes the backlog and cases
opens every case. Each seeded case, and each measured report, is about different
people, so every report opens a new case (the costliest path: caseload counting and
the choice of case manager). Measured reports add cases, so each caseload grows a
little through the run; the cases present when each phase starts are printed.

Servers from KAFKA_BOOTSTRAP_SERVERS / DATABASE_URL (default: the local stack). Only
127.0.0.1; everything started is stopped, and the schemas and topics are dropped, also
when the run is interrupted (Ctrl-C, SIGTERM, SIGHUP). The default run takes about
12 minutes on a shared 2-core machine, 7 of them seeding and opening 50,000 cases (a
round takes about 1.5); `--quick` is a smoke run (small sizes, one round, short
phases) of about a minute.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import logging
import math
import os
import signal
import socket
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Final, Literal

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
CLOCK_TICKS: Final = os.sysconf("SC_CLK_TCK")

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
            # Four services run at once here: no metrics listener (each would want :9100).
            "HEARTH_METRICS_PORT": "0",
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
        try:
            code = await asyncio.wait_for(process.wait(), timeout=READY_TIMEOUT)
        except BaseException:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            raise
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
        """SIGTERM, then SIGKILL after STOP_TIMEOUT; forgets the process only once it is gone."""
        process = self.process
        if process is None or process.returncode is not None:
            self.process = None
            return
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), timeout=STOP_TIMEOUT)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
        self.process = None

    def check_running(self) -> None:
        if self.process is None or self.process.returncode is not None:
            raise RuntimeError(f"{self.name} stopped\n{self.tail()}")

    def cpu_seconds(self) -> float:
        """User and system CPU time the running process has used so far (NaN if unknown)."""
        if self.process is None:
            return math.nan
        try:
            stat = Path(f"/proc/{self.process.pid}/stat").read_text()
        except OSError:
            return math.nan
        # Fields after the command name (which may hold spaces): utime and stime are the
        # 14th and 15th of the line, so the 12th and 13th after the closing parenthesis.
        fields = stat.rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

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
        env.check_running()
        behind = (
            await unpublished(pool, env.intake.schema)
            + await unpublished(pool, env.cases.schema)
            + await consumer_lag(pool, env.cases.schema, env.topic(INTAKE_EVENTS))
            + await consumer_lag(pool, env.intake.schema, env.topic(CASES_EVENTS))
        )
        quiet = quiet + 1 if behind == 0 else 0
        await asyncio.sleep(1.0)


async def vacuum(pool: asyncpg.Pool, env: Environment) -> None:
    """VACUUM (ANALYZE) the environment's tables, so autovacuum has nothing left to do there.

    Otherwise it starts up to a minute after a load (or the backlog) and runs during
    whichever phase comes next, often another size's. Where there is nothing to do (all
    pages visible, few rows changed) it is quick.
    """
    tables = await pool.fetch(
        "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) AS name "
        "FROM pg_tables WHERE schemaname = ANY($1::text[])",
        [service.schema for service in env.services],
    )
    if tables:
        await pool.execute(f"VACUUM (ANALYZE) {', '.join(t['name'] for t in tables)}")


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
        if self._thread.ident is not None:
            await asyncio.to_thread(self._thread.join, 10)


# --- the environment ------------------------------------------------------------------


async def drop_names(schemas: Sequence[str], namespace: str) -> None:
    """Drop the schemas and the namespace's topics, each step whatever became of the others.

    On a connection of its own, so that a pool left broken by an interruption does not
    keep anything behind.
    """
    try:
        conn = await asyncpg.connect(DSN)
        try:
            for schema in schemas:
                try:
                    await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
                except Exception as exc:
                    print(f"cleanup: could not drop schema {schema}: {exc!r}", file=sys.stderr)
        finally:
            await conn.close()
    except Exception as exc:
        print(f"cleanup: could not drop schemas {', '.join(schemas)}: {exc!r}", file=sys.stderr)
    try:
        await delete_topics_named(KAFKA, [f"{namespace}."])
    except Exception as exc:
        print(f"cleanup: could not delete topics {namespace}.*: {exc!r}", file=sys.stderr)


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
        # A log folder each: both sizes run services of the same names.
        (logs / namespace).mkdir()
        return cls(
            namespace,
            Service("intake", f"bench_intake_{tag}", namespace, logs / namespace),
            Service("cases", f"bench_cases_{tag}", namespace, logs / namespace),
        )

    @property
    def services(self) -> list[Service]:
        return [self.intake, self.cases]

    def topic(self, name: str) -> str:
        return namespaced(name, self.namespace)

    def check_running(self) -> None:
        for service in self.services:
            service.check_running()

    def cpu_seconds(self) -> float:
        return sum(service.cpu_seconds() for service in self.services)

    def print_tails(self) -> None:
        for service in self.services:
            print(f"  ({self.namespace})\n{service.tail()}", file=sys.stderr)

    async def tear_down(self) -> None:
        await asyncio.gather(*(s.stop() for s in self.services), return_exceptions=True)
        await drop_names([self.intake.schema, self.cases.schema], self.namespace)


# --- raw baselines ----------------------------------------------------------------------


@dataclass(frozen=True)
class Baseline:
    """Raw client rates measured at one moment: how fast the machine was just then."""

    produce: float
    """An idempotent aiokafka producer, records/s."""
    commit: float
    """asyncpg committing one row per transaction, rows/s."""

    def __str__(self) -> str:
        return (
            f"aiokafka idempotent produce {self.produce:9,.0f} records/s; "
            f"asyncpg one row per commit {self.commit:7,.0f} rows/s"
        )

    @staticmethod
    def mean(a: Baseline, b: Baseline) -> Baseline:
        return Baseline((a.produce + b.produce) / 2, (a.commit + b.commit) / 2)


@dataclass
class RawTarget:
    """Where the raw baselines write: a topic and a schema of their own for the run."""

    namespace: str
    schema: str

    @classmethod
    def fresh(cls) -> RawTarget:
        tag = uuid.uuid4().hex[:8]
        return cls(f"bench-raw-{tag}", f"bench_raw_{tag}")

    async def measure(self, pool: asyncpg.Pool, args: argparse.Namespace) -> Baseline:
        return Baseline(
            await raw_produce_rate(namespaced("bench.raw", self.namespace), args.raw_records),
            await raw_commit_rate(pool, self.schema, args.raw_commits),
        )

    async def tear_down(self) -> None:
        await drop_names([self.schema], self.namespace)


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
    present: int = 0
    """Cases present when the load started."""
    busy: float = math.nan
    """From the first request until every accepted report's case was seen opened, seconds."""
    cpu: float = math.nan
    """CPU seconds the measured services used in `busy`."""
    idle_cpu: float = math.nan
    """CPU seconds the other (idle) environments' services used in `busy`."""

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

    def __init__(self, client: httpx.AsyncClient, people: Iterator[int]) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {issue_token(STAFF.id, STAFF.role)}"}
        self.people = people

    async def post(self) -> Sent:
        body = report_body(next(self.people))
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


# --- preparing a size --------------------------------------------------------------------


@dataclass
class Size:
    """One number of cases present: its environment, kept running, and how it was prepared."""

    cases: int
    env: Environment
    seed_seconds: float = math.nan
    open_seconds: float = math.nan

    @property
    def label(self) -> str:
        return f"{self.cases:,} cases"


async def prepare(pool: asyncpg.Pool, size: Size, args: argparse.Namespace) -> None:
    """Seed the size's cases, start its services, and wait until every case is opened."""
    env = size.env
    print(f"\n== preparing {size.label} (namespace {env.namespace})", flush=True)
    await env.intake.migrate()
    started = time.perf_counter()
    await seed_reports(pool, env.intake.schema, size.cases, args.seed_batch)
    size.seed_seconds = time.perf_counter() - started
    print(
        f"  seeded {size.cases:,} reports ({2 * size.cases:,} events) into intake's event "
        f"store in {size.seed_seconds:.1f} s ({size.cases / size.seed_seconds:,.0f} reports/s)",
        flush=True,
    )

    started = time.perf_counter()
    for service in env.services:
        await service.start()
    for service in env.services:
        await service.wait_ready()
    await wait_settled(pool, env, args.seed_timeout)
    size.open_seconds = time.perf_counter() - started
    await vacuum(pool, env)
    opened = await open_cases(pool, env.cases.schema)
    if opened != size.cases:
        raise RuntimeError(f"cases opened {opened:,} cases, expected {size.cases:,}")
    print(
        f"  services started, intake published the backlog, cases opened {opened:,} cases: "
        f"{size.open_seconds:.1f} s ({opened / size.open_seconds:,.0f} cases/s)",
        flush=True,
    )


# --- measuring --------------------------------------------------------------------------

Kind = Literal["fixed", "flat"]
KINDS: Final[Sequence[Kind]] = ("fixed", "flat")


async def warm_up(load: Load, reader: OpenedReader, reports: int) -> None:
    """A few reports one by one, untimed: wakes the idle services and proves the path."""
    warm = Phase("warm-up", [await load.post() for _ in range(reports)], 1.0)
    await drain(warm, reader, DRAIN_TIMEOUT)
    if warm.refused or warm.missing:
        raise RuntimeError(
            f"warm-up: {warm.refused} refused, {warm.missing} CaseOpened not seen "
            f"(statuses {sorted({s.status for s in warm.sent})})"
        )


async def run_phase(
    pool: asyncpg.Pool,
    size: Size,
    idle: Sequence[Size],
    kind: Kind,
    people: Iterator[int],
    args: argparse.Namespace,
) -> Phase:
    """One timed load on `size` while the `idle` sizes get nothing; ends settled."""
    env = size.env
    for other in idle:
        other.env.check_running()
    reader = OpenedReader(env.topic(CASES_EVENTS))
    try:
        await reader.start()
        limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients)
        async with httpx.AsyncClient(base_url=env.intake.url, timeout=60, limits=limits) as client:
            load = Load(client, people)
            await warm_up(load, reader, args.warmup)
            await wait_settled(pool, env, SETTLE_TIMEOUT)
            present = await open_cases(pool, env.cases.schema)
            cpu = env.cpu_seconds()
            idle_cpu = sum(other.env.cpu_seconds() for other in idle)
            started = time.perf_counter()
            if kind == "fixed":
                phase = await load.fixed_rate(args.rate, args.seconds)
            else:
                phase = await load.flat_out(args.clients, args.seconds)
            await drain(phase, reader, DRAIN_TIMEOUT)
            phase.busy = time.perf_counter() - started
            phase.cpu = env.cpu_seconds() - cpu
            phase.idle_cpu = sum(other.env.cpu_seconds() for other in idle) - idle_cpu
            phase.present = present
        await wait_settled(pool, env, SETTLE_TIMEOUT)
        await vacuum(pool, env)
    finally:
        await reader.stop()
    return phase


@dataclass
class Pair:
    """One kind of phase run on every size in one round, between two raw baselines."""

    round: int
    kind: Kind
    order: list[Size]
    before: Baseline
    after: Baseline | None = None
    phases: dict[int, Phase] = field(default_factory=dict)
    """By the number of cases seeded."""

    @property
    def baseline(self) -> Baseline:
        return Baseline.mean(self.before, self.after or self.before)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7,.0f} ms"


def print_pair(pair: Pair, rounds: int, sizes: Sequence[Size]) -> None:
    phase_name = next(iter(pair.phases.values())).name
    print(f"\n-- round {pair.round + 1} of {rounds}: {phase_name} ({pair.order[0].label} first)")
    print(f"  raw baselines before: {pair.before}")
    commit_rate = pair.baseline.commit
    for size in pair.order:
        phase = pair.phases[size.cases]
        refused = f", {phase.refused} refused {refusals(phase)}" if phase.refused else ""
        missing = f", {phase.missing} CaseOpened not seen" if phase.missing else ""
        print(
            f"  {size.label} ({phase.present:,} present): "
            f"{len(phase.accepted):,} accepted{refused}{missing}"
        )
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
        others = ", ".join(other.label for other in sizes if other is not size)
        print(
            f"    CPU: its services {cpu_per_report(phase):5.1f} ms per report; "
            f"idle {others} meanwhile {phase.idle_cpu:.2f} s "
            f"({phase.idle_cpu / phase.busy:.1%} of a core)"
        )
    print(f"  raw baselines after:  {pair.after}", flush=True)


def refusals(phase: Phase) -> str:
    """How many of each HTTP status were not accepted (0: no answer)."""
    counts = Counter(s.status for s in phase.sent if not (s.status == 202 and s.case_id))
    return "(" + ", ".join(f"{status}: {n}" for status, n in sorted(counts.items())) + ")"


def cpu_per_report(phase: Phase) -> float:
    accepted = len(phase.accepted)
    return 1000 * phase.cpu / accepted if accepted else math.nan


async def measure_rounds(
    pool: asyncpg.Pool, sizes: Sequence[Size], raw: RawTarget, args: argparse.Namespace
) -> list[Pair]:
    """Interleaved rounds; each pair of phases between the baselines measured around it."""
    people = itertools.count(MEASURED_PEOPLE_START)
    pairs: list[Pair] = []
    baseline = await raw.measure(pool, args)
    for round_ in range(args.rounds):
        order = list(sizes) if round_ % 2 == 0 else list(reversed(sizes))
        for kind in KINDS:
            pair = Pair(round_, kind, order, before=baseline)
            for size in order:
                idle = [other for other in sizes if other is not size]
                pair.phases[size.cases] = await run_phase(pool, size, idle, kind, people, args)
            pair.after = baseline = await raw.measure(pool, args)
            print_pair(pair, args.rounds, sizes)
            pairs.append(pair)
    return pairs


# --- comparison -------------------------------------------------------------------------

Figure = tuple[str, Kind, Callable[[Phase], float], bool]
"""A name, the phase it comes from, how to read it, and whether higher is better."""


def p50_ms(phase: Phase) -> float:
    return 1000 * percentile(phase.to_opened, 50)


def p99_ms(phase: Phase) -> float:
    return 1000 * percentile(phase.to_opened, 99)


FIGURES: Final[Sequence[Figure]] = (
    ("fixed rate: p50 to CaseOpened (ms)", "fixed", p50_ms, False),
    ("fixed rate: p99 to CaseOpened (ms)", "fixed", p99_ms, False),
    ("flat out: accepted reports/s", "flat", lambda p: p.rate, True),
    ("flat out: p50 to CaseOpened (ms)", "flat", p50_ms, False),
    ("flat out: p99 to CaseOpened (ms)", "flat", p99_ms, False),
)

CPU_FIGURES: Final[Sequence[Figure]] = (
    ("fixed rate: services CPU ms per report", "fixed", cpu_per_report, False),
    ("flat out: services CPU ms per report", "flat", cpu_per_report, False),
)
"""Printed for information, not judged: CPU time moves less with the noise than wall time."""


def ratio_of(a: float, b: float) -> float:
    return b / a if a else math.inf


def compare_figure(
    figure: Figure, pairs: Sequence[Pair], small: Size, large: Size, tolerance: float
) -> tuple[str, bool]:
    """A row of the comparison, and whether the median per-round ratio is within tolerance."""
    name, kind, read, higher_is_better = figure
    rounds = [p for p in pairs if p.kind == kind]
    values = [(read(p.phases[small.cases]), read(p.phases[large.cases])) for p in rounds]
    ratios = [ratio_of(a, b) for a, b in values]
    ratio = statistics.median(ratios)
    within = ratio >= 1 - tolerance if higher_is_better else ratio <= 1 + tolerance
    row = (
        f"  {name:40} {statistics.median(a for a, _ in values):10,.1f} "
        f"{statistics.median(b for _, b in values):10,.1f}  "
        f"{' '.join(f'{r:5.2f}' for r in ratios):>17}  {ratio:5.2f}x"
    )
    return row, within


def spread(values: Sequence[float]) -> str:
    return f"{statistics.median(values):10,.0f}  ({min(values):,.0f} to {max(values):,.0f})"


def compare(pairs: Sequence[Pair], small: Size, large: Size, tolerance: float) -> bool:
    """Print each figure for both sizes; True when every median ratio is within `tolerance`."""
    rounds = len({p.round for p in pairs})
    print(
        f"\n== {large.label} against {small.label}, {rounds} round(s) "
        f"(within {tolerance:.0%} means no worse than {1 - tolerance:.2f}x throughput "
        f"or {1 + tolerance:.2f}x time)"
    )
    print(
        f"  {'median over the rounds':40} {small.cases:>10,} {large.cases:>10,}  "
        f"{'ratio per round':>17}  median within"
    )
    within_all = True
    for figure in FIGURES:
        row, within = compare_figure(figure, pairs, small, large, tolerance)
        within_all &= within
        print(f"{row}  {'yes' if within else 'NO'}")
    for figure in CPU_FIGURES:
        row, _ = compare_figure(figure, pairs, small, large, tolerance)
        print(f"{row}  (information)")
    baselines = [pairs[0].before, *(p.after for p in pairs if p.after is not None)]
    print(f"  raw baselines, {len(baselines)} measurements: median (lowest to highest)")
    print(f"    {'aiokafka produce records/s':38} {spread([b.produce for b in baselines])}")
    print(f"    {'asyncpg one-row commits/s':38} {spread([b.commit for b in baselines])}")
    present = {size.cases: [p.phases[size.cases].present for p in pairs] for size in (small, large)}
    print(
        f"  cases present while measured: {small.label}: {min(present[small.cases]):,} to "
        f"{max(present[small.cases]):,}; {large.label}: {min(present[large.cases]):,} to "
        f"{max(present[large.cases]):,}"
    )
    print(
        f"  backlog at start, cases opened/s: {small.label}: "
        f"{small.cases / small.open_seconds:,.0f}; {large.label}: "
        f"{large.cases / large.open_seconds:,.0f} (measured one after the other)"
    )
    verdict = "within" if within_all else "NOT within"
    print(
        f"  => with {large.label} the end-to-end figures are {verdict} {tolerance:.0%} of "
        f"those with {small.label} (median of the per-round ratios)"
    )
    return within_all


# --- main -------------------------------------------------------------------------------


def cancel_once(task: asyncio.Task[Any]) -> None:
    """On SIGINT, SIGTERM or SIGHUP: cancel the run once; a second signal while it
    cleans up is ignored, so that the clean-up is not cut short."""
    if not task.cancelling():
        task.cancel()


async def main(args: argparse.Namespace) -> int:
    # The libraries' own progress lines (topics created...) would break up the figures.
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    counts = sorted({int(c) for c in args.cases.split(",")})
    if len(counts) < 2:
        raise SystemExit("--cases needs at least two different sizes to compare")
    print(
        f"end to end: intake POST /reports -> CaseOpened on the cases topic; "
        f"cases present {', '.join(f'{c:,}' for c in counts)}; {args.rounds} interleaved "
        f"round(s) of fixed {args.rate:g}/s and flat out {args.clients} clients, "
        f"{args.seconds:g} s each",
        flush=True,
    )
    started = time.perf_counter()
    task = asyncio.current_task()
    assert task is not None
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        # A signal the caller chose to ignore (nohup, a background job) stays ignored.
        if signal.getsignal(sig) is not signal.SIG_IGN:
            loop.add_signal_handler(sig, cancel_once, task)
    pool = await create_pool(DSN, min_size=1, max_size=4)
    try:
        with tempfile.TemporaryDirectory(prefix="hearth-e2e-bench-") as logs:
            async with contextlib.AsyncExitStack() as cleanup:
                raw = RawTarget.fresh()
                cleanup.push_async_callback(raw.tear_down)
                sizes: list[Size] = []
                for cases in counts:
                    sizes.append(Size(cases, Environment.fresh(Path(logs))))
                    cleanup.push_async_callback(sizes[-1].env.tear_down)
                try:
                    for size in sizes:
                        await prepare(pool, size, args)
                    pairs = await measure_rounds(pool, sizes, raw, args)
                except Exception:
                    for size in sizes:
                        size.env.print_tails()
                    raise
    finally:
        await pool.close()
    within = True
    for size in sizes[1:]:
        within &= compare(pairs, sizes[0], size, args.tolerance)
    print(f"\nwhole run {time.perf_counter() - started:.0f} s")
    return 0 if within or not args.strict else 1


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", default="1000,50000", help="cases present, comma-separated")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds")
    parser.add_argument("--rate", type=float, default=20.0, help="fixed rate, reports/s")
    parser.add_argument(
        "--clients", type=int, default=None, help="concurrent clients flat out (64; quick: 8)"
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each load")
    parser.add_argument("--warmup", type=int, default=10, help="reports sent before each load")
    parser.add_argument("--seed-batch", type=int, default=2_500, help="reports per transaction")
    parser.add_argument("--seed-timeout", type=float, default=1_800.0, help="for the backlog")
    parser.add_argument("--raw-records", type=int, default=20_000, help="raw produce baseline")
    parser.add_argument("--raw-commits", type=int, default=2_000, help="raw commit baseline")
    parser.add_argument("--tolerance", type=float, default=0.20, help="allowed change")
    parser.add_argument("--strict", action="store_true", help="exit 1 when not within")
    parser.add_argument("--quick", action="store_true", help="smoke run: small, short, 1 round")
    args = parser.parse_args(argv)
    if args.quick:
        args.cases, args.rounds, args.rate, args.seconds = "100,1000", 1, 10.0, 3.0
        args.warmup, args.raw_records, args.raw_commits = 5, 2_000, 200
    if args.clients is None:
        args.clients = 8 if args.quick else 64
    if args.rounds < 1 or args.clients < 1 or args.seconds <= 0 or args.rate <= 0:
        parser.error("--rounds, --clients, --seconds and --rate must be positive")
    return args


if __name__ == "__main__":
    try:
        sys.exit(asyncio.run(main(parse_args())))
    except (KeyboardInterrupt, asyncio.CancelledError):
        print("\ninterrupted: services stopped, schemas and topics dropped", file=sys.stderr)
        sys.exit(130)
