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
    OutboundError when Twilio could not be reached (what is done so far is kept).

    No store connection is held while Twilio answers (up to its timeout): each step reads or
    writes in its own short transaction, and checks that the request still has the recording
    it fetched, so that one erased or purged meanwhile is not brought back."""
    async with runtime.sessions() as session:
        request = await session.get(Request, request_id)
        if request is None or not request.recording_url:
            return
        url, department, fetched = request.recording_url, request.department, request.recording_key
    twilio = runtime.twilio_api_for(department)
    if fetched is None:
        audio = await twilio.recording_audio(url)
        if not await _keep(runtime, request_id, url, audio):
            return
    await twilio.delete_recording(url)
    async with runtime.sessions() as session:
        request = await session.get(Request, request_id)
        if request is not None and request.recording_url == url and request.recording_key:
            request.recording_url = None
            session.add(request)
            await session.commit()


async def _keep(runtime: JobRuntime, request_id: int, url: str, audio: bytes) -> bool:
    """Store the fetched audio, kept here before it goes there; False when the request no
    longer holds that recording (erased, purged) and the audio must not be kept."""
    async with runtime.sessions() as session:
        # Locked, as an erasure locks it (store.erasure.locked_for_erasure): one erasing it
        # now has to commit first, and its recording is then gone.
        request = await session.get(Request, request_id, with_for_update=True)
        if request is None or request.recording_url != url:
            return False
        if request.recording_key is None:  # not fetched meanwhile by another try
            store = RecordingStore(runtime.settings.recordings_dir)
            request.recording_key = store.save(
                department=request.department, request_id=request_id, data=audio
            )
            request.recording_fetched_at = runtime.clock()
            session.add(request)
            await session.commit()
        return True


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
