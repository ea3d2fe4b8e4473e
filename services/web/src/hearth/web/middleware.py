"""Security headers on every answer of the web app, pages and assets alike."""

from __future__ import annotations

from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY: Final = "; ".join(
    [
        "default-src 'none'",
        "style-src 'self'",
        "img-src 'self' data:",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)

PERMISSIONS_POLICY: Final = ", ".join(
    f"{feature}=()"
    for feature in (
        "camera",
        "microphone",
        "geolocation",
        "payment",
        "usb",
        "serial",
        "bluetooth",
        "display-capture",
        "clipboard-read",
        "interest-cohort",
    )
)

SECURITY_HEADERS: Final = (
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("referrer-policy", "no-referrer"),
    # Every page carries or may carry personal data: nothing is kept by a browser's or
    # proxy's cache (a shared computer's back button shows nothing after sign-out).
    ("cache-control", "no-store"),
    ("pragma", "no-cache"),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("permissions-policy", PERMISSIONS_POLICY),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-resource-policy", "same-origin"),
)

HSTS: Final = ("strict-transport-security", "max-age=31536000")


class SecurityHeaders:
    """ASGI middleware: the headers above on every response (replacing a route's own)."""

    def __init__(self, app: ASGIApp, *, https: bool = True) -> None:
        self.app = app
        extra = [HSTS] if https else []
        self.headers = [(n.encode(), v.encode()) for n, v in (*SECURITY_HEADERS, *extra)]
        self.names = {n for n, _ in self.headers}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [
                    (n, v) for n, v in message.get("headers", ()) if n.lower() not in self.names
                ]
                message = {**message, "headers": kept + self.headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
