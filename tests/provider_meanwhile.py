"""What the store sees happen while the service waits for Twilio to delete a recording: the
service deletes there outside any transaction, then reads what is held again before it
records the deletion; these tests change the store in between."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from frontdoor.outbound.twilio_api import TwilioApi
from frontdoor.settings import Settings
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import Request
from tests.elsewhere import changed_elsewhere


def while_twilio_deletes(
    monkeypatch: pytest.MonkeyPatch, meanwhile: Callable[[str], Awaitable[None]]
) -> None:
    """`meanwhile(recording_url)` runs each time the service asks Twilio to delete a
    recording, before Twilio is asked."""
    deleting = TwilioApi.delete_recording

    async def delete_recording(self: TwilioApi, recording: str) -> None:
        await meanwhile(recording)
        await deleting(self, recording)

    monkeypatch.setattr(TwilioApi, "delete_recording", delete_recording)


async def written(settings: Settings, *requests: Request) -> list[int]:
    """The requests written and committed; their ids."""
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        session.add_all(requests)
        await session.commit()
        ids = [request.id or 0 for request in requests]
    await engine.dispose()
    return ids


async def request_changed(settings: Settings, request_id: int, **columns: str | None) -> None:
    """The request's columns written and committed, as another task of the service would."""
    await changed_elsewhere(settings, lambda session: session.get(Request, request_id), **columns)


def twilio_recording(settings: Settings, sid: str) -> str:
    """A recording's URL, as Twilio gives it."""
    account = settings.twilio_account_sid
    return f"https://api.twilio.com/2010-04-01/Accounts/{account}/Recordings/{sid}"
