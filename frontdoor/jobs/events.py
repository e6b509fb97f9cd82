"""The `event-delivery` job: each pending outgoing event that is due, posted to its endpoint.

The database wrote the events (events.triggers) in the transactions of the changes; each
run claims those due (once across instances: store.events.claim_due), posts each signed
(core.events) with a bound per attempt, and records the attempt: a 2xx delivers it, anything
else sets its next attempt with backoff and jitter, until it is given up (dead, shown to the
coordinator with its attempts in the console).
"""

from __future__ import annotations

import asyncio
import logging
import random
import socket
import time
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

from frontdoor.core.events import (
    ATTEMPT_TIMEOUT,
    acknowledged,
    encode_body,
    endpoint_address_allowed,
    endpoint_host_allowed,
    event_payload,
    next_attempt,
    signed_headers,
)
from frontdoor.jobs.base import JobContext
from frontdoor.keys import Clock
from frontdoor.store.events import (
    Claimed,
    claim_due,
    claimed,
    purge_settled,
    record_attempt,
    release,
)

log = logging.getLogger(__name__)

BATCH = 200  # events claimed per run
# How long a claim holds: far longer than a batch of attempts takes.
LEASE = timedelta(minutes=10)
# A run stops starting attempts when its claim has less than this left.
MARGIN = ATTEMPT_TIMEOUT * 3
PARALLEL = 8  # attempts in flight at once (a slow endpoint holds one slot, not the run)
SETTLED_KEPT = timedelta(days=30)  # then a delivered or given-up event goes, with its log
_ERROR_MAX = 200


class Outcome(Enum):
    DELIVERED = "delivered"
    RETRY = "retry"
    DEAD = "dead"
    LOST_CLAIM = "lost_claim"  # the claim ran out meanwhile: nothing recorded here


@dataclass(kw_only=True, frozen=True)
class Answer:
    status_code: int | None
    duration_ms: int
    error: str | None
    # Whether the body may have reached the endpoint: not when no connection was made.
    sent_out: bool = True


async def deliver_events(ctx: JobContext) -> str:
    runtime = ctx.runtime
    sessions, clock, instance = runtime.sessions, runtime.clock, runtime.settings.instance_name
    now = clock()
    until = now + LEASE
    async with sessions() as session:
        purged = await purge_settled(session=session, before=ctx.slot - SETTLED_KEPT)
        ids = await claim_due(session=session, instance=instance, now=now, until=until,
                              limit=BATCH)  # fmt: skip
        events = await claimed(session=session, ids=ids, instance=instance)
        await session.commit()
    outcomes = await _attempts(ctx, events, until=until) if events else []
    if ids:
        async with sessions() as session:
            await release(session=session, ids=ids, instance=instance)
            await session.commit()
    purged_text = f", {purged} old event(s) purged" if purged else ""
    return (f"{outcomes.count(Outcome.DELIVERED)} delivered, "
            f"{outcomes.count(Outcome.RETRY)} to retry, {outcomes.count(Outcome.DEAD)} given up"
            f"{purged_text}")  # fmt: skip


async def _attempts(ctx: JobContext, events: list[Claimed], *, until: datetime) -> list[Outcome]:
    """Up to PARALLEL attempts in flight; none started when the claim is about to run out
    (the event is left to a later run, its claim given back)."""
    outcomes: list[Outcome] = []
    slots = asyncio.Semaphore(PARALLEL)
    timeout = aiohttp.ClientTimeout(total=ATTEMPT_TIMEOUT.total_seconds())
    settings = ctx.runtime.settings
    networks = None if settings.dev_mode else frozenset(settings.event_private_networks)
    connector = aiohttp.TCPConnector(resolver=AllowedAddressesOnly(networks))
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as http:

        async def attempt(sent: Claimed) -> None:
            async with slots:
                if ctx.runtime.clock() < until - MARGIN:
                    outcomes.append(await _attempt(ctx, http, sent))

        await asyncio.gather(*(attempt(sent) for sent in events))
    return outcomes


async def _attempt(ctx: JobContext, http: aiohttp.ClientSession, sent: Claimed) -> Outcome:
    """Post one event and record the attempt: delivered, to retry later, or given up."""
    runtime = ctx.runtime
    settings = runtime.settings
    networks = None if settings.dev_mode else settings.event_private_networks
    answer = await post(http, sent, clock=runtime.clock, private_networks=networks)
    at = runtime.clock()
    ok = answer.status_code is not None and acknowledged(answer.status_code)
    jitter = random.random()  # noqa: S311  (spreading retries, not a secret)
    later = None if ok else next_attempt(sent.event.attempts + 1, at=at, jitter=jitter)
    async with runtime.sessions() as session:
        recorded = await record_attempt(
            session=session, sent=sent, instance=runtime.settings.instance_name, at=at,
            status_code=answer.status_code, duration_ms=answer.duration_ms, error=answer.error,
            delivered=ok, next_attempt_at=later, sent_out=answer.sent_out,
        )  # fmt: skip
        await session.commit()
    if not recorded:
        return Outcome.LOST_CLAIM
    if ok:
        return Outcome.DELIVERED
    if later is None:
        log.warning(
            "%s : l'événement %s n'a pas pu être livré à l'abonnement %s ; abandonné",
            sent.event.department, sent.event.id, sent.subscription.id,
        )  # fmt: skip
        return Outcome.DEAD
    return Outcome.RETRY


async def post(
    http: aiohttp.ClientSession,
    sent: Claimed,
    *,
    clock: Clock,
    private_networks: Collection[str] | None,
) -> Answer:
    """One attempt: the event built for its subscription's scope, signed now, posted; not to
    an address an endpoint may not be at (`private_networks` None: any, in development)."""
    event = sent.event
    host = URL(sent.subscription.url).host or ""
    if private_networks is not None and not endpoint_host_allowed(host, private_networks):
        # Written as an address (aiohttp resolves only names), or subscribed before the rule.
        return Answer(status_code=None, duration_ms=0, error=INTERNAL_ERROR, sent_out=False)
    payload = event_payload(
        event_id=event.id or 0, event_type=sent.event_type, occurred_at=event.occurred_at,
        department=event.department, subject=sent.subject, scope=sent.scope,
    )  # fmt: skip
    body = encode_body(payload)
    headers = signed_headers(
        secret=sent.subscription.secret, event_id=event.id or 0, at=clock(), body=body
    )
    started = time.monotonic()
    try:
        async with http.post(sent.subscription.url, data=body, headers=headers,
                             allow_redirects=False) as response:  # fmt: skip
            await response.read()
            return Answer(status_code=response.status, duration_ms=_since(started), error=None)
    except TimeoutError:
        return Answer(status_code=None, duration_ms=_since(started), error="délai dépassé")
    except aiohttp.ClientConnectorError as error:
        if isinstance(error.os_error, InternalAddress):
            return Answer(status_code=None, duration_ms=_since(started), sent_out=False,
                          error=INTERNAL_ERROR)  # fmt: skip
        return Answer(status_code=None, duration_ms=_since(started), sent_out=False,
                      error=f"pas de connexion ({type(error).__name__})"[:_ERROR_MAX])  # fmt: skip
    except aiohttp.ClientError as error:
        # The error's type only: its message may repeat the URL, which may carry a token.
        return Answer(status_code=None, duration_ms=_since(started),
                      error=f"pas de réponse ({type(error).__name__})"[:_ERROR_MAX])  # fmt: skip


INTERNAL_ERROR = "adresse interne refusée"


class InternalAddress(OSError):
    """A name that resolves only to addresses an endpoint may not be at."""


class AllowedAddressesOnly(AbstractResolver):
    """aiohttp's resolver, keeping only the addresses an endpoint may be at: a partner's name
    that resolves (or is made to resolve) to this machine or an internal network is not
    connected to (`private_networks` None: every address, in development)."""

    def __init__(
        self, private_networks: Collection[str] | None, resolver: AbstractResolver | None = None
    ) -> None:
        self._resolver = resolver or aiohttp.DefaultResolver()
        self._networks = private_networks

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        found = await self._resolver.resolve(host, port, family)
        if self._networks is None:
            return found
        allowed = [a for a in found if endpoint_address_allowed(a["host"], self._networks)]
        if not allowed:
            raise InternalAddress(INTERNAL_ERROR)
        return allowed

    async def close(self) -> None:
        await self._resolver.close()


def _since(started: float) -> int:
    return round((time.monotonic() - started) * 1000)
