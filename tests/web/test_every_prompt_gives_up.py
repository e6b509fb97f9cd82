"""Every prompt gives up: a caller who keys nothing, or anything but a valid answer, is
asked at most twice at each prompt and then put through to the referents on duty (or
offered a message), never asked again and again — through the real app, signed webhooks."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from frontdoor.phone import TestClientTransport, TwilioPhone
from frontdoor.settings import Settings
from tests.conftest import AUTH_TOKEN, PUBLIC_URL
from tests.web.calls import LOT, MOSELLE, NURSE, TUESDAY_MORNING, rung, said
from tests.web.prompts import StubbornCaller, gathers_without_a_count, load_directory

# At most this many TwiML documents from the greeting to the way out: two tries at each of
# the prompts on the way, the ring, the message offered.
MOST_DOCUMENTS = 12

# Each prompt a caller can reach, by the keys that reach it.
PROMPTS = {
    "who-menu": [],
    "profession-menu": ["1"],
    "directory-postal-code": ["9"],
    "directory-category": ["9", "46100"],
    "directory-sms-offer": ["9", "46100", "1"],
}
# What a stubborn caller keeps answering: silence, a key no prompt knows, a half postal
# code (8 is no choice in any menu), only the finishing key, a long string of keys, words
# that mean nothing, words understood too unsure to act on (read back, never confirmed).
ANSWERS = [None, "*", "0", "8461", "#", "00000000", "n'importe quoi", "je suis médecin (0.3)"]


@pytest.fixture
async def app_settings(wired_settings: Settings) -> Settings:
    await load_directory(wired_settings)
    return wired_settings


@pytest.mark.parametrize("answer", ANSWERS, ids=repr)
@pytest.mark.parametrize("prompt", list(PROMPTS))
async def test_a_caller_who_never_answers_leaves_every_prompt_within_a_few_steps(
    client: TestClient, prompt: str, answer: str | None
) -> None:
    phone = TwilioPhone(
        TestClientTransport(client),
        public_url=PUBLIC_URL,
        auth_token=AUTH_TOKEN,
        simulated_at=TUESDAY_MORNING,
        max_documents=MOST_DOCUMENTS,  # past it, the phone says "a loop?" and fails
    )

    result = await phone.call(
        from_=NURSE, to=LOT, person=StubbornCaller(PROMPTS[prompt], then=answer)
    )

    heard = said(result)
    if prompt == "directory-sms-offer":  # the resources were read: the call ends there
        assert "Au revoir" in heard
    else:  # to the referent on duty; nobody picks up: a message is offered
        assert rung(result), heard
        assert "Laissez-nous un message" in heard
    assert heard.count("Je n'ai pas reconnu ce code postal") <= 1
    assert gathers_without_a_count(result.documents) == []


@pytest.mark.parametrize("answer", [None, "*", "9"], ids=repr)
async def test_a_professionals_only_line_gives_up_as_well(
    client: TestClient, answer: str | None
) -> None:
    phone = TwilioPhone(
        TestClientTransport(client),
        public_url=PUBLIC_URL,
        auth_token=AUTH_TOKEN,
        simulated_at=TUESDAY_MORNING,
        max_documents=MOST_DOCUMENTS,
    )

    result = await phone.call(from_=NURSE, to=MOSELLE, person=StubbornCaller([], then=answer))

    assert gathers_without_a_count(result.documents) == []
    assert result.transcript[-1].kind == "hangup"


@pytest.mark.parametrize("answer", ANSWERS, ids=repr)
async def test_a_member_of_the_public_who_never_gives_a_postal_code_hears_where_to_turn(
    client: TestClient, answer: str | None
) -> None:
    phone = TwilioPhone(
        TestClientTransport(client),
        public_url=PUBLIC_URL,
        auth_token=AUTH_TOKEN,
        simulated_at=TUESDAY_MORNING,
        max_documents=MOST_DOCUMENTS,
    )

    # 2: a member of the public on the Moselle's professionals-only line.
    result = await phone.call(from_=NURSE, to=MOSELLE, person=StubbornCaller(["2"], then=answer))

    heard = said(result)
    # Asked twice at most ("00000000" is keyed as 00000: a postal code nothing serves).
    assert 1 <= heard.count("Tapez le code postal") <= 2
    assert "la Maison départementale des solidarités de votre secteur" in heard
    assert not rung(result)
    assert gathers_without_a_count(result.documents) == []
    assert result.transcript[-1].kind == "hangup"
