"""The token bucket rules, as tables: what an attempt at a given second is answered."""

from __future__ import annotations

import pytest

from frontdoor.core.rate_limits import AUTH_FAILURES, Bucket, Policy, take, waiting_s

POLICY = Policy(burst=2, per_second=0.5)


def after_failures(*times: float, policy: Policy = POLICY) -> Bucket | None:
    """The bucket of a client whose attempts failed at these seconds (each one charged)."""
    bucket: Bucket | None = None
    for now in times:
        _allowed, bucket = take(bucket, now, policy)
    return bucket


# (id, failures at these seconds, asked at, seconds to wait or None when allowed)
WAITS = [
    ("a new client", (), 0.0, None),
    ("one failure", (0.0,), 0.0, None),
    ("the burst spent", (0.0, 0.0), 0.0, 2.0),
    ("half a refill later", (0.0, 0.0), 1.0, 1.0),
    ("a refill later", (0.0, 0.0), 2.0, None),
    ("failing beyond the burst adds no debt", (0.0, 0.0, 0.0, 0.0), 2.0, None),
    ("a refill spent again", (0.0, 0.0, 2.0), 2.0, 2.0),
]


@pytest.mark.parametrize(
    ("failures", "asked_at", "wait"), [w[1:] for w in WAITS], ids=[w[0] for w in WAITS]
)
def test_waiting_says_when_the_next_attempt_is_allowed_and_takes_nothing(
    failures: tuple[float, ...], asked_at: float, wait: float | None
) -> None:
    bucket = after_failures(*failures)

    assert waiting_s(bucket, asked_at, POLICY) == wait
    assert waiting_s(bucket, asked_at, POLICY) == wait  # asking twice is not an attempt


# (id, failed API authentications at these seconds, asked at, allowed)
API_FAILURES = [
    ("ten stale-token retries", (0.0,) * 9, 0.0, True),
    ("the eleventh guess at once", (0.0,) * 10, 0.0, False),
    ("the eleventh guess a second later", (0.0,) * 10, 1.0, False),
    ("one more try a minute later", (0.0,) * 10, 60.0, True),
    ("the minute's try spent", (0.0,) * 10 + (60.0,), 60.0, False),
    ("the next minute's try", (0.0,) * 10 + (60.0,), 120.0, True),
]


@pytest.mark.parametrize(
    ("failures", "asked_at", "allowed"),
    [f[1:] for f in API_FAILURES],
    ids=[f[0] for f in API_FAILURES],
)
def test_failed_api_authentications_allow_a_few_retries_then_one_a_minute(
    failures: tuple[float, ...], asked_at: float, allowed: bool
) -> None:
    bucket = after_failures(*failures, policy=AUTH_FAILURES)

    assert (waiting_s(bucket, asked_at, AUTH_FAILURES) is None) is allowed
