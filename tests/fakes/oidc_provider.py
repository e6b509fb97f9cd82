"""A small OpenID Connect provider on loopback, standing in for Pro Santé Connect in tests.

Discovery, authorization (it "identifies" whoever `next_identity` says, at once), token
(client_secret_basic, PKCE S256 checked) and its signing keys, RS256. `sign_with_other_key`
and `wrong_nonce` make it misbehave as a forged or replayed answer would.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa

KID = "test-key-1"


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class OidcProvider:
    client_id: str = "frontdoor-test"
    client_secret: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    next_identity: dict[str, Any] = field(default_factory=dict)
    sign_with_other_key: bool = False
    wrong_nonce: bool = False
    issuer: str = ""
    _key: rsa.RSAPrivateKey = field(default_factory=_new_key)
    kid: str = KID
    # Discovery documents served, and whether the provider is down (503 to everything).
    discoveries: int = 0
    token_requests: int = 0
    down: bool = False
    _codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    _runner: web.AppRunner | None = None

    async def start(self) -> str:
        app = web.Application()
        app.router.add_get("/.well-known/openid-configuration", self._discovery)
        app.router.add_get("/authorize", self._authorize)
        app.router.add_post("/token", self._token)
        app.router.add_get("/jwks", self._jwks)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.issuer = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self.issuer

    def rotate_keys(self, *, kid: str) -> None:
        """A new signing key, published under `kid` (the old one is gone), as providers do."""
        self._key, self.kid = _new_key(), kid

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _discovery(self, _request: web.Request) -> web.Response:
        self.discoveries += 1
        if self.down:
            raise web.HTTPServiceUnavailable()
        return web.json_response(
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "id_token_signing_alg_values_supported": ["RS256"],
            }
        )

    async def _jwks(self, _request: web.Request) -> web.Response:
        public = jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key(), as_dict=True)
        return web.json_response(
            {"keys": [{**public, "kid": self.kid, "use": "sig", "alg": "RS256"}]}
        )

    async def _authorize(self, request: web.Request) -> web.Response:
        query = request.query
        if query.get("client_id") != self.client_id or query.get("response_type") != "code":
            return web.Response(status=400, text="bad authorization request")
        code = secrets.token_urlsafe(16)
        self._codes[code] = {
            "redirect_uri": query["redirect_uri"],
            "nonce": query.get("nonce", ""),
            "challenge": query.get("code_challenge", ""),
            "identity": dict(self.next_identity),
        }
        back = urlencode({"code": code, "state": query.get("state", "")})
        raise web.HTTPFound(f"{query['redirect_uri']}?{back}")

    async def _token(self, request: web.Request) -> web.Response:
        self.token_requests += 1
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if request.headers.get("Authorization") != f"Basic {expected}":
            return web.json_response({"error": "invalid_client"}, status=401)
        form = await request.post()
        grant = self._codes.pop(str(form.get("code")), None)
        if grant is None or form.get("redirect_uri") != grant["redirect_uri"]:
            return web.json_response({"error": "invalid_grant"}, status=400)
        digest = hashlib.sha256(str(form.get("code_verifier", "")).encode()).digest()
        if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant["challenge"]:
            return web.json_response({"error": "invalid_grant"}, status=400)
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": grant["identity"].get("sub", "someone"),
            "iat": now,
            "exp": now + 300,
            "nonce": "replayed" if self.wrong_nonce else grant["nonce"],
            **grant["identity"],
        }
        key = _new_key() if self.sign_with_other_key else self._key
        id_token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": self.kid})
        return web.json_response(
            {"access_token": "unused", "token_type": "Bearer", "id_token": id_token}
        )
