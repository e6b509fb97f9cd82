"""A region's departments share one database (deploy/README.md): what one department's mailbox
took in never stops another's from taking in the same mail, on a real Dovecot."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from frontdoor.core.department import Department
from frontdoor.standins.smtp import SmtpRecorder
from tests.mailbox.conftest import IntakeFor
from tests.mailbox.delivered import deliver, mail, messages, poll, requests


async def test_the_same_mail_sent_to_two_departments_is_a_request_in_each_acknowledged_by_each(
    mail_department: Department,
    second_mail_department: Department,
    intake_for: IntakeFor,
    engine: AsyncEngine,
    smtp_mtls: SmtpRecorder,
) -> None:
    lot, _ = intake_for(mail_department)
    moselle, _ = intake_for(second_mail_department)
    copy = mail(1)  # one GP's mail, both DACs in To: one Message-ID, one copy in each mailbox
    await deliver(mail_department, copy)
    await deliver(second_mail_department, copy)

    assert await poll(lot) == "1 taken, 0 already taken, 0 parked, 1 acknowledged"
    assert await poll(moselle) == "1 taken, 0 already taken, 0 parked, 1 acknowledged"
    # Read again (a restart, another instance): nothing new in either.
    assert (await poll(lot)).startswith("0 taken, 0 already taken")
    assert (await poll(moselle)).startswith("0 taken, 0 already taken")

    assert sorted(r.department for r in await requests(engine)) == ["dac46", "dac57"]
    received = [m for m in await messages(engine) if m.direction == "in"]
    assert sorted((m.department, m.provider_id) for m in received) == [
        ("dac46", "<m1@chu-toulouse.fr>"),
        ("dac57", "<m1@chu-toulouse.fr>"),
    ]
    assert sorted(ack.mail_from for ack in smtp_mtls.mails) == sorted(
        d.mailbox.address for d in (mail_department, second_mail_department) if d.mailbox
    )


async def test_a_mail_one_department_sent_is_taken_in_by_the_other_department_it_reaches(
    mail_department: Department,
    second_mail_department: Department,
    intake_for: IntakeFor,
    engine: AsyncEngine,
    smtp_mtls: SmtpRecorder,
) -> None:
    """The Lot's acknowledgement (its Message-ID stored under the Lot's request) copied to the
    Moselle's mailbox is the Moselle's to take in: the Lot holding that id does not stop it."""
    lot, _ = intake_for(mail_department)
    moselle, _ = intake_for(second_mail_department)
    await deliver(mail_department, mail(1))
    await poll(lot)
    [acknowledgement] = smtp_mtls.mails

    await deliver(second_mail_department, acknowledgement.data)

    assert await poll(moselle) == "1 taken, 0 already taken, 0 parked, 0 acknowledged"
    assert sorted(r.department for r in await requests(engine)) == ["dac46", "dac57"]
