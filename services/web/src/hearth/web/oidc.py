"""Signing in with the landlord's OpenID Connect provider: authorization code + PKCE.

`begin` keeps a state, a nonce and a PKCE verifier (server-side, ten minutes, one use)
and gives the provider's authorization URL; `finish` takes the code back, exchanges it
with the verifier, checks the ID token (signature from the provider's JWKS, issuer,
audience, expiry, nonce) and maps its claims to a staff id and exactly one Hearth role.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final
from urllib.parse import urlencode

import asyncpg
import httpx
import jwt
import structlog

from hearth.eventstore.db import check_schema_name
from hearth.web.identity import AccountError, Identity, check_role, check_staff_id
from hearth.web.settings import WebSettings

log = structlog.get_logger(__name__)

LOGIN_TIME: Final = timedelta(minutes=10)
ALGORITHMS: Final = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"]
"""Asymmetric only: never `none`, never an HMAC keyed by something the client knows."""


class OidcRefused(Exception):
    """A sign-in the provider or its answer did not support; the message is for staff."""


@dataclass(frozen=True)
class Started:
    url: str
    state: str


def _hash(value: str) -> bytes:
    return hashlib.sha256(value.encode()).digest()


def code_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def identity_from_claims(claims: Mapping[str, Any], settings: WebSettings) -> Identity:
    """The staff id and the one Hearth role an ID token's claims give."""
    staff_id = claims.get(settings.oidc_staff_id_claim)
    if not isinstance(staff_id, str):
        raise OidcRefused("Your account has no staff id Hearth knows. Ask an administrator.")
    try:
        check_staff_id(staff_id)
    except AccountError:
        raise OidcRefused("Your account's staff id is not one Hearth can use.") from None
    raw = claims.get(settings.oidc_role_claim)
    names = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
    roles = {r for r in (settings.oidc_role_map.get(n) for n in names if isinstance(n, str)) if r}
    if len(roles) != 1:
        # None, or several: never a default or a guess (the reading that protects).
        raise OidcRefused(
            "Your account has no Hearth role, or more than one. Ask an administrator."
        )
    return Identity(staff_id, check_role(roles.pop()))


class OidcProvider:
    def __init__(
        self, settings: WebSettings, http: httpx.AsyncClient, pool: asyncpg.Pool, schema: str
    ) -> None:
        assert settings.oidc_issuer is not None and settings.oidc_client_id is not None
        self._settings = settings
        self._http = http
        self._pool = pool
        self._schema = check_schema_name(schema)
        self._issuer = str(settings.oidc_issuer).rstrip("/")
        self._client_id = settings.oidc_client_id
        self._metadata: dict[str, Any] | None = None
        self._keys: jwt.PyJWKSet | None = None

    async def metadata(self) -> dict[str, Any]:
        if self._metadata is None:
            answer = await self._http.get(f"{self._issuer}/.well-known/openid-configuration")
            answer.raise_for_status()
            found: dict[str, Any] = answer.json()
            if str(found.get("issuer", "")).rstrip("/") != self._issuer:
                raise OidcRefused("The sign-in provider is not configured as expected.")
            self._metadata = found
        return self._metadata

    async def end_session_url(self) -> str | None:
        try:
            url = (await self.metadata()).get("end_session_endpoint")
        except (httpx.HTTPError, OidcRefused, ValueError):
            return None
        return url if isinstance(url, str) else None

    async def begin(self, next_path: str, now: datetime) -> Started:
        metadata = await self.metadata()
        state, nonce, verifier = (secrets.token_urlsafe(32) for _ in range(3))
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute(
                f"DELETE FROM {self._schema}.oidc_logins WHERE created_at <= $1",
                now - LOGIN_TIME,
            )
            await conn.execute(
                f"INSERT INTO {self._schema}.oidc_logins"
                f" (state_hash, nonce, code_verifier, next_path, created_at)"
                f" VALUES ($1, $2, $3, $4, $5)",
                _hash(state),
                nonce,
                verifier,
                next_path,
                now,
            )
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self._client_id,
                "redirect_uri": self._settings.oidc_redirect_uri,
                "scope": self._settings.oidc_scopes,
                "state": state,
                "nonce": nonce,
                "code_challenge": code_challenge(verifier),
                "code_challenge_method": "S256",
            }
        )
        return Started(f"{metadata['authorization_endpoint']}?{query}", state)

    async def finish(self, code: str, state: str, now: datetime) -> tuple[Identity, str]:
        """The identity the provider vouches for, and where to go next."""
        row = await self._pool.fetchrow(
            f"DELETE FROM {self._schema}.oidc_logins WHERE state_hash = $1"
            f" RETURNING nonce, code_verifier, next_path, created_at",
            _hash(state),
        )
        if row is None or row["created_at"] <= now - LOGIN_TIME:
            raise OidcRefused("That sign-in took too long or was already used. Try again.")
        metadata = await self.metadata()
        secret = self._settings.oidc_client_secret
        auth = httpx.BasicAuth(self._client_id, secret.get_secret_value()) if secret else None
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self._settings.oidc_redirect_uri,
            "code_verifier": row["code_verifier"],
        }
        if auth is None:
            form["client_id"] = self._client_id
        answer = await self._http.post(
            str(metadata["token_endpoint"]),
            data=form,
            auth=auth if auth is not None else httpx.USE_CLIENT_DEFAULT,
            headers={"Accept": "application/json"},
        )
        if not answer.is_success:
            log.warning("oidc token exchange refused", status=answer.status_code)
            raise OidcRefused("The sign-in provider did not confirm the sign-in. Try again.")
        id_token = answer.json().get("id_token")
        if not isinstance(id_token, str):
            raise OidcRefused("The sign-in provider did not say who signed in.")
        claims = await self._verified(id_token)
        if not secrets.compare_digest(str(claims.get("nonce", "")), row["nonce"]):
            raise OidcRefused("The sign-in could not be confirmed. Try again.")
        return identity_from_claims(claims, self._settings), str(row["next_path"])

    async def _verified(self, id_token: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(id_token)
            key = await self._key(str(header.get("kid", "")))
            claims: dict[str, Any] = jwt.decode(
                id_token,
                key.key,
                algorithms=ALGORITHMS,
                audience=self._client_id,
                issuer=self._issuer,
                leeway=30,
                options={"require": ["iss", "aud", "exp", "iat", "sub"]},
            )
        except (jwt.PyJWTError, KeyError, ValueError) as exc:
            log.warning("oidc id token refused", error=type(exc).__name__)
            raise OidcRefused("The sign-in could not be confirmed. Try again.") from None
        return claims

    async def _key(self, kid: str) -> jwt.PyJWK:
        for refresh in (False, True):
            if self._keys is None or refresh:
                uri = str((await self.metadata())["jwks_uri"])
                answer = await self._http.get(uri)
                answer.raise_for_status()
                self._keys = jwt.PyJWKSet.from_dict(answer.json())
            for key in self._keys.keys:
                if key.key_id == kid or (not kid and len(self._keys.keys) == 1):
                    return key
        raise KeyError("no such signing key")
