"""A provider that refuses or cannot be reached costs one line of log, in French: what did not
leave, and the error's class with its status or code — no traceback, no number, no address.
Here the escalation of late callbacks: by mail then SMS for the Lot, by mail for the Moselle."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

import pytest
from aiohttp.test_utils import TestClient

from frontdoor.jobs.base import JobContext
from frontdoor.jobs.callbacks import escalate_overdue
from frontdoor.kit.runtime import JOB_RUNTIME
from frontdoor.logs import hold_back_libraries
from frontdoor.settings import Settings
from frontdoor.standins.smtp import SmtpRecorder
from frontdoor.standins.twilio_api import FakeTwilioApi
from tests.console.requests_made import a_moselle_voicemail, a_voicemail
from tests.web.calls import COORDINATION, NURSE, PARIS

TUESDAY_EVENING = datetime(2026, 5, 12, 18, 0, tzinfo=PARIS)  # both callbacks are late
# The numbers and the address the escalations were for, and the caller's.
PERSONAL = (COORDINATION, COORDINATION.removeprefix("+"), NURSE, NURSE.removeprefix("+"),
            "coordination@dac46.mssante.fr", "coordination@dac57.mssante.fr")  # fmt: skip


async def twilio_refuses(twilio: FakeTwilioApi, smtp: SmtpRecorder) -> None:
    twilio.fail_next(status=401, code=20003, message="Authenticate")


async def twilio_is_away(twilio: FakeTwilioApi, smtp: SmtpRecorder) -> None:
    await twilio.close()


async def smtp_refuses(twilio: FakeTwilioApi, smtp: SmtpRecorder) -> None:
    smtp.refuse_next("RCPT", "550 5.1.1 coordination@dac46.mssante.fr unknown")


async def smtp_is_away(twilio: FakeTwilioApi, smtp: SmtpRecorder) -> None:
    await smtp.close()


Breakage = Callable[[FakeTwilioApi, SmtpRecorder], Awaitable[None]]


@pytest.mark.parametrize(
    ("breakage", "lines"),
    [
        pytest.param(
            twilio_refuses,
            # the Lot's mail gone, its SMS refused: told all the same
            [
                "dac46 : l'alerte d'un rappel en retard n'a pas atteint l'un de ses destinataires "
                "(TwilioRestException (HTTP 401, Twilio 20003)) ; les autres l'ont reçue"
            ],
            id="twilio-refuses",
        ),
        pytest.param(
            twilio_is_away,
            [
                "dac46 : l'alerte d'un rappel en retard n'a pas atteint l'un de ses destinataires "
                "(ClientConnectorError ← ConnectionRefusedError (ECONNREFUSED)) ; "
                "les autres l'ont reçue"
            ],
            id="twilio-unreachable",
        ),
        pytest.param(
            smtp_refuses,
            # the Lot's mail refused, its SMS gone: told; the Moselle's mail then leaves
            [
                "dac46 : l'alerte d'un rappel en retard n'a pas atteint l'un de ses destinataires "
                "(SMTPRecipientsRefused (SMTP 550)) ; les autres l'ont reçue"
            ],
            id="smtp-refuses",
        ),
        pytest.param(
            smtp_is_away,
            [
                "dac46 : l'alerte d'un rappel en retard n'a pas atteint l'un de ses destinataires "
                "(SMTPConnectError ← ConnectionRefusedError (ECONNREFUSED)) ; "
                "les autres l'ont reçue",
                "dac57 : l'alerte d'un rappel en retard n'est pas partie "
                "(SMTPConnectError ← ConnectionRefusedError (ECONNREFUSED)) ; "
                "nouvel essai à la prochaine minute",
            ],
            id="smtp-unreachable",
        ),
    ],
)
async def test_a_failed_escalation_is_one_french_line(
    client: TestClient,
    wired_settings: Settings,
    twilio_api: FakeTwilioApi,
    smtp_server: SmtpRecorder,
    caplog: pytest.LogCaptureFixture,
    breakage: Breakage,
    lines: list[str],
) -> None:
    await a_voicemail(client, wired_settings)
    await a_moselle_voicemail(client, wired_settings)
    await breakage(twilio_api, smtp_server)
    caplog.clear()
    hold_back_libraries()  # as the service does: SQL parameters are not its lines
    caplog.set_level(logging.DEBUG)

    await escalate_overdue(JobContext(runtime=client.app[JOB_RUNTIME], slot=TUESDAY_EVENING))

    failures = [r for r in caplog.records if r.name == "frontdoor.jobs.callbacks"]
    assert [failure.getMessage() for failure in failures] == lines
    for failure in failures:
        assert (failure.levelno, failure.exc_info, failure.exc_text) == (logging.ERROR, None, None)
    for record in caplog.records:
        assert record.exc_info is None, record.getMessage()
        assert not [data for data in PERSONAL if data in record.getMessage()], record
