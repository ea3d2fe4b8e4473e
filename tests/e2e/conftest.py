"""What the end-to-end tests share: starting services on one topic namespace."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import pytest

from hearth.eventstore.clock import ControllableClock
from hearth.eventstore.testing.service import RunningService, running_service

Start = Callable[..., AbstractAsyncContextManager[RunningService]]


@pytest.fixture
def start(
    kafka_bootstrap: str,
    database_url: str,
    topic_namespace: str,
    monkeypatch: pytest.MonkeyPatch,
) -> Start:
    """Start a service; every service a test starts shares the test's topic namespace, and
    the schedulers look for due work ten times a second."""
    monkeypatch.setenv("HEARTH_CASES_SCHEDULER_POLL_SECONDS", "0.1")
    monkeypatch.setenv("HEARTH_REFERRALS_SCHEDULER_POLL_SECONDS", "0.1")

    def run(spec: Any, clock: ControllableClock, schema: str | None = None) -> Any:
        return running_service(
            spec,
            kafka_bootstrap=kafka_bootstrap,
            database_url=database_url,
            clock=clock,
            schema=schema,
            topic_namespace=topic_namespace,
        )

    return run
