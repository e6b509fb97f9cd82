"""One received mail, read: sender, subject, date, text, attachments, threading headers.

Pure (the stdlib `email` package, policy=default). HTML is turned into text with
html.parser: nothing is fetched or executed, scripts and styles are dropped. A mail that
cannot be taken in raises Unparseable with a code that says why without saying what it holds.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from email import message_from_bytes, policy
from email.errors import (
    CloseBoundaryNotFoundDefect,
    MessageDefect,
    MultipartInvariantViolationDefect,
    StartBoundaryNotFoundDefect,
)
from email.message import EmailMessage
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser

from frontdoor.core.mail import Headers

# Defects that mean the MIME structure is broken (parts lost), not just untidy.
_FATAL_DEFECTS: tuple[type[MessageDefect], ...] = (
    StartBoundaryNotFoundDefect,
    CloseBoundaryNotFoundDefect,
    MultipartInvariantViolationDefect,
)
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")


class Unparseable(Exception):
    """A mail that cannot be taken in. `code` is safe to log: no personal data."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(kw_only=True, frozen=True)
class Attachment:
    filename: str | None  # personal data, as the rest of the mail
    content_type: str
    size: int
    data: bytes


@dataclass(kw_only=True, frozen=True)
class ParsedMail:
    message_id: str  # "<…>"; made from the bytes when the mail has none
    sender: str  # lower-cased address
    sender_name: str
    subject: str
    date: datetime | None
    text: str
    attachments: tuple[Attachment, ...]
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    headers: Headers

    @property
    def thread_ids(self) -> tuple[str, ...]:
        """Message-IDs this mail answers, the nearest first."""
        return tuple(dict.fromkeys((*self.in_reply_to, *reversed(self.references))))


def parse(raw: bytes, *, max_bytes: int) -> ParsedMail:
    """Read one mail; raises Unparseable("too-large" | "malformed-mime" | "no-sender" |
    "unknown-charset")."""
    if len(raw) > max_bytes:
        raise Unparseable("too-large")
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    if any(isinstance(d, _FATAL_DEFECTS) for part in message.walk() for d in part.defects):
        raise Unparseable("malformed-mime")
    try:
        from_header = str(message.get("From", "") or "")
        addresses = [a for a in getaddresses([from_header]) if "@" in a[1]]
        subject = str(message.get("Subject", "") or "")
    except (ValueError, IndexError, TypeError):  # headers the policy cannot decode
        raise Unparseable("malformed-header") from None
    if len(addresses) != 1:
        raise Unparseable("no-sender")
    name, sender = addresses[0]
    text, attachments = _content(message)
    return ParsedMail(
        message_id=_message_id(message, raw),
        sender=sender.strip().lower(),
        sender_name=name.strip(),
        subject=" ".join(subject.split()),
        date=_date(message),
        text=text,
        attachments=attachments,
        in_reply_to=tuple(_MESSAGE_ID.findall(str(message.get("In-Reply-To", "") or ""))),
        references=tuple(_MESSAGE_ID.findall(str(message.get("References", "") or ""))),
        headers=Headers(
            sender=sender.strip().lower(),
            auto_submitted=_header(message, "Auto-Submitted"),
            precedence=_header(message, "Precedence"),
            return_path=_header(message, "Return-Path"),
            list_id=_header(message, "List-Id"),
            list_unsubscribe=_header(message, "List-Unsubscribe"),
            x_autoreply=_header(message, "X-Autoreply"),
        ),
    )


def _header(message: EmailMessage, name: str) -> str | None:
    value = message.get(name)
    return None if value is None else str(value)


def _message_id(message: EmailMessage, raw: bytes) -> str:
    found = _MESSAGE_ID.findall(str(message.get("Message-ID", "") or ""))
    if found:
        return found[0][:250]
    # The same bytes read again get the same id: de-duplication holds without one.
    return f"<sha256-{hashlib.sha256(raw).hexdigest()}@frontdoor.invalid>"


def _date(message: EmailMessage) -> datetime | None:
    try:
        value = parsedate_to_datetime(str(message.get("Date", "")))
    except (TypeError, ValueError, IndexError):
        return None
    return value if value.tzinfo is not None else None


def _content(message: EmailMessage) -> tuple[str, tuple[Attachment, ...]]:
    """The text a person wrote (plain preferred, else HTML made text) and the attachments."""
    body = message.get_body(preferencelist=("plain", "html"))
    text = ""
    if body is not None:
        text = _text_of(body)
        if body.get_content_subtype() == "html":
            text = html_to_text(text)
    attachments = []
    for part in message.iter_attachments() if message.is_multipart() else ():
        if part is body or part.is_multipart():
            continue
        data = part.get_payload(decode=True)
        payload = data if isinstance(data, bytes) else b""
        attachments.append(
            Attachment(
                filename=part.get_filename(),
                content_type=part.get_content_type(),
                size=len(payload),
                data=payload,
            )
        )
    return text.strip(), tuple(attachments)


def _text_of(part: EmailMessage) -> str:
    try:
        content = part.get_content()
    except LookupError:  # a charset Python does not know
        raise Unparseable("unknown-charset") from None
    if isinstance(content, bytes):
        return content.decode("utf-8", errors="replace")
    return str(content)


class _TextOf(HTMLParser):
    """Collects the text of an HTML document: no script, style or head, blocks on lines."""

    _SKIP = frozenset({"script", "style", "head", "title", "template"})
    _BLOCK = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "table", "ul"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _TextOf()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
