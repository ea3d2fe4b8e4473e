"""The web app starts as operators start it, answers its probes and stops on SIGTERM."""

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

from hearth.eventstore.testing.service import fresh_schema

pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_python_m_hearth_web_serves_probes_and_pages_and_stops_cleanly(
    database_url: str,
) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "HEARTH_DATABASE_URL": database_url,
        "HEARTH_WEB_DB_SCHEMA": fresh_schema("web"),
        "HEARTH_HTTP_PORT": str(port),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "hearth.web"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, "the web app exited early"
            try:
                ready = httpx.get(f"{url}/readyz", timeout=5)
                if ready.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "not ready in 60 s"
            time.sleep(0.3)
        assert ready.json() == {"status": "ready", "checks": {"database": "ok"}}
        assert httpx.get(f"{url}/healthz").json() == {"status": "ok", "service": "web"}
        page = httpx.get(f"{url}/cases", follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"] == "/sign-in?next=%2Fcases"
        sign_in = httpx.get(f"{url}/sign-in")
        assert sign_in.status_code == 200 and "Sign in to Hearth" in sign_in.text
        assert sign_in.headers["cache-control"] == "no-store"
        for private in ("/docs", "/openapi.json", "/metrics"):
            assert httpx.get(f"{url}{private}").status_code == 404, private
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            output, _ = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            output, _ = proc.communicate()
    text = output.decode(errors="replace")
    assert proc.returncode in (0, -signal.SIGTERM), text[-2000:]
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    assert all(line.get("service") == "web" for line in lines)
    assert "service started" in [line["event"] for line in lines]
