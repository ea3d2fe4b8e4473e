"""Calling the services' HTTP APIs as the signed-in member of staff.

One `ApiClient` per request: it mints a short-lived bearer token for the actor
(`hearth.eventstore.auth.issue_token`), so every event the services record names the
real person. A refusal comes back as `ApiRefusal`, in plain words for staff: the
service's own message (its rules say what was refused, never personal data), and for a
422 each field the service named, keyed by the field's name in the request body.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, Final

import httpx
import structlog

from hearth.contracts.envelope import Role
from hearth.eventstore.auth import issue_token

log = structlog.get_logger(__name__)

SERVICES: Final = ("intake", "cases", "risk", "referrals", "reporting")

CODE: Final = re.compile(r"[a-z][a-z0-9_]{0,63}")
"""A refusal's code as the services give them (`unsafe_number`): anything else is no code."""

_PROBLEMS: Final = {
    "missing": "This is required.",
    "string_too_short": "This is required.",
    "too_short": "Give at least one.",
    "string_too_long": "This is too long.",
    "too_long": "There are too many of these.",
    "control_character": "Use plain text: no line breaks or control characters here.",
    "enum": "Choose one of the options.",
    "literal_error": "Choose one of the options.",
    "bool_parsing": "Choose yes or no.",
    "int_parsing": "Give a whole number.",
    "date_from_datetime_parsing": "Give a date.",
    "date_parsing": "Give a date.",
    "datetime_parsing": "Give a date and time.",
    "datetime_from_date_parsing": "Give a date and time.",
    "uuid_parsing": "Choose one from the list.",
    "string_pattern_mismatch": "This is not in the expected form.",
    "extra_forbidden": "This is not expected here.",
}
"""Plain words for the framework's own kinds of problem; a rule's own message (an
`InvalidCommand`) is already plain and is shown as it is."""


class ApiRefusal(Exception):
    """A service refused (or could not answer) a request."""

    def __init__(
        self,
        status: int,
        message: str,
        fields: Mapping[str, str] | None = None,
        code: str | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.message = message
        self.fields: dict[str, str] = dict(fields or {})
        self.code = code
        """The service's stable code for the refusal (`{"detail", "code"}`, the shape of
        `hearth.eventstore.errors.DomainError`), e.g. `unsafe_number`; None without one."""


def _field_name(field: str) -> str:
    """The form field's name for an API's `field`: the body path without its `body.`."""
    for prefix in ("body.", "query.", "path.", "header."):
        if field.startswith(prefix):
            return field[len(prefix) :]
    return field


def _problem(problem: str, kind: str) -> str:
    if kind in _PROBLEMS:
        return _PROBLEMS[kind]
    if kind.endswith("_parsing") or kind.endswith("_type"):
        return "This is not in the expected form."
    text = problem.strip()
    if text.lower().startswith("value error, "):
        text = text[len("value error, ") :]
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def refusal_from(response: httpx.Response) -> ApiRefusal:
    """Plain words for a service's error answer (every shape the services give)."""
    status = response.status_code
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    detail = body.get("detail") if isinstance(body, dict) else None
    found = body.get("code") if isinstance(body, dict) else None
    code = found if isinstance(found, str) and CODE.fullmatch(found) else None
    if status == 422:
        fields: dict[str, str] = {}
        errors = body.get("errors") if isinstance(body, dict) else None
        for error in errors if isinstance(errors, list) else []:
            if not isinstance(error, dict):
                continue
            name = _field_name(str(error.get("field", "")))
            fields.setdefault(
                name, _problem(str(error.get("problem", "")), str(error.get("kind", "")))
            )
        words = [f"{name.replace('_', ' ')}: {text}" for name, text in fields.items() if name]
        message = "Some answers need correcting" + (": " + "; ".join(words) if words else ".")
        return ApiRefusal(422, message, fields, code)
    if status == 401:
        return ApiRefusal(401, "Your sign-in was not accepted by the service. Sign in again.")
    if status == 404:
        return ApiRefusal(404, "Not found.", code=code)
    if status == 403:
        text = detail if isinstance(detail, str) else "You may not do this."
        return ApiRefusal(403, _sentence(text), code=code)
    if status in (409, 400, 413, 429):
        text = detail if isinstance(detail, str) else "The service refused this."
        return ApiRefusal(status, _sentence(text), code=code)
    return ApiRefusal(
        502,
        "A service did not answer as it should. Check the case before sending again: it "
        "is not known whether this was recorded.",
    )


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "?", "!")) else ".")


class ApiClient:
    """The services' APIs for one signed-in member of staff (one per request)."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        base_urls: Mapping[str, str],
        staff_id: str,
        role: Role,
        *,
        token_lifetime: timedelta = timedelta(minutes=5),
    ) -> None:
        self._http = http
        self._base_urls = dict(base_urls)
        self.staff_id = staff_id
        self.role = role
        self._token_lifetime = token_lifetime
        self._token: str | None = None

    def _headers(self, idempotency_key: str | None = None) -> dict[str, str]:
        if self._token is None:
            self._token = issue_token(self.staff_id, self.role, lifetime=self._token_lifetime)
        headers = {"Authorization": f"Bearer {self._token}", "Accept": "application/json"}
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        return headers

    def _url(self, service: str, path: str) -> str:
        if service not in self._base_urls:
            raise ValueError(f"unknown service {service!r}")
        if not path.startswith("/"):
            raise ValueError("an API path starts with /")
        return self._base_urls[service] + path

    async def get(self, service: str, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """The JSON answer of a GET; raises ApiRefusal for anything but 2xx."""
        query = {k: _param(v) for k, v in (params or {}).items() if v is not None}
        return await self._send("GET", service, path, params=query)

    async def post(
        self,
        service: str,
        path: str,
        body: Mapping[str, Any] | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> Any:
        """The JSON answer of a POST (None when empty); raises ApiRefusal."""
        return await self._send(
            "POST", service, path, json=dict(body or {}), idempotency_key=idempotency_key
        )

    async def _send(
        self,
        method: str,
        service: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        idempotency_key: str | None = None,
    ) -> Any:
        url = self._url(service, path)
        try:
            response = await self._http.request(
                method,
                url,
                params=params,
                json=json,
                headers=self._headers(idempotency_key),
            )
        except httpx.HTTPError as exc:
            # The path holds only ids; no body or answer is logged.
            log.warning("service unreachable", service=service, error=type(exc).__name__)
            raise ApiRefusal(
                502,
                "A service could not be reached. Check the case before sending again: it "
                "is not known whether this was recorded.",
            ) from None
        if response.is_success:
            if not response.content:
                return None
            return response.json()
        if response.status_code >= 500:
            log.warning("service failed", service=service, status=response.status_code)
        raise refusal_from(response)


def _param(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value
