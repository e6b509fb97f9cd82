"""Frontdoor closing a request by itself, and opening it again (frontdoor.core.closing decides),
with the reason in the request's timeline."""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.closing import (
    BY_FRONTDOOR,
    Ended,
    directory_answered_closes,
    written_again_reopens,
)
from frontdoor.core.request_fields import RequestStatus
from frontdoor.store.models import Request
from frontdoor.store.requests import record_event


def close_if_only_informed(session: AsyncSession, request: Request, *, at: datetime) -> bool:
    """Once a call has ended or an SMS question is answered: closed if the directory's answer
    was all it got. True when closed."""
    reason = directory_answered_closes(
        Ended(
            status=request.status,
            outcome=request.outcome,
            response_kinds=request.response_kinds or [],
            callback_needed=request.callback_needed,
            voicemail=bool(request.recording_url or request.recording_key),
        )
    )
    if reason is None:
        return False
    request.status = RequestStatus.CLOSED
    request.closed_at, request.closed_by = at, BY_FRONTDOOR
    session.add(request)
    event = record_event(session, request, kind="auto-closed", at=at)
    event.reasons = [reason.as_dict()]
    return True


def reopen_if_written_again(session: AsyncSession, request: Request, *, at: datetime) -> bool:
    """A further message under a request Frontdoor closed: open again. True when reopened."""
    reason = written_again_reopens(status=request.status, closed_by=request.closed_by)
    if reason is None:
        return False
    request.status = RequestStatus.OPEN
    request.closed_at = request.closed_by = None
    session.add(request)
    event = record_event(session, request, kind="reopened", at=at)
    event.reasons = [reason.as_dict()]
    return True
