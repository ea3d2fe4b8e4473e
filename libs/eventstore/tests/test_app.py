"""The HTTP app every service shares: its headers, refusals and documents (issue 10).

These run the app without its lifespan: no database or broker is needed for routes that
do not use the runtime.
"""

from __future__ import annotations

from typing import Annotated

import httpx
import pytest
from fastapi import APIRouter, Depends

from hearth.contracts.envelope import Actor, Role
from hearth.eventstore.auth import issue_token, require_actor
from hearth.eventstore.runtime import ServiceSpec, create_app, no_context

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
