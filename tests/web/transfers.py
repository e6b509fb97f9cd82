"""Shared by the transfer tests: a phone whose calls follow Twilio's REST redirections, and
a referent who asks for a transfer from the console while she has the caller."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime

from aiohttp.test_utils import TestClient

from frontdoor.phone import Answer, ScriptedPerson, TestClientTransport, TwilioPhone
from frontdoor.phone_twiml import Said
from frontdoor.standins.twilio_api import FakeTwilioApi
from tests.conftest import AUTH_TOKEN, PUBLIC_URL


def redirectable_phone(client: TestClient, twilio_api: FakeTwilioApi, at: datetime) -> TwilioPhone:
    """A phone whose calls move when Frontdoor redirects them through Twilio's REST API."""
    return TwilioPhone(
        TestClientTransport(client),
        public_url=PUBLIC_URL,
        auth_token=AUTH_TOKEN,
        simulated_at=at,
        redirections=twilio_api,
    )


class TransferringPerson(ScriptedPerson):
    """A scripted call where, once put through to `number`, something is done (a transfer
    asked from the console), and the referents then answer as `then_referents` says."""

    def __init__(
        self,
        keys: Sequence[str | Said | None],
        *,
        referents: Mapping[str, Answer],
        when_connected_to: str,
        do: Callable[[], Awaitable[None]],
        then_referents: Mapping[str, Answer],
        message: str | None = None,
    ) -> None:
        super().__init__(keys, referents=referents, message=message)
        self._when, self._do, self._then = when_connected_to, do, dict(then_referents)
        self._done = False

    async def connected(self, number: str) -> None:
        await super().connected(number)
        if number == self._when and not self._done:
            self._done = True
            self.referents.update(self._then)
            await self._do()
