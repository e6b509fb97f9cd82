"""Where the attachments of received mails are kept: one small interface, a folder on disk.

Files are named by request and a hash of the Message-ID, never by the sender's file name
(personal data, and a path an attacker chooses). The metadata (content type, size) is
recorded under the request as an event.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Protocol


class AttachmentStore(Protocol):
    def save(self, *, department: str, request_id: int, message_id: str, index: int,
             data: bytes) -> str:  # fmt: skip
        """Keep one attachment; returns its key in the store."""
        ...


class FolderStore:
    """Attachments as files under one folder: <department>/<request>/<mail>-<n>.bin."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def save(
        self, *, department: str, request_id: int, message_id: str, index: int, data: bytes
    ) -> str:
        digest = hashlib.sha256(message_id.encode()).hexdigest()[:16]
        key = f"{department}/{request_id}/{digest}-{index}.bin"
        path = self.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)  # the same mail read again writes the same file
        return key
