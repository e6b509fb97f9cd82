"""Behind a proxy, one call's webhooks go to every instance: during an outage its steps are
journaled by several, and each instance replays its own journal when the store is back.

A step names its call's department in its URL, and opens the call's request if the instance
holding the call's first webhooks has not replayed them yet. A step that names only its
CallSid (a recording's status callback of a call answered before its URLs named the
department, during an upgrade) cannot: it is kept back in its own journal for a while, not
set aside as refused at once (found by running the deployment: tests/deploy_live).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient

from frontdoor.departments import Departments
from frontdoor.keys import CLOCK
from frontdoor.kit.twilio_webhook import JOURNAL
from frontdoor.phone import ScriptedPerson, TestClientTransport, TwilioPhone
from frontdoor.settings import Settings
from frontdoor.store.journal import Entry
from frontdoor.store.models import Request
from frontdoor.voice.replay import KEEP_UNKNOWN_CALL, replay
from frontdoor.web.app import create_app
from tests.conftest import AUTH_TOKEN, PUBLIC_URL
from tests.web.calls import LOT, NURSE, TUESDAY_MORNING
from tests.web.outage import UNREACHABLE, replayed, rows

RECORDING_STATUS = "/twilio/voice/recording"


async def instance(
    aiohttp_client: Any, settings: Settings, departments: Departments, name: str, *, down: bool
) -> TestClient:
    """An instance with its own journal folder (`<name>`), on the store or on none."""
    update = {
        "database_url": UNREACHABLE if down else settings.database_url,
        "instance_name": name,
        "journal_dir": settings.journal_dir / name,
    }
    client: TestClient = await aiohttp_client(
        create_app(settings.model_copy(update=update), departments)
    )
    return client


class ByPath:
    """Posts the recording's status callback to one instance, every other webhook to another."""

    def __init__(self, first: TestClient, recordings: TestClient) -> None:
        self.first = TestClientTransport(first)
        self.recordings = TestClientTransport(recordings)

    async def post(
        self, path_qs: str, form: Mapping[str, str], headers: Mapping[str, str]
    ) -> tuple[int, str]:
        to = self.recordings if path_qs.startswith(RECORDING_STATUS) else self.first
        return await to.post(path_qs, form, headers)


def refused_files(settings: Settings) -> list[Path]:
    return sorted(settings.journal_dir.glob("*/*.refused"))


async def test_a_step_of_a_call_journaled_elsewhere_waits_for_it_and_joins_its_request(
    aiohttp_client: Any, settings: Settings, departments: Departments
) -> None:
    alpha = await instance(aiohttp_client, settings, departments, "alpha", down=True)
    beta = await instance(aiohttp_client, settings, departments, "beta", down=True)
    phone = TwilioPhone(
        ByPath(alpha, beta), public_url=PUBLIC_URL, auth_token=AUTH_TOKEN,
        simulated_at=TUESDAY_MORNING,
    )  # fmt: skip
    person = ScriptedPerson(["1", "5"], message="Rappelez-moi pour Mme X.")
    result = await phone.call(from_=NURSE, to=LOT, person=person)
    await alpha.close()
    await beta.close()
    assert result.message is not None

    # beta is back first: the recording's step names its department (in its URL), which
    # opens the call's request; alpha's steps, replayed next, join it.
    beta_back = await instance(aiohttp_client, settings, departments, "beta", down=False)
    await replayed(beta_back)
    alpha_back = await instance(aiohttp_client, settings, departments, "alpha", down=False)
    await replayed(alpha_back)

    [request] = await rows(settings, Request)
    assert request.call_sid == result.call_sid
    assert request.outcome == "voicemail"
    assert request.recording_url is not None
    assert refused_files(settings) == []


async def test_a_step_of_a_call_still_unknown_after_an_hour_is_set_aside(
    aiohttp_client: Any, settings: Settings, departments: Departments
) -> None:
    back = await instance(aiohttp_client, settings, departments, "alpha", down=False)
    now = back.app[CLOCK]()
    orphan = Entry(
        path=RECORDING_STATUS,
        query={},
        form={"CallSid": "CA" + "7" * 32, "RecordingSid": "RE" + "7" * 32,
              "RecordingStatus": "completed", "AccountSid": settings.twilio_account_sid},
        at=now - KEEP_UNKNOWN_CALL,
        key="orphan",
        answer="",
        instance="alpha",
    )  # fmt: skip
    journal = back.app[JOURNAL]

    await journal.append(orphan)
    kept = await replay(back.app)
    await journal.append(replace(orphan, key="older", kept_since=now - KEEP_UNKNOWN_CALL))
    given_up = await replay(back.app)

    assert (kept.kept, kept.refused) == (1, 0)
    assert (given_up.kept, given_up.refused) == (1, 1)  # the first waits on, the older goes
    assert [path.name for path in refused_files(settings)] == ["alpha.refused"]
    assert journal.waiting == 1
