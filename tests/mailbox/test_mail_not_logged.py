"""A mail is health data: reading one at the most talkative log level writes nothing of it
(aioimaplib, at DEBUG, logs every IMAP line it receives: the sender, the subject, the body
and the attachments in base64)."""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterator

import pytest

from frontdoor.mailbox.intake import Intake, Notice
from tests.mailbox.delivered import REPORT, a_mail_with_attachments, deliver, poll
from tests.service_log import service_log_at

# The sender, the subject, the body (as the library writes bytes) and an attachment.
CONTENTS = ("Dr Roux", "Sortie de Mme X", "domicile vendredi", "CR sortie Mme X.pdf",
            base64.b64encode(REPORT)[:16].decode())  # fmt: skip


class Heard(logging.Handler):
    """What a library said, before any filter of the service's."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
def heard() -> Iterator[list[str]]:
    handler = Heard()
    logging.getLogger("aioimaplib").addHandler(handler)
    yield handler.lines
    logging.getLogger("aioimaplib").removeHandler(handler)


async def test_reading_a_mail_at_debug_logs_none_of_it(
    make_intake: tuple[Intake, list[Notice]], heard: list[str]
) -> None:
    intake, _ = make_intake
    await deliver(intake.department, a_mail_with_attachments())
    written = service_log_at("DEBUG")

    assert (await poll(intake)).startswith("1 taken")

    said = "\n".join(heard)
    for content in CONTENTS:
        assert content in said, "the library said nothing of the mail: the test proves nothing"
        assert content not in written()
