"""The facts a call's callbacks reported, read back from its events (core.call_settlement)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.call_settlement import SETTLED, Accepted, CallFacts, RingEnded
from frontdoor.core.numbers import is_withheld
from frontdoor.core.voice_actions import Outcome
from frontdoor.store.models import Request, RequestEvent

# The events that carry a fact; the others are the caller's steps, kept on the request.
FACT_KINDS = ("accepted", "ring-ended", "voicemail", "ended")


async def call_facts(*, session: AsyncSession, request: Request) -> CallFacts:
    """Every fact received for this call so far, as a set (their order is not kept)."""
    assert request.id is not None
    result = await session.exec(
        select(RequestEvent).where(
            RequestEvent.request_id == request.id,
            RequestEvent.kind.in_(FACT_KINDS),  # type: ignore[attr-defined]
        )
    )
    outcome = Outcome(request.outcome)
    return facts_of(
        result.all(),
        step_outcome=Outcome.IN_PROGRESS if outcome in SETTLED else outcome,
        withheld_number=is_withheld(request.caller_number),
    )


def facts_of(
    events: Sequence[RequestEvent], *, step_outcome: Outcome, withheld_number: bool = False
) -> CallFacts:
    """A call's facts from its events of the kinds that carry one."""
    return CallFacts(
        step_outcome=step_outcome,
        accepted=frozenset(
            Accepted(attempt=e.attempt or 0, referent_id=e.referent_id or "",
                     leg_sid=e.leg_sid, at=e.at)
            for e in events if e.kind == "accepted"
        ),
        rings=frozenset(
            RingEnded(attempt=e.attempt or 0, status=e.detail or "", leg_sid=e.leg_sid)
            for e in events if e.kind == "ring-ended"
        ),
        voicemail=any(e.kind == "voicemail" for e in events),
        ended_at=min((e.at for e in events if e.kind == "ended"), default=None),
        withheld_number=withheld_number,
    )  # fmt: skip
