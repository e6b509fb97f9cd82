"""Shared by the web tests: the example departments' numbers, a Twilio phone, the store."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from aiohttp.test_utils import TestClient
from sqlalchemy import text
from sqlmodel import SQLModel, col, select

from frontdoor.phone import ScriptedPerson, TestClientTransport, TwilioPhone
from frontdoor.phone_twiml import CallResult
from frontdoor.settings import Settings
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import Request, RequestEvent
from tests.conftest import AUTH_TOKEN, PUBLIC_URL

PARIS = ZoneInfo("Europe/Paris")
LOT = "+33536490046"
MOSELLE = "+33353010057"
NURSE = "+33611223344"
AMARTIN, BLEROY, CDURAND, COORDINATION = (
    "+33612000001", "+33612000002", "+33612000003", "+33612000009",
)  # fmt: skip
DWEBER, ESCHMITT = "+33612000057", "+33612000058"

# A Tuesday morning in May: the Lot is open, amartin then bleroy are on duty.
TUESDAY_MORNING = datetime(2026, 5, 12, 10, 0, tzinfo=PARIS)


def phone(client: TestClient, at: datetime | None) -> TwilioPhone:
    return TwilioPhone(
        TestClientTransport(client), public_url=PUBLIC_URL, auth_token=AUTH_TOKEN, simulated_at=at
    )


async def place_call(
    client: TestClient, *, at: datetime, to: str, person: ScriptedPerson, from_: str = NURSE
) -> CallResult:
    return await phone(client, at).call(from_=from_, to=to, person=person)


async def stored(settings: Settings) -> tuple[list[Request], list[RequestEvent]]:
    engine = create_engine(settings.database_url)
    try:
        async with session_maker(engine)() as session:
            requests = (await session.exec(select(Request).order_by(col(Request.id)))).all()
            events = (await session.exec(select(RequestEvent).order_by(col(RequestEvent.id)))).all()
            return list(requests), list(events)
    finally:
        await engine.dispose()


async def dump(settings: Settings) -> dict[str, list[str]]:
    """Every row of every table, as text: what a refused request must leave as it was."""
    engine = create_engine(settings.database_url)
    rows: dict[str, list[str]] = {}
    try:
        async with engine.connect() as connection:
            for table in SQLModel.metadata.sorted_tables:
                result = await connection.execute(text(f"SELECT * FROM {table.name}"))
                rows[table.name] = sorted(repr(tuple(row)) for row in result)
    finally:
        await engine.dispose()
    return rows


def said(result: CallResult, leg: str = "caller") -> str:
    return " ".join(
        line.text for line in result.transcript if line.leg == leg and line.kind == "say"
    )


def rung(result: CallResult) -> list[str]:
    """The legs the call rang, in order."""
    return [line.leg for line in result.transcript if line.kind == "ring"]


def reason_codes(events: Sequence[RequestEvent]) -> list[str]:
    return [reason["code"] for event in events for reason in event.reasons]
