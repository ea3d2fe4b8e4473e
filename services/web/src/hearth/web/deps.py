"""FastAPI dependencies every page uses: who is signed in, in which role, and a checked form.

`signed_in` finds the session from its cookie (a page without one redirects to
/sign-in); `require_role` refuses other roles with a 403 page; `checked_form` is the
only way a POST handler gets its form: the session's CSRF token must come back in the
form's `csrf_token` field, and a browser's Sec-Fetch-Site/Origin, when sent, must say
the form came from this site. A refused POST sends nothing to any API.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request

from hearth.contracts.envelope import Role
from hearth.web.client import ApiClient
from hearth.web.sessions import Ended
from hearth.web.state import web_state

MAX_FORM_FIELDS = 2000


@dataclass(frozen=True)
class SignedIn:
    staff_id: str
    role: Role
    client: ApiClient
    csrf_token: str


class NotSignedIn(Exception):
    """No live session: the page redirects to /sign-in (saying why, when it ended)."""

    def __init__(self, ended: Ended, next_path: str | None = None) -> None:
        super().__init__(ended.value)
        self.ended = ended
        self.next_path = next_path


class PageRefused(Exception):
    """A request the web app itself refuses: answered with a plain error page."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


async def signed_in(request: Request) -> SignedIn:
    web = web_state(request)
    settings = web.settings
    session_id = request.cookies.get(settings.session_cookie)
    found = await web.session_store().touch(session_id, web.now())
    if isinstance(found, Ended):
        next_path = request.url.path if request.method == "GET" else None
        raise NotSignedIn(found, next_path)
    client = ApiClient(
        web.http_client(),
        web.base_urls,
        found.staff_id,
        found.role,
        token_lifetime=settings.token_lifetime,
    )
    user = SignedIn(found.staff_id, found.role, client, found.csrf_token)
    request.state.user = user
    return user


def require_role(*roles: Role) -> Callable[..., Awaitable[SignedIn]]:
    """The signed-in member of staff, who must hold one of `roles` (else a 403 page)."""
    allowed = frozenset(roles)

    async def dependency(user: Annotated[SignedIn, Depends(signed_in)]) -> SignedIn:
        if user.role not in allowed:
            raise PageRefused(403, "Your role does not give you this page.")
        return user

    return dependency


def check_same_origin(request: Request) -> None:
    """Refuse a POST a browser says came from another site.

    Sec-Fetch-Site, sent by current browsers, decides: it must be `same-origin`. Without
    it, an Origin header naming a site must name this one (the `public_origin` setting,
    else this request's Host). Chromium sends `Origin: null` for a form posted from a
    page with `Referrer-Policy: no-referrer` (every page here), so "null" decides
    nothing. Requests with neither header rely on the CSRF token alone.
    """
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        if site != "same-origin":
            raise PageRefused(403, NOT_FROM_HERE)
        return
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return
    public = web_state(request).settings.public_origin
    if public is not None:
        ok = origin.rstrip("/") == str(public).rstrip("/")
    else:
        ok = urlsplit(origin).netloc.lower() == request.headers.get("host", "").lower()
    if not ok:
        raise PageRefused(403, NOT_FROM_HERE)


NOT_FROM_HERE = "This form was not sent from Hearth's own pages. Nothing was done."


def token_matches(expected: str | None, sent: object) -> bool:
    return (
        isinstance(expected, str)
        and bool(expected)
        and isinstance(sent, str)
        and hmac.compare_digest(expected.encode(), sent.encode())
    )


FormData = dict[str, str | list[str]]


async def read_form(request: Request) -> tuple[FormData, object]:
    """The form's text fields (several values of one name as a list), and its token."""
    form = await request.form(max_files=0, max_fields=MAX_FORM_FIELDS)
    fields: FormData = {}
    for name, value in form.multi_items():
        if not isinstance(value, str) or name == "csrf_token":
            continue
        if name in fields:
            existing = fields[name]
            fields[name] = [*existing, value] if isinstance(existing, list) else [existing, value]
        else:
            fields[name] = value
    return fields, form.get("csrf_token")


async def checked_form(request: Request, user: Annotated[SignedIn, Depends(signed_in)]) -> FormData:
    """The POSTed form (without its csrf_token), once its token and origin are checked."""
    check_same_origin(request)
    fields, token = await read_form(request)
    if not token_matches(user.csrf_token, token):
        raise PageRefused(
            403,
            "This form has expired or did not come from Hearth. Nothing was done; "
            "go back, reload the page and try again.",
        )
    return fields
