"""The OpenAPI document says what the services really answer, and the docs need no CDN.

Every service answers refusals the same way (`runtime.install_error_handlers`), so the
document is completed in one place for all of them (`document_answers`):

- 422: `InvalidRequest` (`{"detail", "errors": [{"field", "problem", "kind"}]}`), not
  FastAPI's default, on every operation;
- 400: `Problem`, on every operation with a body (a body that cannot be read at all);
- 401 and 403: `Problem`, on every operation that needs a bearer token.

What only some routes answer (404 for an unknown case, 409 for a rule that refuses)
each route declares with `answers(404, 409)`.

`serve_docs` serves Swagger UI from the files the `fastapi-offline` package ships (not
its app class: its page starts Swagger UI with an inline script), with a page and a
start-up script of its own, under a Content-Security-Policy that allows nothing
from anywhere else. The runtime serves it only when `HEARTH_API_DOCS` is on.
"""

from __future__ import annotations

from importlib.resources import files
from typing import Any, Final

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema


class FieldProblem(BaseModel):
    """One bad field, named by where it was (`survivor.name`, `query.offset`,
    `header.Idempotency-Key`); the value sent is never echoed."""

    field: str
    problem: str
    kind: str


class InvalidRequest(BaseModel):
    """422: the request was refused before anything was decided or stored."""

    detail: str
    errors: list[FieldProblem]


class Refusal(BaseModel):
    """A refusal with a stable `code` clients can act on (404 not found, 409 a rule)."""

    detail: str
    code: str


class Problem(BaseModel):
    """400, 401, 403: what is wrong; a `code` when the rules (not the token) refused."""

    detail: str
    code: str | None = None


_DESCRIPTIONS: Final = {
    400: "The body could not be read (not text, or not UTF-8).",
    401: "No bearer token, or one that is not valid (expired, wrong key).",
    403: "The token's role may not do this, or the caller's relation to the case does not.",
    404: "No such thing, or a restricted case the caller is not named on (the same answer).",
    409: "A rule refused the command (`code` names it), or the case changed meanwhile "
    "(`conflict`: try again).",
    422: "Bad fields: each one named, never its value.",
    429: "Too many requests: try again later (`Retry-After`).",
}
_MODELS: Final[dict[int, type[BaseModel]]] = {
    400: Problem,
    401: Problem,
    403: Problem,
    404: Refusal,
    409: Refusal,
    422: InvalidRequest,
    429: Problem,
}


def answers(*status_codes: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: the refusals it can give, each with its body."""
    return {
        code: {"model": _MODELS[code], "description": _DESCRIPTIONS[code]} for code in status_codes
    }


def _ref(model: type[BaseModel]) -> dict[str, Any]:
    return {
        "description": "",
        "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}
        },
    }


def _document(schema: dict[str, Any]) -> dict[str, Any]:
    """Put the shared refusals on every operation that can give them."""
    for methods in schema.get("paths", {}).values():
        for operation in methods.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses: dict[str, Any] = operation["responses"]
            # Any request can be refused with a 422 (the runtime checks every query and
            # path parameter, declared or not, for control characters).
            shared = [422]
            if operation.get("requestBody"):
                shared.append(400)
            if operation.get("security"):
                shared += [401, 403]
            for code in shared:
                if code == 422 or str(code) not in responses:
                    responses[str(code)] = {
                        **_ref(_MODELS[code]),
                        "description": _DESCRIPTIONS[code],
                    }
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    _, definitions = models_json_schema(
        [(model, "serialization") for model in (InvalidRequest, Problem, Refusal)],
        ref_template="#/components/schemas/{model}",
    )
    components.update(definitions.get("$defs", {}))
    # FastAPI's own 422 models are referenced by nothing now.
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    return schema


def document_answers(app: FastAPI) -> None:
    """Make `app.openapi()` document the answers every service gives (see the top)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _document(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


DOCS_CSP: Final = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
"""Nothing from anywhere else, no inline script: Swagger UI's start-up is a file too."""

_SWAGGER_UI: Final = files("fastapi_offline").joinpath("static")
_ASSETS: Final = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
}
_START: Final = """window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
"""
_PAGE: Final = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="referrer" content="no-referrer">
  <title>{title}</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/assets/start.js"></script>
</body>
</html>
"""


def serve_docs(app: FastAPI) -> None:
    """`/openapi.json` and `/docs` (Swagger UI from an installed package, no CDN)."""
    headers = {"Content-Security-Policy": DOCS_CSP, "X-Frame-Options": "DENY"}

    @app.get("/openapi.json", include_in_schema=False)
    async def openapi_document() -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False)
    async def docs_page() -> HTMLResponse:
        return HTMLResponse(_PAGE.format(title=f"{app.title}: API"), headers=headers)

    @app.get("/docs/assets/{name}", include_in_schema=False)
    async def docs_asset(name: str) -> Response:
        if name == "start.js":
            return Response(_START, media_type="text/javascript; charset=utf-8", headers=headers)
        media_type = _ASSETS.get(name)
        if media_type is None:
            return Response(status_code=404)
        content = _SWAGGER_UI.joinpath(name).read_bytes()
        return Response(content, media_type=media_type, headers=headers)
