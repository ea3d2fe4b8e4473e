"""`audit access` on a real history of staff reads of a case that is not restricted.

Intake, cases, risk and referrals run on real Kafka and PostgreSQL. A case is reported;
its case manager opens it in cases, risk and referrals, a manager opens it in cases, and
another manager opens it twenty times at once across the three services. Then, with the
services stopped (only the broker up), `audit access` lists exactly those reads, in order,
with who read, in which role, what and when; the records hold no personal data, sit on
each service's reads stream for the case (never the case's own stream) in an unbroken
chain, and are keyed by the case id.

The test waits for the services to know the case by reading their stores and read
models, never through the HTTP API, so that no read but the ones under test is recorded.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import sys
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hearth.audit.cli import run
from hearth.cases.domain.state import fold_envelopes
from hearth.cases.domain.state import stream_id as case_stream
from hearth.cases.service import SPEC as CASES
from hearth.contracts.envelope import Envelope, Role
from hearth.contracts.topics import CASES_EVENTS, REFERRALS_EVENTS, RISK_EVENTS
from hearth.eventstore.clock import ControllableClock
from hearth.eventstore.kafka import namespaced
from hearth.eventstore.reads import reads_stream_id
from hearth.eventstore.testing.kafka import read_to_end
from hearth.eventstore.testing.service import RunningService, fresh_namespace, running_service
from hearth.eventstore.testing.waiting import eventually
from hearth.intake.service import SPEC as INTAKE
from hearth.referrals import read_model as referrals_model
from hearth.referrals.service import SPEC as REFERRALS
from hearth.risk import read_model as risk_model
from hearth.risk.service import SPEC as RISK

pytestmark = pytest.mark.integration

REPORTED = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)
MANAGER = ("mgr-0001", Role.MANAGER)
CROWD = ("mgr-0002", Role.MANAGER)
SURVIVOR_NAME = "Primrose Readcase"
PERPETRATOR_NAME = "Anselm Readcase"
ACCOUNT = "He reads my messages every night and takes my phone to work."
READ_FIELDS = {"case_id", "read_at", "staff_id", "view"}
READ_EVENTS = {
    "cases": "CaseRecordRead",
    "risk": "RiskRecordRead",
    "referrals": "ReferralRecordRead",
}
TOPICS = {"cases": CASES_EVENTS, "risk": RISK_EVENTS, "referrals": REFERRALS_EVENTS}
AT_ONCE = {"cases": 10, "risk": 5, "referrals": 5}
PATHS = {"cases": "/cases/{}", "risk": "/cases/{}/risk", "referrals": "/cases/{}/referrals"}


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def _reads_on_topics(bootstrap: str, namespace: str, case_id: str) -> list[Envelope]:
    found: list[Envelope] = []
    for service, topic in TOPICS.items():
        for record in await read_to_end(bootstrap, namespaced(topic, namespace)):
            envelope = Envelope.from_kafka(record.key, record.value, list(record.headers))
            if envelope.subject == case_id and envelope.event_name == READ_EVENTS[service]:
                assert record.key == case_id.encode()
                found.append(envelope)
    return found


async def _case_manager(cases: RunningService, case_id: str) -> str | None:
    history = await cases.runtime.event_store.read_stream(case_stream(uuid.UUID(case_id)))
    manager = fold_envelopes(history).case_manager
    return manager.staff_id if manager else None


async def _risk_knows(risk: RunningService, case_id: str) -> bool:
    store = risk.runtime.event_store
    async with store.transaction() as conn:
        return await risk_model.case_access(conn, store.schema, uuid.UUID(case_id)) is not None


async def _referrals_know(referrals: RunningService, case_id: str) -> bool:
    store = referrals.runtime.event_store
    async with store.transaction() as conn:
        known = await referrals_model.load_known(conn, store.schema, uuid.UUID(case_id))
    return known.opened


async def test_access_lists_every_staff_read_once_in_order_without_personal_data(
    kafka_bootstrap: str, database_url: str
) -> None:
    namespace = fresh_namespace()
    clock = ControllableClock(REPORTED)
    phone = f"07700 9{uuid.uuid4().int % 100000:05d}"

    def start(spec: Any) -> Any:
        return running_service(
            spec,
            kafka_bootstrap=kafka_bootstrap,
            database_url=database_url,
            clock=clock,
            topic_namespace=namespace,
        )

    async with (
        start(INTAKE) as intake,
        start(CASES) as cases,
        start(RISK) as risk,
        start(REFERRALS) as referrals,
    ):
        services = {"cases": cases, "risk": risk, "referrals": referrals}
        sent = await intake.client.post(
            "/reports",
            json={
                "channel": "phone",
                "reporter": {"kind": "survivor"},
                "survivor": {"name": SURVIVOR_NAME, "phone": phone},
                "alleged_perpetrators": [{"name": PERPETRATOR_NAME}],
                "abuse_types": ["controlling_or_coercive"],
                "immediate_danger": False,
                "account": ACCOUNT,
            },
            headers=intake.auth("intake-0007", Role.INTAKE),
        )
        assert sent.status_code == 202, sent.text
        case_id = sent.json()["case_id"]
        manager_id = await eventually(
            lambda: _case_manager(cases, case_id), timeout=60, what="cases to open the case"
        )
        await eventually(lambda: _risk_knows(risk, case_id), timeout=60, what="risk")
        await eventually(lambda: _referrals_know(referrals, case_id), timeout=60, what="referrals")
        caseworker = (manager_id, Role.CASE_MANAGER)
        case_stream_before = await cases.runtime.event_store.read_stream(
            case_stream(uuid.UUID(case_id))
        )

        async def get(service: str, who: tuple[str, Role]) -> None:
            running = services[service]
            got = await running.client.get(
                PATHS[service].format(case_id), headers=running.auth(*who)
            )
            assert got.status_code == 200, got.text

        # One at a time, each at its own moment.
        expected: list[tuple[str, str, str, str, datetime]] = []
        steps = [
            ("cases", caseworker, "timeline"),
            ("risk", caseworker, "risk_record"),
            ("referrals", caseworker, "summary"),
            ("cases", MANAGER, "timeline"),
        ]
        for hour, (service, who, view) in enumerate(steps, start=1):
            clock.set(REPORTED + timedelta(hours=hour))
            await get(service, who)
            expected.append((service, who[0], who[1].value, view, clock.now()))

        # Twenty at once, ten of them of the case in cases: none fails, each is recorded.
        crowd_at = REPORTED + timedelta(hours=len(steps) + 1)
        clock.set(crowd_at)
        await asyncio.gather(
            *(get(service, CROWD) for service, n in AT_ONCE.items() for _ in range(n))
        )
        total = len(steps) + sum(AT_ONCE.values())

        async def all_published() -> list[Envelope] | None:
            found = await _reads_on_topics(kafka_bootstrap, namespace, case_id)
            return found if len(found) >= total else None

        published = await eventually(all_published, timeout=60, what="the reads on the topics")
        # A read never touches the case's own stream.
        case_stream_after = await cases.runtime.event_store.read_stream(
            case_stream(uuid.UUID(case_id))
        )
        assert [e.event_id for e in case_stream_after] == [e.event_id for e in case_stream_before]

    # The records themselves: no personal data, one reads stream per service, unbroken.
    assert len(published) == total
    for envelope in published:
        assert set(envelope.payload) == READ_FIELDS
        assert envelope.payload["staff_id"] == envelope.actor.id
    for service in TOPICS:
        mine = [e for e in published if e.source == f"hearth.{service}"]
        assert {e.stream_id for e in mine} == {reads_stream_id(service, uuid.UUID(case_id))}
        assert sorted(e.stream_version for e in mine) == list(range(1, len(mine) + 1))

    # Only the broker is up now.
    out, err = io.StringIO(), io.StringIO()
    argv = ["access", case_id, "--namespace", namespace, "--json"]
    code = await run([*argv, "--bootstrap-servers", kafka_bootstrap], out=out, err=err)
    assert (code, err.getvalue()) == (0, "")
    answer = json.loads(out.getvalue())
    assert answer["integrity"]["ok"] is True
    rows = answer["reads"]
    assert len(rows) == total
    assert all(r["access_granted"] and not r["restricted"] for r in rows)
    first = [
        (r["service"], r["staff_id"], r["role"], r["view"], _moment(r["read_at"]))
        for r in rows[: len(steps)]
    ]
    assert first == expected
    crowd = rows[len(steps) :]
    assert {(r["staff_id"], r["role"]) for r in crowd} == {(CROWD[0], CROWD[1].value)}
    assert {_moment(r["read_at"]) for r in crowd} == {crowd_at}
    assert Counter(r["service"] for r in crowd) == Counter(AT_ONCE)
    assert {(r["service"], r["view"]) for r in crowd} == {
        ("cases", "timeline"),
        ("risk", "risk_record"),
        ("referrals", "summary"),
    }
    assert {r["event"] for r in rows} == set(READ_EVENTS.values())

    # As an operator runs it: the table, with no personal value anywhere.
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap}
    process = await asyncio.create_subprocess_exec(
        *[sys.executable, "-m", "hearth.audit", "access", case_id, "--namespace", namespace],
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
    text = stdout.decode()
    assert process.returncode == 0, stderr.decode()
    assert f"Case {case_id}: {total} recorded reads" in text
    assert text.count(f" {manager_id} ") == len(steps) - 1
    assert text.count(f" {MANAGER[0]} ") == 1
    assert text.count(f" {CROWD[0]} ") == sum(AT_ONCE.values())
    for value in (SURVIVOR_NAME, PERPETRATOR_NAME, ACCOUNT, phone, "Primrose", "Readcase"):
        assert value not in out.getvalue()
        assert value not in text
