"""SMS sent to the service as Twilio posts them, and what it answered, stored and told referents."""

from __future__ import annotations

import asyncio
import secrets
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from aiohttp.test_utils import TestClient
from sqlmodel import col, select

from frontdoor.directory.importers.plain_csv import parse_plain_csv
from frontdoor.directory.store import upsert_resources
from frontdoor.phone import TestClientTransport, TwilioPhone
from frontdoor.phone_twiml import Response
from frontdoor.settings import Settings
from frontdoor.standins.twilio_api import FakeTwilioApi
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import (
    Message,
    RequestEvent,
    SmsOptOut,
)
from tests.conftest import AUTH_TOKEN, PUBLIC_URL, ROOT
from tests.waiting import eventually
from tests.web.calls import LOT, NURSE, PARIS, stored

FRIDAY_EVENING = datetime(2026, 5, 15, 19, 5, tzinfo=PARIS)


def new_sid() -> str:
    return "SM" + secrets.token_hex(16)


async def send(
    client: TestClient, body: str, *, at: datetime, sid: str | None = None, from_: str = NURSE
) -> Response:
    """The signed webhook Twilio posts when an SMS reaches the department's number."""
    phone = TwilioPhone(TestClientTransport(client), public_url=PUBLIC_URL, auth_token=AUTH_TOKEN)
    form = {
        "MessageSid": sid or new_sid(),
        "SmsSid": sid or "",
        "AccountSid": "AC" + "0" * 32,
        "From": from_,
        "To": LOT,
        "Body": body,
        "NumMedia": "0",
        "NumSegments": "1",
        "SimulatedAt": at.isoformat(),
    }
    return await phone.post("/twilio/sms", form)


def replied(response: Response) -> list[str]:
    assert response.status == 200, response.text
    root = ET.fromstring(response.text)
    assert root.tag == "Response"
    return [element.text or "" for element in root.iter("Message")]


async def messages(settings: Settings) -> list[Message]:
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        rows = (await session.exec(select(Message).order_by(col(Message.id)))).all()
    await engine.dispose()
    return list(rows)


async def opt_outs(settings: Settings) -> list[tuple[str, str]]:
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        rows = (await session.exec(select(SmsOptOut))).all()
    await engine.dispose()
    return [(row.department, row.number) for row in rows]


async def sent(twilio_api: FakeTwilioApi, count: int) -> list[dict[str, str]]:
    """The SMS the fake Twilio API received, once `count` have come (notices follow the answer)."""
    await eventually(lambda: len(twilio_api.messages) >= count)
    await asyncio.sleep(0.05)  # and no more than that
    return twilio_api.messages


async def notified(settings: Settings, count: int = 1) -> list[RequestEvent]:
    """The events, once `count` notices of the referents are recorded (after the answer)."""

    async def enough() -> bool:
        _, events = await stored(settings)
        return sum(e.kind == "sms-notified" for e in events) >= count

    await eventually(enough)
    _, events = await stored(settings)
    return events


async def load_lot_directory(settings: Settings) -> None:
    """The Lot's example directory in the test's database."""
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        resources, _ = parse_plain_csv((ROOT / "directory" / "dac46.csv").read_bytes())
        await upsert_resources(session=session, resources=resources, now=datetime.now(UTC))
        await session.commit()
    await engine.dispose()
