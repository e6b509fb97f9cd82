"""What every Twilio webhook shares: the signature check, the time, and answering retries.

A webhook's answer is committed with the changes it made, keyed by a digest of the request:
a retry of the same request gets the same answer and changes nothing. When the store cannot
be reached, a webhook with a degraded answer gives it from memory and keeps the webhook in
the instance's outage journal (frontdoor.store.journal), to be written to the store later.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import wraps

from aiohttp import web
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel.ext.asyncio.session import AsyncSession
from twilio.request_validator import RequestValidator

from frontdoor.core.dates import DateRefused, parse_instant
from frontdoor.store.journal import Entry, Journal
from frontdoor.store.models import WebhookReceipt
from frontdoor.store.requests import receipt
from frontdoor.web.bodies import read_form
from frontdoor.web.keys import CLOCK, COUNTERS, DEPARTMENTS, SESSIONS, SETTINGS
from frontdoor.web.twilio_accounts import TWILIO_ACCOUNTS

log = logging.getLogger(__name__)

TWIML = "text/xml"
SIMULATED_AT = "SimulatedAt"
# Beyond this, a webhook stops waiting for the store and is answered from memory: Twilio
# gives up after 15 s, and a caller must never hear its "application error".
STORE_PATIENCE_S = 5.0
# This instance's outage journal (frontdoor.voice.replay opens it and replays it).
JOURNAL = web.AppKey("journal", Journal)


@dataclass(kw_only=True)
class Webhook:
    """One verified provider request, as handlers see it."""

    form: Mapping[str, str]
    query: Mapping[str, str]
    now: datetime
    session: AsyncSession
    app: web.Application
    # Replayed from the outage journal: the answer the provider got then (it stands).
    journaled_answer: str | None = None
    # What the replay does once the webhook's changes are committed (tell referents…).
    after_commit: list[Callable[[], Awaitable[None]]] = field(default_factory=list)


Handler = Callable[[Webhook], Awaitable[str]]


@dataclass(kw_only=True)
class Unstored:
    """A verified request met while the store is unreachable."""

    form: Mapping[str, str]
    query: Mapping[str, str]
    now: datetime
    app: web.Application
    # The call's steps already kept in this instance's journal, oldest first.
    earlier: Sequence[Entry] = ()


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
    posted = await read_form(request)  # 400 for bytes its charset does not hold
    form = {key: value for key, value in posted.items() if isinstance(value, str)}
    # Twilio signs the URL it called: the public base plus the raw path and query as sent,
    # with the token of the account the request names (a department's subaccount, or ours).
    url = settings.public_url + request.raw_path
    accounts = app[TWILIO_ACCOUNTS]
    account_sid = form.get("AccountSid")
    if not _signed(accounts.token_for(account_sid), url, form, request):
        app[COUNTERS]["webhook_signature_refused"] += 1
        log.warning("refused a webhook with a missing or wrong signature on %s", request.path)
        raise web.HTTPForbidden(text="invalid signature")
    # A number belongs to one account: another department's token does not speak for it.
    for number in (form.get("To"), form.get("From")):
        department = app[DEPARTMENTS].for_number(number or "")
        if department is not None and not accounts.owns(department, account_sid):
            app[COUNTERS]["webhook_signature_refused"] += 1
            log.warning("refused a webhook signed by another account for %s", department.slug)
            raise web.HTTPForbidden(text="signed by an account that does not own this number")
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
    journal = app[JOURNAL]
    if degraded is not None and journal.holds(_call_of(form)):
        # The call's earlier steps wait in the journal: this one joins them, in order.
        return await answer_unstored(request, verified, degraded, why="call in the journal")
    try:
        async with asyncio.timeout(STORE_PATIENCE_S), app[SESSIONS]() as session:
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
    except (SQLAlchemyError, OSError) as error:  # unreachable, refused, gone, too slow
        if degraded is None:
            raise
        return await answer_unstored(request, verified, degraded, why=type(error).__name__)
    return answer(body, 200)


async def answer_unstored(
    request: web.Request, verified: Verified, degraded: Degraded, *, why: str
) -> web.Response:
    """Answer from memory and keep the webhook in the journal (on disk) before answering."""
    app = request.app
    journal = app[JOURNAL]
    call_sid = _call_of(verified.form)
    body = degraded(
        Unstored(
            form=verified.form,
            query=verified.query,
            now=verified.now,
            app=app,
            earlier=journal.entries_of(call_sid) if call_sid else (),
        )
    )
    await keep_in_journal(app, path=request.path, verified=verified, body=body, why=why)
    return answer(body, 200)


async def keep_in_journal(
    app: web.Application, *, path: str, verified: Verified, body: str, why: str
) -> None:
    app[COUNTERS]["webhook_degraded"] += 1
    entry = Entry(
        path=path,
        query=verified.query,
        form=verified.form,
        at=verified.now,
        key=verified.key,
        answer=body,
        instance=app[SETTINGS].instance_name,
    )
    try:
        await app[JOURNAL].append(entry)
    except OSError as error:
        # The caller still gets the way forward; the contact is lost, and operators must know.
        app[COUNTERS]["journal_failed"] += 1
        log.error("%s answered from memory, NOT journaled (%s): %s", path, why, error)
        return
    log.warning("%s answered from memory and journaled (%s)", path, why)


def _call_of(form: Mapping[str, str]) -> str:
    return form.get("ParentCallSid") or form.get("CallSid", "")


def answer(body: str, status: int) -> web.Response:
    return web.Response(text=body, status=status, content_type=TWIML)


def _now(app: web.Application, form: Mapping[str, str]) -> datetime:
    simulated = form.get(SIMULATED_AT)
    if simulated is None or not app[SETTINGS].accepts_simulated_time:
        return app[CLOCK]()
    try:
        # Calendars, deadlines and retention add days and years to it: within 2000–2100 only.
        return parse_instant(simulated)
    except DateRefused as refused:
        raise web.HTTPBadRequest(text=f"{SIMULATED_AT} : {refused}") from None


def _digest(raw_path: str, form: Mapping[str, str]) -> str:
    """Identifies a request: the same path and form give the same key (a retry)."""
    digest = hashlib.sha256(raw_path.encode())
    for name, value in sorted(form.items()):
        digest.update(b"\0" + name.encode() + b"=" + value.encode())
    return digest.hexdigest()
