"""The sign-in throttle at the edge: which client is trying which login, whether it may
(core.sign_in.verdict), and what a failure or a success leaves behind. Shared by the
password form and the OpenID Connect return, so a client held for one is held for both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aiohttp import web
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.console.auth import is_secure
from frontdoor.core.sign_in import (
    DEVICE_LIFETIME,
    NO_FAILURE,
    Tally,
    Verdict,
    after_login_failure,
    after_pair_failure,
    client_of,
    verdict,
)
from frontdoor.keys import COUNTERS
from frontdoor.kit.rate_limits import client_address
from frontdoor.store.accounts import account_by_login, digest
from frontdoor.store.models import Account
from frontdoor.store.sign_in_records import (
    count_failure,
    device_account,
    forget_tally,
    login_key,
    pair_key,
    remember_device,
    tallies,
)

# Given at a successful sign-in; sent back to the sign-in pages only.
DEVICE_COOKIE = "frontdoor_device"
DEVICE_COOKIE_PATH = "/console/connexion"


@dataclass(kw_only=True, frozen=True)
class Attempt:
    """One try at signing in to `login` from this request's client."""

    login: str
    account: Account | None
    known_device: bool
    pair_key: str
    login_key: str
    pair: Tally
    login_tally: Tally
    verdict: Verdict

    @property
    def admitted(self) -> bool:
        return self.verdict is Verdict.ADMITTED


async def attempt(
    request: web.Request, session: AsyncSession, login: str, now: datetime
) -> Attempt:
    """The same reads whether the login exists or not. Read in a session of its own, closed
    before the password is checked: a quarter of a second of hashing must not hold one of the
    store's connections, which the webhooks need."""
    account = await account_by_login(session=session, login=login)
    token = request.cookies.get(DEVICE_COOKIE, "")
    device_of = await device_account(session=session, token=token, now=now) if token else None
    known_device = account is not None and device_of == account.id
    client = f"device:{digest(token)}" if known_device else client_of(client_address(request))
    keys = pair_key(login, client), login_key(login)
    counts = await tallies(session=session, keys=keys)
    pair, login_tally = (counts.get(key, NO_FAILURE) for key in keys)
    return Attempt(
        login=login,
        account=account,
        known_device=known_device,
        pair_key=keys[0],
        login_key=keys[1],
        pair=pair,
        login_tally=login_tally,
        verdict=verdict(pair=pair, login=login_tally, known_device=known_device, now=now),
    )


async def failed(
    request: web.Request, session: AsyncSession, tried: Attempt, now: datetime
) -> None:
    """Counted (and committed) the same way for every kind of failure."""
    counters = request.config_dict[COUNTERS]
    counters["console_sign_in_failed"] += 1
    if not tried.admitted:
        counters[f"console_sign_in_{tried.verdict.name.lower()}"] += 1
    await count_failure(
        session=session,
        steps={
            tried.pair_key: lambda pair: after_pair_failure(pair, now),
            tried.login_key: lambda login: after_login_failure(
                login, now, known_device=tried.known_device
            ),
        },
        now=now,
    )
    await session.commit()


async def succeeded(
    request: web.Request,
    session: AsyncSession,
    tried: Attempt,
    response: web.StreamResponse,
    now: datetime,
) -> None:
    """This client's count starts over; the browser becomes (or stays) a known device of the
    account, through a cookie `response` gives it. Committed."""
    assert tried.account is not None
    assert tried.account.id is not None
    await forget_tally(session=session, key=tried.pair_key)
    token = await remember_device(
        session=session,
        account_id=tried.account.id,
        token=request.cookies.get(DEVICE_COOKIE),
        now=now,
    )
    response.set_cookie(
        DEVICE_COOKIE,
        token,
        httponly=True,
        # Lax: the OpenID provider's redirect back is a top-level GET from another site.
        samesite="Lax",
        secure=is_secure(request),
        path=DEVICE_COOKIE_PATH,
        max_age=int(DEVICE_LIFETIME.total_seconds()),
    )
    await session.commit()
