"""Opening an attachment of a mail a request received: after the access check, each opening
journaled, the file's bytes read off the loop."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.actions.actor import Actor, NotFound
from frontdoor.actions.opening import open_request
from frontdoor.core.attachments import ATTACHMENTS_EVENT, attachment_key, download_name, parse_ref
from frontdoor.store.attachments import AttachmentStore
from frontdoor.store.requests import event_of_request


@dataclass(kw_only=True, frozen=True)
class OpenedAttachment:
    name: str  # safe for a Content-Disposition (core.attachments.download_name)
    data: bytes


async def open_attachment(
    *, session: AsyncSession, actor: Actor, request_id: int | None, ref: str,
    store: AttachmentStore, at: datetime,
) -> OpenedAttachment:  # fmt: skip
    """NotFound for another department's request, an unknown attachment, or a file gone."""
    found = await open_request(
        session=session, actor=actor, request_id=request_id, at=at, purpose="open_attachment"
    )
    wanted = parse_ref(ref)
    if wanted is None:
        raise NotFound
    event_id, index = wanted
    event = await event_of_request(session=session, request_id=found.id or 0, event_id=event_id)
    if event is None or event.kind != ATTACHMENTS_EVENT:
        raise NotFound
    key = attachment_key(event.reasons, index)
    data = None if key is None else await asyncio.to_thread(store.read, key)
    if data is None:
        raise NotFound
    return OpenedAttachment(name=download_name(event.reasons[index].get("name"), index), data=data)
