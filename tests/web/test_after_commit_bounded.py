"""What follows a webhook's commit (the voicemail fetched from Twilio, the referents' SMS) does
not hold its answer past AFTER_COMMIT_S, nor past ANSWER_WITHIN_S since the webhook arrived:
each call to Twilio's API may take 15 s, Twilio's own limit for the webhook. Found by running
the deployment (tests/deploy_live): a recording's status callback waited 9 s for a fetch that
then failed, and nginx gave up on it.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from frontdoor.departments import Departments
from frontdoor.kit.patience import STORE_WORK
from frontdoor.kit.twilio_webhook import AFTER_COMMIT_S, ANSWER_WITHIN_S, after_commit_wait
from frontdoor.phone import ScriptedPerson, TestClientTransport, TwilioPhone
from frontdoor.settings import Settings
from frontdoor.store.models import Request
from frontdoor.web.app import create_app
from tests.conftest import AUTH_TOKEN, PUBLIC_URL
from tests.web.calls import LOT, NURSE, TUESDAY_MORNING
from tests.web.conftest import SilentProvider
from tests.web.outage import rows


async def test_a_hanging_provider_does_not_hold_a_voicemails_status_callback(
    aiohttp_client: Any, settings: Settings, departments: Departments, silent: SilentProvider
) -> None:
    url = silent.url
    client = await aiohttp_client(
        create_app(settings.model_copy(update={"twilio_api_url": url}), departments)
    )
    phone = TwilioPhone(
        TestClientTransport(client), public_url=PUBLIC_URL, auth_token=AUTH_TOKEN,
        simulated_at=TUESDAY_MORNING,
    )  # fmt: skip
    # Nobody takes it: a message is left; Twilio then says the recording is complete.
    person = ScriptedPerson(["1", "5"], referents={}, message="Rappelez-moi pour Mme X.")

    result = await phone.call(from_=NURSE, to=LOT, person=person)

    # Every webhook was answered (the phone raises otherwise, or after 15 s), the status
    # callback included, while the fetch still waits on the provider (it may reach it only
    # after the answer: on a busy machine the webhook's own time leaves it no wait at all).
    assert result.message is not None
    await asyncio.wait_for(silent.connected.wait(), timeout=30)
    assert client.app[STORE_WORK].finishing >= 1
    [request] = await rows(settings, Request)
    assert request.recording_key is None
    assert request.recording_url is not None  # left at Twilio: the recordings job's
    # Released, the provider closes: what was still going on ends (and shutdown waits for it).
    silent.released.set()
    await client.app[STORE_WORK].drain()
    assert client.app[STORE_WORK].finishing == 0


@pytest.mark.parametrize(
    ("elapsed_s", "wait_s"),
    [
        (0.0, AFTER_COMMIT_S),  # a quick store: the usual wait
        (2.0, AFTER_COMMIT_S),
        (ANSWER_WITHIN_S - 1.0, 1.0),  # a slow store leaves only what remains of the budget
        (ANSWER_WITHIN_S, 0.0),
        (ANSWER_WITHIN_S + 5.0, 0.0),  # past it: answered at once, the rest in the background
    ],
)
def test_what_follows_a_commit_is_waited_for_only_within_the_answer_budget(
    elapsed_s: float, wait_s: float
) -> None:
    assert after_commit_wait(elapsed_s) == pytest.approx(wait_s)
