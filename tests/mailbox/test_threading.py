"""Which request a mail joins, on a real Dovecot: a "[DAC46-n]" in a subject, or an
In-Reply-To or References naming one of request n's mails, files a mail under request n only
when its sender is part of that request's conversation; anyone else's opens a request of its
own, linked both ways. A number is easy to guess and a Message-ID travels with every
forwarded mail: neither proves who writes. Another department's requests never thread."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from frontdoor.core.department import Department
from frontdoor.mailbox.intake import Intake, Notice
from frontdoor.standins.smtp import SmtpRecorder
from frontdoor.store.db import session_maker
from frontdoor.store.models import Message, Request, RequestEvent
from tests.mailbox.conftest import IntakeFor
from tests.mailbox.delivered import deliver, mail, poll, requests

AT = datetime.fromisoformat("2026-03-10T09:00:00+01:00")


async def stored_request(engine: AsyncEngine, **fields: object) -> Request:
    async with session_maker(engine)() as session:
        request = Request(received_at=AT, **fields)  # type: ignore[arg-type]
        session.add(request)
        await session.commit()
        return request


async def events(engine: AsyncEngine, request_id: int | None, kind: str) -> list[RequestEvent]:
    async with session_maker(engine)() as session:
        result = await session.exec(
            select(RequestEvent)
            .where(RequestEvent.request_id == request_id, RequestEvent.kind == kind)
            .order_by(col(RequestEvent.id))
        )
        return list(result.all())


async def request_of(engine: AsyncEngine, message_id: str) -> int:
    async with session_maker(engine)() as session:
        result = await session.exec(
            select(Message.request_id).where(Message.provider_id == message_id)
        )
        return result.one()


async def test_a_stranger_naming_a_request_opens_a_new_one_linked_to_it(
    make_intake: tuple[Intake, list[Notice]], engine: AsyncEngine, smtp_mtls: SmtpRecorder
) -> None:
    intake, _ = make_intake
    await deliver(intake.department, mail(1))
    await poll(intake)
    [gps] = await requests(engine)

    stranger = mail(2, sender="curieux@example.org", subject=f"Re: [DAC46-{gps.id}] Mme X")
    await deliver(intake.department, stranger)
    assert await poll(intake) == "1 taken, 0 already taken, 0 parked, 1 acknowledged"

    [_, new] = await requests(engine)
    assert await request_of(engine, "<m2@chu-toulouse.fr>") == new.id
    assert new.contact_address == "curieux@example.org"
    [here] = await events(engine, new.id, "mail-linked")
    [there] = await events(engine, gps.id, "mail-linked")
    assert here.detail == f"demande n° {gps.id}"
    assert there.detail == f"demande n° {new.id}"
    assert here.reasons[0]["request"] == gps.id
    assert there.reasons[0]["request"] == new.id
    assert "curieux" not in str(there.reasons)  # the cited request learns no address
    # The acknowledgement gives the stranger their own request's reference, not the GP's.
    assert f"[DAC46-{new.id}]" in smtp_mtls.mails[-1].message["Subject"]


async def wrote_to(engine: AsyncEngine, request: Request, address: str, message_id: str) -> None:
    """A mail the request sent to `address` (a referent writing to a third party)."""
    async with session_maker(engine)() as session:
        session.add(
            Message(request_id=request.id or 0, department=request.department, channel="mail",
                    direction="out", provider_id=message_id, address=address, at=AT,
                    body="Bonjour, pouvez-vous passer demain ?", author="amartin",
                    kind="answer", status="sent")
        )  # fmt: skip
        await session.commit()


async def test_whoever_is_part_of_the_conversation_may_answer_it_or_use_its_reference(
    make_intake: tuple[Intake, list[Notice]], engine: AsyncEngine
) -> None:
    intake, _ = make_intake
    await deliver(intake.department, mail(1))
    await poll(intake)
    [gps] = await requests(engine)
    # The request wrote to a nurse: she is part of its conversation.
    nurse = "ide.lac@gmail.com"
    await wrote_to(engine, gps, nurse, "<answer1@dac46.mssante.test>")
    await deliver(
        intake.department,
        mail(2, sender=nurse, subject="Re: Passage",
             extra="In-Reply-To: <answer1@dac46.mssante.test>\r\n"),
    )  # fmt: skip
    await poll(intake)

    await deliver(
        intake.department,
        mail(3, sender=nurse, subject=f"Pansements [DAC46-{gps.id}]"),
        mail(4, sender="DR.ROUX@chu-toulouse.fr", subject=f"Suite [DAC46-{gps.id}]"),
        mail(5, sender="DR.ROUX@chu-toulouse.fr", subject="Re: Sortie",
             extra="References: <m1@chu-toulouse.fr>\r\n"),
    )  # fmt: skip
    assert (await poll(intake)).startswith("3 taken")

    assert len(await requests(engine)) == 1
    for n in (2, 3, 4, 5):
        assert await request_of(engine, f"<m{n}@chu-toulouse.fr>") == gps.id
    assert await events(engine, gps.id, "mail-linked") == []


@pytest.mark.parametrize(
    "answering",
    [
        pytest.param("In-Reply-To: <m1@chu-toulouse.fr>\r\n", id="in-reply-to"),
        pytest.param("References: <x@y.fr> <m1@chu-toulouse.fr>\r\n", id="references"),
        pytest.param(
            "In-Reply-To: <x@y.fr>\r\nReferences: <m1@chu-toulouse.fr> <x@y.fr>\r\n",
            id="references-beyond-an-unknown-reply",
        ),
    ],
)
async def test_a_stranger_answering_a_forwarded_mail_opens_a_new_request_linked_to_it(
    make_intake: tuple[Intake, list[Notice]],
    engine: AsyncEngine,
    smtp_mtls: SmtpRecorder,
    answering: str,
) -> None:
    intake, _ = make_intake
    await deliver(intake.department, mail(1))
    await poll(intake)
    [gps] = await requests(engine)

    # The GP forwarded their mail; whoever got it answers it, its Message-ID in the headers.
    stranger = mail(2, sender="curieux@example.org", subject="Re: Sortie", extra=answering)
    await deliver(intake.department, stranger)
    assert await poll(intake) == "1 taken, 0 already taken, 0 parked, 1 acknowledged"

    [_, new] = await requests(engine)
    assert await request_of(engine, "<m2@chu-toulouse.fr>") == new.id
    assert new.contact_address == "curieux@example.org"
    [here] = await events(engine, new.id, "mail-linked")
    [there] = await events(engine, gps.id, "mail-linked")
    assert (here.detail, there.detail) == (f"demande n° {gps.id}", f"demande n° {new.id}")
    assert f"répond à un message de la demande n° {gps.id}" in here.reasons[0]["text"]
    assert "curieux" not in str(there.reasons)
    # The stranger learns their own request's reference; the GP's thread gets nothing.
    assert f"[DAC46-{new.id}]" in smtp_mtls.mails[-1].message["Subject"]
    assert smtp_mtls.mails[-1].rcpt_tos == ["curieux@example.org"]


async def test_a_leaked_acknowledgement_id_threads_nobody_but_its_recipient(
    make_intake: tuple[Intake, list[Notice]], engine: AsyncEngine, smtp_mtls: SmtpRecorder
) -> None:
    intake, _ = make_intake
    await deliver(intake.department, mail(1))
    await poll(intake)
    [gps] = await requests(engine)
    acknowledgement = smtp_mtls.mails[-1].message["Message-ID"]

    await deliver(
        intake.department,
        # A stranger who got the acknowledgement forwarded answers it, and names the request.
        mail(2, sender="curieux@example.org", subject=f"Re: [DAC46-{gps.id}]",
             extra=f"In-Reply-To: {acknowledgement}\r\n"),
        # In the same chunk, the stranger answers their own first mail: their request.
        mail(3, sender="curieux@example.org", subject="Re: Re:",
             extra="In-Reply-To: <m2@chu-toulouse.fr>\r\n"),
        # The GP answers the acknowledgement: theirs.
        mail(4, subject="Re: Accusé", extra=f"In-Reply-To: {acknowledgement}\r\n"),
    )  # fmt: skip
    assert (await poll(intake)).startswith("3 taken")

    [_, new] = await requests(engine)
    assert [await request_of(engine, f"<m{n}@chu-toulouse.fr>") for n in (2, 3, 4)] == [
        new.id,
        new.id,
        gps.id,
    ]
    # Linked once, though the stranger's mail pointed to the GP's request both ways.
    assert len(await events(engine, gps.id, "mail-linked")) == 1
    assert len(await events(engine, new.id, "mail-linked")) == 1


async def test_a_phone_request_named_in_a_subject_is_linked_not_joined(
    make_intake: tuple[Intake, list[Notice]], engine: AsyncEngine
) -> None:
    intake, _ = make_intake
    call = await stored_request(
        engine, department="dac46", channel="voice", caller_number="+33611223344"
    )
    await deliver(intake.department, mail(1, subject=f"À propos de [DAC46-{call.id}]"))

    assert (await poll(intake)).startswith("1 taken")

    [_, new] = await requests(engine)
    assert new.channel == "mail"
    assert await request_of(engine, "<m1@chu-toulouse.fr>") == new.id
    assert [e.detail for e in await events(engine, call.id, "mail-linked")] == [
        f"demande n° {new.id}"
    ]


async def test_another_departments_reference_never_threads_nor_links(
    mail_department: Department,
    intake_for: IntakeFor,
    engine: AsyncEngine,
) -> None:
    intake, _ = intake_for(mail_department)
    moselle = await stored_request(
        engine, department="dac57", channel="mail", contact_address="dr.roux@chu-toulouse.fr"
    )
    await wrote_to(engine, moselle, "dr.roux@chu-toulouse.fr", "<answer57@dac57.mssante.test>")
    await deliver(
        intake.department,
        # The Moselle's reference, by its sender, to the Lot's mailbox.
        mail(1, subject=f"Suite [DAC57-{moselle.id}]"),
        # The Lot's tag on the Moselle's request number.
        mail(2, subject=f"Suite [DAC46-{moselle.id}]"),
        # An answer to a mail the Moselle's request sent.
        mail(3, subject="Re: Suite", extra="In-Reply-To: <answer57@dac57.mssante.test>\r\n"),
    )

    assert (await poll(intake)).startswith("3 taken")

    lots = [r for r in await requests(engine) if r.department == "dac46"]
    assert len(lots) == 3
    assert {await request_of(engine, f"<m{n}@chu-toulouse.fr>") for n in (1, 2, 3)} == {
        r.id for r in lots
    }
    for request in (moselle, *lots):
        assert await events(engine, request.id, "mail-linked") == []
