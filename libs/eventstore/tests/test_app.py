"""The HTTP app every service shares: its headers, refusals and documents (issue 10).

These run the app without its lifespan: no database or broker is needed for routes that
do not use the runtime.
"""

from __future__ import annotations

import re
import socket
from typing import Annotated

import httpx
import pytest
from fastapi import APIRouter, Depends

from hearth.contracts.envelope import Actor, Role
from hearth.eventstore.auth import issue_token, require_actor
from hearth.eventstore.runtime import ServiceSpec, create_app, no_context
from hearth.eventstore.settings import ServiceSettings

router = APIRouter()


@router.get("/things/{name}")
async def a_thing(
    name: str, actor: Annotated[Actor, Depends(require_actor(Role.MANAGER))], q: str = ""
) -> dict[str, str]:
    return {"name": name, "q": q}


SPEC = ServiceSpec(name="testing", context=no_context, routers=[router])
AUTH = {"Authorization": f"Bearer {issue_token('dalead-0001', Role.MANAGER)}"}


@pytest.fixture
async def client() -> httpx.AsyncClient:
    app = create_app(SPEC)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://app")


# --- point 21: nothing is cached or sniffed -------------------------------------------


@pytest.mark.parametrize(
    ("path", "status"),
    [("/things/one", 200), ("/things/one?q=%00", 422), ("/healthz", 200), ("/nowhere", 404)],
)
async def test_every_answer_is_private_whatever_its_status(
    client: httpx.AsyncClient, path: str, status: int
) -> None:
    response = await client.get(path, headers=AUTH)
    assert response.status_code == status
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


async def test_an_unauthenticated_answer_is_private_too(client: httpx.AsyncClient) -> None:
    response = await client.get("/things/one")
    assert response.status_code == 401
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"


# --- point 15: control characters in parameters -------------------------------------


async def test_a_control_character_in_a_query_or_path_parameter_is_a_422_naming_it(
    client: httpx.AsyncClient,
) -> None:
    query = await client.get("/things/one?q=a%00b", headers=AUTH)
    assert query.status_code == 422
    assert query.json() == {
        "detail": "invalid request",
        "errors": [
            {
                "field": "query.q",
                "problem": "text must not contain control characters or line breaks",
                "kind": "control_character",
            }
        ],
    }
    path = await client.get("/things/a%1bb", headers=AUTH)
    assert path.status_code == 422
    assert [e["field"] for e in path.json()["errors"]] == ["path.name"]
    fine = await client.get("/things/Zo%C3%AB?q=caf%C3%A9", headers=AUTH)
    assert fine.json() == {"name": "Zoë", "q": "café"}


# --- point 22: documents that match the answers, docs without a CDN, metrics apart ----


def test_the_document_gives_every_refusal_its_real_body() -> None:
    document = create_app(SPEC).openapi()
    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in schemas and "ValidationError" not in schemas
    assert schemas["InvalidRequest"]["required"] == ["detail", "errors"]
    assert set(schemas["FieldProblem"]["required"]) == {"field", "problem", "kind"}
    responses = document["paths"]["/things/{name}"]["get"]["responses"]
    assert set(responses) == {"200", "401", "403", "422"}
    ref = "#/components/schemas/{}"
    assert responses["422"]["content"]["application/json"]["schema"]["$ref"] == ref.format(
        "InvalidRequest"
    )
    for code in ("401", "403"):
        assert responses[code]["content"]["application/json"]["schema"]["$ref"] == ref.format(
            "Problem"
        )


async def test_by_default_no_docs_no_document_and_no_metrics_on_the_service_port(
    client: httpx.AsyncClient,
) -> None:
    for path in ("/docs", "/redoc", "/openapi.json", "/metrics", "/docs/assets/start.js"):
        assert (await client.get(path)).status_code == 404, path


async def test_docs_when_asked_for_load_nothing_from_anywhere_else() -> None:
    app = create_app(SPEC, ServiceSettings(api_docs=True))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://app"
    ) as client:
        page = await client.get("/docs")
        document = await client.get("/openapi.json")
        assets = {
            name: await client.get(f"/docs/assets/{name}")
            for name in ("swagger-ui-bundle.js", "swagger-ui.css", "start.js")
        }
        missing = await client.get("/docs/assets/index.html")

    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "http" not in csp
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith(("/docs/assets/", "data:")) for s in sources)
    assert "<script>" not in page.text  # no inline script: the CSP would refuse it
    assert document.json()["paths"].keys() == {"/things/{name}"}
    assert all(a.status_code == 200 for a in assets.values())
    assert "SwaggerUIBundle" in assets["swagger-ui-bundle.js"].text
    assert '"/openapi.json"' in assets["start.js"].text
    assert "validatorUrl: null" in assets["start.js"].text
    assert missing.status_code == 404


async def test_metrics_are_served_on_their_own_port_while_the_app_runs() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    app = create_app(SPEC, ServiceSettings(metrics_port=port))
    runtime = app.state.runtime
    runtime.start = runtime.stop = _nothing  # no database or broker for this test
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient() as client:
            metrics = await client.get(f"http://127.0.0.1:{port}/metrics")
        assert metrics.status_code == 200
        assert "hearth_events_handled_total" in metrics.text
    async with httpx.AsyncClient() as client:  # closed again when the app stops
        with pytest.raises(httpx.ConnectError):
            await client.get(f"http://127.0.0.1:{port}/metrics")


async def _nothing() -> None:
    return None


# --- an unknown query parameter is refused, not ignored ---------------------------------


async def test_an_unknown_query_parameter_is_a_422_naming_it(client: httpx.AsyncClient) -> None:
    # A misspelt filter must not quietly widen what a list shows.
    response = await client.get("/things/one?q=x&qq=y", headers=AUTH)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "query.qq", "problem": "no such query parameter", "kind": "unknown_parameter"}
    ]
    assert (await client.get("/things/one?q=x", headers=AUTH)).status_code == 200
