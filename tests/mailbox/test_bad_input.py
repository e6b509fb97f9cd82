"""Mails that cannot be read, on a real Dovecot: each is parked (never lost, never read
again), logged in one line without its content, its sender still gets a request saying the
content could not be read, and the rest of the batch goes on."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from frontdoor.core.mailbox import QUARANTINE_FOLDER
from frontdoor.mailbox.imap import PARKED, ImapMailbox
from frontdoor.mailbox.intake import Intake, Notice
from frontdoor.mailbox.job import imap_session
from frontdoor.mailbox.parts import MAX_ATTACHMENTS
from frontdoor.standins.smtp import SmtpRecorder
from frontdoor.store.db import session_maker
from frontdoor.store.models import CallbackTaskRow, Message
from tests.mailbox.delivered import (
    HEAD,
    WRONG_CHARSET,
    deliver,
    mail,
    poll,
    requests,
    with_attachment,
    with_parts,
)

BROKEN_MIME = HEAD % b"mime" + (
    b'Content-Type: multipart/mixed; boundary="zz"\r\n\r\nno boundary ever starts\r\n'
)
UNKNOWN_CHARSET = HEAD % b"klingon" + (
    b"Content-Type: text/plain; charset=x-klingon\r\n\r\nSecret\r\n"
)
NO_SENDER = b"Subject: Secret Mme Y\r\nMessage-ID: <anon@x>\r\n\r\nhello\r\n"
EMPTY_SENDER = b"From: <>\r\nSubject: Secret Mme Y\r\nMessage-ID: <empty@x>\r\n\r\nhello\r\n"


async def quarantined(intake: Intake) -> int:
    mailbox = intake.department.mailbox
    assert mailbox is not None
    async with imap_session(intake.department, mailbox) as box:
        assert await box.new_messages() == []
        status = await box.client.status(f'"{QUARANTINE_FOLDER}"', "(MESSAGES)")
        return int(bytes(status.lines[0]).split(b"MESSAGES ")[1].split(b")")[0])


async def stored_messages(engine: AsyncEngine) -> list[Message]:
    async with session_maker(engine)() as session:
        return list((await session.exec(select(Message).order_by(col(Message.id)))).all())


async def test_unreadable_mails_are_parked_and_their_senders_get_a_request(
    make_intake: tuple[Intake, list[Notice]],
    engine: AsyncEngine,
    smtp_mtls: SmtpRecorder,
    caplog: pytest.LogCaptureFixture,
) -> None:
    intake, notices = make_intake
    await deliver(
        intake.department, BROKEN_MIME, WRONG_CHARSET, NO_SENDER, UNKNOWN_CHARSET,
        EMPTY_SENDER, with_attachment(300_000), mail(7, sender="ide.lac@gmail.com"),
    )  # fmt: skip
    caplog.set_level("INFO")

    assert (
        await poll(intake)
        == "1 taken, 0 already taken, 6 parked, 1 acknowledged, 1 told unreadable"
    )

    # Four have a sender: four requests that say why their content is missing, each to be
    # called back, none acknowledged. The two without one are only parked.
    stored = [m for m in await stored_messages(engine) if m.direction == "in"]
    unreadable = {
        m.provider_id: m.body or "" for m in stored if m.provider_id != "<m7@chu-toulouse.fr>"
    }
    first, *others = (unreadable[i] for i in ("<mime@x>", "<latin@x>", "<klingon@x>", "<big@x>"))
    assert sorted(unreadable) == ["<big@x>", "<klingon@x>", "<latin@x>", "<mime@x>"]
    assert all("n'a pas pu être lu" in body for body in unreadable.values())
    assert "structure MIME invalide" in unreadable["<mime@x>"]
    assert "texte illisible" in unreadable["<latin@x>"]
    assert "jeu de caractères inconnu" in unreadable["<klingon@x>"]
    assert "trop volumineux" in unreadable["<big@x>"]
    assert f"« {QUARANTINE_FOLDER} »" in unreadable["<mime@x>"]
    assert all("démé" not in body for body in unreadable.values())
    # Their sender is told once (one automatic answer a day), of the first one.
    assert "l'expéditeur en a été prévenu" in first
    assert all("demander à l'expéditeur de le renvoyer" in body for body in others)
    taken = await requests(engine)
    assert len(taken) == 5
    assert sum(r.callback_needed for r in taken) == 4
    assert {r.contact_address for r in taken if r.callback_needed} == {"dr.roux@chu-toulouse.fr"}
    async with session_maker(engine)() as session:
        assert len((await session.exec(select(CallbackTaskRow))).all()) == 4
    told, acknowledged = sorted(smtp_mtls.mails, key=lambda m: m.rcpt_tos)
    assert told.rcpt_tos == ["dr.roux@chu-toulouse.fr"]
    assert "Message non lu : Secret Mme Y" in told.message["Subject"]
    assert "structure MIME invalide" in told.message.get_content()
    assert acknowledged.rcpt_tos == ["ide.lac@gmail.com"]
    assert len(notices) == 5  # the referents on duty hear of each new request

    # One line per parked mail, with why and no personal data.
    parked = [r.getMessage() for r in caplog.records if "parked" in r.getMessage()]
    assert len(parked) == 6
    for code in ("malformed-mime", "undecodable-text", "unknown-charset", "no-sender",
                 "too-large"):  # fmt: skip
        assert any(code in line for line in parked), code
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("frontdoor"))
    for personal in ("Secret", "roux", "Mme Y", "<mime@x>", "mime@x"):
        assert personal not in logged

    # All six kept in the parking folder, never read again.
    assert await quarantined(intake) == 6
    assert await poll(intake) == "0 taken, 0 already taken, 0 parked, 0 acknowledged"


async def test_a_mail_over_the_limit_is_parked_from_its_header_without_its_body(
    make_intake: tuple[Intake, list[Notice]], engine: AsyncEngine, smtp_mtls: SmtpRecorder
) -> None:
    intake, _ = make_intake  # limit: 200 kB
    await deliver(intake.department, with_attachment(50_000_000), mail(2, sender="x@chu.fr"))
    held: list[int] = []

    async def observed_poll() -> str:
        mailbox = intake.department.mailbox
        assert mailbox is not None
        async with imap_session(intake.department, mailbox) as box:
            fetch = box.fetch

            async def fetch_and_measure(uids: list[str], **kw: int | None) -> dict[str, bytes]:
                got = await fetch(uids, **kw)  # type: ignore[arg-type]
                held.extend(len(raw) for raw in got.values())
                return got

            box.fetch = fetch_and_measure  # type: ignore[method-assign]
            return str(await intake.poll(box))

    assert (
        await observed_poll()
        == "1 taken, 0 already taken, 1 parked, 1 acknowledged, 1 told unreadable"
    )
    assert max(held) < intake.max_bytes  # the 50 MB body never came over the wire
    [big, _] = await requests(engine)
    kept = [m for m in await stored_messages(engine) if m.request_id == big.id]
    [note] = [m.body for m in kept if m.direction == "in"]
    assert note is not None
    # Its size on the server (base64 and line ends included) and the limit.
    assert "trop volumineux : 68,4 Mo, la limite est de 0,2 Mo" in note
    assert await quarantined(intake) == 1
    # Its sender reads, in French, what happened and what to do.
    [told] = [m for m in smtp_mtls.mails if m.rcpt_tos == ["dr.roux@chu-toulouse.fr"]]
    text = told.message.get_content()
    assert "trop volumineux pour être lu : 68,4 Mo, alors que la limite est de 0,2 Mo" in text
    assert "Un référent vous rappellera ou vous répondra" in text
    assert "plusieurs messages plus légers, ou par un autre moyen" in text
    assert f"[DAC46-{big.id}]" in told.message["Subject"]
    assert [m.kind for m in kept if m.direction == "out"] == ["unreadable-notice"]


async def test_a_mail_of_too_many_parts_is_parked_its_sender_told_and_no_file_written(
    make_intake: tuple[Intake, list[Notice]],
    engine: AsyncEngine,
    smtp_mtls: SmtpRecorder,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """5,000 parts of 29 bytes (145 kB: within any size limit), or 51 attachments: each is
    one request to call back, its sender told in French why and how many attachments a mail
    may carry, and not one file written. 50 attachments are a mail like any other."""
    intake, _ = make_intake
    await deliver(
        intake.department,
        with_parts(5000, message_id=b"tiny"),
        with_parts(MAX_ATTACHMENTS + 1, message_id=b"many").replace(b"dr.roux", b"dr.lac"),
        with_parts(MAX_ATTACHMENTS, message_id=b"fifty").replace(b"dr.roux", b"dr.sol"),
    )
    caplog.set_level("INFO")

    assert (
        await poll(intake)
        == "1 taken, 0 already taken, 2 parked, 1 acknowledged, 2 told unreadable"
    )

    tiny, many, fifty = await requests(engine)
    assert (tiny.callback_needed, many.callback_needed) == (True, True)
    why = "trop de pièces jointes ou de parties : 50 pièces jointes au plus par message"
    for request in (tiny, many):
        [note] = [
            m.body
            for m in await stored_messages(engine)
            if m.request_id == request.id and m.direction == "in"
        ]
        assert f"n'a pas pu être lu ({why})" in (note or "")
    told = sorted(
        (m for m in smtp_mtls.mails if "Message non lu" in m.message["Subject"]),
        key=lambda m: m.rcpt_tos,
    )
    assert [m.rcpt_tos for m in told] == [["dr.lac@chu-toulouse.fr"], ["dr.roux@chu-toulouse.fr"]]
    for notice in told:
        assert f"son contenu n'a pas pu être lu ({why})" in notice.message.get_content()
    # The 50 attachments of the third, and no file of the other two.
    files = [path for path in (tmp_path / "attachments").rglob("*") if path.is_file()]
    assert len(files) == MAX_ATTACHMENTS
    assert {path.parent.name for path in files} == {str(fifty.id)}
    parked = [r.getMessage() for r in caplog.records if "parked" in r.getMessage()]
    assert sorted(line.split("parked (")[1].split(",")[0] for line in parked) == [
        "too-many-parts: more than 50 attachments",
        "too-many-parts: more than 500 parts",
    ]

    # Both in the parking folder, never read again.
    assert await quarantined(intake) == 2
    assert await poll(intake) == "0 taken, 0 already taken, 0 parked, 0 acknowledged"


async def test_parked_by_flag_the_mail_stays_where_it_is_and_is_not_read_again(
    make_intake: tuple[Intake, list[Notice]], engine: AsyncEngine
) -> None:
    intake, _ = make_intake
    mailbox = intake.department.mailbox
    assert mailbox is not None
    intake.department = replace(intake.department, mailbox=replace(mailbox, parked="flag"))
    await deliver(intake.department, BROKEN_MIME, mail(2, sender="x@chu.fr"))

    assert (
        await poll(intake)
        == "1 taken, 0 already taken, 1 parked, 1 acknowledged, 1 told unreadable"
    )
    assert await poll(intake) == "0 taken, 0 already taken, 0 parked, 0 acknowledged"
    async with imap_session(intake.department, intake.department.mailbox) as box:  # type: ignore[arg-type]
        flagged = await box.client.uid_search(f"KEYWORD {PARKED}", charset=None)
        assert flagged.lines[0].split()[-1:] == [b"1"]
    [request, _] = await requests(engine)
    [note] = [
        m.body
        for m in await stored_messages(engine)
        if m.request_id == request.id and m.direction == "in"
    ]
    assert note is not None
    assert "$FrontdoorParked" in note


async def test_a_parked_mail_read_again_after_a_crash_gives_no_second_request(
    make_intake: tuple[Intake, list[Notice]], engine: AsyncEngine
) -> None:
    intake, _ = make_intake
    await deliver(intake.department, BROKEN_MIME)

    class Killed(Exception):
        pass

    def crash(at: str) -> None:
        if at == "committed":
            raise Killed

    intake.checkpoint = crash
    with pytest.raises(Killed):
        await poll(intake)
    intake.checkpoint = lambda at: None
    assert await poll(intake) == "0 taken, 1 already taken, 1 parked, 0 acknowledged"
    assert len(await requests(engine)) == 1
    assert await quarantined(intake) == 1


__all__ = ["ImapMailbox"]
