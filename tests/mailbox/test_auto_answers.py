"""One automatic answer per sender and day, on a real Dovecot: an autoresponder that answers
every mail it gets, without any automatic header (as the tester's did), gets one
acknowledgement, not a loop; the limit holds across instances and restarts, and covers the
notice of a mail that could not be read."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from frontdoor.mailbox.intake import Intake, Notice
from frontdoor.standins.smtp import SmtpRecorder
from tests.mailbox.delivered import deliver, mail, poll, requests, with_attachment

GP = "dr.roux@chu-toulouse.fr"


def out_of_office(number: int) -> bytes:
    """What the GP's autoresponder sends back to anything: a person's mail, to all headers."""
    return mail(1000 + number, subject="Absence du Dr Roux jusqu'au 20 mars")


async def exchange(intake: Intake, smtp: SmtpRecorder, *, rounds: int) -> int:
    """Let the autoresponder answer each of our mails to it, `rounds` times over; how many
    of our mails it got."""
    answered = 0
    for _ in range(rounds):
        ours = [m for m in smtp.mails if m.rcpt_tos == [GP]]
        new = ours[answered:]
        for _ in new:
            await deliver(intake.department, out_of_office(answered))
            answered += 1
        await poll(intake)
    return len([m for m in smtp.mails if m.rcpt_tos == [GP]])


async def test_an_autoresponder_without_automatic_headers_gets_one_acknowledgement_a_day(
    make_intake: tuple[Intake, list[Notice]], engine: AsyncEngine, smtp_mtls: SmtpRecorder
) -> None:
    intake, _ = make_intake
    await deliver(intake.department, mail(1))
    await poll(intake)

    assert await exchange(intake, smtp_mtls, rounds=5) == 1
    assert len(await requests(engine)) == 2  # the mail, and the one out-of-office answer

    # Next day, another instance (a restart, or the other one behind the proxy) takes the
    # GP's new mail: acknowledged again, once, and the exchange stops there again.
    other = replace(intake, instance="frontdoor-b")
    other.clock.now += timedelta(hours=25)  # type: ignore[attr-defined]
    await deliver(intake.department, mail(2, subject="Autre patient"))
    assert (await poll(other)).endswith("1 acknowledged")
    assert await exchange(intake, smtp_mtls, rounds=5) == 2


async def test_several_mails_of_one_sender_in_a_poll_get_one_answer(
    make_intake: tuple[Intake, list[Notice]], engine: AsyncEngine, smtp_mtls: SmtpRecorder
) -> None:
    intake, _ = make_intake
    await deliver(intake.department, *(mail(n, subject=f"Patient {n}") for n in range(3)))

    assert await poll(intake) == "3 taken, 0 already taken, 0 parked, 1 acknowledged"
    assert len(await requests(engine)) == 3
    [acknowledgement] = smtp_mtls.mails
    assert acknowledgement.rcpt_tos == [GP]


async def test_a_sender_acknowledged_today_is_not_told_again_of_a_mail_too_large(
    make_intake: tuple[Intake, list[Notice]], engine: AsyncEngine, smtp_mtls: SmtpRecorder
) -> None:
    intake, _ = make_intake
    await deliver(intake.department, mail(1))
    await poll(intake)
    intake.clock.now += timedelta(hours=2)  # type: ignore[attr-defined]
    await deliver(intake.department, with_attachment(300_000))

    assert await poll(intake) == "0 taken, 0 already taken, 1 parked, 0 acknowledged"
    assert len(smtp_mtls.mails) == 1


async def test_a_mail_too_large_from_an_automatic_sender_gets_no_notice(
    make_intake: tuple[Intake, list[Notice]], engine: AsyncEngine, smtp_mtls: SmtpRecorder
) -> None:
    intake, _ = make_intake
    big = with_attachment(300_000).replace(
        b"From: Dr Roux <dr.roux@chu-toulouse.fr>", b"From: <ne-pas-repondre@ars.sante.fr>"
    )
    await deliver(intake.department, big)

    assert await poll(intake) == "0 taken, 0 already taken, 1 parked, 0 acknowledged"
    assert smtp_mtls.mails == []
    [request] = await requests(engine)
    assert request.callback_needed  # someone still looks at it
