"""What every Twilio webhook shares: the signature check, the time, and answering retries.

A webhook's answer is committed with the changes it made, keyed by a digest of the request:
a retry of the same request gets the same answer and changes nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import wraps

from aiohttp import web
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel.ext.asyncio.session import AsyncSession
from twilio.request_validator import RequestValidator

from frontdoor.store.models import WebhookReceipt
from frontdoor.store.requests import receipt
from frontdoor.web.keys import CLOCK, COUNTERS, SESSIONS, SETTINGS

log = logging.getLogger(__name__)

TWIML = "text/xml"
SIMULATED_AT = "SimulatedAt"


@dataclass(kw_only=True)
class Webhook:
    """One verified provider request, as handlers see it."""

    form: Mapping[str, str]
    query: Mapping[str, str]
    now: datetime
    session: AsyncSession
    app: web.Application


Handler = Callable[[Webhook], Awaitable[str]]


@dataclass(kw_only=True)
class Unstored:
    """A verified request met while the store is unreachable."""

    form: Mapping[str, str]
    query: Mapping[str, str]
    now: datetime
    app: web.Application


# Answers without the store, when it is unreachable: the caller must still hear something.
Degraded = Callable[[Unstored], str]


def twilio_webhook(
    *, degraded: Degraded | None = None
) -> Callable[[Handler], Callable[[web.Request], Awaitable[web.Response]]]:
    def decorate(handler: Handler) -> Callable[[web.Request], Awaitable[web.Response]]:
        @wraps(handler)
        async def endpoint(request: web.Request) -> web.Response:
            return await _serve(request, handler, degraded)

        return endpoint

    return decorate


@dataclass(kw_only=True, frozen=True)
class Verified:
    """A webhook whose signature holds: its form, its time, and the key of its answer."""

    form: Mapping[str, str]
    query: Mapping[str, str]
    now: datetime
    key: str


async def verify(request: web.Request) -> Verified:
    """Check a Twilio request's signature (403 otherwise) and read it."""
    app = request.app
    settings = app[SETTINGS]
    posted = await request.post()
    form = {key: value for key, value in posted.items() if isinstance(value, str)}
    # Twilio signs the URL it called: the public base plus the raw path and query as sent.
    url = settings.public_url + request.raw_path
    if not _signed(settings.twilio_auth_token.get_secret_value(), url, form, request):
        app[COUNTERS]["webhook_signature_refused"] += 1
        log.warning("refused a webhook with a missing or wrong signature on %s", request.path)
        raise web.HTTPForbidden(text="invalid signature")
    return Verified(
        form=form,
        query=dict(request.query),
        now=_now(app, form),
        key=_digest(request.raw_path, form),
    )


def _signed(token: str, url: str, form: Mapping[str, str], request: web.Request) -> bool:
    signature = request.headers.get("X-Twilio-Signature", "")
    validator = RequestValidator(token)
    # The URL as configured is what Twilio signs in the usual case: one HMAC. The library's
    # full check (with and without a port) is the fallback.
    expected = validator.compute_signature(url, dict(form))
    if hmac.compare_digest(expected.encode(), signature.encode()):
        return True
    return bool(validator.validate(url, dict(form), signature))


async def _serve(request: web.Request, handler: Handler, degraded: Degraded | None) -> web.Response:
    app = request.app
    verified = await verify(request)
    form, now, key = verified.form, verified.now, verified.key
    hook_query = verified.query
    try:
        async with app[SESSIONS]() as session:
            stored = await receipt(session=session, key=key)
            if stored is not None:
                return answer(stored.body, stored.status)
            hook = Webhook(form=form, query=hook_query, now=now, session=session, app=app)
            body = await handler(hook)
            session.add(
                WebhookReceipt(key=key, received_at=now, status=200, content_type=TWIML, body=body)
            )
            try:
                await session.commit()
            except IntegrityError:
                # The same request, served concurrently by another worker: give its answer.
                await session.rollback()
                stored = await receipt(session=session, key=key)
                if stored is None:
                    raise
                return answer(stored.body, stored.status)
    except (SQLAlchemyError, OSError):  # the database unreachable, refused, gone
        if degraded is None:
            raise
        app[COUNTERS]["webhook_degraded"] += 1
        log.exception("store unavailable on %s: answered without storing", request.path)
        return answer(degraded(Unstored(form=form, query=hook_query, now=now, app=app)), 200)
    return answer(body, 200)


def answer(body: str, status: int) -> web.Response:
    return web.Response(text=body, status=status, content_type=TWIML)


def _now(app: web.Application, form: Mapping[str, str]) -> datetime:
    simulated = form.get(SIMULATED_AT)
    if simulated is None or not app[SETTINGS].accepts_simulated_time:
        return app[CLOCK]()
    try:
        moment = datetime.fromisoformat(simulated)
    except ValueError:
        raise web.HTTPBadRequest(text=f"{SIMULATED_AT}: expected an ISO 8601 instant") from None
    if moment.tzinfo is None:
        raise web.HTTPBadRequest(text=f"{SIMULATED_AT}: the instant needs its UTC offset")
    return moment


def _digest(raw_path: str, form: Mapping[str, str]) -> str:
    """Identifies a request: the same path and form give the same key (a retry)."""
    digest = hashlib.sha256(raw_path.encode())
    for name, value in sorted(form.items()):
        digest.update(b"\0" + name.encode() + b"=" + value.encode())
    return digest.hexdigest()
