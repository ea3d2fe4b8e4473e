"""Find or start the Kafka broker and PostgreSQL server a test session runs against.

The order, the same for every test directory:

1. `KAFKA_BOOTSTRAP_SERVERS` / `DATABASE_URL` from the environment, used as given;
2. testcontainers, when a Docker engine answers;
3. the repository's `deploy/local/kafka.sh` and `deploy/local/postgres.sh`, which run
   real servers on 127.0.0.1 without Docker (ports and state directory follow the
   same `HEARTH_*` variables as the scripts).

A server is started at most once per session and stopped at the end only if this
session started it.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import shutil
import subprocess
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

Origin = Literal["environment", "testcontainers", "local"]

KAFKA_IMAGE = "confluentinc/cp-kafka:7.6.0"
POSTGRES_IMAGE = "postgres:15"
SCRIPT_TIMEOUT_SECONDS = 600
_LOCAL_SCRIPTS = Path("deploy") / "local"


class ServerUnavailable(RuntimeError):
    """No server could be found or started; the message says what was tried."""


def find_repo_root(*starts: Path) -> Path | None:
    """The first directory at or above one of `starts` that holds deploy/local/kafka.sh."""
    for start in starts:
        for candidate in (start, *start.parents):
            if (candidate / _LOCAL_SCRIPTS / "kafka.sh").is_file():
                return candidate
    return None


def docker_engine_answers() -> bool:
    """True when a Docker engine answers a ping within two seconds; never raises."""
    try:
        docker = importlib.import_module("docker")
    except ImportError:
        return False
    try:
        client = docker.from_env(timeout=2)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:
        return False


class LocalScript:
    """One of the deploy/local scripts, run with this process's environment."""

    def __init__(self, path: Path, environ: Mapping[str, str]) -> None:
        self.path = path
        self._environ = dict(environ)

    def run(self, action: str, *, check: bool = True) -> subprocess.CompletedProcess[str]:
        bash = shutil.which("bash") or "/bin/bash"
        # The servers are detached by the scripts and write to their own log files,
        # so the pipes close as soon as the script itself returns.
        result = subprocess.run(  # noqa: S603
            [bash, str(self.path), action],
            capture_output=True,
            text=True,
            env=self._environ,
            stdin=subprocess.DEVNULL,
            timeout=SCRIPT_TIMEOUT_SECONDS,
            check=False,
        )
        if check and result.returncode != 0:
            raise ServerUnavailable(
                f"{self.path.name} {action} failed (exit {result.returncode}):\n"
                f"{result.stdout}{result.stderr}"
            )
        return result

    def is_running(self) -> bool:
        return self.run("status", check=False).returncode == 0


def _value_after(prefix: str, output: str) -> str | None:
    for line in output.splitlines():
        if line.startswith(prefix):
            return line[len(prefix) :].strip()
    return None


class LocalServerControl:
    """Stop, kill and start a server run by deploy/local, for fault tests.

    `stop()` is a clean shutdown, `kill()` a crash (SIGKILL); `start()` brings the
    same server back on the same address with its data.
    """

    def __init__(self, name: str, script: LocalScript, address: str) -> None:
        self.name = name
        self.address = address
        self._script = script
        self.touched = False

    def stop(self) -> None:
        self.touched = True
        self._script.run("stop")

    def kill(self) -> None:
        self.touched = True
        self._script.run("kill")

    def start(self) -> None:
        self._script.run("start")

    def restart(self) -> None:
        self.stop()
        self.start()

    def is_running(self) -> bool:
        return self._script.is_running()

    def __repr__(self) -> str:
        return f"LocalServerControl({self.name!r}, {self.address!r})"


@dataclass
class ProvidedServer:
    """A server this session uses: where it is, where it came from, who stops it."""

    name: str
    address: str
    origin: Origin
    started_here: bool
    stop: Callable[[], None] | None = None
    control: LocalServerControl | None = None

    def describe(self) -> str:
        how = {
            "environment": "from the environment",
            "testcontainers": "testcontainers",
            "local": "deploy/local",
        }[self.origin]
        if self.origin == "environment":
            owner = ""
        elif self.started_here:
            owner = ", started by this session and stopped at its end"
        elif self.origin == "local" and self.control is None:
            owner = ", found running but not started by deploy/local, left alone"
        else:
            owner = ", already running, left running"
        return f"{self.name} {self.address} ({how}{owner})"


@dataclass
class SessionServers:
    """Kafka and PostgreSQL for one test session, found or started on first use."""

    repo_root: Path | None
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    _servers: dict[str, ProvidedServer] = field(default_factory=dict)
    _failures: dict[str, ServerUnavailable] = field(default_factory=dict)
    _docker: bool | None = None

    # --- what tests ask for -------------------------------------------------------

    def kafka_bootstrap(self) -> str:
        return self._provide("kafka").address

    def database_url(self) -> str:
        return self._provide("postgres").address

    def local_control(self, name: Literal["kafka", "postgres"]) -> LocalServerControl | None:
        """Control of the server, when it is one the deploy/local scripts run."""
        return self._provide(name).control

    def provided(self) -> list[ProvidedServer]:
        return list(self._servers.values())

    def close(self) -> None:
        """Stop what this session started; bring back what a fault test stopped."""
        errors: list[str] = []
        for server in reversed(list(self._servers.values())):
            try:
                if server.started_here and server.stop is not None:
                    server.stop()
                elif (
                    server.control is not None
                    and server.control.touched
                    and not server.control.is_running()
                ):
                    server.control.start()
            except Exception as exc:
                errors.append(f"{server.name}: {exc}")
        self._servers.clear()
        if errors:
            raise ServerUnavailable("; ".join(errors))

    # --- how they are found ---------------------------------------------------------

    def _provide(self, name: Literal["kafka", "postgres"]) -> ProvidedServer:
        if name in self._servers:
            return self._servers[name]
        if name in self._failures:
            raise self._failures[name]
        try:
            server = self._from_environment(name) or self._from_docker(name) or self._local(name)
        except ServerUnavailable as exc:
            self._failures[name] = exc
            raise
        self._servers[name] = server
        return server

    def _from_environment(self, name: str) -> ProvidedServer | None:
        variable = "KAFKA_BOOTSTRAP_SERVERS" if name == "kafka" else "DATABASE_URL"
        value = self.environ.get(variable, "").strip()
        if not value:
            return None
        return ProvidedServer(name, value, "environment", started_here=False)

    def _docker_available(self) -> bool:
        if self._docker is None:
            self._docker = docker_engine_answers()
        return self._docker

    def _from_docker(self, name: str) -> ProvidedServer | None:
        if not self._docker_available():
            return None
        try:
            container = _kafka_container() if name == "kafka" else _postgres_container()
            container.start()
            if name == "kafka":
                address = str(container.get_bootstrap_server())
            else:
                address = str(container.get_connection_url())
        except ServerUnavailable:
            raise
        except Exception as exc:
            raise ServerUnavailable(f"testcontainers could not start {name}: {exc}") from exc
        return ProvidedServer(name, address, "testcontainers", True, stop=container.stop)

    def _local(self, name: Literal["kafka", "postgres"]) -> ProvidedServer:
        if self.repo_root is None:
            raise ServerUnavailable(
                f"no {name} for the tests: set "
                f"{'KAFKA_BOOTSTRAP_SERVERS' if name == 'kafka' else 'DATABASE_URL'}, "
                "run a Docker engine, or run the tests from a Hearth checkout (deploy/local)"
            )
        script = LocalScript(self.repo_root / _LOCAL_SCRIPTS / f"{name}.sh", self.environ)
        result = script.run("start")
        output = result.stdout + result.stderr
        # The scripts print the address; the fallback mirrors their defaults.
        if name == "kafka":
            port = self.environ.get("HEARTH_KAFKA_PORT") or "19092"
            address = _value_after("KAFKA_BOOTSTRAP_SERVERS=", result.stdout) or (
                f"127.0.0.1:{port}"
            )
        else:
            port = self.environ.get("HEARTH_PG_PORT") or "15432"
            address = _value_after("DATABASE_URL=", result.stdout) or (
                f"postgresql://hearth@127.0.0.1:{port}/hearth"
            )
        started_here = "already running" not in output
        # "(unmanaged)": a server the script found but did not start; hands off.
        managed = "(unmanaged)" not in output

        def stop() -> None:
            script.run("stop")

        return ProvidedServer(
            name,
            address,
            "local",
            started_here,
            stop=stop,
            control=LocalServerControl(name, script, address) if managed else None,
        )


def _testcontainers_class(module: str, name: str) -> Any:
    # testcontainers 4.10+ moved the modules under `community`; older ones warn there.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        for path in (f"testcontainers.community.{module}", f"testcontainers.{module}"):
            with contextlib.suppress(ImportError):
                return getattr(importlib.import_module(path), name)
    raise ServerUnavailable(
        f"testcontainers has no {module} module; install testcontainers[{module}]"
    )


def _kafka_container() -> Any:
    container = _testcontainers_class("kafka", "KafkaContainer")(KAFKA_IMAGE).with_kraft()
    # The same broker settings as deploy/local: topics are created on purpose, kept forever.
    for key, value in {
        "KAFKA_AUTO_CREATE_TOPICS_ENABLE": "false",
        "KAFKA_NUM_PARTITIONS": "3",
        "KAFKA_LOG_RETENTION_MS": "-1",
        "KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS": "0",
    }.items():
        container = container.with_env(key, value)
    return container


def _postgres_container() -> Any:
    cls = _testcontainers_class("postgres", "PostgresContainer")
    # A throwaway container on a random local port: the password guards nothing.
    container = cls(
        POSTGRES_IMAGE,
        username="hearth",
        password="hearth",  # noqa: S106
        dbname="hearth",
        driver=None,
    )
    return container.with_command("postgres -c max_connections=200")
