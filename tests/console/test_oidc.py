"""Sign-in through an OpenID Connect provider (Pro Santé Connect in production), against a
small provider on loopback: the provider says who, Frontdoor's account says what."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from urllib.parse import parse_qsl, urlsplit

import aiohttp
import pytest
from aiohttp.test_utils import TestClient
from pydantic import SecretStr
from sqlalchemy import update

from frontdoor.console import oidc
from frontdoor.core.rate_limits import SIGN_IN
from frontdoor.core.sign_in import FREE_FAILURES
from frontdoor.departments import Departments
from frontdoor.settings import Settings
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import Account
from frontdoor.web.app import create_app
from tests.console.conftest import LOT_REFERENT, create_accounts
from tests.fakes.oidc_provider import KID, OidcProvider


@pytest.fixture
async def provider() -> AsyncIterator[OidcProvider]:
    fake = OidcProvider()
    await fake.start()
    yield fake
    await fake.close()


@pytest.fixture
async def app_settings(settings: Settings, provider: OidcProvider) -> Settings:
    configured = settings.model_copy(
        update={
            "oidc_issuer": provider.issuer,
            "oidc_client_id": provider.client_id,
            "oidc_client_secret": SecretStr(provider.client_secret),
            "oidc_login_claim": "email",
        }
    )
    await create_accounts(configured, (LOT_REFERENT,))
    return configured


async def through_the_provider(
    client: TestClient, *, state: str | None = None
) -> aiohttp.ClientResponse:
    """Click "Se connecter avec…", let the provider identify, come back: the last answer."""
    start = await client.get("/console/connexion/oidc", allow_redirects=False)
    assert start.status == 303
    flow = start.cookies["frontdoor_oidc"].value
    async with (
        aiohttp.ClientSession() as browser,
        browser.get(start.headers["Location"], allow_redirects=False) as at_provider,
    ):
        back = urlsplit(at_provider.headers["Location"])
    query = back.query if state is None else back.query.split("&state=")[0] + f"&state={state}"
    return await client.get(
        f"{back.path}?{query}",
        headers={"Cookie": f"frontdoor_oidc={flow}"},
        allow_redirects=False,
    )


async def test_a_known_professional_signs_in_through_the_provider(
    client: TestClient, provider: OidcProvider
) -> None:
    provider.next_identity = {"sub": "810000000001", "email": LOT_REFERENT.login}

    answer = await through_the_provider(client)

    assert answer.status == 303
    assert answer.headers["Location"] == "/console/"
    session = answer.cookies["frontdoor_session"].value
    inbox = await client.get("/console/", headers={"Cookie": f"frontdoor_session={session}"})
    assert "Demandes · dac46" in await inbox.text()


async def test_an_identity_without_an_account_gets_no_entry(
    client: TestClient, provider: OidcProvider
) -> None:
    provider.next_identity = {"sub": "810000000002", "email": "inconnu@exemple.fr"}

    answer = await through_the_provider(client)

    assert answer.status == 403
    assert "aucun compte Frontdoor" in await answer.text()
    assert "frontdoor_session" not in answer.cookies


async def test_an_answer_for_another_flow_is_refused(
    client: TestClient, provider: OidcProvider
) -> None:
    provider.next_identity = {"email": LOT_REFERENT.login}

    answer = await through_the_provider(client, state="forged")

    assert answer.status == 400


@pytest.mark.parametrize("misbehaviour", ["sign_with_other_key", "wrong_nonce"])
async def test_a_forged_or_replayed_id_token_is_refused(
    client: TestClient, provider: OidcProvider, misbehaviour: str
) -> None:
    provider.next_identity = {"email": LOT_REFERENT.login}
    setattr(provider, misbehaviour, True)

    answer = await through_the_provider(client)

    assert answer.status == 403
    assert "frontdoor_session" not in answer.cookies


ANOTHER_CLIENT = "another-service"


def _claims_of_a_token_not_for_us(provider: OidcProvider) -> dict[str, dict[str, object]]:
    now = int(time.time())
    return {
        "issued to another client": {"aud": ANOTHER_CLIENT},
        "several audiences, another authorized party": {
            "aud": [ANOTHER_CLIENT, provider.client_id],
            "azp": ANOTHER_CLIENT,
        },
        "several audiences, no authorized party": {"aud": [provider.client_id, ANOTHER_CLIENT]},
        "our audience, another authorized party": {"azp": ANOTHER_CLIENT},
        "expired": {"iat": now - 4000, "exp": now - 3600},
        "issued in the future": {"iat": now + 3600, "exp": now + 7200},
        "another issuer": {"iss": "https://ailleurs.example"},
    }


@pytest.mark.parametrize(
    "case",
    [
        "issued to another client",
        "several audiences, another authorized party",
        "several audiences, no authorized party",
        "our audience, another authorized party",
        "expired",
        "issued in the future",
        "another issuer",
    ],
)
async def test_an_id_token_not_issued_to_us_now_by_our_provider_is_refused(
    client: TestClient, provider: OidcProvider, case: str
) -> None:
    provider.next_identity = {
        "email": LOT_REFERENT.login,
        **_claims_of_a_token_not_for_us(provider)[case],
    }

    answer = await through_the_provider(client)

    assert answer.status == 403
    assert "frontdoor_session" not in answer.cookies


@pytest.mark.parametrize("kid", ["test-key-2", KID], ids=["new-kid", "same-kid"])
async def test_a_provider_that_rotated_its_keys_is_believed_at_once(
    client: TestClient, provider: OidcProvider, kid: str
) -> None:
    """The keys are fetched once an hour; a token signed with a key published since (a new
    kid, or the same kid reused as a test provider on a reused port does) is checked against
    the provider's keys fetched again, not refused for an hour."""
    provider.next_identity = {"email": LOT_REFERENT.login}
    assert (await through_the_provider(client)).status == 303
    provider.rotate_keys(kid=kid)

    answer = await through_the_provider(client)

    assert answer.status == 303
    assert "frontdoor_session" in answer.cookies


async def test_several_audiences_with_us_as_authorized_party_are_accepted(
    client: TestClient, provider: OidcProvider
) -> None:
    provider.next_identity = {
        "email": LOT_REFERENT.login,
        "aud": [provider.client_id, ANOTHER_CLIENT],
        "azp": provider.client_id,
    }

    assert (await through_the_provider(client)).status == 303


async def test_a_disabled_account_gets_no_entry_through_the_provider(
    client: TestClient, provider: OidcProvider, settings: Settings
) -> None:
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        await session.exec(update(Account).values(disabled=True))  # type: ignore[call-overload]
        await session.commit()
    await engine.dispose()
    provider.next_identity = {"email": LOT_REFERENT.login}

    answer = await through_the_provider(client)

    assert answer.status == 403
    assert "frontdoor_session" not in answer.cookies


async def test_a_client_held_for_failed_passwords_is_held_through_the_provider_too(
    client: TestClient, provider: OidcProvider
) -> None:
    for n in range(FREE_FAILURES):
        form_page = await client.get("/console/connexion")
        token = form_page.cookies["frontdoor_signin"].value
        refused = await client.post(
            "/console/connexion",
            data={"form_token": token, "login": LOT_REFERENT.login, "password": f"guess {n}"},
            headers={"Cookie": f"frontdoor_signin={token}"},
        )
        assert refused.status == 401
    provider.next_identity = {"email": LOT_REFERENT.login}

    answer = await through_the_provider(client)

    assert answer.status == 403
    assert "réessayez dans quelques minutes" in await answer.text()
    assert "frontdoor_session" not in answer.cookies


async def test_the_sign_in_page_offers_the_provider_only_when_configured(
    client: TestClient, aiohttp_client: object, settings: Settings, departments: Departments
) -> None:
    # A second instance beside the first: its own name (each instance keeps its own journal).
    other = settings.model_copy(update={"instance_name": "without-provider"})
    plain = await aiohttp_client(create_app(other, departments))  # type: ignore[operator]

    assert (
        "Se connecter avec Pro Santé Connect"
        in await (await client.get("/console/connexion")).text()
    )
    assert "Pro Santé Connect" not in await (await plain.get("/console/connexion")).text()
    assert (await plain.get("/console/connexion/oidc", allow_redirects=False)).status == 404


# ----- Starting a sign-in asks nothing of its sender: a flood of starts is not a flood of
# fetches from the provider -----


async def test_sign_ins_started_together_fetch_the_provider_s_keys_once(
    client: TestClient, provider: OidcProvider
) -> None:
    starts = await asyncio.gather(*(
        client.get("/console/connexion/oidc", allow_redirects=False) for _ in range(50)
    ))  # fmt: skip

    assert {start.status for start in starts} == {303}
    assert provider.discoveries == 1


async def test_a_provider_down_is_not_asked_again_at_once_meanwhile_a_french_page(
    client: TestClient, provider: OidcProvider
) -> None:
    """Asked again UNREACHABLE_FOR_S later (tests/test_single_flight.py), not at every start."""
    provider.down = True

    starts = await asyncio.gather(*(
        client.get("/console/connexion/oidc", allow_redirects=False) for _ in range(20)
    ))  # fmt: skip
    provider.down = False
    still = await client.get("/console/connexion/oidc", allow_redirects=False)

    assert {start.status for start in starts} == {502}
    assert "ne répond pas : réessayez dans un instant" in await starts[0].text()
    assert still.status == 502  # not asked again so soon
    assert provider.discoveries == 1


async def test_a_flow_s_cookie_sent_again_with_made_up_codes_is_throttled_as_sign_ins_are(
    client: TestClient, provider: OidcProvider
) -> None:
    """Each code brought back is exchanged with the provider: a script replaying one flow's
    cookie and state with made-up codes gets the sign-in throttle, not a line to it."""
    start = await client.get("/console/connexion/oidc", allow_redirects=False)
    flow = start.cookies["frontdoor_oidc"].value
    state = dict(parse_qsl(urlsplit(start.headers["Location"]).query))["state"]

    answers = [
        await client.get(
            f"{oidc.CALLBACK_PATH}?code=made-up-{n}&state={state}",
            headers={"Cookie": f"frontdoor_oidc={flow}"},
            allow_redirects=False,
        )
        for n in range(SIGN_IN.burst + 5)
    ]

    statuses = [answer.status for answer in answers]
    assert statuses[: SIGN_IN.burst] == [502] * SIGN_IN.burst  # the provider said no
    # Beyond the burst, refused before the provider is asked (one more every six seconds).
    assert statuses.count(429) >= 4
    assert provider.token_requests == statuses.count(502)
