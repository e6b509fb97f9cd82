"""The everyday work on a request: qualify it, take it, note, close or reopen it. Each change
is a request event with its reasons (like the call flow's decisions), and the opener's audit
row names the action."""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.actions.actor import Actor
from frontdoor.actions.opening import open_request
from frontdoor.core.qualification import Qualification, qualification_reasons, referrer_corrected
from frontdoor.core.reasons import Reason
from frontdoor.core.referrers import ReferrerType
from frontdoor.core.request_work import assignment, closing, note_body
from frontdoor.store.accounts import desk_accounts
from frontdoor.store.models import Request
from frontdoor.store.notes import add_note
from frontdoor.store.requests import record_event


def trace(
    session: AsyncSession, actor: Actor, found: Request, kind: str, at: datetime, *reasons: Reason
) -> None:
    """The change as a request event with its reasons, like the call flow's decisions."""
    event = record_event(session, found, kind=kind, at=at, referent_id=actor.referent)
    event.reasons = [reason.as_dict() for reason in reasons]


async def qualify(
    *,
    session: AsyncSession,
    actor: Actor,
    request_id: int | None,
    wanted: Qualification,
    at: datetime,
) -> Request:
    found = await open_request(
        session=session, actor=actor, request_id=request_id, at=at, purpose="qualify"
    )
    reasons, confirmed = qualification_reasons(
        referrer_type=found.referrer_type,
        referrer_source=found.referrer_source,
        age_band=found.age_band,
        problems=found.problems or [],
        wanted=wanted,
        by=actor.signs_as,
    )
    if confirmed:
        found.referrer_source = "referent"
    if wanted.referrer_type is not None:  # left empty: stays as it was, never guessed
        found.referrer_type = wanted.referrer_type.value
    found.age_band = wanted.age_band.value if wanted.age_band else None
    found.problems = [problem.value for problem in wanted.problems]
    session.add(found)
    if reasons:
        trace(session, actor, found, "classified", at, *reasons)
    await session.commit()
    return found


async def correct_referrer(
    *, session: AsyncSession, actor: Actor, request_id: int | None, referrer: ReferrerType,
    at: datetime, purpose: str,
) -> Request:  # fmt: skip
    """The referrer type alone, as the API corrects it."""
    found = await open_request(
        session=session, actor=actor, request_id=request_id, at=at, purpose=purpose
    )
    reason = referrer_corrected(found.referrer_type, referrer, by=actor.signs_as)
    found.referrer_type = referrer.value
    found.referrer_source = "referent"
    session.add(found)
    trace(session, actor, found, "referrer-corrected", at, reason)
    await session.commit()
    return found


async def assign(
    *, session: AsyncSession, actor: Actor, request_id: int | None, to: str, at: datetime
) -> Request:
    """`to`: core.request_work.TO_ME, TO_NOBODY or a colleague's login; raises WorkError
    when the colleague is not one of the request's department."""
    found = await open_request(
        session=session, actor=actor, request_id=request_id, at=at, purpose="assign"
    )
    desk = await desk_accounts(session=session, department=found.department)
    decided = assignment(
        to=to, login=actor.login, desk={account.login: account.display_name for account in desk}
    )
    found.assigned_to = decided.assigned_to
    session.add(found)
    trace(session, actor, found, "assigned", at, decided.reason)
    await session.commit()
    return found


async def note(
    *, session: AsyncSession, actor: Actor, request_id: int | None, text: str, at: datetime
) -> Request:
    """Raises core.request_work.WorkError (before opening) when the note cannot be kept."""
    body = note_body(text)
    found = await open_request(
        session=session, actor=actor, request_id=request_id, at=at, purpose="note"
    )
    add_note(session=session, request_id=found.id or 0, at=at, author=actor.login, body=body)
    await session.commit()
    return found


async def set_status(
    *, session: AsyncSession, actor: Actor, request_id: int | None, close: bool, at: datetime
) -> Request:
    found = await open_request(
        session=session, actor=actor, request_id=request_id, at=at,
        purpose="close" if close else "reopen",
    )  # fmt: skip
    decided = closing(close=close, by=actor.login, at=at)
    found.status = decided.status
    found.closed_at = decided.closed_at
    found.closed_by = decided.closed_by
    session.add(found)
    trace(session, actor, found, decided.reason.code, at, decided.reason)
    await session.commit()
    return found
