"""Entering a request by hand: what did not come through the single number (a visit, a
letter, a call on a referent's own line, a partner meeting, an outgoing call).

The request is the department's like any other (classification, persons, tasks,
indicators); its entry is an event with its reason, the first note a note, and the audit
journal names who entered it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.actions.actor import Actor, NotFound
from frontdoor.actions.opening import journal
from frontdoor.actions.working import trace
from frontdoor.core.access import reaches
from frontdoor.core.manual_requests import ManualRequest, entered_reason
from frontdoor.core.referrers import ReferrerType
from frontdoor.core.voice_actions import Outcome
from frontdoor.store.models import Request
from frontdoor.store.notes import add_note


async def enter_request(
    *, session: AsyncSession, actor: Actor, department: str, entered: ManualRequest,
    at: datetime, purpose: str = "enter",
) -> Request:  # fmt: skip
    """The new request, committed; NotFound when the department is not the actor's."""
    if not reaches(actor.departments, department):
        raise NotFound
    received_at = entered.received_at.astimezone(UTC)  # as the store reads it back
    found = Request(
        department=department,
        channel=entered.channel.value,
        received_at=received_at,
        # Someone of the DAC was there: the request was answered when it came.
        answered_at=received_at,
        outcome=Outcome.TAKEN.value,
        taken_by=actor.referent_or_login,
        caller_name=entered.caller_name,
        caller_number=entered.caller_number,
        contact_address=entered.contact_address,
        referrer_type=entered.referrer_type.value,
        # A type the referent chose is hers; none chosen stays unknown, never guessed.
        referrer_source="none" if entered.referrer_type is ReferrerType.UNKNOWN else "referent",
        assigned_to=actor.login,
    )
    session.add(found)
    await session.flush()
    trace(session, actor, found, "entered", at, entered_reason(entered, by=actor.signs_as))
    if entered.note:
        add_note(session=session, request_id=found.id or 0, at=at, author=actor.login,
                 body=entered.note)  # fmt: skip
    journal(session=session, actor=actor, found=found, at=at, purpose=purpose)
    await session.commit()
    return found
