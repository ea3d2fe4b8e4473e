"""An ASGI app served by uvicorn in a thread of its own (its own event loop) on a free port
of 127.0.0.1: for tests that drive several services over real HTTP from synchronous code
(Schemathesis, Playwright's sync API)."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

import uvicorn


def free_port() -> int:
    """A port on 127.0.0.1 nothing listens on just now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Served:
    """A running app: its base URL, and how to stop it."""

    app: Any
    url: str
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


def serve_in_thread(app: Any, name: str, *, start_timeout: float = 90) -> Served:
    """Start `app` (its lifespan included) and return once it accepts connections."""
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_config=None, access_log=False, lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"serve-{name}", daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout
    while not server.started:
        assert thread.is_alive(), f"{name} stopped while starting"
        assert time.monotonic() < deadline, f"{name} did not start in {start_timeout:g} s"
        time.sleep(0.05)
    return Served(app, f"http://127.0.0.1:{port}", server, thread)
