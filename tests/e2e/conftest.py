"""What the end-to-end tests share: starting services on one topic namespace."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

import pytest

from hearth.eventstore.testing.service import RunningService

Start = Callable[..., AbstractAsyncContextManager[RunningService]]


@pytest.fixture
def start(start_service: Start, monkeypatch: pytest.MonkeyPatch) -> Start:
    """Start a service; every service a test starts shares the test's topic namespace, and
    the schedulers look for due work ten times a second."""
    monkeypatch.setenv("HEARTH_CASES_SCHEDULER_POLL_SECONDS", "0.1")
    monkeypatch.setenv("HEARTH_REFERRALS_SCHEDULER_POLL_SECONDS", "0.1")
    return start_service
