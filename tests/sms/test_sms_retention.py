"""Message bodies are personal data: the retention purge clears them, and keeps the rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aiohttp.test_utils import TestClient
from sqlmodel import col, select

from frontdoor.core.retention import pseudonym
from frontdoor.jobs.base import JobContext
from frontdoor.jobs.retention import purge_expired
from frontdoor.kit.runtime import JOB_RUNTIME
from frontdoor.settings import Settings
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import Message, Request, SmsOptOut
from frontdoor.store.sms import is_opted_out


async def test_expired_requests_lose_their_message_bodies_not_their_messages(
    client: TestClient, settings: Settings
) -> None:
    now = datetime(2027, 6, 1, 3, 0, tzinfo=UTC)
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        old = Request(
            department="dac46", channel="sms", caller_number="+33611223344",
            received_at=now - timedelta(days=800),
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

    await purge_expired(JobContext(runtime=client.app[JOB_RUNTIME], slot=now))

    async with session_maker(engine)() as session:
        rows = (await session.exec(select(Message).order_by(col(Message.id)))).all()
    await engine.dispose()
    assert [(m.provider_id, m.body, m.segments) for m in rows] == [
        ("SM" + "1" * 32, None, 1),
        ("SM" + "2" * 32, "Rappelez-moi pour Mme X", 1),
    ]


async def test_a_stop_kept_with_the_number_itself_is_kept_as_its_pseudonym_after_the_purge(
    client: TestClient, settings: Settings
) -> None:
    now = datetime(2027, 6, 1, 3, 0, tzinfo=UTC)
    key = settings.pseudonym_secret
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        # As versions before pseudonymised opt-outs kept it.
        session.add(SmsOptOut(department="dac46", number="+33611223344", opted_out_at=now))
        await session.commit()

    await purge_expired(JobContext(runtime=client.app[JOB_RUNTIME], slot=now))

    async with session_maker(engine)() as session:
        [row] = (await session.exec(select(SmsOptOut))).all()
        still = await is_opted_out(
            session=session, department="dac46", number="+33611223344", key=key
        )
    await engine.dispose()
    assert row.number == pseudonym("+33611223344", key)
    assert still  # never texted again
