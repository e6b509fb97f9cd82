"""Voicemails brought home: fetched from Twilio into the DAC's own store (store.recordings) as
soon as Twilio says a recording is complete, or by the recordings job that retries, then
deleted at Twilio. A fetch that fails loses nothing: the recording stays at Twilio, its URL
kept, until a later try fetches it; a deletion that fails is tried again the same way."""

from __future__ import annotations

import logging

from frontdoor.kit.runtime import JobRuntime
from frontdoor.outbound.errors import OutboundError, cause_of
from frontdoor.store.models import Request
from frontdoor.store.recordings import RecordingStore, at_the_provider

log = logging.getLogger(__name__)

BATCH = 100


async def bring_home(runtime: JobRuntime, request_id: int) -> None:
    """Fetch one request's voicemail into the store, then delete it at Twilio; raises
    OutboundError when Twilio could not be reached (what is done so far is kept)."""
    store = RecordingStore(runtime.settings.recordings_dir)
    async with runtime.sessions() as session:
        request = await session.get(Request, request_id)
        if request is None or not request.recording_url:
            return
        twilio = runtime.twilio_api_for(request.department)
        if request.recording_key is None:
            audio = await twilio.recording_audio(request.recording_url)
            request.recording_key = store.save(
                department=request.department, request_id=request_id, data=audio
            )
            request.recording_fetched_at = runtime.clock()
            session.add(request)
            await session.commit()  # kept here before it goes there
        await twilio.delete_recording(request.recording_url)
        request.recording_url = None
        session.add(request)
        await session.commit()


async def bring_home_quietly(runtime: JobRuntime, request_id: int) -> None:
    """bring_home, a failure logged (without personal data) and left to the job."""
    try:
        await bring_home(runtime, request_id)
    except OutboundError as error:
        log.warning("demande %s : message vocal laissé chez l'opérateur pour le prochain essai "
                    "(%s)", request_id, cause_of(error))  # fmt: skip


async def bring_all_home(runtime: JobRuntime) -> tuple[int, int]:
    """Every voicemail still at the provider: (fetched, left for the next try)."""
    async with runtime.sessions() as session:
        waiting = await at_the_provider(session=session, limit=BATCH)
    left = 0
    for request_id in waiting:
        try:
            await bring_home(runtime, request_id)
        except OutboundError:
            left += 1
            log.warning("voicemail of request %s left at the provider for the next try",
                        request_id)  # fmt: skip
    return len(waiting) - left, left
