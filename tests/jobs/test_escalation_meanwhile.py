"""The escalation of late callbacks does not hold the store while its alerts leave: a referent
can work the callback meanwhile, and what she did stands once the alert is recorded."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlmodel import select

from frontdoor.core.callbacks import CallbackOutcome, close_task
from frontdoor.jobs.base import JobContext
from frontdoor.jobs.callbacks import escalate_overdue
from frontdoor.kit.runtime import JOB_RUNTIME
from frontdoor.settings import Settings
from frontdoor.standins.smtp import SmtpRecorder
from frontdoor.store.models import CallbackTaskRow, RequestEvent
from frontdoor.store.tasks import as_task, copy_task
from tests.console.requests_made import a_moselle_voicemail
from tests.web.calls import PARIS

TUESDAY_EVENING = datetime(2026, 5, 12, 18, 0, tzinfo=PARIS)  # the voicemail's callback is late


async def test_a_callback_closed_while_its_alert_leaves_stays_closed(
    client: TestClient,
    wired_settings: Settings,
    smtp_server: SmtpRecorder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await a_moselle_voicemail(client, wired_settings)  # its coordination is told by mail
    runtime = client.app[JOB_RUNTIME]
    mail_server_reached, mail_server_answers = asyncio.Event(), asyncio.Event()
    send = runtime.mailer.send

    async def slow_mail_server(**mail: Any) -> str:
        mail_server_reached.set()
        await mail_server_answers.wait()
        return await send(**mail)

    monkeypatch.setattr(runtime.mailer, "send", slow_mail_server)
    job = asyncio.create_task(escalate_overdue(JobContext(runtime=runtime, slot=TUESDAY_EVENING)))
    await asyncio.wait_for(mail_server_reached.wait(), timeout=30)

    # While the mail server takes its time, the store is free (on SQLite, its only
    # connection): the referent closes the callback.
    async with runtime.sessions() as session:
        [row] = (await asyncio.wait_for(session.exec(select(CallbackTaskRow)), timeout=10)).all()
        closed = close_task(
            as_task(row), outcome=CallbackOutcome.REACHED, at=TUESDAY_EVENING, by="amartin"
        )
        copy_task(closed, row)
        session.add(row)
        await session.commit()
    mail_server_answers.set()
    detail = await asyncio.wait_for(job, timeout=30)

    async with runtime.sessions() as session:
        [row] = (await session.exec(select(CallbackTaskRow))).all()
        kinds = (await session.exec(select(RequestEvent.kind))).all()
    assert detail == "1 escalated, 0 not delivered"
    assert (row.status, row.outcome, row.closed_by) == ("done", "reached", "amartin")
    assert row.escalated_at is not None
    assert kinds.count("callback-escalated") == 1
    assert len(smtp_server.mails) == 1
