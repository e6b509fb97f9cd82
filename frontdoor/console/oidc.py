"""Sign-in through an OpenID Connect provider (Pro Santé Connect is one), where configured.

Authorization code flow with PKCE, state and nonce; the ID token's signature is checked
against the provider's published keys, with its issuer, audience (ours among them, and when
there are several, ours as the authorized party, OpenID Connect Core 3.1.3.7), expiry and
nonce. The provider says who the person is; Frontdoor's own account (created beforehand, its
login the claim FRONTDOOR_OIDC_LOGIN_CLAIM) says what they may do. No account, no entry; a
disabled account, or a client the sign-in throttle holds (core.sign_in), no entry either.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import secrets
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import quote, urlencode

import aiohttp
import jwt
from aiohttp import web

from frontdoor.console import admission
from frontdoor.console.auth import is_secure, signed_in_redirect
from frontdoor.console.pages import render
from frontdoor.keys import CLOCK, COUNTERS, SESSIONS, SETTINGS
from frontdoor.kit.rate_limits import count_sign_in
from frontdoor.kit.single_flight import SingleFlight
from frontdoor.settings import Settings

log = logging.getLogger(__name__)

FLOW_COOKIE = "frontdoor_oidc"
CALLBACK_PATH = "/console/connexion/oidc/retour"
# How long a person may take at the provider before the flow must start again.
FLOW_LIFETIME_S = 600
DISCOVERY_TTL_S = 3600
TIMEOUT = aiohttp.ClientTimeout(total=10)


# A provider that did not answer is not asked again for this long (every sign-in started
# meanwhile is told to try again in a moment): a flood of starts is not a flood of fetches.
UNREACHABLE_FOR_S = 5.0


@dataclass
class _Provider:
    """The provider's discovery document and keys."""

    configuration: dict[str, Any]
    keys: jwt.PyJWKSet


async def _fetched(issuer: str) -> _Provider:
    async with aiohttp.ClientSession(timeout=TIMEOUT) as http:
        async with http.get(f"{issuer}/.well-known/openid-configuration") as response:
            response.raise_for_status()
            configuration = await response.json()
        async with http.get(configuration["jwks_uri"]) as response:
            response.raise_for_status()
            keys = jwt.PyJWKSet.from_dict(await response.json())
    if configuration.get("issuer", "").rstrip("/") != issuer:
        raise ValueError("the provider's discovery document names another issuer")
    return _Provider(configuration, keys)


class Providers:
    """Each issuer's discovery document and keys, fetched once an hour, once for every
    sign-in waiting (kit.single_flight)."""

    def __init__(self) -> None:
        self._of: dict[str, SingleFlight[_Provider]] = {}

    def of(self, settings: Settings) -> SingleFlight[_Provider]:
        """`.get()` the keys kept; `.get(fresh=True)` fetched again whatever is kept (a
        provider rotates its signing keys: a token signed with a new one must not be refused
        for an hour)."""
        issuer = (settings.oidc_issuer or "").rstrip("/")
        if issuer not in self._of:
            fetch = partial(_fetched, issuer)
            self._of[issuer] = SingleFlight(
                fetch, keep_s=DISCOVERY_TTL_S, failed_s=UNREACHABLE_FOR_S
            )
        return self._of[issuer]


PROVIDERS = web.AppKey("oidc_providers", Providers)


def configured(settings: Settings) -> bool:
    return bool(settings.oidc_issuer and settings.oidc_client_id)


def _basic(client_id: str, secret: str) -> str:
    pair = f"{quote(client_id, safe='')}:{quote(secret, safe='')}"
    return "Basic " + base64.b64encode(pair.encode()).decode()


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _unavailable(request: web.Request) -> web.Response:
    return render(
        "sign_in_problem.html",
        request,
        {"problem": "Le service d'identification ne répond pas : réessayez dans un instant."},
        status=502,
    )


async def start(request: web.Request) -> web.StreamResponse:
    settings = request.config_dict[SETTINGS]
    if not configured(settings):
        raise web.HTTPNotFound(text="connexion par fournisseur d'identité non configurée")
    try:
        provider = await request.config_dict[PROVIDERS].of(settings).get()
    except (aiohttp.ClientError, TimeoutError, ValueError, KeyError):
        log.warning("OpenID provider unreachable or misconfigured")
        return _unavailable(request)
    state, nonce, verifier = (secrets.token_urlsafe(32) for _ in range(3))
    query = {
        "response_type": "code",
        "client_id": settings.oidc_client_id,
        "redirect_uri": settings.public_url + CALLBACK_PATH,
        "scope": settings.oidc_scopes,
        "state": state,
        "nonce": nonce,
        "code_challenge": _challenge(verifier),
        "code_challenge_method": "S256",
    }
    if settings.oidc_acr_values:
        query["acr_values"] = settings.oidc_acr_values
    response = web.HTTPSeeOther(
        provider.configuration["authorization_endpoint"] + "?" + urlencode(query)
    )
    response.set_cookie(
        FLOW_COOKIE,
        json.dumps({"state": state, "nonce": nonce, "verifier": verifier}),
        httponly=True,
        # Lax: the provider's redirect back is a top-level GET from another site.
        samesite="Lax",
        secure=is_secure(request),
        path=CALLBACK_PATH,
        max_age=FLOW_LIFETIME_S,
    )
    raise response


async def finish(request: web.Request) -> web.StreamResponse:
    settings = request.config_dict[SETTINGS]
    if not configured(settings):
        raise web.HTTPNotFound(text="connexion par fournisseur d'identité non configurée")
    # Each answer brought back is exchanged with the provider: a flow's cookie sent again and
    # again with made-up codes must not make it a flood of requests to the provider.
    count_sign_in(request)
    try:
        flow = json.loads(request.cookies.get(FLOW_COOKIE, ""))
        expected_state = str(flow["state"])
    except (ValueError, KeyError, TypeError):
        raise web.HTTPBadRequest(text="connexion expirée : recommencez") from None
    if not secrets.compare_digest(request.query.get("state", ""), expected_state):
        raise web.HTTPBadRequest(text="connexion refusée : état inattendu (CSRF)")
    if "code" not in request.query:
        # The person refused, or the provider could not identify them.
        return render(
            "sign_in_problem.html",
            request,
            {"problem": "Le service d'identification n'a pas confirmé votre identité."},
            status=401,
        )
    try:
        provider = request.config_dict[PROVIDERS].of(settings)
        claims = await _claims(settings, provider, request.query["code"], flow)
    except (aiohttp.ClientError, TimeoutError, KeyError):
        log.warning("OpenID token exchange failed")
        return _unavailable(request)
    except jwt.PyJWTError as error:
        log.warning("OpenID ID token refused: %s", type(error).__name__)
        raise web.HTTPForbidden(text="jeton d'identité invalide") from None
    login = str(claims.get(settings.oidc_login_claim, "")).strip().lower()
    now = request.config_dict[CLOCK]()
    async with request.config_dict[SESSIONS]() as session:
        tried = await admission.attempt(request, session, login, now) if login else None
        account = tried.account if tried else None
        if tried and account and not tried.admitted:
            request.config_dict[COUNTERS][f"console_sign_in_{tried.verdict.name.lower()}"] += 1
            log.info("OpenID sign-in refused (%s)", tried.verdict.value)
            return render(
                "sign_in_problem.html",
                request,
                {
                    "problem": "Trop d'essais de connexion manqués depuis ce poste : "
                    "réessayez dans quelques minutes."
                },
                status=403,
            )
        if tried is None or account is None or account.disabled:
            request.config_dict[COUNTERS]["console_sign_in_failed"] += 1
            log.info("OpenID sign-in without a Frontdoor account")
            return render(
                "sign_in_problem.html",
                request,
                {
                    "problem": "Votre identité est confirmée, mais aucun compte Frontdoor ne "
                    "vous est ouvert : demandez-le à la coordination de votre DAC."
                },
                status=403,
            )
        response = await signed_in_redirect(request, session, account, to="/console/")
        await admission.succeeded(request, session, tried, response, now)
    response.del_cookie(FLOW_COOKIE, path=CALLBACK_PATH)
    raise response


async def _claims(
    settings: Settings, provider: SingleFlight[_Provider], code: str, flow: dict[str, str]
) -> dict[str, Any]:
    kept = await provider.get()
    secret = settings.oidc_client_secret.get_secret_value() if settings.oidc_client_secret else ""
    async with (
        aiohttp.ClientSession(timeout=TIMEOUT) as http,
        http.post(
            kept.configuration["token_endpoint"],
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": settings.public_url + CALLBACK_PATH,
                "code_verifier": flow["verifier"],
            },
            # client_secret_basic: both parts form-encoded first (RFC 6749, 2.3.1).
            headers={"Authorization": _basic(settings.oidc_client_id or "", secret)},
        ) as response,
    ):
        response.raise_for_status()
        tokens = await response.json()
    id_token = str(tokens["id_token"])
    try:
        return _verified(settings, kept, id_token, flow)
    except (jwt.PyJWTError, KeyError):
        # Perhaps signed with a key published since the keys were fetched: once more with
        # the provider's current keys (the token came from the provider itself, over TLS).
        return _verified(settings, await provider.get(fresh=True), id_token, flow)


def _verified(
    settings: Settings, provider: _Provider, id_token: str, flow: dict[str, str]
) -> dict[str, Any]:
    """The ID token's claims, once its signature, issuer, audience, party and nonce hold."""
    header = jwt.get_unverified_header(id_token)
    kid = header.get("kid")
    if kid and kid not in {key.key_id for key in provider.keys.keys}:
        raise jwt.InvalidKeyError("kid")
    key = provider.keys[kid] if kid else provider.keys.keys[0]
    claims: dict[str, Any] = jwt.decode(
        id_token,
        key=key,
        algorithms=["RS256", "ES256", "PS256"],
        audience=settings.oidc_client_id,
        issuer=provider.configuration["issuer"],
        options={"require": ["exp", "iat", "iss", "aud", "sub"]},
        leeway=30,
    )
    if not secrets.compare_digest(str(claims.get("nonce", "")), flow["nonce"]):
        raise jwt.InvalidTokenError("nonce")
    _check_authorized_party(claims, settings.oidc_client_id or "")
    return claims


def _check_authorized_party(claims: dict[str, Any], client_id: str) -> None:
    """A token issued to several clients is ours only if we are its authorized party (azp);
    one naming another party was issued to that party, whatever its audience says."""
    audience = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if client_id not in audience:  # PyJWT checked it; a second look costs nothing
        raise jwt.InvalidAudienceError("aud")
    if (len(audience) > 1 or "azp" in claims) and claims.get("azp") != client_id:
        raise jwt.InvalidTokenError("azp")


ROUTES = [
    ("GET", "/connexion/oidc", start),
    ("GET", "/connexion/oidc/retour", finish),
]
