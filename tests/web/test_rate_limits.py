"""Rate limits: a script guessing passwords or hammering the API is answered 429 with when
to come back; a person working normally never is."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import event

from frontdoor.core.rate_limits import API, AUTH_FAILURES, SIGN_IN, Bucket, Policy, take
from frontdoor.departments import Departments
from frontdoor.keys import ENGINE, SETTINGS
from frontdoor.kit.rate_limits import (
    API_LIMITER,
    AUTH_FAILURES_LIMITER,
    SIGN_IN_LIMITER,
    Limiter,
)
from frontdoor.settings import Settings
from frontdoor.web.app import create_app
from tests.console.conftest import LOT_REFERENT, create_accounts, sign_in
from tests.console.tokens import new_token

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
    client: TestClient = await aiohttp_client(app_on_clock(settings, departments))  # type: ignore[operator]

    statuses = []
    for _ in range(11):
        response = await client.post(
            "/console/connexion", data={"login": "x", "password": "y"}, allow_redirects=False
        )
        statuses.append(response.status)

    assert statuses[:10] == [403] * 10  # no form token: refused, but counted
    assert statuses[10] == 429
    assert int(response.headers["Retry-After"]) >= 1


async def test_the_api_is_limited_per_client_whatever_it_sends(
    aiohttp_client: object, settings: Settings, departments: Departments
) -> None:
    client: TestClient = await aiohttp_client(app_on_clock(settings, departments))  # type: ignore[operator]
    key = {"Authorization": "Bearer key-dac46-amartin"}

    statuses = [(await client.get("/api/tasks", headers=key)).status for _ in range(61)]
    another_key = await client.get(
        "/api/tasks", headers={"Authorization": "Bearer key-dac57-dweber"}
    )
    another_client = await client.get(
        "/api/tasks", headers={**key, "X-Forwarded-For": "203.0.113.9"}
    )

    assert statuses[:60] == [200] * 60
    assert statuses[60] == 429
    assert another_key.status == 429  # the same client, whatever key it sends
    assert another_client.status == 200


async def test_made_up_authorizations_hold_no_memory_and_evict_no_one(
    aiohttp_client: object, settings: Settings, departments: Departments
) -> None:
    # Unknown paths answer 404 before any key is looked at: not a failed authentication.
    client: TestClient = await aiohttp_client(app_on_clock(settings, departments))  # type: ignore[operator]
    api = client.app[API_LIMITER]
    for n in range(200):
        await client.get(f"/api/nowhere-{n}", headers={"Authorization": f"Bearer {n:0>4000}"})

    assert len(api) == 1  # one client, one bucket


async def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_bucket(
    aiohttp_client: object, settings: Settings, departments: Departments
) -> None:
    client: TestClient = await aiohttp_client(app_on_clock(settings, departments))  # type: ignore[operator]

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


def failed_authorizations() -> Iterator[dict[str, str]]:
    """A new wrong Authorization on every try: unknown keys and tokens, malformed, none."""
    for n in itertools.count():
        yield [
            {"Authorization": f"Bearer guessed-key-{n:06d}"},
            {"Authorization": f"Bearer fd_{n:043d}"},
            {"Authorization": f"Basic {n}"},
            {"Authorization": f"Bearer{n}"},
            {},
        ][n % 5]


def app_on_clock(
    settings: Settings, departments: Departments, now: list[float] | None = None
) -> web.Application:
    """The app, its limits reading `now[0]` (still unless the test moves it) instead of the
    machine's clock: a busy machine's slowness must not refill a bucket under a test."""
    clock = now or [0.0]
    app = create_app(settings, departments)
    for key, policy in (
        (SIGN_IN_LIMITER, SIGN_IN),
        (API_LIMITER, API),
        (AUTH_FAILURES_LIMITER, AUTH_FAILURES),
    ):
        app[key] = Limiter(policy, clock=lambda: clock[0])
    return app


async def test_guessing_api_keys_is_throttled_per_client_whatever_each_try_sends(
    aiohttp_client: object, settings: Settings, departments: Departments
) -> None:
    now = [0.0]
    app = app_on_clock(settings, departments, now)
    client: TestClient = await aiohttp_client(app)  # type: ignore[operator]
    guesses = failed_authorizations()
    burst = AUTH_FAILURES.burst

    statuses = [(await client.get("/api/tasks", headers=next(guesses))).status for _ in range(20)]
    blocked = await client.get("/api/tasks", headers=next(guesses))
    right_key = await client.get(
        "/api/tasks", headers={"Authorization": "Bearer key-dac46-amartin"}
    )

    assert statuses == [401] * burst + [429] * (20 - burst)
    assert blocked.status == 429
    assert int(blocked.headers["Retry-After"]) == 60
    assert right_key.status == 429  # nothing is looked at for a client past the limit
    now[0] += 60
    assert (await client.get("/api/tasks", headers=next(guesses))).status == 401
    assert (await client.get("/api/tasks", headers=next(guesses))).status == 429


async def test_a_revoked_token_counts_as_a_failed_authentication(
    aiohttp_client: object, settings: Settings, departments: Departments
) -> None:
    now = [0.0]
    client: TestClient = await aiohttp_client(  # type: ignore[operator]
        app_on_clock(settings, departments, now)
    )
    await create_accounts(settings, (LOT_REFERENT,))
    browser = await sign_in(client, LOT_REFERENT)
    token = await new_token(browser, "directory:read")
    page = await (await browser.get("/console/jetons")).text()
    token_id = re.search(r"/console/jetons/(\d+)/revocation", page).group(1)  # type: ignore[union-attr]
    await browser.post(f"/console/jetons/{token_id}/revocation")
    revoked = {"Authorization": f"Bearer {token}"}

    statuses = [
        (await client.get("/api/directory/search?q=ssiad", headers=revoked)).status
        for _ in range(AUTH_FAILURES.burst + 1)
    ]

    assert statuses == [401] * AUTH_FAILURES.burst + [429]


async def test_failed_authentications_are_counted_per_forwarded_client(
    aiohttp_client: object, settings: Settings, departments: Departments
) -> None:
    client: TestClient = await aiohttp_client(  # type: ignore[operator]
        app_on_clock(settings, departments, [0.0])
    )
    guesses = failed_authorizations()

    def from_(forwarded_for: str) -> dict[str, str]:
        return {**next(guesses), "X-Forwarded-For": forwarded_for}

    # What the client claims before the proxy's own hop changes nothing.
    first = [
        (await client.get("/api/tasks", headers=from_(f"10.0.0.{n}, 203.0.113.7"))).status
        for n in range(AUTH_FAILURES.burst + 1)
    ]
    other = await client.get(
        "/api/tasks",
        headers={"Authorization": "Bearer key-dac46-amartin", "X-Forwarded-For": "203.0.113.8"},
    )

    assert first[-1] == 429
    assert other.status == 200


async def test_valid_keys_and_wrong_scopes_are_not_failed_authentications(
    aiohttp_client: object, settings: Settings, departments: Departments
) -> None:
    client: TestClient = await aiohttp_client(  # type: ignore[operator]
        app_on_clock(settings, departments, [0.0])
    )
    key = {"Authorization": "Bearer key-dac46-amartin"}

    statuses = {
        (await client.get(f"/api/requests/{999 + n}", headers=key)).status
        for n in range(AUTH_FAILURES.burst + 5)
    }

    assert statuses == {404}


async def with_lot_referent(aiohttp_client: object, app: web.Application) -> TestClient:
    """A client of `app`, the Lot referent's account created."""
    client: TestClient = await aiohttp_client(app)  # type: ignore[operator]
    await create_accounts(client.app[SETTINGS], (LOT_REFERENT,))
    return client


def session_lookups(app: web.Application) -> list[str]:
    """The statements that look a console session up, as the app sends them from now on."""
    looked: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if "console_sessions" in statement:
            looked.append(statement)

    event.listen(app[ENGINE].sync_engine, "before_cursor_execute", count)
    return looked


async def test_made_up_session_cookies_are_failed_authentications_looked_up_ten_times(
    aiohttp_client: object, settings: Settings, departments: Departments
) -> None:
    now = [0.0]
    client = await with_lot_referent(aiohttp_client, app_on_clock(settings, departments, now))
    browser = await sign_in(client, LOT_REFERENT)
    looked = session_lookups(client.app)
    burst = AUTH_FAILURES.burst

    def made_up(n: int) -> dict[str, str]:
        return {"Cookie": f"frontdoor_session=made-up-{n}", "Accept": "text/html"}

    answers = [
        await client.get("/console/astreinte", headers=made_up(n), allow_redirects=False)
        for n in range(burst + 20)
    ]
    lookups_for_guesses = len(looked)
    own_cookie = await browser.get("/console/astreinte")
    api_key = await client.get("/api/tasks", headers={"Authorization": "Bearer key-dac46-amartin"})

    # The first ten are sent to the sign-in page, as a browser with an expired session is.
    assert [answer.status for answer in answers[:burst]] == [303] * burst
    assert {answer.status for answer in answers[burst:]} == {429}
    assert lookups_for_guesses == burst  # past the limit, nothing is looked up
    assert int(answers[-1].headers["Retry-After"]) == 60
    page = await answers[-1].text()
    assert "<h1>Trop de demandes</h1>" in page
    assert "dans 60 secondes" in page
    # Nothing is looked at for the client: a real cookie or key from it waits too.
    assert own_cookie.status == 429
    assert api_key.status == 429
    now[0] += 60
    assert (await browser.get("/console/astreinte")).status == 200


async def test_signing_in_forgives_the_stale_cookies_a_browser_sent_before(
    aiohttp_client: object, settings: Settings, departments: Departments
) -> None:
    client = await with_lot_referent(aiohttp_client, app_on_clock(settings, departments))
    stale = {"Cookie": "frontdoor_session=expired-in-every-tab"}
    tabs = [
        (await client.get("/console/astreinte", headers=stale, allow_redirects=False)).status
        for _ in range(AUTH_FAILURES.burst + 2)
    ]

    browser = await sign_in(client, LOT_REFERENT)

    assert tabs[-1] == 429
    assert (await browser.get("/console/astreinte")).status == 200


async def test_other_clients_are_not_refused_for_one_clients_made_up_cookies(
    aiohttp_client: object, settings: Settings, departments: Departments
) -> None:
    client = await with_lot_referent(aiohttp_client, app_on_clock(settings, departments))
    browser = await sign_in(client, LOT_REFERENT)
    # From an IPv6 network: its /64 is one client, whichever address of it each try comes from.
    guesses = [
        await client.get(
            "/console/astreinte",
            headers={
                "Cookie": f"frontdoor_session=made-up-{n}",
                "X-Forwarded-For": f"2001:db8:46::{n:x}",
            },
            allow_redirects=False,
        )
        for n in range(AUTH_FAILURES.burst + 1)
    ]
    elsewhere = await browser.get(
        "/console/astreinte", headers={"X-Forwarded-For": "2001:db8:57::1"}
    )

    assert guesses[-1].status == 429
    assert elsewhere.status == 200
