"""pytest plugin: real Kafka and PostgreSQL for every test directory.

Registered for the whole workspace in pyproject.toml (`-p hearth.eventstore.testing.plugin`).
Session fixtures:

- `kafka_bootstrap`: "host:port" of a Kafka broker;
- `database_url`: a PostgreSQL URL for the `hearth` database;
- `local_kafka_control` / `local_postgres_control`: stop, kill and start the local
  server mid-test (fault tests); skipped unless the server is run by deploy/local.

And per test, `topic_namespace`: a Kafka topic namespace of the test's own, so the
services a test runs hear only what it publishes (and never a developer's running
stack); `topic(name)` gives a published topic's name in it.

Servers come from the environment, testcontainers or deploy/local, in that order
(see `hearth.eventstore.testing.servers`).
"""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Callable, Coroutine, Iterator
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from hearth.eventstore.db import check_schema_name
from hearth.eventstore.kafka import namespaced
from hearth.eventstore.testing.kafka import delete_topics_named
from hearth.eventstore.testing.servers import (
    LocalServerControl,
    ServerUnavailable,
    SessionServers,
    find_repo_root,
)
from hearth.eventstore.testing.service import (
    MADE_SCHEMAS,
    MADE_TOPIC_PREFIXES,
    RunningService,
    fresh_namespace,
    running_service,
)

_SERVERS = pytest.StashKey[SessionServers]()


@pytest.fixture
def topic_namespace() -> str:
    """A topic namespace of this test's own (pass it to `running_service`)."""
    return fresh_namespace()


@pytest.fixture
def topic(topic_namespace: str) -> Callable[[str], str]:
    """`topic(CASES_EVENTS)`: that topic's name in this test's namespace."""
    return lambda name: namespaced(name, topic_namespace)


StartService = Callable[..., AbstractAsyncContextManager[RunningService]]
"""`start_service(SPEC, clock, schema=None)`: see the fixture."""


@pytest.fixture
def start_service(kafka_bootstrap: str, database_url: str, topic_namespace: str) -> StartService:
    """`async with start_service(SPEC, clock) as service:` runs a service on the test's
    servers and topic namespace, with its own schema (or `schema=`, to run on an existing
    one: a restart). Every service a test starts hears the others' topics."""

    def start(
        spec: Any, clock: Any, schema: str | None = None
    ) -> AbstractAsyncContextManager[RunningService]:
        return running_service(
            spec,
            kafka_bootstrap=kafka_bootstrap,
            database_url=database_url,
            clock=clock,
            schema=schema,
            topic_namespace=topic_namespace,
        )

    return start


_USED = pytest.StashKey[list[str]]()


@pytest.fixture(scope="session")
def hearth_servers(request: pytest.FixtureRequest) -> Iterator[SessionServers]:
    """The session's servers; stops what it started when the session ends."""
    config = request.config
    servers = SessionServers(find_repo_root(Path(__file__).resolve().parent, config.rootpath))
    config.stash[_SERVERS] = servers
    try:
        yield servers
    finally:
        config.stash[_USED] = [server.describe() for server in servers.provided()]
        _tidy_up(servers)
        servers.close()


def _tidy_up(servers: SessionServers) -> None:
    """Delete the topics and schemas this session's tests made, so the servers a
    developer keeps do not grow with every run."""
    provided = {server.name: server.address for server in servers.provided()}
    jobs: list[tuple[str, Coroutine[Any, Any, object]]] = []
    if "kafka" in provided and MADE_TOPIC_PREFIXES:
        jobs.append(("topics", delete_topics_named(provided["kafka"], set(MADE_TOPIC_PREFIXES))))
    if "postgres" in provided and MADE_SCHEMAS:
        jobs.append(("schemas", _drop_schemas(provided["postgres"], set(MADE_SCHEMAS))))
    for what, job in jobs:
        try:
            asyncio.run(asyncio.wait_for(job, timeout=60))
        except Exception as exc:  # a server left down, say: they just stay
            warnings.warn(f"test {what} were not removed: {type(exc).__name__}", stacklevel=1)


async def _drop_schemas(database_url: str, schemas: set[str]) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        for schema in sorted(schemas):
            await conn.execute(f"DROP SCHEMA IF EXISTS {check_schema_name(schema)} CASCADE")
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def kafka_bootstrap(hearth_servers: SessionServers) -> str:
    """Bootstrap servers ("host:port") of a real Kafka broker."""
    try:
        return hearth_servers.kafka_bootstrap()
    except ServerUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def database_url(hearth_servers: SessionServers) -> str:
    """URL of the `hearth` database on a real PostgreSQL server."""
    try:
        return hearth_servers.database_url()
    except ServerUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)


def _control(servers: SessionServers, name: str, address: str) -> LocalServerControl:
    control = servers.local_control("kafka" if name == "kafka" else "postgres")
    if control is None:
        pytest.skip(
            f"needs a {name} server started by deploy/local/{name}.sh, which the test stops "
            f"and starts; this session uses {address}, which deploy/local does not manage"
        )
    return control


@pytest.fixture(scope="session")
def local_kafka_control(hearth_servers: SessionServers, kafka_bootstrap: str) -> LocalServerControl:
    """Stop/kill/start the local broker (fault tests); restarted at session end if left down."""
    return _control(hearth_servers, "kafka", kafka_bootstrap)


@pytest.fixture(scope="session")
def local_postgres_control(hearth_servers: SessionServers, database_url: str) -> LocalServerControl:
    """Stop/kill/start the local PostgreSQL (fault tests); restarted at session end if left down."""
    return _control(hearth_servers, "postgres", database_url)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    used = terminalreporter.config.stash.get(_USED, [])
    if used:
        terminalreporter.write_sep("-", "servers")
        for line in used:
            terminalreporter.write_line(line)
