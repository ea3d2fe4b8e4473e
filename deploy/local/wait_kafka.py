"""Wait until a Kafka broker answers a metadata request.

Usage: python deploy/local/wait_kafka.py 127.0.0.1:19092 [--timeout 60] [--pid PID]

Exits 0 once a metadata request succeeds, 1 on timeout, 2 when the process
given with --pid dies first (the broker failed to start).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time

from aiokafka.admin import AIOKafkaAdminClient
from procwatch import alive


async def _list_topics(bootstrap: str, timeout: float) -> list[str]:
    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap,
        request_timeout_ms=max(1000, int(timeout * 1000)),
        connections_max_idle_ms=10_000,
    )
    try:
        await asyncio.wait_for(admin.start(), timeout)
        return list(await asyncio.wait_for(admin.list_topics(), timeout))
    finally:
        await admin.close()


async def wait(bootstrap: str, timeout: float, pid: int | None) -> int:
    deadline = time.monotonic() + timeout
    last_error = "no attempt"
    while True:
        if not alive(pid):
            print(f"broker process {pid} exited before {bootstrap} answered", file=sys.stderr)
            return 2
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            print(f"{bootstrap} did not answer within {timeout:g}s ({last_error})", file=sys.stderr)
            return 1
        try:
            topics = await _list_topics(bootstrap, min(5.0, max(1.0, remaining)))
        except Exception as exc:  # any failure means "not yet"
            last_error = f"{type(exc).__name__}: {exc}"
            await asyncio.sleep(min(0.5, max(0.0, deadline - time.monotonic())))
            continue
        user_topics = sorted(t for t in topics if not t.startswith("__"))
        print(f"{bootstrap} answers; {len(user_topics)} topic(s)")
        return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bootstrap", help="host:port of the broker")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait in all")
    parser.add_argument("--pid", type=int, default=None, help="give up early if this pid exits")
    args = parser.parse_args()
    # aiokafka logs every refused connection at ERROR; retries are expected here.
    logging.basicConfig(level=logging.CRITICAL)
    return asyncio.run(wait(args.bootstrap, args.timeout, args.pid))


if __name__ == "__main__":
    sys.exit(main())
