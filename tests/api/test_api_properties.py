"""Property-based tests of every service's HTTP API against its own OpenAPI document.

Issue 10, point 23. Schemathesis (on Hypothesis) generates requests from each document,
valid and invalid, and sends them with a valid token to the real services, running on
the real PostgreSQL and Kafka; every answer must be no 5xx, with a status, content type
and body the document gives. Any service whose app has routes is picked up (risk,
referrals and reporting join as soon as they have some). The number of examples is
bounded (`EXAMPLES`), and the runs are derandomised, so `make test` stays fast and
repeatable.

Beside what Hypothesis finds, the inputs that once answered 500 (issue 10, points 15
and 16) are checked for every operation, so they stay fixed in services still to come:
every body model is built on `TextChecked` (control characters refused at the door),
every integer parameter is bounded in the document, and each text of a body the
document allows, one at a time, and each query parameter are sent with a NUL (or, for
integers, 2^63) about a case that exists: each must be refused, never a 5xx.
"""

from __future__ import annotations

import contextlib
import copy
import importlib
import random
import time
import uuid
from collections.abc import Iterator
from typing import Any, Final

import httpx
import pytest
import requests
import schemathesis
from fastapi import FastAPI
from fastapi.routing import APIRoute
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from hearth.contracts.envelope import Role
from hearth.contracts.events.base import TextChecked
from hearth.contracts.topics import ALL_SERVICES
from hearth.eventstore.auth import issue_token
from hearth.eventstore.runtime import ServiceSpec, create_app
from hearth.eventstore.settings import ServiceSettings
from hearth.eventstore.testing.service import fresh_namespace, fresh_schema
from hearth.eventstore.testing.threaded import Served, serve_in_thread

pytestmark = [
    pytest.mark.integration,
    # Schemathesis's own strategies draw from `random`; nothing to act on here.
    pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning"),
]

EXAMPLES: Final = 15
"""Generated requests per operation and mode (valid, invalid): the whole run stays
within about a minute on a two-core machine."""
CHECKS: Final = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
TOKEN: Final = issue_token("dalead-0001", Role.MANAGER)
"""A manager may read and do everything the services offer staff."""
HEADERS: Final = {"Authorization": f"Bearer {TOKEN}"}
BIGGER_THAN_BIGINT: Final = 2**63


def _spec(service: str) -> ServiceSpec:
    spec: ServiceSpec = importlib.import_module(f"hearth.{service}.service").SPEC
    return spec


def _document(service: str) -> dict[str, Any]:
    document: dict[str, Any] = create_app(_spec(service)).openapi()
    return document


SERVICES_WITH_ROUTES: Final = [s for s in ALL_SERVICES if _document(s).get("paths")]


def _serve(service: str, kafka_bootstrap: str, database_url: str, namespace: str) -> Served:
    settings_ = ServiceSettings(
        kafka_bootstrap_servers=kafka_bootstrap,
        database_url=database_url,
        db_schema=fresh_schema(service),
        topic_namespace=namespace,
        relay_poll_seconds=0.2,
        metrics_port=0,
    )
    return serve_in_thread(create_app(_spec(service), settings_), service, start_timeout=60)


@pytest.fixture(scope="module")
def services(kafka_bootstrap: str, database_url: str) -> Iterator[dict[str, Served]]:
    """Every service with routes, on one topic namespace so that they hear each other."""
    namespace = fresh_namespace()
    served: dict[str, Served] = {}
    try:
        for service in SERVICES_WITH_ROUTES:
            served[service] = _serve(service, kafka_bootstrap, database_url, namespace)
        yield served
    finally:
        for one in served.values():
            one.stop()


@pytest.fixture
def a_case(services: dict[str, Served]) -> dict[str, str]:
    """Path parameters that name things that exist: a case of the test's own, opened by
    a real report (the requests the test sends may restrict or close it)."""
    if "intake" not in services:
        return {}
    report = {
        "channel": "phone",
        "reporter": {"kind": "survivor"},
        # Someone new each time: a report about the same survivor would join the case an
        # earlier test may have restricted or closed.
        "survivor": {
            "name": f"Property Test {uuid.uuid4().hex[:8]}",
            "phone": f"07700 9{random.randint(0, 99_999):05d}",
        },
        "immediate_danger": False,
        "account": "A report made by the API property tests.",
    }
    answer = httpx.post(f"{services['intake'].url}/reports", json=report, headers=HEADERS)
    assert answer.status_code == 202, answer.text
    case_id = answer.json()["case_id"]
    if "cases" in services:
        deadline = time.monotonic() + 30
        url = f"{services['cases'].url}/cases/{case_id}"
        while httpx.get(url, headers=HEADERS).status_code != 200:
            assert time.monotonic() < deadline, "cases did not open the reported case"
            time.sleep(0.2)
    if "risk" in services and "cases" in services:
        # Risk learns of the case from cases' events: wait, so its rules are reached too.
        deadline = time.monotonic() + 30
        url = f"{services['risk'].url}/cases/{case_id}/risk"
        while httpx.get(url, headers=HEADERS).status_code != 200:
            assert time.monotonic() < deadline, "risk did not learn of the reported case"
            time.sleep(0.2)
    return {"case_id": case_id}


def _operations(served: Served) -> list[Any]:
    schema = schemathesis.openapi.from_dict(served.app.openapi())
    return [result.ok() for result in schema.get_all_operations()]


def _name(operation: Any) -> str:
    return f"{operation.method.upper()} {operation.path}"


def _run(operation: Any, strategy: Any, url: str, checks: list[Any]) -> str | None:
    session = requests.Session()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def exercise(case: Any) -> None:
        case.call_and_validate(base_url=url, session=session, headers=HEADERS, checks=checks)

    try:
        exercise()
    except Exception as exc:
        return f"{_name(operation)}: {exc}"
    finally:
        session.close()
    return None


@pytest.mark.parametrize("service", SERVICES_WITH_ROUTES)
def test_every_answer_is_documented_and_none_is_a_server_error(
    service: str, services: dict[str, Served], a_case: dict[str, str]
) -> None:
    served = services[service]
    failures: list[str] = []
    for operation in _operations(served):
        names = {p.name for p in operation.path_parameters}
        known = {k: v for k, v in a_case.items() if k in names}
        runs = [
            (operation.as_strategy(GenerationMode.POSITIVE), CHECKS),
            (operation.as_strategy(GenerationMode.NEGATIVE), [*CHECKS, negative_data_rejection]),
        ]
        if known and len(known) == len(names):
            # The same requests about things that exist, so they reach the rules and the
            # database (refusals 403/409, answers 200/201), not only a 404.
            about_it = operation.as_strategy(GenerationMode.POSITIVE, path_parameters=known)
            runs.append((about_it, CHECKS))
        for strategy, checks in runs:
            failure = _run(operation, strategy, served.url, checks)
            if failure:
                failures.append(failure)
    assert not failures, "\n\n".join(failures)


# --- what once answered 500, sent to every operation -----------------------------------


def _body_models(app: FastAPI) -> Iterator[tuple[str, Any]]:
    for route in app.routes:
        if isinstance(route, APIRoute) and route.include_in_schema and route.body_field:
            yield f"{sorted(route.methods)[0]} {route.path}", route.body_field.field_info.annotation


@pytest.mark.parametrize("service", SERVICES_WITH_ROUTES)
def test_every_body_is_checked_for_control_characters_at_the_door(service: str) -> None:
    # A body model not built on TextChecked would let a NUL through to PostgreSQL.
    app = create_app(_spec(service))
    unchecked = [
        f"{where}: {model!r}"
        for where, model in _body_models(app)
        if not (isinstance(model, type) and issubclass(model, TextChecked))
    ]
    assert not unchecked, "bodies not built on TextChecked:\n" + "\n".join(unchecked)


@pytest.mark.parametrize("service", SERVICES_WITH_ROUTES)
def test_every_integer_parameter_is_bounded(service: str) -> None:
    unbounded = []
    for path, methods in _document(service)["paths"].items():
        for method, operation in methods.items():
            for parameter in operation.get("parameters", []):
                schemas = [parameter["schema"], *parameter["schema"].get("anyOf", [])]
                integers = [s for s in schemas if s.get("type") == "integer"]
                if integers and not all("maximum" in s and "minimum" in s for s in integers):
                    unbounded.append(f"{method.upper()} {path} {parameter['name']}")
    assert not unbounded, "integer parameters without bounds: " + ", ".join(unbounded)


def _text_paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, str):
        yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _text_paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _text_paths(item, (*path, index))


def _with_nul(body: Any, path: tuple[Any, ...]) -> Any:
    poisoned = copy.deepcopy(body)
    parent = poisoned
    for step in path[:-1]:
        parent = parent[step]
    text = parent[path[-1]]
    parent[path[-1]] = f"{text[:1]}\u0000{text[1:]}"
    return poisoned


class _Found(Exception):
    pass


def _sample_body(operation: Any) -> Any:
    """A body the document allows, with some text in it, generated from the document."""
    found: list[Any] = []

    @settings(max_examples=30, derandomize=True, database=None, phases=[Phase.generate])
    @given(case=operation.as_strategy(GenerationMode.POSITIVE))
    def collect(case: Any) -> None:
        if case.body is not None and list(_text_paths(case.body)):
            found.append(case.body)
            raise _Found

    with contextlib.suppress(_Found):
        collect()
    return found[0] if found else None


def _problem(response: httpx.Response, where: str) -> str | None:
    """What is wrong with the answer to a NUL or an overflowing figure, if anything."""
    if response.status_code >= 500:
        return f"{where}: {response.status_code} {response.text[:200]}"
    if response.status_code < 400:
        return f"{where}: accepted ({response.status_code})"
    if response.status_code == 422 and set(response.json()) != {"detail", "errors"}:
        return f"{where}: a 422 not in the documented shape: {response.text[:200]}"
    return None


def _sent(client: httpx.Client, where: str, method: str, path: str, **request: Any) -> str:
    """Send one probe; what is wrong with its answer, or "" when it was refused well."""
    try:
        answer = client.request(method, path, **request)
    except httpx.TransportError as exc:
        return f"{where}: no answer ({type(exc).__name__})"
    return _problem(answer, where) or ""


def _query_probes(operation: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    for parameter in operation.get("parameters", []):
        if parameter["in"] != "query":
            continue
        schemas = [parameter["schema"], *parameter["schema"].get("anyOf", [])]
        types = {s.get("type") for s in schemas}
        if "integer" in types:
            yield parameter["name"], BIGGER_THAN_BIGINT
        elif "string" in types:
            yield parameter["name"], "a\u0000b"


@pytest.mark.parametrize("service", SERVICES_WITH_ROUTES)
def test_a_nul_in_any_text_and_an_overflowing_figure_are_refused_not_a_500(
    service: str, services: dict[str, Served], a_case: dict[str, str]
) -> None:
    served = services[service]
    document = served.app.openapi()
    failures: list[str] = []
    with httpx.Client(base_url=served.url, headers=HEADERS, timeout=30) as client:
        for operation in _operations(served):
            method = operation.method.upper()
            ids = {p.name: a_case.get(p.name, str(uuid.uuid4())) for p in operation.path_parameters}
            path = operation.path.format(**ids)
            described = document["paths"][operation.path][operation.method]
            for name, value in _query_probes(described):
                where = f"{method} {operation.path}?{name}"
                failures.append(_sent(client, where, method, path, params={name: value}))
            body = _sample_body(operation) if operation.body else None
            for text_path in _text_paths(body):
                where = f"{method} {operation.path} body.{'.'.join(map(str, text_path))}"
                failures.append(_sent(client, where, method, path, json=_with_nul(body, text_path)))
    failures = [f for f in failures if f]
    assert not failures, "\n".join(failures)
