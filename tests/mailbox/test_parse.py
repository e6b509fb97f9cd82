"""Reading one mail: text, HTML made text, attachments, and the mails that are parked."""

from __future__ import annotations

from email.message import EmailMessage, Message
from typing import Any

import pytest

from frontdoor.mailbox import parts
from frontdoor.mailbox.parse import Unparseable, html_to_text, oversized, parse, read_mail
from tests.mailbox.delivered import with_parts
from tests.mailbox.mail_clients import nested


def message(**headers: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = headers.pop("From", "Dr Roux <dr.roux@chu-toulouse.fr>")
    mail["Subject"] = headers.pop("Subject", "Sortie   de Mme X")
    for name, value in headers.items():
        mail[name.replace("_", "-")] = value
    return mail


def test_a_plain_mail() -> None:
    mail = message(Message_ID="<a@b>", In_Reply_To="<p@q>", References="<o@q> <p@q>")
    mail.set_content("Bonjour,\nretour vendredi.")
    parsed = parse(mail.as_bytes(), max_bytes=10_000)
    assert (parsed.sender, parsed.sender_name) == ("dr.roux@chu-toulouse.fr", "Dr Roux")
    assert parsed.subject == "Sortie de Mme X"
    assert parsed.text == "Bonjour,\nretour vendredi."
    assert parsed.message_id == "<a@b>"
    assert parsed.thread_ids == ("<p@q>", "<o@q>")


def test_html_becomes_text_without_scripts() -> None:
    mail = message(Message_ID="<a@b>")
    mail.set_content(
        "<html><head><title>t</title><style>p{}</style></head><body><p>Bonjour&nbsp;!</p>"
        "<script>alert(1)</script><div>Mme <b>X</b></div><img src='http://track/x'></body>",
        subtype="html",
    )
    assert parse(mail.as_bytes(), max_bytes=10_000).text == "Bonjour !\n\nMme X"


def test_html_to_text_keeps_blocks_apart() -> None:
    assert html_to_text("<ul><li>un</li><li>deux</li></ul>") == "un\n\ndeux"


def test_attachments_are_recorded_with_their_type_and_size() -> None:
    mail = message(Message_ID="<a@b>")
    mail.set_content("Voir pièce jointe.")
    mail.add_attachment(b"%PDF-1.4 x", maintype="application", subtype="pdf", filename="cr.pdf")
    parsed = parse(mail.as_bytes(), max_bytes=10_000)
    assert parsed.text == "Voir pièce jointe."
    [attachment] = parsed.attachments
    assert (attachment.content_type, attachment.size, attachment.filename) == (
        "application/pdf",
        10,
        "cr.pdf",
    )


def test_without_message_id_the_same_bytes_get_the_same_id() -> None:
    raw = message().as_bytes() + b"\n\nhello\n"
    assert parse(raw, max_bytes=10_000).message_id == parse(raw, max_bytes=10_000).message_id


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"Subject: x\r\n\r\nno sender\r\n", "no-sender"),
        (b"From: nobody\r\nSubject: x\r\n\r\nno address\r\n", "no-sender"),
        (
            b'From: a@b.fr\r\nContent-Type: multipart/mixed; boundary="q"\r\n\r\nno parts\r\n',
            "malformed-mime",
        ),
        (
            b"From: a@b.fr\r\nContent-Type: text/plain; charset=x-no-such-charset\r\n\r\nabc\r\n",
            "unknown-charset",
        ),
        (
            b"From: a@b.fr\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nd\xe9j\xe0\r\n",
            "undecodable-text",
        ),
        (b"From: a@b.fr\r\n\r\n" + b"x" * 2000, "too-large"),
        (b"From: <>\r\n\r\nempty sender\r\n", "no-sender"),
        (b"From: a@b.fr, c@d.fr\r\n\r\ntwo senders\r\n", "no-sender"),
    ],
    ids=[
        "no-from",
        "from-without-address",
        "broken-multipart",
        "unknown-charset",
        "utf-8-that-is-not",
        "too-large",
        "empty-sender",
        "two-senders",
    ],
)
def test_mails_that_are_parked(raw: bytes, code: str) -> None:
    with pytest.raises(Unparseable) as caught:
        parse(raw, max_bytes=1000)
    assert caught.value.code == code


def test_what_can_be_read_of_an_unreadable_mail_opens_its_request() -> None:
    raw = (
        b"From: Dr Roux <dr.roux@chu-toulouse.fr>\r\nSubject: Mme X\r\nMessage-ID: <a@b>\r\n"
        b"In-Reply-To: <p@q>\r\nContent-Type: text/plain; charset=x-nope\r\n\r\nabc\r\n"
    )
    with pytest.raises(Unparseable) as caught:
        parse(raw, max_bytes=10_000)
    envelope = caught.value.envelope
    assert envelope is not None
    assert (envelope.sender, envelope.subject, envelope.message_id) == (
        "dr.roux@chu-toulouse.fr",
        "Mme X",
        "<a@b>",
    )
    assert envelope.thread_ids == ("<p@q>",)
    assert envelope.text == ""


def test_a_mail_over_the_limit_is_read_from_its_header_alone() -> None:
    error = oversized(b"From: a@b.fr\r\nSubject: IRM\r\nMessage-ID: <big@x>\r\n\r\nstart of")
    assert error.code == "too-large"
    assert error.envelope is not None
    assert (error.envelope.message_id, error.envelope.subject) == ("<big@x>", "IRM")


def test_8_bit_text_without_a_charset_is_read_as_utf_8_and_nul_is_dropped() -> None:
    raw = b"From: a@b.fr\r\nSubject: x\x00y\r\n\r\nd\xc3\xa9j\xc3\xa0\x00 vu\r\n"
    parsed = parse(raw, max_bytes=10_000)
    assert (parsed.subject, parsed.text) == ("xy", "déjà vu")


def test_a_tree_deeper_than_any_client_writes_is_parked_with_its_sender_kept() -> None:
    assert parse(nested(30), max_bytes=1_000_000).text == "Mme X"

    reading = read_mail(nested(100), size=10, max_bytes=1_000_000)

    assert (reading.unreadable, reading.detail) == ("malformed-mime", "too deep")
    assert reading.mail is not None
    assert reading.mail.sender == "dr.roux@chu-toulouse.fr"


def test_what_the_standard_library_fails_on_is_parked_and_the_failure_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The stdlib's parser gives up (here from the first part it makes): no sender could be
    read, and the log will say why by the exception's type, never by what the mail holds."""

    def gives_up(*args: object, **kwargs: object) -> None:
        raise RecursionError

    monkeypatch.setattr(parts.PartCounter, "__call__", gives_up)
    reading = read_mail(nested(3), size=10, max_bytes=10_000_000)
    assert (reading.mail, reading.unreadable, reading.detail) == (
        None,
        "unreadable",
        "RecursionError",
    )


def test_a_tree_deeper_than_the_standard_library_reads_stops_at_the_most_parts() -> None:
    """5,000 deep, where the stdlib's parser would recurse until it gives up: it stops at
    the part after MAX_PARTS, and the sender is read from the header."""
    reading = read_mail(nested(5000), size=10, max_bytes=10_000_000)
    assert (reading.unreadable, reading.detail) == ("too-many-parts", "more than 500 parts")
    assert reading.mail is not None
    assert reading.mail.sender == "dr.roux@chu-toulouse.fr"


def test_a_mail_of_thousands_of_tiny_parts_is_parked_and_the_parser_stops_at_the_cap(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What a hostile sender fits in 25 MB: 860,000 parts of 29 bytes. The parser makes
    MAX_PARTS of them and one more, then stops: the mail costs what one of 500 parts does."""
    made = []
    counted = parts.PartCounter.__call__

    def count(self: parts.PartCounter, *args: Any, **kwargs: Any) -> Message:
        made.append(self.made)
        return counted(self, *args, **kwargs)

    monkeypatch.setattr(parts.PartCounter, "__call__", count)
    raw = with_parts(870_000)
    assert len(raw) > 25_000_000

    reading = read_mail(raw, size=len(raw), max_bytes=len(raw))

    assert (reading.unreadable, reading.detail) == ("too-many-parts", "more than 500 parts")
    assert reading.mail is not None
    assert (reading.mail.sender, reading.mail.message_id) == (
        "dr.roux@chu-toulouse.fr",
        "<parts@x>",
    )
    assert reading.mail.attachments == ()
    assert len(made) <= parts.MAX_PARTS + 2  # the parser's first call makes no part


@pytest.mark.parametrize(
    ("attachments", "unreadable"),
    [(parts.MAX_ATTACHMENTS, None), (parts.MAX_ATTACHMENTS + 1, "too-many-parts")],
)
def test_a_mail_keeps_at_most_50_attachments(attachments: int, unreadable: str | None) -> None:
    raw = with_parts(attachments)
    reading = read_mail(raw, size=len(raw), max_bytes=10_000_000)
    assert reading.unreadable == unreadable
    assert reading.mail is not None
    assert len(reading.mail.attachments) == (attachments if unreadable is None else 0)
    if unreadable:
        assert reading.detail == "more than 50 attachments"
