"""Voicemails in the DAC's own store: fetched from the provider as soon as it has them, then
deleted there, so that they do not wait at Twilio for their whole retention.

Files are named by department and request, never by anything the caller said or dialled;
0600 in folders 0700 (store.private_files). Deleted at their retention (core.retention's
recordings) or with their request's person (store.erasure).
"""

from __future__ import annotations

from pathlib import Path

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.store.models import Request
from frontdoor.store.private_files import private_folder, write_private


class RecordingStore:
    """Voicemails as files under one folder: <department>/<request>.mp3."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def save(self, *, department: str, request_id: int, data: bytes) -> str:
        key = f"{department}/{request_id}.mp3"
        path = self.root / key
        private_folder(path.parent, root=self.root)
        write_private(path, data)
        return key

    def read(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError("a recording's key names a file of the store")
        return path


async def at_the_provider(*, session: AsyncSession, limit: int) -> list[int]:
    """The requests whose voicemail is still at the provider, oldest first."""
    query = (
        select(Request.id)
        .where(col(Request.recording_url).is_not(None))
        .order_by(col(Request.id))
        .limit(limit)
    )
    return [request_id for request_id in (await session.exec(query)).all() if request_id]
