"""Who may try a password now: failed sign-ins slow down whoever keeps guessing, and nobody
else.

Failures are counted per login *and client* (the browser's address, or the device cookie a
browser got when it last signed in to that login): a guesser locks only themselves, never the
referent at her own machine. A generous ceiling per login, whatever the client, stops a
guesser spread over many addresses; browsers that already signed in to the login (a known
device) are not held by it, so it cannot be used to lock anyone out either. Counted the same
for logins that exist and logins that do not, so the throttle tells nothing of which exist.

The per-client rate limit (core.rate_limits.SIGN_IN, every login together) comes before all
this, at the edge.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

# A person mistyping gets this many tries from one client before any lock.
FREE_FAILURES = 5
FIRST_LOCK = timedelta(minutes=1)
LONGEST_LOCK = timedelta(hours=1)
# Failures of a client further apart than this start a new count.
FORGET_AFTER = timedelta(hours=24)
# Failures of a login from every unknown client, in one window: far above a person's
# mistypes, far below a guesser's need (the per-client lock allows ~30 a day per address).
LOGIN_CEILING = 100
LOGIN_WINDOW = timedelta(hours=1)
# A browser that signed in to a login is known to it this long after its last sign-in.
DEVICE_LIFETIME = timedelta(days=180)
# Every failure, whatever its reason, is answered this long after the request came in: a
# refusal takes the same time whether the login exists, the password was wrong or the
# client is held, and guessing at speed is not possible.
FAILURE_DELAY_S = 1.0


@dataclass(kw_only=True, frozen=True)
class Tally:
    """Failed sign-ins counted under one key: a (login, client) pair, or a login."""

    failures: int = 0
    first: datetime | None = None  # the first failure of the count
    last: datetime | None = None  # the latest


NO_FAILURE = Tally()


class Verdict(Enum):
    """Whether a password is even compared (the answer is the same either way)."""

    ADMITTED = "admitted"
    CLIENT_HELD = "client-held"  # this client failed too often on this login
    LOGIN_HELD = "login-held"  # this login failed too often from unknown clients


def client_lock(failures: int) -> timedelta:
    """How long a client waits after its `failures`-th failure in a row on a login."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    doublings = min(failures - FREE_FAILURES, 16)
    return min(FIRST_LOCK * (1 << doublings), LONGEST_LOCK)


def verdict(*, pair: Tally, login: Tally, known_device: bool, now: datetime) -> Verdict:
    """May this client's password for this login be checked now?"""
    if pair.last is not None and now < pair.last + client_lock(pair.failures):
        return Verdict.CLIENT_HELD
    in_window = login.first is not None and now < login.first + LOGIN_WINDOW
    if not known_device and in_window and login.failures >= LOGIN_CEILING:
        return Verdict.LOGIN_HELD
    return Verdict.ADMITTED


def after_pair_failure(pair: Tally, now: datetime) -> Tally:
    """The (login, client) count after one more failure: in a row, unless the last was long
    ago."""
    if pair.last is None or now - pair.last >= FORGET_AFTER:
        return Tally(failures=1, first=now, last=now)
    return Tally(failures=pair.failures + 1, first=pair.first, last=now)


def after_login_failure(login: Tally, now: datetime, *, known_device: bool) -> Tally:
    """The login's count after one more failure: in a fixed window; a known device's own
    mistypes are not counted against its login."""
    if known_device:
        return login
    if login.first is None or now >= login.first + LOGIN_WINDOW:
        return Tally(failures=1, first=now, last=now)
    return Tally(failures=login.failures + 1, first=login.first, last=now)


def client_of(address: str) -> str:
    """The client a sign-in is counted under: its address, or for IPv6 its /64 network (one
    subscriber's line holds the whole of it)."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:  # ::ffff:192.0.2.1 is 192.0.2.1
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed)
