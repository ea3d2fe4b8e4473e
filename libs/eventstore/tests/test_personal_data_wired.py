"""Personal data on the real store and topic: encrypted at rest and on the wire, read in
plaintext by the service, REDACTED once the case's keys are destroyed, and the hash chain
and the topic untouched by the erasure."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import jsonschema_rs
import pytest
from contract_examples import examples

from hearth.contracts.envelope import Actor, Envelope, Role
from hearth.contracts.events import parse_event
from hearth.contracts.events.base import REDACTED, DomainEvent
from hearth.contracts.events.intake import ReportReceived
from hearth.contracts.schemas import CONTRACTS_DIR, SCHEMA_DIR_NAME
from hearth.eventstore.consumer import EventConsumer
from hearth.eventstore.db import Conn, migrate
from hearth.eventstore.kafka import ensure_topics
from hearth.eventstore.relay import OutboxRelay
from hearth.eventstore.store import EventStore, NewEvent
from hearth.eventstore.testing.kafka import read_topic
from hearth.eventstore.testing.service import fresh_topic
from hearth.eventstore.testing.waiting import eventually

pytestmark = pytest.mark.integration

PLANTED = {
    "survivor": "Zelda Quillfeather",
    "survivor_phone": "07700 900111",
    "perpetrator": "Mordecai Thistlewood",
    "reporter": "Perpetua Reportwell",
    "reporter_phone": "07700 900222",
    "account": "PLANTED: he kicked the door in at Wisteria Lane",
    "child": "Tobias Quillfeather",
    "tenancy": "T-PLANT-77",
    "dob": "1987-03-21",
}
ACTOR = Actor(id="staff-0042", role=Role.INTAKE)


def _report(case_id: UUID) -> ReportReceived:
    """The contract's example report, on a case of its own, with planted personal data."""
    data = examples()["hearth.intake.ReportReceived.v1"].model_dump(mode="json")
    data.update(case_id=str(case_id), report_id=str(uuid.uuid4()))
    data["account"] = PLANTED["account"]
    data["tenancy_reference"] = PLANTED["tenancy"]
    data["reporter"].update(name=PLANTED["reporter"], phone=PLANTED["reporter_phone"])
    data["survivor"].update(
        person_id=str(uuid.uuid4()),
        name=PLANTED["survivor"],
        phone=PLANTED["survivor_phone"],
        date_of_birth=PLANTED["dob"],
    )
    data["alleged_perpetrators"][0].update(person_id=str(uuid.uuid4()), name=PLANTED["perpetrator"])
    data["children"][0].update(person_id=str(uuid.uuid4()), name=PLANTED["child"])
    return ReportReceived.model_validate(data)


def _new(event: DomainEvent) -> NewEvent:
    return NewEvent(event, ACTOR, datetime.now(UTC), uuid.uuid4())


def _assert_no_planted(text: str | bytes, where: str) -> None:
    raw = text if isinstance(text, str) else text.decode("utf-8", "replace")
    for what, value in PLANTED.items():
        assert value not in raw, f"{what} in plaintext in {where}"


def _published_schema(event_type: str) -> Any:
    path = CONTRACTS_DIR / SCHEMA_DIR_NAME / f"{event_type}.json"
    return jsonschema_rs.validator_for(json.loads(Path(path).read_text("utf-8")))


@pytest.fixture
async def relayed(
    store: EventStore, database_url: str, kafka_bootstrap: str
) -> AsyncIterator[tuple[str, OutboxRelay]]:
    topic = fresh_topic()
    await ensure_topics(kafka_bootstrap, [topic], partitions=3)
    relay = OutboxRelay(
        store, dsn=database_url, bootstrap_servers=kafka_bootstrap, topic=topic, poll_seconds=0.2
    )
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    yield topic, relay
    stop.set()
    with contextlib.suppress(Exception):
        await asyncio.wait_for(task, timeout=20)


async def _raw_rows(store: EventStore, stream: str) -> list[asyncpg.Record]:
    return await store.pool.fetch(
        f"""SELECT stream_version, hash, payload::text AS payload FROM {store.schema}.events
            WHERE stream_id = $1 ORDER BY stream_version""",
        stream,
    )


async def test_personal_data_is_ciphertext_at_rest_and_on_the_wire_and_erasure_keeps_the_log(
    store: EventStore, kafka_bootstrap: str, relayed: tuple[str, OutboxRelay]
) -> None:
    topic, relay = relayed
    case_id = uuid.uuid4()
    stream = f"report-{case_id}"
    report = _report(case_id)
    second = report.model_copy(update={"report_id": uuid.uuid4()})
    await store.append(stream, [_new(report)], expected_version=0, subject=str(case_id))
    await store.append(stream, [_new(second)], expected_version=1, subject=str(case_id))

    # At rest: the rows hold ciphertext only.
    rows = await _raw_rows(store, stream)
    assert len(rows) == 2
    for row in rows:
        _assert_no_planted(row["payload"], "the events table")
        assert "hearth:enc:v1:" in row["payload"]

    # On the wire: the relay publishes the stored form, valid against the published schema.
    await eventually(lambda: _async(relay.published >= 2), timeout=60, what="the relay")
    records = await read_topic(kafka_bootstrap, topic, expect=2)
    assert len(records) == 2
    schema = _published_schema(ReportReceived.event_type())
    for record in records:
        _assert_no_planted(record.value, "the Kafka record")
        _assert_no_planted(b"".join(v for _, v in record.headers), "the Kafka headers")
        envelope = Envelope.from_kafka(record.key, record.value, list(record.headers))
        assert envelope.hash_is_valid()
        schema.validate(json.loads(record.value))
    before = [(r.partition, r.offset, r.value, sorted(r.headers)) for r in records]

    # The service reads plaintext.
    opened = await store.read_stream(stream)
    event = parse_event(opened[0].type, opened[0].payload)
    assert isinstance(event, ReportReceived)
    assert event.survivor is not None and event.survivor.name == PLANTED["survivor"]
    assert event.survivor.phone == PLANTED["survivor_phone"]
    assert event.survivor.date_of_birth == date.fromisoformat(PLANTED["dob"])
    assert event.alleged_perpetrators[0].name == PLANTED["perpetrator"]
    assert event.reporter.name == PLANTED["reporter"]
    assert event.account == PLANTED["account"]
    assert (await store.verify()).ok

    # Erasure: the case's keys are destroyed; nothing in the log is rewritten or deleted.
    destroyed = await store.cipher.key_store.destroy_case(case_id, reason="test: erasure")
    assert destroyed >= 4  # the case key, survivor, alleged perpetrator, child

    after = await store.read_stream(stream)
    assert [e.event_id for e in after] == [e.event_id for e in opened]
    assert [e.stream_version for e in after] == [1, 2]
    erased = parse_event(after[0].type, after[0].payload)
    assert isinstance(erased, ReportReceived)
    assert erased.survivor is not None and erased.survivor.name == REDACTED
    assert erased.survivor.phone == REDACTED
    assert erased.survivor.date_of_birth is None  # an unreadable date reads as unknown
    assert erased.alleged_perpetrators[0].name == REDACTED
    assert erased.children[0].name == REDACTED
    assert erased.reporter.name == REDACTED
    assert erased.account == REDACTED
    assert erased.tenancy_reference == REDACTED
    # What is not personal is still there.
    assert erased.case_id == case_id and erased.abuse_types == report.abuse_types
    _assert_no_planted(json.dumps([e.payload for e in after]), "a read after erasure")

    assert (await store.verify()).ok
    assert await _raw_rows(store, stream) == rows
    again = await read_topic(kafka_bootstrap, topic, expect=2)
    assert [(r.partition, r.offset, r.value, sorted(r.headers)) for r in again] == before


async def test_a_consumer_without_key_access_sees_ciphertext_and_one_with_it_plaintext(
    store: EventStore,
    pool: asyncpg.Pool,
    kafka_bootstrap: str,
    relayed: tuple[str, OutboxRelay],
) -> None:
    topic, relay = relayed
    case_id = uuid.uuid4()
    await store.append(
        f"report-{case_id}", [_new(_report(case_id))], expected_version=0, subject=str(case_id)
    )
    await eventually(lambda: _async(relay.published >= 1), timeout=60, what="the relay")

    # A plain Kafka consumer (another team, no grant on the key store): ciphertext only.
    (record,) = await read_topic(kafka_bootstrap, topic, expect=1)
    _assert_no_planted(record.value, "what a consumer without keys reads")
    payload = json.loads(record.value)
    assert payload["survivor"]["name"].startswith("hearth:enc:v1:")
    assert payload["account"].startswith("hearth:enc:v1:")
    # It can still load the event: personal values stay ciphertext, an unreadable date None.
    seen = parse_event(ReportReceived.event_type(), payload)
    assert isinstance(seen, ReportReceived) and seen.survivor is not None
    assert seen.survivor.name == payload["survivor"]["name"]
    assert seen.survivor.date_of_birth is None
    assert seen.abuse_types  # categories are readable

    # Hearth's consumers with the key store get plaintext; without it, ciphertext.
    handled: dict[str, list[dict[str, Any]]] = {"with": [], "without": []}

    def handler_for(which: str) -> Any:
        async def handle(conn: Conn, envelope: Envelope) -> None:
            handled[which].append(envelope.payload)

        return handle

    sink = f"t_{uuid.uuid4().hex[:12]}"
    await migrate(pool, sink)
    consumers = [
        EventConsumer(
            service="testing",
            name=f"reader_{which}",
            pool=pool,
            schema=sink,
            bootstrap_servers=kafka_bootstrap,
            topics=[topic],
            handler=handler_for(which),
            dlq_topic=f"{topic}.dlq",
            group_id=f"{sink}.{which}",
            cipher=store.cipher if which == "with" else None,
        )
        for which in ("with", "without")
    ]
    await ensure_topics(kafka_bootstrap, [f"{topic}.dlq"], partitions=3)
    stop = asyncio.Event()
    tasks = [asyncio.create_task(c.run(stop)) for c in consumers]
    try:
        await eventually(
            lambda: _async(bool(handled["with"]) and bool(handled["without"])),
            timeout=60,
            what="both consumers to handle the event",
        )
    finally:
        stop.set()
        for task in tasks:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(task, timeout=20)
        await pool.execute(f"DROP SCHEMA {sink} CASCADE")
    assert handled["with"][0]["survivor"]["name"] == PLANTED["survivor"]
    assert handled["with"][0]["account"] == PLANTED["account"]
    _assert_no_planted(json.dumps(handled["without"]), "a consumer without the key store")


async def _async_value(value: bool) -> bool:
    return value


def _async(value: bool) -> Any:
    return _async_value(value)
