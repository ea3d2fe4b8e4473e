"""Each service starts as operators start it, answers its probes and stops cleanly."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

from hearth.contracts.topics import ALL_SERVICES
from hearth.eventstore.testing.service import fresh_namespace, fresh_schema

pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_ready(url: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> httpx.Response:
    deadline = time.monotonic() + timeout
    last: httpx.Response | None = None
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"service exited early with {proc.returncode}"
        try:
            last = httpx.get(f"{url}/readyz", timeout=5)
            if last.status_code == 200:
                return last
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"not ready in {timeout}s: {last.text if last else 'no answer'}")


@pytest.mark.parametrize("service", ALL_SERVICES)
def test_service_starts_answers_probes_and_stops_on_sigterm(
    service: str, kafka_bootstrap: str, database_url: str
) -> None:
    port, metrics_port = _free_port(), _free_port()
    schema = fresh_schema(service)
    env = {
        **os.environ,
        "HEARTH_KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "HEARTH_DATABASE_URL": database_url,
        "HEARTH_HTTP_PORT": str(port),
        "HEARTH_METRICS_PORT": str(metrics_port),
        "HEARTH_DB_SCHEMA": schema,
        "HEARTH_TOPIC_NAMESPACE": fresh_namespace(),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", f"hearth.{service}"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        ready = _wait_ready(url, proc)
        checks = ready.json()["checks"]
        assert checks["database"] == "ok"
        assert checks["kafka"] == "ok"
        if service != "reporting":
            assert checks["relay"] == "ok"
        health = httpx.get(f"{url}/healthz", timeout=5)
        assert health.json() == {"status": "ok", "service": service}
        metrics = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5).text
        assert "hearth_events_handled_total" in metrics
        # The public listener (intake's serves the web form) lists neither its metrics nor,
        # as in production (HEARTH_API_DOCS unset), its API.
        for private in ("/metrics", "/docs", "/openapi.json", "/redoc"):
            assert httpx.get(f"{url}{private}", timeout=5).status_code == 404, private
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            output, _ = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            output, _ = proc.communicate()
    text = output.decode(errors="replace")
    # uvicorn shuts down gracefully, then exits by re-raising the signal it was sent.
    assert proc.returncode in (0, -signal.SIGTERM), text[-2000:]
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    assert len(lines) == len(text.splitlines()), "every log line is JSON"
    messages = [line["event"] for line in lines if line.get("service") == service]
    assert "service started" in messages
    [started] = [line for line in lines if line["event"] == "service started"]
    assert started["event_loop"] == "uvloop"  # uvicorn[standard]: the fast loop
    assert "Application shutdown complete." in messages
