"""The attachments of the mails a request received, as a referent sees them: their names and
sizes, and the name a download is given.

They are listed from the request's "mail-attachments" events (frontdoor.mailbox.intake):
one reason per attachment, holding its key in the attachment store (None once retention or
an erasure removed the file), and since this version the sender's file name and the size.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

ATTACHMENTS_EVENT = "mail-attachments"
MAX_NAME = 120
# What a file name may keep: letters and digits of any script, and a few separators; nothing
# a shell, a path or a header could read (slashes, quotes, control characters).
_UNSAFE = re.compile(r"[^\w .()+,-]", re.UNICODE)


@dataclass(kw_only=True, frozen=True)
class AttachmentShown:
    event_id: int
    index: int
    name: str
    size: int | None
    kept: bool  # its file is still there to open

    @property
    def size_text(self) -> str:
        """The size the French way: "830 octets", "12 Ko", "1,4 Mo"."""
        if self.size is None:
            return ""
        if self.size < 1024:
            return f"{self.size} octets"
        if self.size < 1024 * 1024:
            return f"{round(self.size / 1024)} Ko"
        return f"{self.size / (1024 * 1024):.1f} Mo".replace(".", ",")

    @property
    def ref(self) -> str:
        """How a link names it: "<event>-<index>"."""
        return f"{self.event_id}-{self.index}"


def download_name(name: str | None, index: int) -> str:
    """A safe file name for the download: the sender's, cleaned, or a neutral one."""
    cleaned = _UNSAFE.sub("_", unicodedata.normalize("NFC", name or "")).strip(" ._")
    return cleaned[:MAX_NAME] or f"piece-jointe-{index + 1}"


def attachments_listed(
    events: Sequence[tuple[int, Sequence[Mapping[str, Any]]]],
) -> list[AttachmentShown]:
    """The attachments of (event id, reasons) pairs of "mail-attachments" events."""
    shown = []
    for event_id, reasons in events:
        for index, reason in enumerate(reasons):
            size = reason.get("size")
            shown.append(
                AttachmentShown(
                    event_id=event_id,
                    index=index,
                    name=download_name(reason.get("name"), index),
                    size=size if isinstance(size, int) else None,
                    kept=bool(reason.get("key")),
                )
            )
    return shown


def parse_ref(text: str) -> tuple[int, int] | None:
    """ "12-0" → (12, 0); anything else: None."""
    event, _, index = text.partition("-")
    if not (event.isascii() and event.isdigit() and index.isascii() and index.isdigit()):
        return None
    if len(event) > 9 or len(index) > 4:
        return None
    return int(event), int(index)


def attachment_key(reasons: Sequence[Mapping[str, Any]], index: int) -> str | None:
    if not 0 <= index < len(reasons):
        return None
    key = reasons[index].get("key")
    return key if isinstance(key, str) and key else None
