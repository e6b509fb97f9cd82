"""Which parts of a received mail are the text its sender wrote, and which are attachments.

Pure (the stdlib `email` package). The tree is walked as the parser left it, headers raw
(compat32): only the methods of the plain `Message` are used, never EmailMessage's
get_body/iter_attachments, which expect parsed headers and fail on raw ones.

Whatever the mail client: the text is the inline text/plain or text/html parts without a
file name (plain preferred among alternatives, the root of a multipart/related, every one of
a multipart/mixed in order, as Apple Mail splits text around an attachment); every other
part is an attachment, of any type, named or not; a forwarded message (message/*) is one
attachment, its bytes as an .eml file, never read for the mail's own text.

A mail's cost is bounded by what a real one needs, whatever its size: the parser stops at
the part after MAX_PARTS (PartCounter), and a mail with more than MAX_ATTACHMENTS
attachments is refused before any is decoded (TooManyParts: the mail is parked).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from dataclasses import dataclass
from email import policy
from email.generator import BytesGenerator
from email.message import Message
from email.policy import Policy, compat32
from io import BytesIO

_BODY_TYPES = frozenset({"text/plain", "text/html"})
# A tree deeper than this is no mail client's: its reader would be the one at risk.
MAX_DEPTH = 40
# Most MIME parts of one mail, counted as the parser makes them (containers and a forwarded
# message's own parts included). Mail clients make a few per attachment (Apple Mail splits
# the text around each); a MSSanté mail carries a few attachments, 25 MB at most. A hostile
# one of 29-byte parts would hold ~860,000 in 25 MB: its cost stops here.
MAX_PARTS = 500
# Most attachments kept of one mail, each a file written and fsynced: a letter, reports,
# the pages of a scan; more is no correspondent's mail.
MAX_ATTACHMENTS = 50
# A forwarded message as a file: as received, with the line ends of a .eml file.
_EML = compat32.clone(linesep="\r\n")
# A file name where the header's syntax is off (`attachment filename=a.pdf`: no semicolon).
_LOOSE_NAME = re.compile(r"""\b(?:file)?name\*?\s*=\s*(?:"([^"]*)"|([^\s;]+))""", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class TooDeep(ValueError):
    """A MIME tree nested deeper than MAX_DEPTH."""


class TooManyParts(ValueError):
    """A mail with more than MAX_PARTS parts or more than MAX_ATTACHMENTS attachments; its
    text (for the log) says which, never what the mail holds."""


class PartCounter:
    """The parser's message factory: each part it makes is counted, and the one after
    `limit` raises TooManyParts, which stops the parser where it is in the mail."""

    def __init__(self, limit: int = MAX_PARTS) -> None:
        self.limit = limit
        self.made = 0

    def __call__(self, policy: Policy[Message] = compat32) -> Message:
        self.made += 1
        if self.made > self.limit:
            raise TooManyParts(f"more than {self.limit} parts")
        return Message(policy=policy)


@dataclass(frozen=True)
class Parts:
    body: tuple[Message, ...]  # text/plain or text/html parts, in reading order
    attachments: tuple[Message, ...]  # leaves and message/* parts, in the mail's order


def split(message: Message) -> Parts:
    """The mail's text parts and its attachments (see the module's docstring); raises
    TooManyParts beyond MAX_ATTACHMENTS attachments (none of them decoded yet)."""
    body, attachments = _walk(message, 0)
    if len(attachments) > MAX_ATTACHMENTS:
        raise TooManyParts(f"more than {MAX_ATTACHMENTS} attachments")
    return Parts(body=tuple(body), attachments=tuple(attachments))


def structure(message: Message, depth: int = 0) -> Iterator[Message]:
    """Every part of the mail itself, not those inside a forwarded message (kept whole)."""
    if depth > MAX_DEPTH:
        raise TooDeep
    yield message
    if is_message(message) or not message.is_multipart():
        return
    for child in _children(message):
        yield from structure(child, depth + 1)


def filename(part: Message) -> str | None:
    """The sender's name for the part: Content-Disposition's filename (RFC 2231 encoded or
    continued too), else Content-Type's name; RFC 2047 encoded words (Outlook, webmails) and
    raw 8-bit names (UTF-8, else Latin-1) decoded. None when it has none."""
    headers = Message()
    for name in ("Content-Disposition", "Content-Type"):
        value = _header_text(part, name)
        if value is not None:
            headers[name] = value
    found = headers.get_filename()
    if found is None:
        found = _loose_filename(headers)
    if found is None:
        return None
    if "=?" in found:
        found = str(policy.default.header_factory("X-Filename", found))
    found = _CONTROL.sub("", found).strip()
    return found or None


def attachment_bytes(part: Message) -> bytes:
    """The attachment's file: its decoded content; a forwarded message as an .eml file."""
    if is_message(part):
        return _message_bytes(part)
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


def _walk(part: Message, depth: int) -> tuple[list[Message], list[Message]]:
    if depth > MAX_DEPTH:
        raise TooDeep
    if is_message(part) or not part.is_multipart():
        return ([part], []) if _is_inline_text(part) else ([], [part])
    walked = [_walk(child, depth + 1) for child in _children(part)]
    attachments = [a for _, found in walked for a in found]
    subtype = part.get_content_subtype()
    if subtype == "alternative":
        # One text in several forms: the plain one preferred, the others are not files.
        chosen = _preferred([body for body, _ in walked])
        return chosen, attachments
    if subtype == "related" and walked:
        # The root is the text; the rest (images, styles) are what it shows: attachments.
        # A root without text (a broken `start`): the first part that has some.
        bodies = [body for body, _ in walked]
        root = _root(part)
        if not bodies[root]:
            root = next((i for i, body in enumerate(bodies) if body), root)
        others = [b for i, body in enumerate(bodies) if i != root for b in body]
        return bodies[root], [*attachments, *others]
    # multipart/mixed and any other (signed, report, unknown): every text in order.
    return [b for body, _ in walked for b in body], attachments


def _preferred(bodies: list[list[Message]]) -> list[Message]:
    """The alternative with plain text (read as written), else the first with any text."""
    for body in bodies:
        if any(part.get_content_type() == "text/plain" for part in body):
            return body
    return next((body for body in bodies if body), [])


def _root(related: Message) -> int:
    """The index of a multipart/related's root: the part its `start` names, else the first."""
    start = related.get_param("start")
    if isinstance(start, str) and start.strip():
        for index, child in enumerate(_children(related)):
            if str(child.get("Content-ID", "")).strip() == start.strip():
                return index
    return 0


def _is_inline_text(part: Message) -> bool:
    disposition = (part.get_content_disposition() or "").strip()
    return (
        part.get_content_type() in _BODY_TYPES
        and not disposition.startswith("attachment")
        and filename(part) is None
    )


def is_message(part: Message) -> bool:
    """A forwarded message (message/rfc822, message/global, a bounce's report…)."""
    return part.get_content_maintype() == "message" and part.is_multipart()


def _children(part: Message) -> list[Message]:
    payload = part.get_payload()
    if not isinstance(payload, list):
        return []
    return [child for child in payload if isinstance(child, Message)]


def _header_text(part: Message, name: str) -> str | None:
    """A header as received, unfolded; its 8-bit bytes (the parser's surrogates) decoded."""
    wanted = name.lower()
    for key, value in part.raw_items():
        if key.lower() == wanted:
            data = "".join(str(value).splitlines()).encode("utf-8", "surrogateescape")
            try:
                return data.decode("utf-8")
            except UnicodeDecodeError:
                return data.decode("latin-1")
    return None


def _loose_filename(headers: Message) -> str | None:
    for name in ("Content-Disposition", "Content-Type"):
        found = _LOOSE_NAME.search(str(headers.get(name, "")))
        if found is not None:
            return found.group(1) or found.group(2)
    return None


def _message_bytes(part: Message) -> bytes:
    out = BytesIO()
    for index, inner in enumerate(_children(part)):
        if index:
            out.write(b"\r\n")
        BytesGenerator(out, mangle_from_=False, policy=_EML).flatten(inner)
    data = out.getvalue()
    if str(part.get("Content-Transfer-Encoding", "")).strip().lower() == "base64":
        # Not allowed on message/rfc822 (RFC 2046), yet sent: the parser read the base64
        # text as a body without headers; decoded here, it is the message again.
        try:
            return base64.b64decode(data, validate=False)
        except binascii.Error:  # not base64 after all: kept as it came
            return data
    return data
