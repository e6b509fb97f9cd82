"""One received mail, read: sender, subject, date, text, attachments, threading headers.

Pure (the stdlib `email` package; which parts are text and which attachments: `parts`).
HTML is turned into text with html.parser: nothing is fetched or executed, scripts and styles
are dropped. A mail that cannot be taken in raises Unparseable with a code that says why
without saying what it holds (and, for the log, what failed).
"""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass, replace
from datetime import datetime
from email import policy
from email.errors import (
    CloseBoundaryNotFoundDefect,
    MessageDefect,
    MultipartInvariantViolationDefect,
    StartBoundaryNotFoundDefect,
)
from email.feedparser import BytesFeedParser
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser

from frontdoor.core.mail import Headers
from frontdoor.mailbox import parts

# Defects that mean the MIME structure is broken (parts lost), not just untidy.
_FATAL_DEFECTS: tuple[type[MessageDefect], ...] = (
    StartBoundaryNotFoundDefect,
    CloseBoundaryNotFoundDefect,
    MultipartInvariantViolationDefect,
)
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
_FEED = 8192  # bytes given to the parser at a time (as email.parser.Parser does)


class Unparseable(Exception):
    """A mail that cannot be taken in. `code` is safe to log: no personal data.

    `envelope` is what could be read of it (sender, subject, Message-ID, threading headers;
    no text, no attachments) when it has one sender: enough to open a request so that the
    contact is not lost. None when even that could not be read.
    """

    def __init__(
        self, code: str, envelope: ParsedMail | None = None, *, detail: str | None = None
    ) -> None:
        super().__init__(code)
        self.code = code
        self.envelope = envelope
        self.detail = detail  # for the log: what failed (an exception's type), never content


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
    """Read one mail; raises Unparseable("too-large" | "too-many-parts" | "malformed-header" |
    "no-sender" | "malformed-mime" | "unknown-charset" | "undecodable-text" | "unreadable")."""
    if len(raw) > max_bytes:
        raise oversized(raw[:HEADER_LIMIT])
    try:
        message = _parsed(raw)
        envelope = _envelope(message, raw)
    except Unparseable:
        raise
    except parts.TooManyParts as error:
        raise too_many_parts(raw, detail=str(error)) from None
    except Exception as error:  # noqa: BLE001  (the stdlib on hostile input: parked, never a crash)
        raise Unparseable("unreadable", detail=type(error).__name__) from None
    try:
        structure = list(parts.structure(message))
        if any(isinstance(d, _FATAL_DEFECTS) for part in structure for d in part.defects):
            raise Unparseable("malformed-mime")
        text, attachments = _content(message)
    except parts.TooDeep:
        raise Unparseable("malformed-mime", envelope, detail="too deep") from None
    except parts.TooManyParts as error:
        raise Unparseable("too-many-parts", envelope, detail=str(error)) from None
    except Unparseable as error:
        raise Unparseable(error.code, envelope, detail=error.detail) from None
    except Exception as error:  # noqa: BLE001  (what its sender could be told is kept)
        raise Unparseable("unreadable", envelope, detail=type(error).__name__) from None
    return replace(envelope, text=_clean(text), attachments=attachments)


@dataclass(kw_only=True, frozen=True)
class Reading:
    """What could be read of one mail: all of it; or its envelope (None: not even a sender)
    and the code of what went wrong (`unreadable`)."""

    mail: ParsedMail | None
    unreadable: str | None = None
    detail: str | None = None  # Unparseable.detail


def read_mail(raw: bytes, *, size: int, max_bytes: int) -> Reading:
    """A mail as the server sent it (`raw`), or only its head (HEADER_LIMIT bytes) when it
    is over the limit (`size`, the server's RFC822.SIZE, above `max_bytes`). Tens of
    milliseconds for a large mail with attachments: called through the CPU pool's processes."""
    try:
        if size > max_bytes:
            raise oversized(raw)
        return Reading(mail=parse(raw, max_bytes=max_bytes))
    except Unparseable as error:
        return Reading(mail=error.envelope, unreadable=error.code, detail=error.detail)


# Enough of a mail's head to read its sender and subject without fetching its body.
HEADER_LIMIT = 64 * 1024


def oversized(header: bytes) -> Unparseable:
    """A mail over the size limit, read from its header alone (`HEADER_LIMIT` bytes)."""
    try:
        head = header.partition(b"\r\n\r\n")[0] + b"\r\n\r\n"
        message = _parsed(head)
        return Unparseable("too-large", _envelope(message, header))
    except Unparseable as error:
        return Unparseable("too-large", error.envelope)
    except Exception:  # noqa: BLE001
        return Unparseable("too-large")


def too_many_parts(raw: bytes, *, detail: str) -> Unparseable:
    """A mail with more parts than parts.MAX_PARTS, read from its header alone (the parser
    stopped inside its body)."""
    try:
        head = BytesParser(_class=Message, policy=policy.compat32).parsebytes(
            raw[:HEADER_LIMIT], headersonly=True
        )
        return Unparseable("too-many-parts", _envelope(head, raw), detail=detail)
    except Unparseable as error:
        return Unparseable("too-many-parts", error.envelope, detail=detail)
    except Exception:  # noqa: BLE001
        return Unparseable("too-many-parts", detail=detail)


def _envelope(message: Message, raw: bytes) -> ParsedMail:
    """Sender, subject, ids and the headers the rules read; text and attachments empty."""
    try:
        from_header = _decoded(message, "From") or ""
        addresses = [a for a in getaddresses([from_header]) if "@" in a[1]]
        subject = _decoded(message, "Subject") or ""
    except (ValueError, IndexError, TypeError):  # headers the policy cannot decode
        raise Unparseable("malformed-header") from None
    if len(addresses) != 1:
        raise Unparseable("no-sender")
    name, sender = addresses[0]
    sender = _clean(sender).strip().lower()
    return ParsedMail(
        message_id=_message_id(message, raw),
        sender=sender,
        sender_name=_clean(name).strip(),
        subject=" ".join(_clean(subject).split()),
        date=_date(message),
        text="",
        attachments=(),
        in_reply_to=tuple(_MESSAGE_ID.findall(_raw(message, "In-Reply-To") or "")),
        references=tuple(_MESSAGE_ID.findall(_raw(message, "References") or "")),
        headers=Headers(
            sender=sender,
            auto_submitted=_decoded(message, "Auto-Submitted"),
            precedence=_decoded(message, "Precedence"),
            return_path=_decoded(message, "Return-Path"),
            list_id=_decoded(message, "List-Id"),
            list_unsubscribe=_decoded(message, "List-Unsubscribe"),
            x_autoreply=_decoded(message, "X-Autoreply"),
            x_autorespond=_decoded(message, "X-Autorespond"),
            x_auto_response_suppress=_decoded(message, "X-Auto-Response-Suppress"),
        ),
    )


def _clean(text: str) -> str:
    """No NUL (PostgreSQL refuses it in text) and no lone surrogate (undecodable bytes)."""
    return text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


def _parsed(raw: bytes) -> Message:
    """The MIME structure, with headers kept raw (compat32): policy.default would parse every
    header each time it is read, which is most of the cost of reading a mail. The few headers
    read are decoded once, by `_decoded`. Fed as Parser.parse feeds it, a block at a time, so
    that past parts.MAX_PARTS parts it stops (parts.TooManyParts) with the rest unread."""
    counter = parts.PartCounter()
    feeder = BytesFeedParser(counter, policy=policy.compat32)
    counter.made = 0  # the parser tried its factory once, making no part
    for start in range(0, len(raw), _FEED):
        feeder.feed(raw[start : start + _FEED])
    message = feeder.close()
    assert isinstance(message, Message)
    return message


def _raw(message: Message, name: str) -> str | None:
    """The first header of that name, unfolded, as received (encoded words left as they are)."""
    wanted = name.lower()
    for key, value in message.raw_items():
        if key.lower() == wanted:
            return "".join(str(value).splitlines())
    return None


def _decoded(message: Message, name: str) -> str | None:
    """The header decoded as policy.default reads it (RFC 2047 encoded words, addresses)."""
    value = _raw(message, name)
    return None if value is None else str(policy.default.header_factory(name, value.strip()))


def _message_id(message: Message, raw: bytes) -> str:
    found = _MESSAGE_ID.findall(_raw(message, "Message-ID") or "")
    if found:
        return found[0][:250]
    # The same bytes read again get the same id: de-duplication holds without one.
    return f"<sha256-{hashlib.sha256(raw).hexdigest()}@frontdoor.invalid>"


def _date(message: Message) -> datetime | None:
    try:
        value = parsedate_to_datetime(_raw(message, "Date") or "")
    except (TypeError, ValueError, IndexError):
        return None
    return value if value.tzinfo is not None else None


def _content(message: Message) -> tuple[str, tuple[Attachment, ...]]:
    """The text a person wrote (its text parts, HTML made text) and the attachments."""
    found = parts.split(message)
    texts = []
    for part in found.body:
        text = _text_of(part)
        texts.append(html_to_text(text) if part.get_content_subtype() == "html" else text)
    attachments = []
    for part in found.attachments:
        data = parts.attachment_bytes(part)
        attachments.append(
            Attachment(
                filename=parts.filename(part) or _forwarded_name(part),
                content_type=part.get_content_type(),
                size=len(data),
                data=data,
            )
        )
    return "\n\n".join(t.strip() for t in texts if t.strip()), tuple(attachments)


def _forwarded_name(part: Message) -> str | None:
    """A forwarded message without a file name is named by its subject, as mail clients do."""
    if not parts.is_message(part) or part.get_content_type() == "message/delivery-status":
        return None
    inner = part.get_payload(0)
    if not isinstance(inner, Message):
        return None
    subject = " ".join(_clean(_decoded(inner, "Subject") or "").split())[:100]
    return f"{subject or 'message'}.eml"


def _text_of(part: Message) -> str:
    """The part's text, decoded strictly: bytes that its charset cannot read park the mail
    rather than reach a referent as "\ufffd". Without a declared charset, UTF-8 is tried
    (what 8-bit mails without one nearly always are), then US-ASCII."""
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    declared = part.get_content_charset()
    charsets = [declared] if declared else ["utf-8", "ascii"]
    for charset in charsets:
        try:
            codecs.lookup(charset)
        except LookupError:  # a charset Python does not know
            raise Unparseable("unknown-charset") from None
        try:
            return data.decode(charset)
        except UnicodeDecodeError:
            continue
    raise Unparseable("undecodable-text")


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
