"""Rate limits: a script guessing passwords or hammering the API is answered 429 with when
to come back; a person working normally never is."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from frontdoor.core.rate_limits import Bucket, Policy, take
from frontdoor.departments import Departments
from frontdoor.settings import Settings
from frontdoor.web.app import create_app
from frontdoor.web.rate_limits import Limiter

POLICY = Policy(burst=3, per_second=0.5)


def test_a_burst_is_allowed_then_one_attempt_per_refill() -> None:
    bucket: Bucket | None = None
    answers = []
    for now in (0.0, 0.0, 0.0, 0.0, 2.0, 2.0):
        allowed, bucket = take(bucket, now, POLICY)
        answers.append(allowed)

    assert answers == [True, True, True, False, True, False]


def test_the_wait_is_until_the_next_token() -> None:
    clock = iter([0.0, 0.0, 0.0, 0.0, 1.0])
    limiter = Limiter(POLICY, clock=lambda: next(clock))
    for _ in range(3):
        assert limiter.allow("client") is None

    assert limiter.allow("client") == 2.0
    assert limiter.allow("client") == 1.0


def test_clients_have_their_own_buckets() -> None:
    limiter = Limiter(Policy(burst=1, per_second=0.001), clock=lambda: 0.0)

    assert limiter.allow("a") is None
    assert limiter.allow("b") is None
    assert limiter.allow("a") is not None


async def test_sign_in_attempts_beyond_the_burst_get_429_with_retry_after(
    aiohttp_client: object, settings: Settings, departments: Departments
) -> None:
    client: TestClient = await aiohttp_client(create_app(settings, departments))  # type: ignore[operator]

    statuses = []
    for _ in range(11):
        response = await client.post(
            "/console/connexion", data={"login": "x", "password": "y"}, allow_redirects=False
        )
        statuses.append(response.status)

    assert statuses[:10] == [403] * 10  # no form token: refused, but counted
    assert statuses[10] == 429
    assert int(response.headers["Retry-After"]) >= 1


async def test_the_api_is_limited_per_token(
    aiohttp_client: object, settings: Settings, departments: Departments
) -> None:
    client: TestClient = await aiohttp_client(create_app(settings, departments))  # type: ignore[operator]
    key = {"Authorization": "Bearer key-dac46-amartin"}

    statuses = [(await client.get("/api/tasks", headers=key)).status for _ in range(61)]
    other = await client.get("/api/tasks", headers={"Authorization": "Bearer key-dac57-dweber"})

    assert statuses[:60] == [200] * 60
    assert statuses[60] == 429
    assert other.status == 200


async def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_bucket(
    aiohttp_client: object, settings: Settings, departments: Departments
) -> None:
    client: TestClient = await aiohttp_client(create_app(settings, departments))  # type: ignore[operator]

    def attempt(forwarded_for: str):  # type: ignore[no-untyped-def]
        return client.post(
            "/console/connexion",
            data={"login": "x"},
            headers={"X-Forwarded-For": forwarded_for},
            allow_redirects=False,
        )

    first = [(await attempt("spoofed, 203.0.113.7")).status for _ in range(11)]
    second = await attempt("203.0.113.8")

    assert first[-1] == 429
    assert second.status == 403  # another client: not limited, only refused (no form token)
