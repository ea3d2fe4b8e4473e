"""Who is calling: signed bearer tokens (JWT) carrying a staff id and a role.

Every HTTP command carries an authenticated actor; the actor goes into every event
it causes. Tokens are HS256 by default with a configurable key (`HEARTH_JWT_SECRET`),
issuer and audience. 401 for a missing or bad token, 403 for a role not allowed.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import jwt
from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from hearth.contracts.envelope import Actor, Role

STAFF_ROLES = frozenset(
    {Role.INTAKE, Role.CASE_MANAGER, Role.MANAGER, Role.AUDITOR, Role.ADMIN, Role.PARTNER}
)


# A well-known key for local use only; the runtime warns at start-up while it is in use.
DEVELOPMENT_SECRET = "hearth-local-development-key-change-me-in-production"  # noqa: S105


class AuthSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HEARTH_JWT_", extra="ignore")

    secret: SecretStr = SecretStr(DEVELOPMENT_SECRET)
    algorithm: str = "HS256"
    issuer: str = "hearth"
    audience: str = "hearth"
    leeway_seconds: int = Field(default=30, ge=0)


def uses_development_secret(settings: AuthSettings | None = None) -> bool:
    """True when tokens are checked against the well-known development key."""
    return (settings or AuthSettings()).secret.get_secret_value() == DEVELOPMENT_SECRET


def issue_token(
    staff_id: str,
    role: Role | str,
    *,
    settings: AuthSettings | None = None,
    lifetime: timedelta = timedelta(hours=8),
    now: datetime | None = None,
) -> str:
    """A signed token for a member of staff (or a partner system) in one role."""
    s = settings or AuthSettings()
    issued = now or datetime.now(UTC)
    claims = {
        "sub": staff_id,
        "role": Role(role).value,
        "iss": s.issuer,
        "aud": s.audience,
        "iat": int(issued.timestamp()),
        "exp": int((issued + lifetime).timestamp()),
    }
    return jwt.encode(claims, s.secret.get_secret_value(), algorithm=s.algorithm)


class AuthError(Exception):
    message_is_safe = True


def actor_from_token(token: str, settings: AuthSettings | None = None) -> Actor:
    """The actor a token names. Raises AuthError saying what is wrong with it."""
    s = settings or AuthSettings()
    try:
        claims = jwt.decode(
            token,
            s.secret.get_secret_value(),
            algorithms=[s.algorithm],
            issuer=s.issuer,
            audience=s.audience,
            leeway=s.leeway_seconds,
            options={"require": ["sub", "role", "exp", "iss", "aud"]},
        )
    except jwt.ExpiredSignatureError:
        raise AuthError("the token has expired") from None
    except jwt.PyJWTError as exc:
        raise AuthError(f"the token is not valid: {type(exc).__name__}") from None
    try:
        role = Role(claims["role"])
        if role not in STAFF_ROLES:
            raise ValueError(role)
        return Actor(id=str(claims["sub"]), role=role)
    except (ValueError, ValidationError):
        raise AuthError("the token names an unknown role or an invalid subject") from None


_bearer = HTTPBearer(auto_error=False)


def require_actor(*roles: Role) -> Callable[..., Awaitable[Actor]]:
    """A FastAPI dependency: the authenticated actor, who must hold one of `roles`."""
    allowed = frozenset(roles)

    async def dependency(
        credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),  # noqa: B008
    ) -> Actor:
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                detail="a bearer token is required",
                headers={"WWW-Authenticate": "Bearer"},
            )
        try:
            actor = actor_from_token(credentials.credentials)
        except AuthError as exc:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                detail=str(exc),
                headers={"WWW-Authenticate": "Bearer"},
            ) from None
        if allowed and actor.role not in allowed:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                detail=f"role {actor.role.value} may not do this; allowed: "
                + ", ".join(sorted(r.value for r in allowed)),
            )
        return actor

    return dependency


def _main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m hearth.eventstore.auth", description="Issue a token for local use."
    )
    parser.add_argument("staff_id")
    parser.add_argument("role", choices=sorted(r.value for r in STAFF_ROLES))
    parser.add_argument("--hours", type=float, default=8)
    args = parser.parse_args()
    print(issue_token(args.staff_id, args.role, lifetime=timedelta(hours=args.hours)))


if __name__ == "__main__":
    _main()
