"""Message bodies are personal data: the retention purge clears them, and keeps the rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aiohttp.test_utils import TestClient
from sqlmodel import col, select

from frontdoor.jobs.base import JobContext
from frontdoor.jobs.retention import purge_expired
from frontdoor.settings import Settings
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import Message, Request


async def test_expired_requests_lose_their_message_bodies_not_their_messages(
    client: TestClient, settings: Settings
) -> None:
    now = datetime(2027, 6, 1, 3, 0, tzinfo=UTC)
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        old = Request(
            department="dac46", channel="sms", caller_number="+33611223344",
            received_at=now - timedelta(days=400),
        )  # fmt: skip
        recent = Request(
            department="dac46", channel="sms", caller_number="+33611223355",
            received_at=now - timedelta(days=10),
        )  # fmt: skip
        session.add_all([old, recent])
        await session.flush()
        for request, sid in ((old, "SM" + "1" * 32), (recent, "SM" + "2" * 32)):
            session.add(
                Message(
                    request_id=request.id or 0,
                    department=request.department,
                    channel="sms",
                    direction="in",
                    provider_id=sid,
                    at=request.received_at,
                    body="Rappelez-moi pour Mme X",
                    segments=1,
                )  # fmt: skip
            )
        await session.commit()

    await purge_expired(JobContext(app=client.app, slot=now))

    async with session_maker(engine)() as session:
        rows = (await session.exec(select(Message).order_by(col(Message.id)))).all()
    await engine.dispose()
    assert [(m.provider_id, m.body, m.segments) for m in rows] == [
        ("SM" + "1" * 32, None, 1),
        ("SM" + "2" * 32, "Rappelez-moi pour Mme X", 1),
    ]
