"""The recordings job: voicemails still at Twilio (its status callback lost, or a fetch that
failed) are fetched into the DAC's own store and deleted there (frontdoor.voice.recordings)."""

from __future__ import annotations

from frontdoor.jobs.base import JobContext
from frontdoor.voice.recordings import bring_all_home


async def fetch_recordings(ctx: JobContext) -> str:
    fetched, left = await bring_all_home(ctx.runtime)
    return f"{fetched} recording(s) fetched and deleted at the provider, {left} left for later"
