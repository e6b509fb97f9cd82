"""The sign-in throttle's rules: who may try a password now, and what a failure adds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from frontdoor.core.sign_in import (
    FORGET_AFTER,
    LOGIN_CEILING,
    LOGIN_WINDOW,
    NO_FAILURE,
    Tally,
    Verdict,
    after_login_failure,
    after_pair_failure,
    client_lock,
    client_of,
    verdict,
)

NOW = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)


def ago(**delta: float) -> datetime:
    return NOW - timedelta(**delta)


def tally(failures: int, *, first: datetime | None = None, last: datetime) -> Tally:
    return Tally(failures=failures, first=first or last, last=last)


@pytest.mark.parametrize(
    ("failures", "lock"),
    [
        (0, timedelta(0)),
        (4, timedelta(0)),  # a person mistyping
        (5, timedelta(minutes=1)),
        (6, timedelta(minutes=2)),
        (10, timedelta(minutes=32)),
        (11, timedelta(hours=1)),  # at most an hour
        (10_000, timedelta(hours=1)),  # whatever the count (no overflow)
    ],
    ids=lambda value: str(value),
)
def test_a_client_waits_longer_after_each_failure_past_the_free_ones(
    failures: int, lock: timedelta
) -> None:
    assert client_lock(failures) == lock


CEILING = tally(LOGIN_CEILING, first=ago(minutes=10), last=ago(seconds=1))


@pytest.mark.parametrize(
    ("pair", "login", "known_device", "expected"),
    [
        (NO_FAILURE, NO_FAILURE, False, Verdict.ADMITTED),
        (tally(4, last=ago(seconds=1)), NO_FAILURE, False, Verdict.ADMITTED),
        (tally(5, last=ago(seconds=30)), NO_FAILURE, False, Verdict.CLIENT_HELD),
        (tally(5, last=ago(seconds=60)), NO_FAILURE, False, Verdict.ADMITTED),
        (tally(8, last=ago(minutes=7)), NO_FAILURE, False, Verdict.CLIENT_HELD),
        (tally(8, last=ago(minutes=8)), NO_FAILURE, False, Verdict.ADMITTED),
        # A known device has its own count, and is held by it like any client.
        (tally(5, last=ago(seconds=30)), NO_FAILURE, True, Verdict.CLIENT_HELD),
        # The login's ceiling holds unknown clients only, while its window lasts.
        (NO_FAILURE, CEILING, False, Verdict.LOGIN_HELD),
        (NO_FAILURE, CEILING, True, Verdict.ADMITTED),
        (NO_FAILURE, tally(LOGIN_CEILING - 1, last=ago(seconds=1)), False, Verdict.ADMITTED),
        (
            NO_FAILURE,
            tally(LOGIN_CEILING, first=ago(hours=1), last=ago(seconds=1)),
            False,
            Verdict.ADMITTED,
        ),
    ],
    ids=[
        "first try",
        "four mistypes",
        "fifth failure: a minute",
        "the minute is over",
        "eighth failure: eight minutes",
        "eight minutes later",
        "known device mistyping",
        "ceiling, unknown client",
        "ceiling, known device",
        "one under the ceiling",
        "ceiling, window over",
    ],
)
def test_who_may_try_a_password_now(
    pair: Tally, login: Tally, known_device: bool, expected: Verdict
) -> None:
    assert verdict(pair=pair, login=login, known_device=known_device, now=NOW) is expected


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (NO_FAILURE, tally(1, last=NOW)),
        (tally(3, first=ago(hours=2), last=ago(minutes=5)), tally(4, first=ago(hours=2), last=NOW)),
        (tally(30, last=ago(hours=23)), tally(31, first=ago(hours=23), last=NOW)),
        (tally(30, last=NOW - FORGET_AFTER), tally(1, last=NOW)),  # a day later: afresh
    ],
    ids=["first", "in a row", "within a day", "a day later"],
)
def test_a_clients_failures_count_in_a_row_for_a_day(before: Tally, after: Tally) -> None:
    assert after_pair_failure(before, NOW) == after


@pytest.mark.parametrize(
    ("before", "known_device", "after"),
    [
        (NO_FAILURE, False, tally(1, last=NOW)),
        (tally(7, first=ago(minutes=59), last=ago(seconds=3)), False,
         tally(8, first=ago(minutes=59), last=NOW)),
        (tally(99, first=NOW - LOGIN_WINDOW, last=ago(seconds=3)), False, tally(1, last=NOW)),
        (tally(7, first=ago(minutes=5), last=ago(seconds=3)), True,
         tally(7, first=ago(minutes=5), last=ago(seconds=3))),
    ],
    ids=["first", "in the window", "a new window", "a known device's mistype is its own"],
)  # fmt: skip
def test_a_logins_failures_count_per_window_from_unknown_clients(
    before: Tally, known_device: bool, after: Tally
) -> None:
    assert after_login_failure(before, NOW, known_device=known_device) == after


@pytest.mark.parametrize(
    ("address", "client"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("-", "-"),  # no address (a Unix socket): one client
    ],
)
def test_a_client_is_its_address_or_its_ipv6_network(address: str, client: str) -> None:
    assert client_of(address) == client
