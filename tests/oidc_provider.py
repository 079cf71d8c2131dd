"""A small OpenID Connect provider on a real port, standing in for the municipality's identity
provider in the single sign-on tests: discovery, published keys, the authorization endpoint
(someone is already logged in there, as at a real provider with a session) and the token
endpoint, which checks the client's secret, the code's redirect address and PKCE as a real one
does. `tamper` makes the next ID token wrong in one way, to see each check refuse it."""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus, urlencode

import jwt
import uvicorn
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI, Form, Header, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from tests.e2e.conftest import free_port

CLIENT_ID = "datameent-test"
CLIENT_SECRET = "a secret: with spaces, & and % signs"


@dataclass
class Grant:
    redirect_uri: str
    challenge: str
    nonce: str
    subject: str
    username: str


class TestProvider:
    __test__ = False  # not a test class, for pytest

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "signing-1"
        self.logged_in: tuple[str, str] | None = None
        """(subject, username) of whoever is logged in at the provider."""
        self.tamper: str | None = None
        self.claims: dict[str, Any] = {}
        self.asked_with: dict[str, str] = {}
        self.offers_logout = True
        """The query of the last request to log in."""
        """Claims added to every ID token (a DigiD broker's BSN and level)."""
        self.refuse = False
        self.token_requests = 0
        self._codes: dict[str, Grant] = {}
        self.app = self._build()
        port = free_port()
        self.issuer = f"http://127.0.0.1:{port}"
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=port, log_level="warning", access_log=False
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the test identity provider did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def log_in_as(self, username: str, subject: str | None = None) -> None:
        self.logged_in = (subject or f"sub-{username}", username)

    def id_token(self, claims: dict[str, Any]) -> str:
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": CLIENT_ID, "iat": now, "exp": now + 300, **claims}
        headers = {"kid": self.kid}
        match self.tamper:
            case "audience":
                claims["aud"] = "another-application"
            case "issuer":
                claims["iss"] = "https://elsewhere.example"
            case "expired":
                claims |= {"iat": now - 7200, "exp": now - 3600}
            case "nonce":
                claims["nonce"] = "a-nonce-of-another-attempt"
            case "signature":
                other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
                return jwt.encode(claims, other, algorithm="RS256", headers=headers)
            case "unknown-key":
                return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": "other"})
            case "none":
                return jwt.encode(claims, "", algorithm="none", headers=headers)
            case "shared-secret":  # the classic: HS256 under a value the client knows
                return jwt.encode(claims, CLIENT_SECRET, algorithm="HS256", headers=headers)
            case "other-azp":
                claims |= {"aud": [CLIENT_ID, "another-application"], "azp": "another"}
        return jwt.encode(claims, self.key, algorithm="RS256", headers=headers)

    def _build(self) -> FastAPI:
        app = FastAPI()

        @app.get("/.well-known/openid-configuration")
        def metadata() -> dict[str, Any]:
            return {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic"],
                "code_challenge_methods_supported": ["S256"],
            } | ({"end_session_endpoint": f"{self.issuer}/logout"} if self.offers_logout else {})

        @app.get("/logout")
        def logout(client_id: str = "", post_logout_redirect_uri: str = "") -> Response:
            if client_id != CLIENT_ID or not post_logout_redirect_uri:
                return HTMLResponse("bad request", 400)
            self.logged_in = None
            return RedirectResponse(post_logout_redirect_uri, 302)

        @app.get("/jwks")
        def jwks() -> dict[str, Any]:
            public = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
            return {"keys": [{**public, "kid": self.kid, "use": "sig", "alg": "RS256"}]}

        @app.get("/authorize")
        def authorize(request: Request) -> Response:
            q = request.query_params
            if (
                q.get("client_id") != CLIENT_ID
                or q.get("response_type") != "code"
                or q.get("code_challenge_method") != "S256"
                or not q.get("code_challenge")
                or "openid" not in q.get("scope", "").split()
            ):
                return HTMLResponse("bad request", 400)
            self.asked_with = dict(q)
            back = q["redirect_uri"]
            if self.refuse:
                query = urlencode({"error": "access_denied", "state": q.get("state", "")})
                return RedirectResponse(f"{back}?{query}", 302)
            if self.logged_in is None:
                return HTMLResponse("<h1>Log in at the municipality</h1>", 200)
            code = secrets.token_urlsafe(16)
            subject, username = self.logged_in
            self._codes[code] = Grant(
                back, q["code_challenge"], q.get("nonce", ""), subject, username
            )
            return RedirectResponse(f"{back}?{urlencode({'code': code, 'state': q['state']})}")

        @app.post("/token")
        def token(
            grant_type: str = Form(""),
            code: str = Form(""),
            redirect_uri: str = Form(""),
            code_verifier: str = Form(""),
            authorization: str = Header(""),
        ) -> Response:
            self.token_requests += 1
            scheme, _, encoded = authorization.partition(" ")
            user, _, password = base64.b64decode(encoded or "").decode().partition(":")
            if scheme != "Basic" or (unquote_plus(user), unquote_plus(password)) != (
                CLIENT_ID,
                CLIENT_SECRET,
            ):
                return JSONResponse({"error": "invalid_client"}, 401)
            grant = self._codes.pop(code, None)
            challenge = base64.urlsafe_b64encode(hashlib.sha256(code_verifier.encode()).digest())
            if (
                grant_type != "authorization_code"
                or grant is None
                or grant.redirect_uri != redirect_uri
                or challenge.rstrip(b"=").decode() != grant.challenge
            ):
                return JSONResponse({"error": "invalid_grant"}, 400)
            claims = {
                "sub": grant.subject,
                "nonce": grant.nonce,
                "preferred_username": grant.username,
                **self.claims,
            }
            id_token = self.id_token(claims)
            return JSONResponse(
                {"access_token": "opaque", "token_type": "Bearer", "id_token": id_token}
            )

        return app
