"""Random MIME trees, as any mail client could nest them, read by the mail parser: it never
lets an exception out, parks none of them, finds the text when there is a text part, and keeps
every part that is not the text as an attachment — every one with a file name under that
name, with its bytes.

A tree is drawn as a model (what each part is, what must become of it), written as a mail
with the email package, then read; the model says what the reading must find."""

from __future__ import annotations

import base64
import itertools
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frontdoor.core.mail import UNREADABLE_LABELS
from frontdoor.mailbox.parse import read_mail
from tests.mailbox.mail_clients import as_bytes, forwarded, leaf, multipart, sent

BODY_TYPES = ("text/plain", "text/html")
FILE_TYPES = (
    "application/pdf",
    "image/png",
    "text/calendar",
    "text/xml",
    "application/octet-stream",
    "text/plain",
    "text/html",
)
MULTIPARTS = ("mixed", "alternative", "related", "signed", "report", "digest", "x-unknown")
# Where a multipart puts text parts in reading order, all of them must reach the text.
READ_WHOLE = frozenset({"mixed", "signed", "report", "digest", "x-unknown"})
NAME_STYLES = ("quoted", "rfc2231", "rfc2231-continued", "rfc2047", "content-type", "raw-8bit")
DISPOSITIONS = (None, "inline", "", "x-odd")  # none of them says "attachment"
ATTACHED = ("attachment", "ATTACHMENT", "attachment ")
CHARSETS = (None, "utf-8", "iso-8859-1", "us-ascii")
ODD_CHARSETS = (*CHARSETS, "x-no-such-charset", "utf-7")
ENCODINGS = ("7bit", "8bit", "base64", "quoted-printable")
# Words of French text; no "=", "?", quotes or ";" (they would be header syntax in names).
LETTERS = "abcdefghijklmnopqrstuvwxyzéèàçôûABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


@dataclass
class Tree:
    """What a drawn mail holds and what reading it must find."""

    part: Message
    always_read: list[str] = field(default_factory=list)  # markers that must be in the text
    maybe_read: list[str] = field(default_factory=list)  # markers one of which is read
    files: list[tuple[str | None, str, bytes]] = field(default_factory=list)  # kept as such
    never_read: list[str] = field(default_factory=list)  # forwarded messages' markers


# What Hypothesis draws: specifications of parts, plain data. They are written as a mail
# (`written`) in the test, where each text gets its marker, counted from 0 in each example.
@dataclass(frozen=True)
class Text:
    """A text a person wrote: plain or HTML, in a charset its bytes fit, inline or not said."""

    subtype: str
    charset: str | None
    words: str
    encoding: str
    disposition: str | None


@dataclass(frozen=True)
class File:
    """A file: any type (text and HTML too), named in any of the ways clients name them, or
    not named; in any charset, even one Python does not know."""

    content_type: str
    name: str | None
    style: str
    disposition: str | None
    data: bytes
    encoding: str


@dataclass(frozen=True)
class Forwarded:
    """A message forwarded as an attachment: kept whole, its text not read as the mail's."""

    words: str
    name: str | None
    disposition: str | None


@dataclass(frozen=True)
class Nested:
    subtype: str
    children: tuple[Spec, ...]


Spec = Text | File | Forwarded | Nested

words = st.text(alphabet=LETTERS + "  ", min_size=0, max_size=40)
names = st.text(alphabet=LETTERS + " -_.()", min_size=1, max_size=20).map(str.strip).filter(bool)
texts = st.builds(
    Text,
    subtype=st.sampled_from(BODY_TYPES),
    charset=st.sampled_from(CHARSETS),
    words=words,
    encoding=st.sampled_from(ENCODINGS),
    disposition=st.sampled_from(DISPOSITIONS),
)


@st.composite
def files(draw: st.DrawFn) -> File:
    content_type = draw(st.sampled_from(FILE_TYPES))
    name = draw(st.none() | names)
    disposition = draw(st.sampled_from((*ATTACHED, *DISPOSITIONS)))
    if name is None and content_type in BODY_TYPES and disposition not in ATTACHED:
        disposition = "attachment"  # else it would be text, not a file
    if draw(st.booleans()):
        data, encoding = draw(st.binary(min_size=1, max_size=80)), "base64"
    else:  # lines that every transfer encoding carries as they are
        lines = draw(st.lists(words, min_size=1, max_size=4))
        data = ("\r\n".join(lines) + "\r\n").encode(draw(st.sampled_from(("utf-8", "latin-1"))))
        encoding = draw(st.sampled_from(ENCODINGS))
    if content_type.startswith("text/"):
        charset = draw(st.sampled_from(ODD_CHARSETS))
        content_type += f"; charset={charset}" if charset else ""
    style = draw(st.sampled_from(NAME_STYLES))
    return File(content_type, name, style, disposition, data, encoding)


forwards = st.builds(
    Forwarded,
    words=words,
    name=st.none() | names,
    disposition=st.sampled_from((None, "attachment", "inline")),
)
specs = st.recursive(
    texts | files() | forwards,
    lambda children: st.builds(
        Nested, st.sampled_from(MULTIPARTS), st.lists(children, min_size=1, max_size=4).map(tuple)
    ),
    max_leaves=10,
)


def written(spec: Spec, counter: Iterator[int]) -> Tree:
    """The part `spec` describes, and what reading it must find."""
    if isinstance(spec, Text):
        marker = f"texte{next(counter)}"
        text = f"{marker} {spec.words}"
        if spec.charset == "us-ascii":
            text = text.encode("ascii", "ignore").decode()
        data = (f"<p>{text}</p>" if spec.subtype == "text/html" else text).encode(
            "latin-1" if spec.charset == "iso-8859-1" else "utf-8"
        )
        content_type = spec.subtype + (f"; charset={spec.charset}" if spec.charset else "")
        part = leaf(
            content_type,
            data,
            cte=eight_bit_if_needed(spec.encoding, data),
            disposition=spec.disposition,
        )
        return Tree(part, always_read=[marker])
    if isinstance(spec, File):
        content_type, disposition = named(
            spec.content_type, spec.disposition, spec.name, spec.style
        )
        encoding = eight_bit_if_needed(spec.encoding, spec.data)
        part = leaf(content_type, spec.data, cte=encoding, disposition=disposition)
        return Tree(part, files=[(spec.name, content_type.split(";")[0], spec.data)])
    if isinstance(spec, Forwarded):
        marker = f"transfere{next(counter)}"
        inner = sent(
            leaf("text/plain; charset=utf-8", f"{marker} {spec.words}".encode()),
            subject=marker,
            message_id=f"<{marker}@chu.fr>",
        )
        disposition = spec.disposition
        if spec.name is not None:
            disposition = f"{disposition or 'attachment'}; filename*=UTF-8''{quote(spec.name)}"
        part = forwarded(inner, disposition=disposition)
        name = spec.name or f"{marker}.eml"
        return Tree(part, files=[(name, "message/rfc822", as_bytes(inner))], never_read=[marker])
    return joined(spec.subtype, [written(child, counter) for child in spec.children], counter)


def eight_bit_if_needed(encoding: str, data: bytes) -> str:
    return "8bit" if encoding == "7bit" and not data.isascii() else encoding


def named(
    content_type: str, disposition: str | None, name: str | None, style: str
) -> tuple[str, str | None]:
    """The Content-Type and Content-Disposition headers of a part named `name` in `style`."""
    if name is None:
        return content_type, disposition
    if style == "content-type":
        return f'{content_type}; name="{rfc2047(name)}"', disposition
    word = disposition if disposition is not None else "attachment"
    if style == "quoted" and name.isascii():
        param = f'filename="{name}"'
    elif style == "rfc2231":
        param = f"filename*=UTF-8''{quote(name)}"
    elif style == "rfc2231-continued" and len(name) > 1:
        half = len(name) // 2
        param = f"filename*0*=UTF-8''{quote(name[:half])}; filename*1*={quote(name[half:])}"
    elif style == "raw-8bit":  # the UTF-8 bytes as they are (the parser keeps them escaped)
        param = 'filename="{}"'.format(name.encode().decode("ascii", "surrogateescape"))
    else:
        param = f'filename="{rfc2047(name)}"'
    return content_type, f"{word}; {param}"


def rfc2047(name: str) -> str:
    if name.isascii():
        return name
    return f"=?UTF-8?B?{base64.b64encode(name.encode()).decode()}?="


def joined(subtype: str, children: list[Tree], counter: Iterator[int]) -> Tree:
    boundary = f"=_frontier_{next(counter)}="
    part = multipart(subtype, *(child.part for child in children), boundary=boundary)
    tree = Tree(part, never_read=[m for child in children for m in child.never_read])
    tree.files = [file for child in children for file in child.files]
    for child in children:
        if subtype in READ_WHOLE:
            tree.always_read += child.always_read
            tree.maybe_read += child.maybe_read
        else:  # one alternative, or the root of a related: one of them at least
            tree.maybe_read += [*child.always_read, *child.maybe_read]
    return tree


# The same draws at each run (a failure is found again), many: each mail reads in a millisecond.
DRAWS = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def mail_of(spec: Spec) -> tuple[Tree, bytes]:
    tree = written(spec, itertools.count())
    return tree, as_bytes(sent(tree.part, subject="Arbre", message_id="<arbre@chu.fr>"))


@DRAWS
@given(specs)
def test_any_mime_tree_is_read_its_text_found_and_its_files_kept(spec: Spec) -> None:
    tree, raw = mail_of(spec)

    reading = read_mail(raw, size=len(raw), max_bytes=10_000_000)

    assert (reading.unreadable, reading.detail) == (None, None)
    mail = reading.mail
    assert mail is not None
    for marker in tree.always_read:
        assert marker in mail.text
    if tree.maybe_read:
        assert any(marker in mail.text for marker in tree.maybe_read)
    for marker in tree.never_read:
        assert marker not in mail.text
    kept = Counter((a.filename, a.content_type, a.data) for a in mail.attachments)
    assert not Counter(tree.files) - kept  # every file, under its name, with its bytes
    assert all(a.size == len(a.data) for a in mail.attachments)


@DRAWS
@given(specs, st.data())
def test_a_damaged_mail_is_read_or_parked_never_raises(spec: Spec, data: st.DataObject) -> None:
    """The same mails cut short, with bytes flipped, lines lost or bits of syntax put in:
    each is read or parked (Unparseable, caught by read_mail), nothing else is raised."""
    raw = bytearray(mail_of(spec)[1])
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, len(raw) - 1))
        how = data.draw(st.sampled_from(("flip", "cut", "drop-line", "insert")))
        if how == "flip":
            raw[at] = data.draw(st.integers(0, 255))
        elif how == "cut":
            del raw[at:]
        elif how == "drop-line":
            end = raw.find(b"\n", at)
            del raw[at : end if end >= 0 else len(raw)]
        else:
            raw[at:at] = data.draw(st.sampled_from((b"\r\n", b"--", b"=?", b"\x00", b"\xff", b";")))
        if not raw:
            break
    reading = read_mail(bytes(raw), size=len(raw), max_bytes=10_000_000)  # nothing raised

    if reading.unreadable is None:  # read: whole, and fit for the store
        assert reading.mail is not None
        assert "\x00" not in reading.mail.text
        assert all(a.size == len(a.data) for a in reading.mail.attachments)
    else:  # parked, for a reason the referents can be told (or no sender: no request)
        assert reading.unreadable in {*UNREADABLE_LABELS, "no-sender"}
