"""Running a Hearth service: one wiring for all five.

A service describes itself with a `ServiceSpec` (its name, its context, migrations,
consumers, HTTP routers and operator commands). `Runtime` owns the pool, the event
store, the outbox relay and the consumers; `create_app` wraps it in a FastAPI app with
`/healthz` and `/readyz`, metrics on a listener of their own (`HEARTH_METRICS_PORT`),
refusals and OpenAPI answers alike for every service, and private response headers;
`main` is `python -m hearth.<service>`: `serve` (the default), the commands every
service has (`migrate`, `verify`, `replay-dlq`, `rebuild`) and the service's own.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Generic

import asyncpg
import structlog
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from prometheus_client import start_http_server
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from typing_extensions import TypeVar

from hearth.contracts.events.base import CONTROL_CHARACTER, has_control_character
from hearth.contracts.topics import PRODUCING_SERVICES, dlq_topic, events_topic
from hearth.eventstore.api_docs import document_answers, serve_docs
from hearth.eventstore.auth import uses_development_secret
from hearth.eventstore.clock import Clock, SystemClock
from hearth.eventstore.consumer import EventConsumer, Handler, Prepare, Reset
from hearth.eventstore.db import create_pool, migrate
from hearth.eventstore.errors import DomainError, InvalidCommand, NotAllowed, NotFound
from hearth.eventstore.kafka import BrokerCheck, ensure_topics, hearth_topics, namespaced
from hearth.eventstore.logs import configure_logging, describe_error
from hearth.eventstore.personal_data import admin as key_admin
from hearth.eventstore.personal_data.cipher import EventCipher
from hearth.eventstore.personal_data.key_store import KeyStore
from hearth.eventstore.personal_data.keys import (
    MasterKeys,
    master_keys_or_development,
    uses_development_master_key,
)
from hearth.eventstore.relay import OutboxRelay
from hearth.eventstore.settings import ServiceSettings
from hearth.eventstore.store import ConcurrencyError, EventStore

log = structlog.get_logger(__name__)

Ctx = TypeVar("Ctx", default=Any)
"""A service's own context: its settings and policy, loaded once when the runtime opens.

Code that does not read the context may write plain `Runtime` (the default is Any)."""


def no_context() -> None:
    """The context of a service that has none of its own."""
    return None


@dataclass(frozen=True)
class ConsumerSpec(Generic[Ctx]):
    """A consumer of a service: which topics, and how to build its handler.

    `prepare`, when given, builds the consumer's per-batch preparation (see `Prepare`).
    `opens_personal_data`: its handlers get personal values decrypted with the service's
    key store (False for a consumer that needs none, e.g. counting categories: it then
    sees the ciphertext as published, or `hearth.contracts.events.parse_event` tolerates it).
    """

    name: str
    topics: Sequence[str]
    handler: Callable[[Runtime[Ctx]], Handler]
    reset: Callable[[Runtime[Ctx]], Reset] | None = None
    prepare: Callable[[Runtime[Ctx]], Prepare] | None = None
    opens_personal_data: bool = True


@dataclass(frozen=True)
class Argument:
    """A positional argument of an operator command."""

    name: str
    help: str
    choices: Sequence[str] | None = None
    optional: bool = False
    """May be left out (the command's `run` then gets None for it)."""


@dataclass(frozen=True)
class OperatorCommand(Generic[Ctx]):
    """`python -m hearth.<service> <name> [arguments]`: a task an operator runs by hand.

    `run` gets the opened runtime (migrated, with its context and consumers, but not
    started: nothing consumes or relays meanwhile) and the arguments by name; it prints
    what it did and returns the process's exit code.
    """

    name: str
    help: str
    run: Callable[[Runtime[Ctx], Mapping[str, str]], Awaitable[int]]
    arguments: Sequence[Argument] = ()


@dataclass(frozen=True)
class ServiceSpec(Generic[Ctx]):
    """What a service is made of. The runtime does the rest."""

    name: str
    context: Callable[[], Ctx]
    """Loads the service's context (`Runtime.context`) once, when the runtime opens, so
    a bad policy file stops the service at start-up and operator commands get it too."""
    migrations: Path | None = None
    consumers: Sequence[ConsumerSpec[Ctx]] = ()
    routers: Sequence[APIRouter] = ()
    background: Sequence[Callable[[Runtime[Ctx], asyncio.Event], Awaitable[None]]] = ()
    """Long-running tasks of the service's own (a deadline scheduler, say)."""
    on_start: Sequence[Callable[[Runtime[Ctx]], Awaitable[None]]] = ()
    commands: Sequence[OperatorCommand[Ctx]] = ()
    """The service's own operator commands, beside those every service has."""

    @property
    def publishes(self) -> bool:
        return self.name in PRODUCING_SERVICES


@dataclass
class Runtime(Generic[Ctx]):
    """The live parts of one running service."""

    spec: ServiceSpec[Ctx]
    settings: ServiceSettings
    clock: Clock = field(default_factory=SystemClock)
    pool: asyncpg.Pool | None = None
    store: EventStore | None = None
    master_keys: MasterKeys | None = None
    key_store: KeyStore | None = None
    cipher: EventCipher | None = None
    relay: OutboxRelay | None = None
    consumers: dict[str, EventConsumer] = field(default_factory=dict)
    broker: BrokerCheck | None = None
    _context: tuple[Ctx] | None = None
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _tasks: dict[str, asyncio.Task[None]] = field(default_factory=dict)

    @property
    def context(self) -> Ctx:
        """The service's own context, loaded by `open`."""
        if self._context is None:
            raise RuntimeError(f"the {self.spec.name} runtime has not been opened")
        return self._context[0]

    @property
    def schema(self) -> str:
        return self.settings.db_schema or self.spec.name

    @property
    def uses_keys(self) -> bool:
        """Whether this service encrypts (it publishes) or decrypts (a consumer opens
        personal data): only then does it need the key store and a master key."""
        return spec_uses_keys(self.spec)

    def topic(self, name: str) -> str:
        """A published topic's name in this environment's namespace."""
        return namespaced(name, self.settings.topic_namespace)

    def consumer_group(self, consumer: str) -> str:
        """The Kafka consumer group of one of this service's consumers.

        Checkpoints live in the schema, so instances on different schemas (a rehearsal,
        a test) are different consumers: sharing one group would split the partitions
        between them and each would miss the others' share.
        """
        base = f"hearth.{self.spec.name}.{consumer}"
        return base if self.schema == self.spec.name else f"{base}.{self.schema}"

    @property
    def event_store(self) -> EventStore:
        if self.store is None:
            raise RuntimeError("the runtime has not been opened")
        return self.store

    async def open(self) -> None:
        """Load the context, connect to PostgreSQL, migrate, build the store and consumers."""
        if self._context is None:
            self._context = (self.spec.context(),)
        s = self.settings
        self.pool = await create_pool(
            s.database_url, min_size=s.db_pool_min, max_size=s.db_pool_max
        )
        migrations = [self.spec.migrations] if self.spec.migrations else []
        await migrate(self.pool, self.schema, migrations)
        self.master_keys = master_keys_or_development()
        self.key_store = KeyStore(self.pool, self.master_keys, schema=s.key_store_schema)
        self.cipher = EventCipher(self.key_store)
        if self.uses_keys:
            await self.cipher.ready()  # the key store's schema, before the first append
        self.store = EventStore(
            self.pool, self.schema, self.spec.name, self.clock, cipher=self.cipher
        )
        if self.spec.publishes:
            self.relay = OutboxRelay(
                self.store,
                dsn=s.database_url,
                bootstrap_servers=s.kafka_bootstrap_servers,
                topic=self.topic(events_topic(self.spec.name)),
                batch_size=s.relay_batch_size,
                poll_seconds=s.relay_poll_seconds,
            )
        for c in self.spec.consumers:
            self.consumers[c.name] = EventConsumer(
                service=self.spec.name,
                name=c.name,
                pool=self.pool,
                schema=self.schema,
                bootstrap_servers=s.kafka_bootstrap_servers,
                topics=[self.topic(t) for t in c.topics],
                handler=c.handler(self),
                reset=c.reset(self) if c.reset else None,
                prepare=c.prepare(self) if c.prepare else None,
                dlq_topic=self.topic(dlq_topic(self.spec.name)),
                group_id=self.consumer_group(c.name),
                max_attempts=s.consumer_max_attempts,
                retry_backoff_seconds=s.consumer_retry_backoff_seconds,
                batch_size=s.consumer_batch_size,
                cipher=self.cipher if c.opens_personal_data else None,
            )

    async def start(self) -> None:
        """Open, create topics, then run the relay, consumers and background tasks."""
        if self.pool is None:
            await self.open()
        s = self.settings
        await ensure_topics(
            s.kafka_bootstrap_servers,
            hearth_topics(s.topic_namespace),
            partitions=s.topic_partitions,
            replication=s.topic_replication,
        )
        if uses_development_secret():
            log.warning("HEARTH_JWT_SECRET is not set: tokens are checked with the development key")
        if (
            self.uses_keys
            and self.master_keys is not None
            and uses_development_master_key(self.master_keys)
        ):
            log.warning(
                "HEARTH_MASTER_KEYS is not set: personal data is encrypted under keys wrapped "
                "by the development master key"
            )
        await self._check_database_log()
        for hook in self.spec.on_start:
            await hook(self)
        self._stop.clear()
        self.broker = BrokerCheck(s.kafka_bootstrap_servers, interval=s.readiness_check_seconds)
        await self.broker.check()  # ready answers right from the start
        self._spawn("kafka-check", self.broker.run(self._stop))
        if self.relay is not None:
            self._spawn("relay", self.relay.run(self._stop))
        for name, consumer in self.consumers.items():
            self._spawn(f"consumer:{name}", consumer.run(self._stop))
        for task in self.spec.background:
            self._spawn(f"task:{getattr(task, '__name__', 'background')}", task(self, self._stop))
        log.info("service started", schema=self.schema, event_loop=_event_loop_kind())

    async def _check_database_log(self) -> None:
        """Warn when PostgreSQL may copy a refused statement's values into its own log.

        With the default settings a refused statement is logged with its DETAIL and
        CONTEXT (which quote the values sent: a report's account, a name) and the
        statement itself. deploy/local/postgres.sh sets `log_error_verbosity=terse` and
        `log_min_error_statement=panic`; production must too (deploy/k8s/README.md).
        """
        assert self.pool is not None
        row = await self.pool.fetchrow(
            "SELECT current_setting('log_error_verbosity') AS verbosity,"
            " current_setting('log_min_error_statement') AS statement"
        )
        if row is not None and (row["verbosity"], row["statement"]) != ("terse", "panic"):
            log.warning(
                "the database server may write refused statements and their details, "
                "personal data among them, into its own log: set log_error_verbosity=terse "
                "and log_min_error_statement=panic",
                log_error_verbosity=row["verbosity"],
                log_min_error_statement=row["statement"],
            )

    def _spawn(self, name: str, work: Awaitable[None]) -> None:
        async def guarded() -> None:
            try:
                await work
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.error("a service task stopped", task=name, exc_info=exc)
                raise

        self._tasks[name] = asyncio.create_task(guarded(), name=name)

    async def stop(self) -> None:
        self._stop.set()
        if self._tasks:
            _, pending = await asyncio.wait(self._tasks.values(), timeout=15)
            for task in pending:
                task.cancel()
            await asyncio.gather(*self._tasks.values(), return_exceptions=True)
        self._tasks.clear()
        if self.pool is not None:
            await self.pool.close()
            self.pool = None

    async def readiness(self) -> dict[str, str]:
        """Each check's state; the service is ready when all are "ok".

        The database is asked on each call (a pooled `SELECT 1`, bounded to 2 s). The
        broker is not: "kafka" is the last answer of the background `BrokerCheck`, at
        most `readiness_check_seconds` + 3 s old, so a broker that stops answering makes
        the service unready within that bound.
        """
        checks: dict[str, str] = {}
        try:
            assert self.pool is not None
            await asyncio.wait_for(self.pool.fetchval("SELECT 1"), timeout=2)
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"failing: {describe_error(exc)}"
        checks["kafka"] = self.broker.state() if self.broker else "failing: not started"
        for name, task in self._tasks.items():
            checks[name] = "ok" if not task.done() else "stopped"
        return checks


def _event_loop_kind() -> str:
    """ "uvloop" when serving on uvicorn's fast loop, "asyncio" otherwise."""
    return type(asyncio.get_running_loop()).__module__.split(".")[0]


PRIVATE_RESPONSE_HEADERS: Final = (
    (b"cache-control", b"no-store"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
)
"""On every answer of every service: most carry personal data, and none needs caching."""


class PrivateResponses:
    """ASGI middleware: `Cache-Control: no-store`, `X-Content-Type-Options: nosniff` and
    `Referrer-Policy: no-referrer` on every response, unless the route set its own.

    A case, a list of cases or a report's answer left in a browser's, proxy's or CDN's
    cache is personal data outside Hearth's control; a sniffed content type could make
    a JSON answer run as a page. One place for every service, so none can forget it.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_private(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers += [(n, v) for n, v in PRIVATE_RESPONSE_HEADERS if n not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_private)


def create_app(
    spec: ServiceSpec[Ctx], settings: ServiceSettings | None = None, clock: Clock | None = None
) -> FastAPI:
    """The service as an ASGI app; its lifespan starts and stops the runtime."""
    runtime: Runtime[Ctx] = Runtime(
        spec=spec, settings=settings or ServiceSettings(), clock=clock or SystemClock()
    )

    s = runtime.settings

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Metrics on a listener of their own: never beside the public web form.
        metrics = start_http_server(s.metrics_port, addr=s.http_host) if s.metrics_port else None
        try:
            await runtime.start()
            try:
                yield
            finally:
                await runtime.stop()
        finally:
            if metrics is not None:
                server, thread = metrics
                server.shutdown()
                server.server_close()
                thread.join(timeout=5)

    app = FastAPI(
        title=f"Hearth {spec.name}",
        lifespan=lifespan,
        dependencies=[Depends(refuse_control_characters_in_parameters)],
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    app.state.runtime = runtime
    app.add_middleware(PrivateResponses)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": spec.name}

    @app.get("/readyz", include_in_schema=False)
    async def readyz(request: Request) -> JSONResponse:
        checks = await runtime.readiness()
        ready = all(v == "ok" for v in checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "checks": checks},
            status_code=200 if ready else 503,
        )

    install_error_handlers(app)
    for router in spec.routers:
        app.include_router(router)
    document_answers(app)
    if s.api_docs:
        serve_docs(app)
    return app


async def refuse_control_characters_in_parameters(request: Request) -> None:
    """Query and path parameters: no control characters, like every text in a body.

    Request bodies are checked by their models (`TextChecked`); this covers the text a
    route takes from its URL, whatever its type, so no route can forget it.
    """
    problems = [
        f"{where}.{name}"
        for where, items in (
            ("query", request.query_params.multi_items()),
            ("path", request.path_params.items()),
        )
        for name, value in items
        if isinstance(value, str) and has_control_character(value)
    ]
    errors: list[dict[str, Any]] = [
        {
            "loc": tuple(field.split(".", 1)),
            "msg": "text must not contain control characters or line breaks",
            "type": CONTROL_CHARACTER,
        }
        for field in problems
    ]
    errors += [
        {"loc": ("query", name), "msg": "no such query parameter", "type": "unknown_parameter"}
        for name in _unknown_query_parameters(request)
    ]
    if errors:
        raise RequestValidationError(errors)


def _unknown_query_parameters(request: Request) -> list[str]:
    """Query parameters a documented API route does not declare: a misspelt filter
    (`?overdeu=true`) must not quietly list every case instead of the overdue ones.
    Pages for people (not in the API document) ignore what they do not know."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not route.include_in_schema:
        return []
    known = _declared_query_parameters(route.dependant)
    return sorted({name for name in request.query_params if name not in known})


def _declared_query_parameters(dependant: Dependant) -> set[str]:
    """The query parameters a route takes, its dependencies' included."""
    names = {param.alias for param in dependant.query_params}
    for dependency in dependant.dependencies:
        names |= _declared_query_parameters(dependency)
    return names


def install_error_handlers(app: FastAPI) -> None:
    """One way every service answers a refusal: a JSON body naming the problem.

    422 lists every bad field by location and kind, without echoing the values sent
    (they may be personal data, and they end up in proxies' and clients' logs).
    """

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "field": ".".join(str(p) for p in e["loc"] if p != "body"),
                "problem": e["msg"],
                "kind": e["type"],
            }
            for e in exc.errors()
        ]
        return JSONResponse({"detail": "invalid request", "errors": errors}, status_code=422)

    @app.exception_handler(InvalidCommand)
    async def invalid_command(_: Request, exc: InvalidCommand) -> JSONResponse:
        # The same body as a request that failed validation: the rule is the domain's,
        # but to the caller it is one more bad field.
        error = {"field": exc.field, "problem": str(exc), "kind": exc.code}
        return JSONResponse({"detail": "invalid request", "errors": [error]}, status_code=422)

    @app.exception_handler(DomainError)
    async def refused(_: Request, exc: DomainError) -> JSONResponse:
        code = 404 if isinstance(exc, NotFound) else 403 if isinstance(exc, NotAllowed) else 409
        return JSONResponse({"detail": str(exc), "code": exc.code}, status_code=code)

    @app.exception_handler(ConcurrencyError)
    async def conflict(_: Request, exc: ConcurrencyError) -> JSONResponse:
        return JSONResponse(
            {
                "detail": "the case changed while this was being decided; try again",
                "code": "conflict",
            },
            status_code=409,
        )


# --- python -m hearth.<service> ----------------------------------------------------------


async def _migrated(runtime: Runtime[Any], args: Mapping[str, str]) -> int:
    return 0  # opening the runtime applied the migrations


async def _verify(runtime: Runtime[Any], args: Mapping[str, str]) -> int:
    report = await runtime.event_store.verify()
    if report.ok:
        print(f"hash chains intact: {report.events_checked} events checked")
        return 0
    b = report.first_break
    assert b is not None
    print(
        f"BROKEN at stream {b.stream_id} version {b.stream_version} "
        f"(position {b.global_position}): {b.reason}"
    )
    return 1


async def _replay_dlq(runtime: Runtime[Any], args: Mapping[str, str]) -> int:
    r = await runtime.consumers[args["consumer"]].replay_dead_letters()
    print(f"replayed {r.replayed}, still failing {r.still_failing}, duplicates {r.duplicates}")
    return 0 if r.still_failing == 0 else 1


async def _rebuild_each(runtime: Runtime[Any], args: Mapping[str, str]) -> int:
    """`rebuild [consumer]`: the consumer named, or each of the service's in turn."""
    named = args.get("consumer")
    for which in [named] if named else list(runtime.consumers):
        await _rebuild(runtime, {"consumer": which})
    return 0


async def _rebuild(runtime: Runtime[Any], args: Mapping[str, str]) -> int:
    which = args["consumer"]
    consumer = runtime.consumers[which]
    await consumer.reset()
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    try:
        await consumer.wait_caught_up(timeout=3600)
    finally:
        stop.set()
        await task
    print(f"{which} rebuilt from offset 0")
    return 0


def spec_uses_keys(spec: ServiceSpec[Any]) -> bool:
    """Whether the service encrypts (it publishes) or decrypts (a consumer opens personal
    data): only then does it need the key store and a master key."""
    return spec.publishes or any(c.opens_personal_data for c in spec.consumers)


def _key_store(runtime: Runtime[Any]) -> KeyStore:
    if runtime.key_store is None:
        raise RuntimeError("the runtime has not been opened")
    return runtime.key_store


def _masters(runtime: Runtime[Any]) -> MasterKeys:
    if runtime.master_keys is None:
        raise RuntimeError("the runtime has not been opened")
    return runtime.master_keys


async def _keys_status(runtime: Runtime[Any], args: Mapping[str, str]) -> int:
    return await key_admin.status(_key_store(runtime), _masters(runtime))


async def _keys_rewrap(runtime: Runtime[Any], args: Mapping[str, str]) -> int:
    return await key_admin.rewrap(_key_store(runtime), _masters(runtime))


async def _keys_grant(runtime: Runtime[Any], args: Mapping[str, str]) -> int:
    return await key_admin.grant(_key_store(runtime), args["role"], args["access"])


async def _keys_revoke(runtime: Runtime[Any], args: Mapping[str, str]) -> int:
    return await key_admin.revoke(_key_store(runtime), args["role"])


def key_commands() -> list[OperatorCommand[Any]]:
    """The key store's operator commands, in every service that holds keys."""
    role = Argument("role", "a PostgreSQL role (lowercase letters, digits, _)")
    return [
        OperatorCommand(
            "keys-status",
            "which master keys wrap how many live data keys; exit 1 while an older one does",
            _keys_status,
        ),
        OperatorCommand(
            "keys-rewrap",
            "rotation: re-wrap every live data key with the current (first) master key",
            _keys_rewrap,
        ),
        OperatorCommand(
            "keys-grant",
            "let a role read the key store (a service that decrypts), or also write it "
            "(one that encrypts or erases)",
            _keys_grant,
            [role, Argument("access", "read or write", ["read", "write"])],
        ),
        OperatorCommand("keys-revoke", "take a role's key store access away", _keys_revoke, [role]),
    ]


def common_commands(spec: ServiceSpec[Any]) -> list[OperatorCommand[Any]]:
    """The operator commands every service has, with its consumers as their choices (and
    the key store's, in a service that holds keys)."""
    consumer = Argument(
        "consumer", "one of the service's consumers", [c.name for c in spec.consumers]
    )
    keys = key_commands() if spec_uses_keys(spec) else []
    return [
        *keys,
        OperatorCommand("migrate", "apply database migrations and exit", _migrated),
        OperatorCommand("verify", "verify every stream's hash chain; exit 1 on a break", _verify),
        OperatorCommand(
            "replay-dlq", "hand parked events back to a consumer", _replay_dlq, [consumer]
        ),
        OperatorCommand(
            "rebuild",
            "empty a consumer's read model and replay it from offset 0 (none named: each "
            "consumer's, in turn)",
            _rebuild_each,
            [Argument(consumer.name, consumer.help, consumer.choices, optional=True)],
        ),
    ]


def main(spec: ServiceSpec[Any], argv: Sequence[str] | None = None) -> int:
    """`python -m hearth.<service> [command]`: serve, or run one operator command."""
    commands: dict[str, OperatorCommand[Any]] = {}
    for command in (*common_commands(spec), *spec.commands):
        if command.name in commands or command.name == "serve":
            raise ValueError(f"{spec.name} names operator command {command.name!r} twice")
        commands[command.name] = command
    parser = argparse.ArgumentParser(prog=f"python -m hearth.{spec.name}")
    sub = parser.add_subparsers(dest="command", title="commands", metavar="COMMAND")
    sub.add_parser("serve", help="run the service (the default)")
    for command in commands.values():
        p = sub.add_parser(command.name, help=command.help, description=command.help)
        for a in command.arguments:
            if a.optional:
                p.add_argument(a.name, help=a.help, choices=a.choices, nargs="?")
            else:
                p.add_argument(a.name, help=a.help, choices=a.choices)
    args = parser.parse_args(argv)
    settings = ServiceSettings()
    configure_logging(spec.name, settings.log_level)
    if args.command in (None, "serve"):
        import uvicorn

        # loop and http "auto": uvloop and httptools (the `standard` extra) when installed.
        uvicorn.run(
            create_app(spec, settings),
            host=settings.http_host,
            port=settings.http_port,
            loop="auto",
            http="auto",
            log_config=None,
            access_log=False,
            # The client is the connecting address: a service that trusts proxies'
            # X-Forwarded-For says so in its own settings (intake's rate limit).
            proxy_headers=False,
        )
        return 0
    chosen = commands[args.command]
    given = {a.name: getattr(args, a.name) for a in chosen.arguments}
    return asyncio.run(_operate(spec, settings, chosen, given))


async def _operate(
    spec: ServiceSpec[Ctx],
    settings: ServiceSettings,
    command: OperatorCommand[Ctx],
    args: Mapping[str, str],
) -> int:
    runtime: Runtime[Ctx] = Runtime(spec=spec, settings=settings)
    try:
        await runtime.open()
        return await command.run(runtime, args)
    except Exception as exc:
        print(f"failed: {describe_error(exc)}", file=sys.stderr)
        return 2
    finally:
        with contextlib.suppress(Exception):
            await runtime.stop()
