"""Mails as Thunderbird, Outlook, Apple Mail, a hospital's MSSanté webmail and others shape
them are taken in whatever their MIME structure: the text found, every attachment kept with
its name, type, size and bytes — text and HTML files included; on a real Dovecot, each mail
a request with its files in the attachment store."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from frontdoor.core.attachments import ATTACHMENTS_EVENT
from frontdoor.mailbox.intake import Intake, Notice
from frontdoor.mailbox.parse import parse, read_mail
from frontdoor.store.db import session_maker
from frontdoor.store.models import RequestEvent
from tests.mailbox.delivered import deliver, poll, requests
from tests.mailbox.mail_clients import (
    CLIENT_MAILS,
    REPORT_PAGE,
    ClientMail,
    mssante_webmail,
    nested,
    outlook,
    thunderbird,
)


@pytest.mark.parametrize("mail", CLIENT_MAILS, ids=[mail.id for mail in CLIENT_MAILS])
def test_a_mail_as_its_client_shaped_it_is_read_whole(mail: ClientMail) -> None:
    parsed = parse(mail.raw, max_bytes=1_000_000)

    for wanted in mail.text:
        assert wanted in parsed.text
    for unwanted in mail.not_text:
        assert unwanted not in parsed.text
    assert not mail.text or parsed.text.strip()
    assert [(a.filename, a.content_type) for a in parsed.attachments] == [
        (e.name, e.content_type) for e in mail.attachments
    ]
    for attachment, expected in zip(parsed.attachments, mail.attachments, strict=True):
        assert attachment.size == len(attachment.data) > 0
        if expected.data is not None:
            assert attachment.data == expected.data


@pytest.mark.parametrize("mail", CLIENT_MAILS, ids=[mail.id for mail in CLIENT_MAILS])
def test_none_of_them_is_parked(mail: ClientMail) -> None:
    reading = read_mail(mail.raw, size=len(mail.raw), max_bytes=1_000_000)
    assert (reading.unreadable, reading.detail) == (None, None)


async def attachments_recorded(engine: AsyncEngine) -> list[dict[str, Any]]:
    """Every attachment recorded under a request: what the request page lists."""
    async with session_maker(engine)() as session:
        events = await session.exec(
            select(RequestEvent)
            .where(RequestEvent.kind == ATTACHMENTS_EVENT)
            .order_by(col(RequestEvent.id))
        )
        return [reason for event in events.all() for reason in event.reasons]


async def test_text_and_html_files_reach_their_request_through_a_real_mailbox(
    make_intake: tuple[Intake, list[Notice]], engine: AsyncEngine
) -> None:
    """Thunderbird's HTML report and text notes, Outlook's .htm and .txt without charset,
    a webmail's text file named in RFC 2231 pieces: delivered into Dovecot, polled."""
    intake, _ = make_intake
    mails = [thunderbird(), outlook(), mssante_webmail()]
    await deliver(intake.department, *(mail.raw for mail in mails))

    assert (await poll(intake)).startswith("3 taken, 0 already taken, 0 parked")

    assert len(await requests(engine)) == 3
    recorded = await attachments_recorded(engine)
    expected = [attachment for mail in mails for attachment in mail.attachments]
    assert [(r["name"], r["size"]) for r in recorded] == [
        (e.name, len(e.data or b"")) for e in expected
    ]
    assert intake.attachments is not None
    assert [intake.attachments.read(r["key"]) for r in recorded] == [e.data for e in expected]
    html = [r for r in recorded if (r["name"] or "").endswith((".html", ".htm"))]
    assert [r["text"] for r in html] == [f"text/html, {len(REPORT_PAGE)} octets"] * 2


async def test_a_mail_nested_too_deep_is_parked_logged_with_why_and_its_sender_kept(
    make_intake: tuple[Intake, list[Notice]],
    engine: AsyncEngine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    intake, _ = make_intake
    await deliver(intake.department, nested(100), thunderbird().raw)
    caplog.set_level("INFO")

    assert (await poll(intake)).startswith("1 taken, 0 already taken, 1 parked")

    # Its sender still gets a request (to be called back), beside the one of the mail read.
    taken = await requests(engine)
    assert [(r.contact_address, r.callback_needed) for r in taken] == [
        ("dr.roux@chu-toulouse.fr", True),
        ("dr.roux@chu-toulouse.fr", False),
    ]
    [parked] = [r.getMessage() for r in caplog.records if "parked" in r.getMessage()]
    assert "(malformed-mime: too deep," in parked
    assert all(personal not in parked for personal in ("deep@x", "roux"))
