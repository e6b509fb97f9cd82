"""Token buckets: how many attempts a client may make, refilled with time.

A plain function of the bucket, the time and the policy; the edge keeps one bucket per client
and asks before serving.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(kw_only=True, frozen=True)
class Policy:
    burst: int  # attempts allowed at once
    per_second: float  # refill rate

    def retry_after_s(self, bucket: Bucket) -> float:
        return max(0.0, (1 - bucket.tokens) / self.per_second)


@dataclass(kw_only=True, frozen=True)
class Bucket:
    tokens: float
    at: float  # monotonic seconds


def take(bucket: Bucket | None, now: float, policy: Policy) -> tuple[bool, Bucket]:
    """Whether one more attempt is allowed now, and the bucket after it."""
    if bucket is None:
        bucket = Bucket(tokens=policy.burst, at=now)
    tokens = min(policy.burst, bucket.tokens + (now - bucket.at) * policy.per_second)
    if tokens >= 1:
        return True, Bucket(tokens=tokens - 1, at=now)
    return False, Bucket(tokens=tokens, at=now)


def waiting_s(bucket: Bucket | None, now: float, policy: Policy) -> float | None:
    """Seconds before one more attempt is allowed; None when it is allowed now. Nothing is
    taken: for a limit charged only by the attempts that fail."""
    allowed, after = take(bucket, now, policy)
    return None if allowed else policy.retry_after_s(after)


# Sign-in: a person mistyping is never slowed by this; a script guessing passwords is.
SIGN_IN = Policy(burst=10, per_second=1 / 6)
# The JSON API: a coordination tool syncing a department is well within it.
API = Policy(burst=60, per_second=2.0)
# Failed authentications (an API key or token unknown, revoked, malformed or missing; a console
# session cookie unknown or expired), per client whatever credential it sends: a tool with a
# stale token retries a few times, a browser with an expired session opens a few pages, a
# script making credentials up gets one try a minute.
AUTH_FAILURES = Policy(burst=10, per_second=1 / 60)
# Automatic SMS answers to one number (the help text, the directory's answers, the
# acknowledgements): a person asking a few things in a row is answered each time; a number
# sending the same question in a loop, or made to by someone else, gets one answer every
# twenty minutes, not one per message (each is paid for, and lands on someone's phone).
AUTOMATIC_SMS = Policy(burst=3, per_second=1 / 1200)
