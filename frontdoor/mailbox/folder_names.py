"""IMAP folder names in modified UTF-7 (RFC 3501 §5.1.3), the only form servers accept.

"Traités" is sent as "Trait&AOk-s": printable US-ASCII stands for itself ("&" is "&-"), any
other run of characters is the modified base64 ("," for "/", no padding) of its UTF-16
between "&" and "-". A name sent raw in UTF-8 is refused by Dovecot (and most servers), so
every folder name Frontdoor sends goes through `encode`, and every one it reads through
`decode`. Control characters (CR, LF…) are encoded too: a name cannot end a command early.
"""

from __future__ import annotations

import base64
import binascii


def _printable(char: str) -> bool:
    return "\x20" <= char <= "\x7e"


def encode(name: str) -> str:
    """The name as an IMAP server reads it: "Traités" → "Trait&AOk-s", "R&D" → "R&-D"."""
    out: list[str] = []
    pending: list[str] = []  # a run of characters to encode in base64

    def flush() -> None:
        if pending:
            data = "".join(pending).encode("utf-16-be")
            text = base64.b64encode(data).decode("ascii").rstrip("=").replace("/", ",")
            out.append(f"&{text}-")
            pending.clear()

    for char in name:
        if _printable(char):
            flush()
            out.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    return "".join(out)


def decode(encoded: str) -> str:
    """The name a server sent: "Trait&AOk-s" → "Traités". ValueError when it is not modified
    UTF-7 (a raw 8-bit character, an "&" never closed, base64 that is not UTF-16)."""
    out: list[str] = []
    index = 0
    while index < len(encoded):
        char = encoded[index]
        if not _printable(char):
            raise ValueError(f"not modified UTF-7: character {ord(char):#x} at {index}")
        if char != "&":
            out.append(char)
            index += 1
            continue
        end = encoded.find("-", index + 1)
        if end < 0:
            raise ValueError(f"not modified UTF-7: '&' at {index} is never closed")
        run = encoded[index + 1 : end]
        out.append("&" if not run else _decoded_run(run, index))
        index = end + 1
    return "".join(out)


def _decoded_run(run: str, at: int) -> str:
    try:
        data = base64.b64decode(run.replace(",", "/") + "=" * (-len(run) % 4), validate=True)
        text = data.decode("utf-16-be")
    except (binascii.Error, UnicodeDecodeError):
        raise ValueError(f"not modified UTF-7: bad base64 run at {at}") from None
    if any(_printable(char) for char in text):  # RFC 3501: those must stand for themselves
        raise ValueError(f"not modified UTF-7: printable ASCII encoded at {at}")
    return text
