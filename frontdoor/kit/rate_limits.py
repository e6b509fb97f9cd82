"""Rate limits on sign-in, on the JSON API and on failed authentications: 429 with Retry-After
beyond them.

Buckets live in each instance's memory, keyed by client (its address, as the trusted reverse
proxy reports it, an IPv6 /64 as one), never by what a request sends (a bucket per made-up
Authorization was memory for the taking, and evicted everyone else's): with several instances
behind a round-robin proxy a client gets up to that many times the limit, which still stops
guessing at speed.

Failed authentications are counted per client whatever credential each try sends: an API key
or token, or a console session cookie, that is unknown, revoked, expired or malformed. A client
past that limit is answered 429 before any credential of its is looked at in the store: a
flood of made-up credentials costs one look each, ten times, then nothing. Signing in forgives
the client's failures (a referent whose session expired in several tabs is not kept out).
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable

from aiohttp import web

from frontdoor.core.rate_limits import (
    API,
    AUTH_FAILURES,
    AUTOMATIC_SMS,
    SIGN_IN,
    Bucket,
    Policy,
    take,
    waiting_s,
)
from frontdoor.core.sign_in import client_of
from frontdoor.keys import COUNTERS, SETTINGS
from frontdoor.kit.unavailable import not_now

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
TOO_MANY_TEXT = "Trop de demandes : réessayez dans un instant."
# Enough clients for a region's staff and tools; the least recently seen are forgotten first.
MAX_CLIENTS = 10_000


class Limiter:
    def __init__(self, policy: Policy, clock: Callable[[], float] = time.monotonic) -> None:
        self.policy = policy
        self._clock = clock
        self._buckets: OrderedDict[str, Bucket] = OrderedDict()

    def allow(self, client: str) -> float | None:
        """None when allowed; else the seconds to wait."""
        allowed, bucket = take(self._buckets.get(client), self._clock(), self.policy)
        self._buckets[client] = bucket
        self._buckets.move_to_end(client)
        while len(self._buckets) > MAX_CLIENTS:
            self._buckets.popitem(last=False)
        return None if allowed else self.policy.retry_after_s(bucket)

    def __len__(self) -> int:
        """How many clients it keeps a bucket for."""
        return len(self._buckets)

    def forget(self, client: str) -> None:
        self._buckets.pop(client, None)

    def waiting(self, client: str) -> float | None:
        """Like `allow`, without taking anything: for a limit charged only by failures."""
        return waiting_s(self._buckets.get(client), self._clock(), self.policy)


SIGN_IN_LIMITER = web.AppKey("sign_in_limiter", Limiter)
API_LIMITER = web.AppKey("api_limiter", Limiter)
AUTH_FAILURES_LIMITER = web.AppKey("auth_failures_limiter", Limiter)
AUTOMATIC_SMS_LIMITER = web.AppKey("automatic_sms_limiter", Limiter)


def client_address(request: web.Request) -> str:
    """The client's address: the peer, or what a trusted proxy says it forwarded (the last
    hop it added: earlier ones are whatever the client claimed)."""
    peer = request.remote or "-"
    forwarded = request.headers.get("X-Forwarded-For", "")
    if forwarded and _is_trusted(peer, request.config_dict[SETTINGS].trusted_proxies):
        return forwarded.split(",")[-1].strip() or peer
    return peer


def _is_trusted(peer: str, proxies: Iterable[str]) -> bool:
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _limited(request: web.Request, limiter: Limiter, client: str) -> None:
    _refused_for(request, limiter.allow(client))


def _refused_for(request: web.Request, wait: float | None) -> None:
    if wait is not None:
        request.config_dict[COUNTERS]["rate_limited"] += 1
        retry_after_s = max(1, math.ceil(wait))
        status = web.HTTPTooManyRequests.status_code
        body, content_type = not_now(
            request, TOO_MANY_TEXT, retry_after_s=retry_after_s, status=status
        )
        raise web.HTTPTooManyRequests(
            text=body, content_type=content_type, headers={"Retry-After": str(retry_after_s)}
        )


def count_sign_in(request: web.Request) -> None:
    """A sign-in attempt (a password sent, an identity provider's answer brought back): 429
    with Retry-After beyond SIGN_IN for its client."""
    _limited(request, request.config_dict[SIGN_IN_LIMITER], _client(request))


@web.middleware
async def limits(request: web.Request, handler: Handler) -> web.StreamResponse:
    path = request.path
    if request.method == "POST" and path == "/console/connexion":
        count_sign_in(request)
    elif path.startswith("/api/"):
        return await _api_call(request, handler)
    return await handler(request)


def refuse_past_failures(request: web.Request) -> None:
    """429 for a client past its failed authentications, before any credential it sends is
    looked at."""
    failures = request.config_dict.get(AUTH_FAILURES_LIMITER)
    if failures is not None:
        _refused_for(request, failures.waiting(_client(request)))


def count_failed_authentication(request: web.Request) -> None:
    """A credential sent and not accepted: one taken from its client's failure bucket."""
    failures = request.config_dict.get(AUTH_FAILURES_LIMITER)
    if failures is not None:
        failures.allow(_client(request))


def forgive_failures(request: web.Request) -> None:
    """Its client signed in: the failed authentications before are forgotten."""
    failures = request.config_dict.get(AUTH_FAILURES_LIMITER)
    if failures is not None:
        failures.forget(_client(request))


def may_answer_by_sms(app: web.Application, department: str, number: str) -> bool:
    """Whether an automatic SMS may go to `number` now (AUTOMATIC_SMS); nothing is taken."""
    replies = app.get(AUTOMATIC_SMS_LIMITER)
    return replies is None or replies.waiting(_sms_client(department, number)) is None


def count_sms_answer(app: web.Application, department: str, number: str) -> None:
    """An automatic SMS sent to `number`: one taken from its bucket."""
    replies = app.get(AUTOMATIC_SMS_LIMITER)
    if replies is not None:
        replies.allow(_sms_client(department, number))


def _sms_client(department: str, number: str) -> str:
    # A digest: the buckets live as long as the process, and a number is personal data.
    return hashlib.sha256(f"{department}:{number}".encode()).hexdigest()[:32]


def _client(request: web.Request) -> str:
    # An IPv6 /64 is one client: one subscriber holds the whole of it.
    return client_of(client_address(request))


async def _api_call(request: web.Request, handler: Handler) -> web.StreamResponse:
    refuse_past_failures(request)
    _limited(request, request.config_dict[API_LIMITER], _client(request))
    # A failed authentication (401: a key or token unknown, revoked, malformed or missing)
    # takes one from the client's failure bucket; anything else takes nothing from it.
    try:
        response = await handler(request)
    except web.HTTPException as error:
        if error.status == web.HTTPUnauthorized.status_code:
            count_failed_authentication(request)
        raise
    if response.status == web.HTTPUnauthorized.status_code:
        count_failed_authentication(request)
    return response


def add_to(app: web.Application) -> None:
    if not app[SETTINGS].rate_limits:
        return
    app[SIGN_IN_LIMITER] = Limiter(SIGN_IN)
    app[API_LIMITER] = Limiter(API)
    app[AUTH_FAILURES_LIMITER] = Limiter(AUTH_FAILURES)
    app[AUTOMATIC_SMS_LIMITER] = Limiter(AUTOMATIC_SMS)
    app.middlewares.append(limits)
