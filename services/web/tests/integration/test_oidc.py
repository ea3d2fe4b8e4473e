"""Signing in with an OpenID Connect provider (a fake one in the test, real PostgreSQL):
authorization code with PKCE, the ID token checked, claims mapped to staff id and role."""

from __future__ import annotations

import base64
import hashlib
import re
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI, Form, Request
from fastapi.responses import JSONResponse

from hearth.eventstore.testing.service import fresh_schema
from hearth.web.app import create_app
from hearth.web.settings import WebSettings

pytestmark = pytest.mark.integration

ISSUER = "https://idp.test"
CLIENT_ID = "hearth-web"
SECRET = "client-secret-for-tests"
ORIGIN = "https://hearth.test"
ROLE_MAP = {"Hearth.CaseManager": "case_manager", "Hearth.DALead": "manager"}


@dataclass
class FakeProvider:
    """Just enough of a provider: metadata, JWKS, and a token endpoint that answers for
    codes the test hands out (as if the person had signed in at /authorize)."""

    key: Any = field(default_factory=lambda: rsa.generate_private_key(65537, 2048))
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    token_requests: list[dict[str, str]] = field(default_factory=list)

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/.well-known/openid-configuration")
        async def metadata() -> dict[str, str]:
            return {
                "issuer": ISSUER,
                "authorization_endpoint": f"{ISSUER}/authorize",
                "token_endpoint": f"{ISSUER}/token",
                "jwks_uri": f"{ISSUER}/jwks",
                "end_session_endpoint": f"{ISSUER}/logout",
            }

        @app.get("/jwks")
        async def jwks() -> dict[str, Any]:
            public = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
            return {"keys": [{**public, "kid": "k1", "use": "sig", "alg": "RS256"}]}

        @app.post("/token")
        async def token(
            request: Request,
            grant_type: str = Form(),
            code: str = Form(),
            redirect_uri: str = Form(),
            code_verifier: str = Form(),
        ) -> JSONResponse:
            basic = base64.b64encode(f"{CLIENT_ID}:{SECRET}".encode()).decode()
            self.token_requests.append({"code": code, "verifier": code_verifier})
            grant = self.codes.pop(code, None)
            challenge = (
                base64.urlsafe_b64encode(hashlib.sha256(code_verifier.encode()).digest())
                .rstrip(b"=")
                .decode()
            )
            if (
                grant is None
                or request.headers.get("authorization") != f"Basic {basic}"
                or grant_type != "authorization_code"
                or redirect_uri != f"{ORIGIN}/sign-in/oidc/callback"
                or challenge != grant["challenge"]
            ):
                return JSONResponse({"error": "invalid_grant"}, status_code=400)
            return JSONResponse({"id_token": grant["id_token"], "token_type": "Bearer"})

        return app

    def id_token(self, **claims: Any) -> str:
        now = int(time.time())
        body = {"iss": ISSUER, "aud": CLIENT_ID, "iat": now, "exp": now + 300, **claims}
        return jwt.encode(body, self.key, algorithm="RS256", headers={"kid": "k1"})

    def signs_in(self, authorize_url: str, **claims: Any) -> tuple[str, str]:
        """The person signs in at the provider: a code for the callback, and the state."""
        query = {k: v[0] for k, v in parse_qs(urlsplit(authorize_url).query).items()}
        assert query["code_challenge_method"] == "S256"
        assert query["response_type"] == "code" and query["client_id"] == CLIENT_ID
        code = uuid.uuid4().hex
        self.codes[code] = {
            "challenge": query["code_challenge"],
            "id_token": self.id_token(**{"nonce": query["nonce"], "sub": "s-1", **claims}),
        }
        return code, query["state"]


@dataclass
class Web:
    client: httpx.AsyncClient
    idp: FakeProvider

    async def start(self, next_path: str = "/cases") -> str:
        started = await self.client.get(f"/sign-in/oidc?next={next_path}")
        assert started.status_code == 303
        assert started.headers["location"].startswith(f"{ISSUER}/authorize?")
        assert "samesite=lax" in started.headers["set-cookie"].lower()
        return str(started.headers["location"])


@pytest.fixture
async def web(database_url: str) -> AsyncIterator[Web]:
    idp = FakeProvider()
    settings = WebSettings.model_validate(
        {
            "database_url": database_url,
            "db_schema": fresh_schema("web"),
            "identity_provider": "oidc",
            "oidc_issuer": ISSUER,
            "oidc_client_id": CLIENT_ID,
            "oidc_client_secret": SECRET,
            "oidc_staff_id_claim": "employee_id",
            "oidc_role_map": ROLE_MAP,
            "public_origin": ORIGIN,
            "oidc_provider_name": "Landlord account",
        }
    )
    app = create_app(settings, transport=httpx.ASGITransport(app=idp.app()))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=ORIGIN) as client:
            yield Web(client, idp)


async def test_a_member_of_staff_signs_in_with_the_provider_in_their_mapped_role(
    web: Web,
) -> None:
    page = await web.client.get("/sign-in")
    assert "Sign in with Landlord account" in page.text
    assert 'name="password"' not in page.text
    url = await web.start("/cases/abc")
    code, state = web.idp.signs_in(url, employee_id="cso-0001", roles=["Hearth.CaseManager"])
    back = await web.client.get(f"/sign-in/oidc/callback?code={code}&state={state}")
    assert back.status_code == 200, back.text
    assert 'http-equiv="refresh" content="0;url=/cases/abc"' in back.text
    assert "__Host-hearth_session=" in back.headers.get_list("set-cookie")[0]
    assert web.idp.token_requests[-1]["code"] == code
    home = await web.client.get("/")
    assert home.status_code == 303 and home.headers["location"] == "/cases"
    # The state is used once: the same answer again signs nobody in.
    replay = await web.client.get(f"/sign-in/oidc/callback?code={code}&state={state}")
    assert replay.status_code == 403
    # Passwords are not accepted while the provider signs staff in.
    assert (await web.client.post("/sign-in", data={"staff_id": "x"})).status_code == 404


async def test_a_callback_the_browser_did_not_start_is_refused(web: Web) -> None:
    url = await web.start()
    code, state = web.idp.signs_in(url, employee_id="cso-0001", roles=["Hearth.CaseManager"])
    web.client.cookies.clear()  # another browser (login CSRF): no state cookie
    answer = await web.client.get(f"/sign-in/oidc/callback?code={code}&state={state}")
    assert answer.status_code == 403
    assert not web.idp.token_requests  # nothing was exchanged


@pytest.mark.parametrize(
    ("claims", "words"),
    [
        ({"employee_id": "cso-0001"}, "no Hearth role"),
        ({"employee_id": "cso-0001", "roles": ["Finance"]}, "no Hearth role"),
        (
            {"employee_id": "cso-0001", "roles": ["Hearth.CaseManager", "Hearth.DALead"]},
            "more than one",
        ),
        ({"roles": ["Hearth.CaseManager"]}, "no staff id"),
        ({"employee_id": "cso-0001", "roles": ["Hearth.CaseManager"], "aud": "other"}, "could not"),
        ({"employee_id": "cso-0001", "roles": ["Hearth.CaseManager"], "nonce": "x"}, "could not"),
        (
            {"employee_id": "cso-0001", "roles": ["Hearth.CaseManager"], "exp": 1_000_000},
            "could not",
        ),
    ],
)
async def test_an_id_token_that_does_not_say_enough_signs_nobody_in(
    web: Web, claims: dict[str, Any], words: str
) -> None:
    url = await web.start()
    code, state = web.idp.signs_in(url, **claims)
    answer = await web.client.get(f"/sign-in/oidc/callback?code={code}&state={state}")
    assert answer.status_code == 403
    assert words in answer.text
    assert (await web.client.get("/")).headers["location"] == "/sign-in"


async def test_sign_out_points_to_the_provider_s_own_sign_out(web: Web) -> None:
    url = await web.start()
    code, state = web.idp.signs_in(url, employee_id="dalead-0001", roles="Hearth.DALead")
    await web.client.get(f"/sign-in/oidc/callback?code={code}&state={state}")
    page = await web.client.get("/sign-in?ended=signed-out", follow_redirects=False)
    assert page.status_code == 303  # still signed in here
    form = await web.client.get("/cases/not-a-uuid")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token, "signed-in pages carry the sign-out form"
    out = await web.client.post("/sign-out", data={"csrf_token": token.group(1)})
    assert out.status_code == 303
    signed_out = await web.client.get(out.headers["location"])
    assert f'href="{ISSUER}/logout"' in signed_out.text


def test_oidc_settings_must_be_complete() -> None:
    with pytest.raises(ValueError, match="HEARTH_WEB_OIDC_ISSUER"):
        WebSettings(identity_provider="oidc")
    with pytest.raises(ValueError, match="roles Hearth has not"):
        WebSettings.model_validate(
            {
                "identity_provider": "oidc",
                "oidc_issuer": ISSUER,
                "oidc_client_id": CLIENT_ID,
                "public_origin": ORIGIN,
                "oidc_role_map": {"Everyone": "public"},
            }
        )
    with pytest.raises(ValueError, match="https"):
        WebSettings.model_validate(
            {
                "identity_provider": "oidc",
                "oidc_issuer": "http://idp.example.org",
                "oidc_client_id": CLIENT_ID,
                "public_origin": ORIGIN,
                "oidc_role_map": ROLE_MAP,
            }
        )
