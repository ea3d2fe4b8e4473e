"""A service running in the test's own event loop, against the real servers.

`running_service` starts the whole service (migrations, relay, consumers, background
tasks, HTTP app) in a schema of its own and yields an httpx client bound to the app.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
from fastapi import FastAPI

from hearth.contracts.envelope import Role
from hearth.eventstore.auth import issue_token
from hearth.eventstore.clock import Clock
from hearth.eventstore.runtime import Runtime, ServiceSpec, create_app
from hearth.eventstore.settings import ServiceSettings


@dataclass
class RunningService:
    app: FastAPI
    runtime: Runtime
    client: httpx.AsyncClient

    def topic(self, name: str) -> str:
        """A published topic's name as this service sees it (in its test namespace)."""
        return self.runtime.topic(name)

    def auth(self, staff_id: str, role: Role | str) -> dict[str, str]:
        """Headers with a bearer token for this member of staff in this role."""
        return {"Authorization": f"Bearer {issue_token(staff_id, role)}"}


# Schemas this process handed out: the session drops them when it ends.
MADE_SCHEMAS: set[str] = set()


def fresh_schema(service: str) -> str:
    """A database schema no other test uses."""
    schema = f"t_{service}_{uuid.uuid4().hex[:8]}"
    MADE_SCHEMAS.add(schema)
    return schema


# Prefixes of the topic names this process handed out: the session deletes those
# topics when it ends, so a developer's local broker does not grow with every run.
MADE_TOPIC_PREFIXES: set[str] = set()


def fresh_namespace() -> str:
    """A topic namespace no other test uses."""
    namespace = f"t{uuid.uuid4().hex[:10]}"
    MADE_TOPIC_PREFIXES.add(f"{namespace}.")
    return namespace


def fresh_topic(kind: str = "events") -> str:
    """A topic name no other test uses (`test.<random>.<kind>`); the caller creates it.

    Topics named from it (such as its `.dlq`) are deleted with it at the session's end.
    """
    name = f"test.{uuid.uuid4().hex[:12]}"
    MADE_TOPIC_PREFIXES.add(f"{name}.")
    return f"{name}.{kind}"


@asynccontextmanager
async def running_service(
    spec: ServiceSpec,
    *,
    kafka_bootstrap: str,
    database_url: str,
    clock: Clock | None = None,
    schema: str | None = None,
    topic_namespace: str | None = None,
    **overrides: object,
) -> AsyncIterator[RunningService]:
    """Run `spec` in `schema` (fresh by default) on topics in `topic_namespace`.

    The namespace is fresh by default too, so the service sees only what the test
    publishes; give services that must hear each other the same namespace.
    """
    settings = ServiceSettings.model_validate(
        {
            "kafka_bootstrap_servers": kafka_bootstrap,
            "database_url": database_url,
            "db_schema": schema or fresh_schema(spec.name),
            "topic_namespace": fresh_namespace() if topic_namespace is None else topic_namespace,
            "relay_poll_seconds": 0.2,
            "metrics_port": 0,  # tests read the registry; many services run at once
            **overrides,
        }
    )
    app = create_app(spec, settings, clock)
    runtime: Runtime = app.state.runtime
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            yield RunningService(app=app, runtime=runtime, client=client)
