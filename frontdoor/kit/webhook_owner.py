"""What a verified webhook may touch: the things of the departments its signing account owns.

frontdoor.core.ownership says which account owns which department. It is applied here to
everything a Twilio webhook reaches, in two layers:

- the resolvers handlers find things with (`Webhook.call`, `.task`, `.message`,
  `.department_called`, `.owned`, `Unstored.owned`) answer 403 for another department's
  call, callback task, message or number, before anything is read out or written;
- the webhook's own session is watched (`RowGuard`): a row of a department the signer does
  not own, read through it or written with it, ends the webhook with 403 before its answer
  and its commit. A lookup made without a resolver cannot reach another department either.

A refusal changes nothing (the webhook's transaction is rolled back, its answer not kept),
says nothing of the department refused, and is counted (`webhook_ownership_refused`) and
logged with the path and the department's slug only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from aiohttp import web
from sqlalchemy import event
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.department import Department
from frontdoor.keys import COUNTERS
from frontdoor.kit.twilio_accounts import TWILIO_ACCOUNTS
from frontdoor.outbound.errors import OutboundError
from frontdoor.outbound.twilio_api import parse_recording
from frontdoor.store.models import CallbackTaskRow, Message, Request

log = logging.getLogger(__name__)

REFUSED = "webhook_ownership_refused"
# Builds the refusal of a thing (its kind, its department's slug).
Refuse = Callable[[str, str], web.HTTPForbidden]
# What a refusal calls the rows it meets (any other: a row).
_KINDS: dict[type, str] = {Request: "request", CallbackTaskRow: "callback task", Message: "message"}


def signer_owns(app: web.Application, form: Mapping[str, str], department: str) -> bool:
    """Whether the account that signed this form (its AccountSid: verify checked the
    signature with that account's token, and the journal keeps it) owns the department."""
    return app[TWILIO_ACCOUNTS].owns(department, form.get("AccountSid"))


def owned(
    app: web.Application,
    form: Mapping[str, str],
    path: str,
    department: Department | None,
    what: str,
) -> Department | None:
    """The department found, if the signer owns it; else 403."""
    if department is not None and not signer_owns(app, form, department.slug):
        raise refusal(app, path=path, what=what, department=department.slug)
    return department


def owned_recording(app: web.Application, form: Mapping[str, str], path: str) -> str | None:
    """The RecordingUrl posted, if any. It must name a recording of the signing account: the
    console fetches it, and retention deletes it, with the department's credentials."""
    url = form.get("RecordingUrl") or None
    if url is None:
        return None
    try:
        account, _ = parse_recording(url)
    except OutboundError:
        raise web.HTTPBadRequest(text="RecordingUrl: not a Twilio recording") from None
    if not app[TWILIO_ACCOUNTS].owns_recording(account, form.get("AccountSid")):
        raise refusal(app, path=path, what="recording", department=f"account {account}")
    return url


def refusal(app: web.Application, *, path: str, what: str, department: str) -> web.HTTPForbidden:
    """Count and log a webhook touching a department its signer does not own; the 403."""
    app[COUNTERS][REFUSED] += 1
    log.warning(
        "refused a webhook on %s: a %s of %s, signed by an account that does not own it",
        path,
        what,
        department,
    )
    return web.HTTPForbidden(text=f"signed by an account that does not own this {what}")


class RowGuard:
    """Watches one webhook's session: every row it reads or writes that belongs to a
    department (by its `department`, or its request's) must belong to one the signer owns.

    A row read through a request id (an event, a message) is checked once its request is
    known: at the next flush, or by `settle`, before the webhook answers.
    """

    def __init__(self, session: AsyncSession, owns: Callable[[str], bool], refuse: Refuse):
        self._owns = owns
        self._refuse = refuse
        self._unsettled: set[int] = set()  # request ids of rows read, not checked yet
        # The requests read, held for the webhook's life: the session's identity map holds
        # unchanged rows weakly, and settling would read again one a handler let go of.
        self._requests: list[Request] = []
        # Found by the listeners every session has (below): listening on each webhook's
        # session would cost more than the rest of its ORM work.
        session.sync_session.info[_GUARD] = self

    async def settle(self, session: AsyncSession) -> None:
        await session.run_sync(self._settle)

    def _loaded(self, session: Session, instance: Any) -> None:
        self._check(instance)
        if isinstance(instance, Request):
            self._requests.append(instance)

    def _flushing(self, session: Session, _context: Any, _instances: Any) -> None:
        for instance in (*session.new, *session.dirty):
            self._check(instance)
        self._settle(session)

    def _check(self, instance: Any) -> None:
        department = getattr(instance, "department", None)
        if isinstance(department, str) and not self._owns(department):
            raise self._refuse(_KINDS.get(type(instance), "row"), department)
        request_id = getattr(instance, "request_id", None)
        if isinstance(request_id, int):
            self._unsettled.add(request_id)

    def _settle(self, session: Session) -> None:
        unknown: set[int] = set()
        for request_id in self._unsettled:
            request = session.identity_map.get(identity_key(Request, request_id))
            if request is None:
                unknown.add(request_id)
            elif not self._owns(request.department):
                raise self._refuse("request", request.department)
        if unknown:
            with session.no_autoflush:
                rows = session.execute(
                    select(col(Request.department)).where(col(Request.id).in_(unknown))
                )
                for (department,) in rows:
                    if not self._owns(department):
                        raise self._refuse("request", department)
        self._unsettled.clear()


# Where a session keeps its webhook's guard (Session.info).
_GUARD = "webhook_row_guard"


@event.listens_for(Session, "loaded_as_persistent")
def _guard_loaded(session: Session, instance: Any) -> None:
    guard = session.info.get(_GUARD)
    if guard is not None:
        guard._loaded(session, instance)


@event.listens_for(Session, "before_flush")
def _guard_flushing(session: Session, context: Any, instances: Any) -> None:
    guard = session.info.get(_GUARD)
    if guard is not None:
        guard._flushing(session, context, instances)
