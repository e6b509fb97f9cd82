"""Signing in: Argon2 passwords off the event loop, a session cookie the page scripts cannot
read, and failures that tell nothing and lock out nobody but the guesser."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient
from argon2 import PasswordHasher
from sqlalchemy import update

from frontdoor.console.passwords import check_password, hash_password
from frontdoor.core.sign_in import FAILURE_DELAY_S, FREE_FAILURES, LOGIN_CEILING, Tally
from frontdoor.cpu import BUSY_TEXT, LOST_TEXT, CpuThreads, WorkerLost
from frontdoor.keys import COUNTERS, CPU_PROCESSES, CPU_THREADS
from frontdoor.settings import Settings
from frontdoor.store.accounts import account_by_login
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import Account
from frontdoor.store.sign_in_records import count_failure, login_key
from tests.console.conftest import LOT_COORDINATOR, LOT_REFERENT, PASSWORD, sign_in
from tests.cpu_gate import Gate, occupy
from tests.waiting import eventually

HERS = "198.51.100.7"  # the referent's own machine
GUESSER = "203.0.113.66"


async def attempt(
    client: TestClient,
    login: str,
    password: str,
    *,
    address: str = HERS,
    device: str | None = None,
) -> ClientResponse:
    """The sign-in form, filled and posted from `address` (as the trusted proxy says)."""
    form_page = await client.get("/console/connexion")
    token = form_page.cookies["frontdoor_signin"].value
    cookies = f"frontdoor_signin={token}" + (f"; frontdoor_device={device}" if device else "")
    return await client.post(
        "/console/connexion",
        data={"form_token": token, "login": login, "password": password},
        headers={"Cookie": cookies, "X-Forwarded-For": address},
        allow_redirects=False,
    )


async def fail_times(client: TestClient, times: int, login: str, *, address: str) -> None:
    """`times` wrong passwords sent together, as a guesser would."""
    answers = await asyncio.gather(
        *(attempt(client, login, f"guess number {n}", address=address) for n in range(times))
    )
    assert [answer.status for answer in answers] == [401] * times


async def set_account(settings: Settings, login: str, **values: object) -> None:
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        await session.exec(update(Account).where(Account.login == login).values(**values))  # type: ignore[call-overload]
        await session.commit()
    await engine.dispose()


async def test_a_referent_signs_in_and_reaches_the_inbox(client: TestClient) -> None:
    browser = await sign_in(client, LOT_REFERENT)

    response = await browser.get("/console/")

    assert response.status == 200
    page = await response.text()
    assert "Demandes · dac46" in page
    assert "anne.martin · Référent parcours · dac46" in page


async def test_the_session_cookie_is_http_only_same_site_and_secure_behind_tls(
    client: TestClient,
) -> None:
    response = await attempt(client, LOT_REFERENT.login, PASSWORD)

    cookie = response.cookies["frontdoor_session"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["secure"] is True  # the public URL is https
    assert cookie["path"] == "/console"
    device = response.cookies["frontdoor_device"]
    assert (device["httponly"], device["secure"], device["path"]) == (
        True,
        True,
        "/console/connexion",
    )


# Every way a sign-in can fail, each set up from a fresh app; the last step is the attempt.
async def _unknown_login(client: TestClient, settings: Settings) -> ClientResponse:
    return await attempt(client, "personne@dac46.fr", "not the password")


async def _wrong_password(client: TestClient, settings: Settings) -> ClientResponse:
    return await attempt(client, LOT_REFERENT.login, "not the password")


async def _disabled_account(client: TestClient, settings: Settings) -> ClientResponse:
    await set_account(settings, LOT_REFERENT.login, disabled=True)
    return await attempt(client, LOT_REFERENT.login, PASSWORD)


async def _account_without_password(client: TestClient, settings: Settings) -> ClientResponse:
    await set_account(settings, LOT_REFERENT.login, password_hash=None)  # OpenID only
    return await attempt(client, LOT_REFERENT.login, PASSWORD)


async def _client_held_right_password(client: TestClient, settings: Settings) -> ClientResponse:
    await fail_times(client, FREE_FAILURES, LOT_REFERENT.login, address=HERS)
    return await attempt(client, LOT_REFERENT.login, PASSWORD)


async def _login_held_right_password(client: TestClient, settings: Settings) -> ClientResponse:
    # A guesser spread over many addresses has reached the login's ceiling.
    engine = create_engine(settings.database_url)
    now = datetime.now(UTC)
    async with session_maker(engine)() as session:
        ceiling = Tally(failures=LOGIN_CEILING, first=now, last=now)
        await count_failure(
            session=session,
            steps={login_key(LOT_REFERENT.login): lambda _: ceiling},
            now=now,
        )
        await session.commit()
    await engine.dispose()
    return await attempt(client, LOT_REFERENT.login, PASSWORD)


FAILURES: dict[str, Callable[[TestClient, Settings], Awaitable[ClientResponse]]] = {
    "unknown login": _unknown_login,
    "wrong password": _wrong_password,
    "disabled account": _disabled_account,
    "account without a password": _account_without_password,
    "client held, right password": _client_held_right_password,
    "login held, right password": _login_held_right_password,
}


def _page_without_token_nor_login(body: str, login: str) -> str:
    body = re.sub(r'name="form_token" value="[^"]*"', 'name="form_token" value=""', body)
    return body.replace(login, "LOGIN")


@pytest.mark.parametrize("kind", FAILURES)
async def test_every_failure_gets_the_same_page_status_cookies_work_and_delay(
    client: TestClient, wired_settings: Settings, kind: str
) -> None:
    reference = await attempt(client, "someone.else@dac46.fr", "not the password")
    reference_page = _page_without_token_nor_login(await reference.text(), "someone.else@dac46.fr")
    counters = client.app[COUNTERS]
    checks_before = counters["cpu_password_check"]

    started = time.monotonic()
    response = await FAILURES[kind](client, wired_settings)
    took = time.monotonic() - started

    assert response.status == reference.status == 401
    login = "personne@dac46.fr" if kind == "unknown login" else LOT_REFERENT.login
    assert _page_without_token_nor_login(await response.text(), login) == reference_page
    assert sorted(response.cookies) == sorted(reference.cookies) == ["frontdoor_signin"]
    assert "frontdoor_session" not in response.cookies
    # The same work: the last attempt's password was checked (the set-ups' too), and it was
    # answered no earlier than every failure is.
    assert counters["cpu_password_check"] > checks_before
    assert took >= FAILURE_DELAY_S


async def test_every_failure_checks_one_password_whatever_its_kind(
    client: TestClient, wired_settings: Settings
) -> None:
    counters = client.app[COUNTERS]
    before = counters["cpu_password_check"]

    await _unknown_login(client, wired_settings)
    await _wrong_password(client, wired_settings)

    assert counters["cpu_password_check"] - before == 2


async def test_a_guesser_locks_only_themselves_not_the_referent_at_her_machine(
    client: TestClient,
) -> None:
    await fail_times(client, FREE_FAILURES + 1, LOT_REFERENT.login, address=GUESSER)

    held = await attempt(client, LOT_REFERENT.login, PASSWORD, address=GUESSER)
    hers = await attempt(client, LOT_REFERENT.login, PASSWORD, address=HERS)

    assert held.status == 401
    assert hers.status == 303


async def test_a_guesser_with_a_whole_ipv6_network_is_one_client(client: TestClient) -> None:
    for n in range(FREE_FAILURES):
        await fail_times(client, 1, LOT_REFERENT.login, address=f"2001:db8:0:1::{n + 1}")

    from_the_same_network = await attempt(
        client, LOT_REFERENT.login, PASSWORD, address="2001:db8:0:1:ffff::9"
    )
    from_another = await attempt(client, LOT_REFERENT.login, PASSWORD, address="2001:db8:0:2::1")

    assert (from_the_same_network.status, from_another.status) == (401, 303)


async def test_failures_sent_together_all_count(client: TestClient) -> None:
    await fail_times(client, FREE_FAILURES, LOT_REFERENT.login, address=GUESSER)

    assert (await attempt(client, LOT_REFERENT.login, PASSWORD, address=GUESSER)).status == 401


async def test_at_the_logins_ceiling_a_browser_that_signed_in_before_still_gets_in(
    client: TestClient, wired_settings: Settings
) -> None:
    before = await attempt(client, LOT_REFERENT.login, PASSWORD)
    device = before.cookies["frontdoor_device"].value

    from_a_new_browser = await _login_held_right_password(client, wired_settings)
    from_hers = await attempt(client, LOT_REFERENT.login, PASSWORD, device=device)

    assert from_a_new_browser.status == 401
    assert from_hers.status == 303
    assert from_hers.cookies["frontdoor_device"].value == device


async def test_another_accounts_device_cookie_is_no_pass(
    client: TestClient, wired_settings: Settings
) -> None:
    theirs = await attempt(client, LOT_COORDINATOR.login, PASSWORD, address=GUESSER)
    device = theirs.cookies["frontdoor_device"].value

    answer = await _login_held_right_password(client, wired_settings)
    with_theirs = await attempt(client, LOT_REFERENT.login, PASSWORD, device=device)

    assert (answer.status, with_theirs.status) == (401, 401)


async def test_a_success_starts_the_clients_count_over(client: TestClient) -> None:
    await fail_times(client, FREE_FAILURES - 1, LOT_REFERENT.login, address=HERS)
    assert (await attempt(client, LOT_REFERENT.login, PASSWORD)).status == 303

    await fail_times(client, FREE_FAILURES - 1, LOT_REFERENT.login, address=HERS)

    assert (await attempt(client, LOT_REFERENT.login, PASSWORD)).status == 303


async def test_a_failed_sign_in_keeps_where_the_person_was_going(client: TestClient) -> None:
    form_page = await client.get("/console/connexion?suite=/console/demandes/7")
    token = form_page.cookies["frontdoor_signin"].value

    response = await client.post(
        "/console/connexion",
        data={
            "form_token": token,
            "login": "x@y.fr",
            "password": "z",
            "next": "/console/demandes/7",
        },
        headers={"Cookie": f"frontdoor_signin={token}"},
    )

    assert 'name="next" value="/console/demandes/7"' in await response.text()


async def test_a_sign_in_form_posted_from_elsewhere_is_refused(client: TestClient) -> None:
    response = await client.post(
        "/console/connexion",
        data={"form_token": "forged", "login": LOT_REFERENT.login, "password": "x"},
        headers={"Cookie": "frontdoor_signin=other"},
        allow_redirects=False,
    )

    assert response.status == 403


async def test_without_a_session_a_page_sends_to_the_sign_in_form(client: TestClient) -> None:
    response = await client.get("/console/demandes/1", allow_redirects=False)

    assert response.status == 303
    assert response.headers["Location"] == "/console/connexion?suite=/console/demandes/1"


async def test_the_sign_in_keeps_of_the_page_only_parameters_that_are_not_personal_data(
    client: TestClient,
) -> None:
    """`suite=` lands in browser history and logs: an old link's typed name is dropped, the
    inbox's filters are kept."""
    response = await client.get(
        "/console/demandes/1?nom=T%C3%A9moin&departement=dac46&fusion=x&ressource=y",
        allow_redirects=False,
    )
    inbox = await client.get("/console/?departement=dac46&statut=open", allow_redirects=False)

    assert response.status == 303
    assert response.headers["Location"].startswith("/console/connexion?suite=")
    assert suite_of(response) == "/console/demandes/1?departement=dac46"
    assert suite_of(inbox) == "/console/?departement=dac46&statut=open"


def suite_of(response: ClientResponse) -> str:
    [suite] = parse_qs(urlsplit(response.headers["Location"]).query)["suite"]
    return suite


async def test_signing_out_ends_the_session(client: TestClient) -> None:
    browser = await sign_in(client, LOT_REFERENT)

    await browser.post("/console/deconnexion")

    assert (await browser.get("/console/")).status == 303


async def test_a_state_changing_request_without_the_csrf_token_is_refused(
    client: TestClient,
) -> None:
    browser = await sign_in(client, LOT_REFERENT)

    response = await client.post(
        "/console/deconnexion", headers=browser.headers, allow_redirects=False
    )

    assert response.status == 403
    assert (await browser.get("/console/")).status == 200


async def test_passwords_are_stored_as_argon2id_hashes() -> None:
    cpu = CpuThreads(workers=1)
    stored = await hash_password(cpu, PASSWORD)
    right = await check_password(cpu, stored, PASSWORD)
    wrong = await check_password(cpu, stored, "Correct horse battery staple")
    cpu.close()

    assert stored.startswith("$argon2id$")
    assert (right.matches, wrong.matches) == (True, False)


async def test_a_hash_with_old_parameters_is_replaced_at_the_next_sign_in(
    client: TestClient, wired_settings: Settings
) -> None:
    old = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    await set_account(wired_settings, LOT_REFERENT.login, password_hash=old)

    assert (await attempt(client, LOT_REFERENT.login, PASSWORD)).status == 303

    engine = create_engine(wired_settings.database_url)
    async with session_maker(engine)() as session:
        account = await account_by_login(session=session, login=LOT_REFERENT.login)
    await engine.dispose()
    assert account is not None
    assert account.password_hash != old
    assert (await check_password(client.app[CPU_THREADS], account.password_hash, PASSWORD)).matches


async def test_console_pages_carry_security_headers(client: TestClient) -> None:
    response = await client.get("/console/connexion")

    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


async def test_a_sign_in_while_the_pool_is_full_is_shed_with_the_one_failure_answer(
    client: TestClient, wired_settings: Settings
) -> None:
    reference = await attempt(client, "someone.else@dac46.fr", "not the password")
    reference_page = _page_without_token_nor_login(await reference.text(), "someone.else@dac46.fr")
    pool = client.app[CPU_THREADS]
    async with Gate() as gate:
        held = await occupy(pool, pool.capacity, gate)
        counters = client.app[COUNTERS]
        checks = counters["cpu_password_check"]

        started = time.monotonic()
        answer = await attempt(client, LOT_REFERENT.login, PASSWORD)  # the right password, even
        took = time.monotonic() - started

        gate.open()
        await asyncio.gather(*held)
    # What every failure gets, no earlier than every failure gets it: a flood learns nothing.
    assert answer.status == 401
    assert _page_without_token_nor_login(await answer.text(), LOT_REFERENT.login) == reference_page
    assert took >= FAILURE_DELAY_S
    assert (counters["cpu_password_check"], counters["sign_in_shed"]) == (checks, 1)
    # Counted as any failure; she signs in as soon as the pool has room.
    assert (await attempt(client, LOT_REFERENT.login, PASSWORD)).status == 303


async def test_other_work_gets_503_in_french_while_the_pool_is_full(client: TestClient) -> None:
    coordinator = await sign_in(client, LOT_COORDINATOR)
    pool = client.app[CPU_PROCESSES]  # where spreadsheets are made
    async with Gate() as gate:
        held = await occupy(pool, pool.capacity, gate)

        answer = await coordinator.get("/console/indicateurs.csv?periode=2026-05&departement=dac46")
        # Followed from a link, in a browser: a page in French that asks again by itself.
        followed = await coordinator.get(
            "/console/indicateurs.csv?periode=2026-05", headers={"Accept": "text/html,*/*"}
        )

        gate.open()
        await asyncio.gather(*held)
    assert answer.status == 503
    assert await answer.text() == BUSY_TEXT
    assert int(answer.headers["Retry-After"]) >= 1
    assert (followed.status, followed.content_type) == (503, "text/html")
    assert BUSY_TEXT.replace("'", "&#x27;") in await followed.text()
    assert f'content="{followed.headers["Retry-After"]}"' in await followed.text()


async def test_work_whose_worker_process_dies_gets_503_in_french_and_the_next_is_served(
    client: TestClient,
) -> None:
    coordinator = await sign_in(client, LOT_COORDINATOR)
    pool, export = client.app[CPU_PROCESSES], "/console/indicateurs.csv?periode=2026-05"
    async with Gate() as gate:
        held = await occupy(pool, pool.workers, gate)
        pids = await gate.entered(pool.workers)
        answering = asyncio.create_task(coordinator.get(export))
        counters = client.app[COUNTERS]
        await eventually(lambda: counters["cpu_indicators_csv"] == 1)  # queued behind them

        for pid in pids:
            os.kill(pid, signal.SIGKILL)  # as the out-of-memory killer would
        answer = await answering

    assert answer.status == 503
    assert await answer.text() == LOST_TEXT
    lost = await asyncio.gather(*held, return_exceptions=True)
    assert all(isinstance(error, WorkerLost) for error in lost)
    assert (await coordinator.get(export)).status == 200  # in a new worker
