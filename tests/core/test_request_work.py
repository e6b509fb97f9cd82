"""The everyday work on a request: what taking, closing, noting and answering by mail change,
and why one is refused."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from frontdoor.core.request_fields import RequestStatus
from frontdoor.core.request_work import (
    TO_ME,
    TO_NOBODY,
    MailRefusal,
    WorkError,
    assignment,
    closing,
    mail_answer_refusal,
    mail_body,
    note_body,
)

AT = datetime(2026, 5, 12, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))


DESK = {"bruno": "Bruno Leroy"}


def test_taking_giving_back_and_handing_to_a_colleague() -> None:
    taken = assignment(to=TO_ME, login="anne", desk=DESK)
    given = assignment(to=TO_NOBODY, login="anne", desk=DESK)
    handed = assignment(to="bruno", login="anne", desk=DESK)
    assert (taken.assigned_to, taken.reason.text) == ("anne", "prise en charge par anne")
    assert (given.assigned_to, given.reason.text) == (None, "rendue par anne")
    assert (handed.assigned_to, handed.reason.text) == ("bruno", "confiée à Bruno Leroy par anne")


def test_a_request_is_handed_only_to_a_colleague_of_its_department() -> None:
    with pytest.raises(WorkError, match="personne de ce département"):
        assignment(to="dweber", login="anne", desk=DESK)


def test_closing_and_reopening() -> None:
    closed = closing(close=True, by="anne", at=AT)
    reopened = closing(close=False, by="anne", at=AT)
    assert (closed.status, closed.closed_at, closed.closed_by, closed.reason.code) == (
        RequestStatus.CLOSED, AT, "anne", "closed",
    )  # fmt: skip
    assert (reopened.status, reopened.closed_at, reopened.reason.text) == (
        RequestStatus.OPEN, None, "rouverte par anne",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("text", "message"),
    [("   ", "la note est vide"), ("x" * 5001, "note trop longue")],
    ids=["empty", "too-long"],
)
def test_a_note_that_cannot_be_kept(text: str, message: str) -> None:
    with pytest.raises(WorkError, match=message):
        note_body(text)


def test_a_mail_answer_needs_text_a_mailbox_and_an_address() -> None:
    assert mail_body("  Bonjour  ") == "Bonjour"
    with pytest.raises(WorkError):
        mail_body(" ")
    assert (
        mail_answer_refusal(has_mailbox=False, contact_address="a@b.fr") is MailRefusal.NO_MAILBOX
    )
    assert mail_answer_refusal(has_mailbox=True, contact_address=None) is MailRefusal.NO_ADDRESS
    assert mail_answer_refusal(has_mailbox=True, contact_address="a@b.fr") is None
