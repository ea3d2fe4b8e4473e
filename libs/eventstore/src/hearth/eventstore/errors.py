"""Errors a service's rules raise. Pure: domain code imports this and nothing with I/O.

Messages name the rule that refused the command, never the personal data involved,
so they can be logged and returned to the caller as they are.
"""

from __future__ import annotations


class DomainError(Exception):
    """A command the rules refuse. `code` is stable for clients; the message explains."""

    message_is_safe = True
    code = "refused"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class NotFound(DomainError):
    """The thing does not exist (or, for a restricted case, the caller may not know it does)."""

    code = "not_found"


class NotAllowed(DomainError):
    """The caller's role or relationship to the case does not allow this."""

    code = "not_allowed"


class InvalidCommand(DomainError):
    """A command that contradicts itself, whatever the stream holds (a declined closure
    without a reason, say). Answered like a bad request (422), naming `field`."""

    code = "invalid_command"

    def __init__(self, message: str, *, field: str, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.field = field
