"""The test servers are real: PostgreSQL answers SQL, Kafka answers metadata and keeps data."""

from __future__ import annotations

import time
from pathlib import Path

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from hearth.eventstore.testing.servers import (
    LocalServerControl,
    SessionServers,
    docker_engine_answers,
    find_repo_root,
)
from hearth.eventstore.testing.service import fresh_topic

pytestmark = pytest.mark.integration


async def test_database_url_reaches_a_real_postgres(database_url: str) -> None:
    connection = await asyncpg.connect(database_url)
    try:
        assert await connection.fetchval("select 1") == 1
        assert await connection.fetchval("select current_database()") == "hearth"
    finally:
        await connection.close()


async def test_kafka_bootstrap_reaches_a_real_broker(kafka_bootstrap: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        topics = await admin.list_topics()
    finally:
        await admin.close()
    assert isinstance(topics, list)


async def _records(bootstrap: str, topic: str) -> list[bytes]:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    values: list[bytes] = []
    try:
        deadline = time.monotonic() + 20
        while len(values) < 3 and time.monotonic() < deadline:
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                values.extend(record.value for record in batch if record.value is not None)
    finally:
        await consumer.stop()
    return sorted(values)


async def test_a_restarted_local_broker_keeps_topics_and_records(
    kafka_bootstrap: str, local_kafka_control: LocalServerControl
) -> None:
    topic = fresh_topic("restart")
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)])
    finally:
        await admin.close()
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, enable_idempotence=True)
    await producer.start()
    try:
        for n in range(3):
            await producer.send_and_wait(topic, f"record-{n}".encode(), key=b"case-1")
    finally:
        await producer.stop()

    local_kafka_control.restart()

    assert local_kafka_control.is_running()
    assert await _records(kafka_bootstrap, topic) == [b"record-0", b"record-1", b"record-2"]


def test_the_repository_root_is_found_from_any_directory() -> None:
    here = Path(__file__).resolve()
    root = find_repo_root(here.parent)
    assert root is not None
    assert (root / "deploy" / "local" / "postgres.sh").is_file()
    assert find_repo_root(Path("/")) is None


def test_looking_for_a_docker_engine_neither_hangs_nor_raises() -> None:
    started = time.monotonic()
    assert docker_engine_answers() in (True, False)
    assert time.monotonic() - started < 10


# --- issue 10, point 15: PostgreSQL's own log holds no personal data -------------------

LOG_SETTINGS = {
    "log_error_verbosity": "terse",
    "log_min_error_statement": "panic",
    "log_parameter_max_length": "0",
    "log_parameter_max_length_on_error": "0",
    "log_statement": "none",
}


def test_the_local_postgres_is_started_with_a_log_that_holds_no_personal_data() -> None:
    root = find_repo_root(Path(__file__).resolve().parent)
    assert root is not None
    script = (root / "deploy" / "local" / "postgres.sh").read_text()
    options = script.split("SERVER_OPTIONS=(", 1)[1].split(")", 1)[0]
    given = dict(
        line.strip().removeprefix("-c ").split("=", 1)
        for line in options.splitlines()
        if line.strip().startswith("-c ")
    )
    assert given.items() >= LOG_SETTINGS.items()
    assert "${SERVER_OPTIONS[*]}" in script


async def test_the_local_postgres_log_settings_are_in_force(
    database_url: str, hearth_servers: SessionServers
) -> None:
    # A refused statement (a NUL in JSON, say) is logged by its message alone: no DETAIL
    # or CONTEXT quoting the values, no statement, no parameters.
    if hearth_servers.local_control("postgres") is None:
        pytest.skip(
            f"{database_url} is not run by deploy/local/postgres.sh: its log settings are "
            "its operator's (deploy/k8s/README.md); Hearth warns at start-up when they differ"
        )
    connection = await asyncpg.connect(database_url)
    try:
        for name, value in LOG_SETTINGS.items():
            assert await connection.fetchval(f"SHOW {name}") == value, name
    finally:
        await connection.close()
