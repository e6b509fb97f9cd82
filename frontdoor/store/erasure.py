"""Removing a person from a request: what retention does after its time, and what an erasure
asks at once. The request stays, pseudonymised, for the indicators.
"""

from __future__ import annotations

from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.retention import pseudonym, scrubbed_reasons
from frontdoor.outbound.twilio_api import TwilioApi
from frontdoor.store.models import Message, Request, RequestEvent, RequestNote


async def pseudonymise(
    *, session: AsyncSession, request: Request, key: bytes, twilio_api: TwilioApi
) -> None:
    """Everything that names or quotes the person goes; raises OutboundError (and changes
    nothing) when the provider could not delete the recording: it is tried again later."""
    if request.recording_url:
        await twilio_api.delete_recording(request.recording_url)
        request.recording_url = None
    # Keyed pseudonyms, not blanks: one person's repeated contacts still count as one.
    if request.caller_number:
        request.caller_number = pseudonym(request.caller_number, key)
    if request.contact_address:
        request.contact_address = pseudonym(request.contact_address.lower(), key)
    request.caller_name = None
    session.add(request)
    events = await session.exec(select(RequestEvent).where(RequestEvent.request_id == request.id))
    for event in events:
        event.reasons = scrubbed_reasons(event.reasons)
        session.add(event)
    # What was written (SMS, mail, notes) goes with who wrote it; the rows stay, counted.
    await session.exec(
        update(Message).where(col(Message.request_id) == request.id).values(body=None, address=None)
    )
    await session.exec(
        update(RequestNote).where(col(RequestNote.request_id) == request.id).values(body=None)
    )
