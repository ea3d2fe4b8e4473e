"""Rendering pages: the one template environment, the base layout's context, and flashes.

A flash (a short message for the next page, "Contact recorded") travels in a cookie of
its own for one redirect: it never holds personal data, only what was done.
"""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING, Any, Final, Literal

from fastapi import Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from hearth.web.identity import ROLE_NAMES
from hearth.web.state import web_state

if TYPE_CHECKING:
    from hearth.web.settings import WebSettings

MAX_FLASH: Final = 300

templates = Environment(
    loader=PackageLoader("hearth.web", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
templates.globals["role_names"] = ROLE_NAMES


def _encode(message: str) -> str:
    return base64.urlsafe_b64encode(message[:MAX_FLASH].encode()).decode()


def _decode(value: str | None) -> str | None:
    if not value or len(value) > 4 * MAX_FLASH * 2:
        return None
    try:
        return base64.urlsafe_b64decode(value.encode()).decode()[:MAX_FLASH]
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


def render(
    request: Request, name: str, *, title: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """A page in the base layout. `title` names the page, never a person or a case."""
    settings = web_state(request).settings
    user = getattr(request.state, "user", None)
    csrf_token = user.csrf_token if user is not None else getattr(request.state, "csrf", "")
    flash = _decode(request.cookies.get(settings.flash_cookie))
    html = templates.get_template(name).render(
        request=request,
        title=title,
        user=user,
        csrf_token=csrf_token,
        flash=flash,
        path=request.url.path,
        **context,
    )
    response = HTMLResponse(html, status_code=status_code)
    if flash is not None or settings.flash_cookie in request.cookies:
        delete_cookie(response, settings, settings.flash_cookie)
    return response


def redirect_with_flash(request: Request, url: str, message: str) -> RedirectResponse:
    """303 to `url` (a path on this site), showing `message` on the page it leads to."""
    if not url.startswith("/") or url.startswith("//"):
        raise ValueError("redirects stay on this site: give a path")
    settings = web_state(request).settings
    response = RedirectResponse(url, status_code=303)
    set_cookie(response, settings, settings.flash_cookie, _encode(message), max_age=60)
    return response


def set_cookie(
    response: Response,
    settings: WebSettings,
    name: str,
    value: str,
    *,
    max_age: int | None = None,
    samesite: Literal["strict", "lax"] = "strict",
) -> None:
    """One of Hearth's cookies: for the whole site, HttpOnly, Secure unless the settings
    say otherwise, SameSite Strict unless `samesite` says Lax. Without `max_age` it is a
    browser session cookie."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        secure=settings.cookie_secure,
        httponly=True,
        samesite=samesite,
    )


def delete_cookie(
    response: Response,
    settings: WebSettings,
    name: str,
    *,
    samesite: Literal["strict", "lax"] = "strict",
) -> None:
    """Ends one of Hearth's cookies (set as `set_cookie` sets it)."""
    response.delete_cookie(
        name, path="/", secure=settings.cookie_secure, httponly=True, samesite=samesite
    )


def error_page(request: Request, status_code: int, message: str) -> HTMLResponse:
    titles = {403: "Not allowed", 404: "Not found", 502: "Service unavailable"}
    return render(
        request,
        "error.html",
        title=titles.get(status_code, "Something went wrong"),
        status_code=status_code,
        message=message,
    )
