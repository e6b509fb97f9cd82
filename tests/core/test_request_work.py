"""The everyday work on a request: what taking, closing, noting and answering by mail change,
and why one is refused."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from frontdoor.core.request_fields import RequestStatus
from frontdoor.core.request_work import (
    CALLBACK_REFUSALS_FR,
    SMS_REFUSALS_FR,
    TO_ME,
    TO_NOBODY,
    CallbackRefusal,
    MailRefusal,
    SmsRefusal,
    WorkError,
    assignment,
    callback_refusal,
    closing,
    mail_answer_refusal,
    mail_body,
    note_body,
    sms_answer_refusal,
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


@pytest.mark.parametrize(
    ("segment_count", "number", "refusal"),
    [
        pytest.param(1, "+33611223344", None, id="a-short-answer-to-a-number"),
        pytest.param(10, "+33611223344", None, id="ten-sms-at-most"),
        pytest.param(11, "+33611223344", SmsRefusal.TOO_LONG, id="eleven-too-long"),
        pytest.param(11, None, SmsRefusal.TOO_LONG, id="too-long-said-first"),
        pytest.param(1, None, SmsRefusal.WITHHELD, id="no-number"),
        pytest.param(1, "anonymous", SmsRefusal.WITHHELD, id="a-withheld-number"),
    ],
)
def test_why_an_sms_answer_cannot_leave(
    segment_count: int, number: str | None, refusal: SmsRefusal | None
) -> None:
    assert sms_answer_refusal(segment_count=segment_count, number=number) is refusal


@pytest.mark.parametrize(
    ("task_status", "number", "refusal"),
    [
        pytest.param("open", "+33611223344", None, id="an-open-task-with-a-number"),
        pytest.param("done", "+33611223344", CallbackRefusal.CLOSED, id="a-closed-task"),
        pytest.param("done", "anonymous", CallbackRefusal.CLOSED, id="closed-said-first"),
        pytest.param("open", "restricted", CallbackRefusal.WITHHELD, id="a-withheld-number"),
    ],
)
def test_why_a_person_cannot_be_called_back(
    task_status: str, number: str | None, refusal: CallbackRefusal | None
) -> None:
    assert callback_refusal(task_status=task_status, number=number) is refusal


def test_every_refusal_of_an_answer_is_said_in_french() -> None:
    assert set(SMS_REFUSALS_FR) == set(SmsRefusal)
    assert set(CALLBACK_REFUSALS_FR) == set(CallbackRefusal)
