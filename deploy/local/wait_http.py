"""Wait until an HTTP endpoint answers 200 (a service's /readyz).

Usage: python deploy/local/wait_http.py http://127.0.0.1:8101/readyz [--timeout 60] [--pid PID]

Exits 0 on a 200 answer, 1 on timeout, 2 when the process given with --pid
dies first (the service failed to start).
"""

from __future__ import annotations

import argparse
import sys
import time
import urllib.error
import urllib.request

from procwatch import alive


def _status(url: str, timeout: float) -> int:
    # Only ever called with the loopback URLs this script is given.
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def wait(url: str, timeout: float, pid: int | None) -> int:
    deadline = time.monotonic() + timeout
    last = "no answer"
    while True:
        if not alive(pid):
            print(f"process {pid} exited before {url} answered", file=sys.stderr)
            return 2
        if time.monotonic() >= deadline:
            print(f"{url} not ready within {timeout:g}s (last: {last})", file=sys.stderr)
            return 1
        try:
            code = _status(url, 2.0)
        except (OSError, ValueError) as exc:
            last = f"{type(exc).__name__}: {exc}"
        else:
            if code == 200:
                return 0
            last = f"HTTP {code}"
        time.sleep(0.3)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--pid", type=int, default=None)
    args = parser.parse_args()
    return wait(args.url, args.timeout, args.pid)


if __name__ == "__main__":
    sys.exit(main())
