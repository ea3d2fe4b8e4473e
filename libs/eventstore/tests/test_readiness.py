"""`/readyz` answers from the service's own recent broker check, and turns 503 in time."""

from __future__ import annotations

import asyncio
import socket
import time

import pytest

from hearth.eventstore.kafka import BrokerCheck
from hearth.eventstore.runtime import ServiceSpec, no_context
from hearth.eventstore.testing.service import running_service
from hearth.eventstore.testing.waiting import eventually

pytestmark = pytest.mark.integration

SPEC = ServiceSpec(name="testing", context=no_context)


def _closed_port() -> str:
    """An address where nothing listens: a broker that has gone away."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{s.getsockname()[1]}"


async def test_the_check_sees_a_broker_and_a_missing_one_within_its_timeout(
    kafka_bootstrap: str,
) -> None:
    present = BrokerCheck(kafka_bootstrap, interval=1, timeout=3)
    missing = BrokerCheck(_closed_port(), interval=1, timeout=1)
    try:
        assert present.state() == "failing: not checked yet"
        assert await present.check() == "ok"
        assert await present.check() == "ok"  # on the connection kept from the first
        started = time.monotonic()
        assert (await missing.check()).startswith("failing: ")
        assert time.monotonic() - started < 1.5
        assert missing.state().startswith("failing: ")
    finally:
        await present.close()
        await missing.close()


async def test_an_answer_older_than_the_bound_counts_as_failing(kafka_bootstrap: str) -> None:
    check = BrokerCheck(kafka_bootstrap, interval=0.1, timeout=0.2)
    try:
        assert await check.check() == "ok"
        await asyncio.sleep(check.stale_after + 0.1)  # no rounds ran meanwhile
        assert check.state().startswith("failing: no broker check")
    finally:
        await check.close()


async def test_probes_do_not_reach_the_broker_and_a_lost_broker_turns_readyz_503(
    kafka_bootstrap: str, database_url: str
) -> None:
    async with running_service(
        SPEC,
        kafka_bootstrap=kafka_bootstrap,
        database_url=database_url,
        readiness_check_seconds=0.5,
    ) as service:
        broker = service.runtime.broker
        assert broker is not None
        rounds = broker.rounds
        for _ in range(20):
            ready = await service.client.get("/readyz")
            assert ready.status_code == 200, ready.text
            assert ready.json()["checks"]["kafka"] == "ok"
        assert broker.rounds - rounds <= 2  # the background rounds only, not one per probe

        # The broker goes away: its address stops answering.
        broker.bootstrap_servers = _closed_port()
        await broker.close()
        lost = time.monotonic()

        async def unready() -> bool:
            return (await service.client.get("/readyz")).status_code == 503

        await eventually(unready, timeout=broker.interval + broker.timeout + 2)
        assert time.monotonic() - lost <= broker.interval + broker.timeout + 1
        answer = (await service.client.get("/readyz")).json()
        assert answer["status"] == "not ready"
        assert answer["checks"]["kafka"].startswith("failing: ")
        assert answer["checks"]["database"] == "ok"

        broker.bootstrap_servers = kafka_bootstrap  # and comes back

        async def ready_again() -> bool:
            return (await service.client.get("/readyz")).status_code == 200

        await eventually(ready_again, timeout=broker.interval + broker.timeout + 5)
