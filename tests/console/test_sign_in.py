"""Signing in: Argon2 passwords, a session cookie the page scripts cannot read, throttling."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from frontdoor.console.passwords import hash_password, password_matches
from tests.console.conftest import LOT_REFERENT, sign_in


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
    form_page = await client.get("/console/connexion")
    token = form_page.cookies["frontdoor_signin"].value
    response = await client.post(
        "/console/connexion",
        data={
            "form_token": token,
            "login": LOT_REFERENT.login,
            "password": "correct horse battery staple",
        },
        headers={"Cookie": f"frontdoor_signin={token}"},
        allow_redirects=False,
    )

    cookie = response.cookies["frontdoor_session"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["secure"] is True  # the public URL is https
    assert cookie["path"] == "/console"


async def test_a_wrong_password_and_an_unknown_login_get_the_same_answer(
    client: TestClient,
) -> None:
    answers = []
    for login in (LOT_REFERENT.login, "nobody@dac46.fr"):
        form_page = await client.get("/console/connexion")
        token = form_page.cookies["frontdoor_signin"].value
        response = await client.post(
            "/console/connexion",
            data={"form_token": token, "login": login, "password": "wrong password!"},
            headers={"Cookie": f"frontdoor_signin={token}"},
            allow_redirects=False,
        )
        answers.append(
            (response.status, "Identifiant ou mot de passe incorrect" in await response.text())
        )

    assert answers == [(401, True), (401, True)]


async def test_after_five_failures_the_account_is_locked_even_for_the_right_password(
    client: TestClient,
) -> None:
    async def attempt(password: str) -> str:
        form_page = await client.get("/console/connexion")
        token = form_page.cookies["frontdoor_signin"].value
        response = await client.post(
            "/console/connexion",
            data={"form_token": token, "login": LOT_REFERENT.login, "password": password},
            headers={"Cookie": f"frontdoor_signin={token}"},
            allow_redirects=False,
        )
        return await response.text()

    for _ in range(5):
        await attempt("not the password")

    assert "réessayez dans quelques minutes" in await attempt("correct horse battery staple")


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


def test_passwords_are_stored_as_argon2id_hashes() -> None:
    stored = hash_password("correct horse battery staple")

    assert stored.startswith("$argon2id$")
    assert password_matches(stored, "correct horse battery staple")
    assert not password_matches(stored, "Correct horse battery staple")


async def test_console_pages_carry_security_headers(client: TestClient) -> None:
    response = await client.get("/console/connexion")

    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
