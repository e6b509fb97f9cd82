"""Where the attachments of received mails are kept: one small interface, a folder on disk.

Files are named by request and a hash of the Message-ID, never by the sender's file name
(personal data, and a path an attacker chooses). The metadata (content type, size) is
recorded under the request as an event. They are personal data: files 0600 in folders 0700,
whatever the umask, deleted with everything else of the person by an erasure or the
retention purge (store.erasure).
"""

from __future__ import annotations

import hashlib
import shutil
from contextlib import suppress
from pathlib import Path
from typing import Protocol

from frontdoor.store.private_files import private_folder, write_private


class AttachmentStore(Protocol):
    def save(self, *, department: str, request_id: int, message_id: str, index: int,
             data: bytes) -> str:  # fmt: skip
        """Keep one attachment; returns its key in the store."""
        ...

    def delete(self, *, department: str, request_id: int) -> int:
        """Delete every attachment of a request; how many files went."""
        ...

    def discard(self, key: str) -> None:
        """Delete one attachment saved by a transaction that did not commit."""
        ...

    def read(self, key: str) -> bytes | None:
        """One attachment's bytes; None when it is not (or no longer) there."""
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
        private_folder(path.parent, root=self.root)
        write_private(path, data)  # the same mail read again writes the same file
        return key

    def read(self, key: str) -> bytes | None:
        path = (self.root / key).resolve()
        # Keys are ours (save), but a key is never followed out of the folder.
        if self.root.resolve() not in path.parents or not path.is_file():
            return None
        return path.read_bytes()

    def discard(self, key: str) -> None:
        path = self.root / key
        if self.root.resolve() not in path.resolve().parents:
            return
        path.unlink(missing_ok=True)
        with suppress(OSError):  # its request's folder too when empty (a request never stored)
            path.parent.rmdir()

    def delete(self, *, department: str, request_id: int) -> int:
        folder = self.root / department / str(request_id)
        if not folder.is_dir():
            return 0
        count = sum(1 for path in folder.iterdir() if path.is_file())
        shutil.rmtree(folder)
        return count
