"""Telling the referents that a request waits for them: one SMS each from the department's
number, never with its content, then an event saying who was told (and who could not be).

Sent only once what it announces is committed, and after the provider has its answer where
that matters; a failure to tell is logged without personal data and loses nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from frontdoor.core.department import Department
from frontdoor.core.notices import referent_names
from frontdoor.core.reasons import Reason
from frontdoor.keys import SESSIONS
from frontdoor.kit.twilio_accounts import twilio_api_for
from frontdoor.outbound.errors import OutboundError, cause_of
from frontdoor.store.models import RequestEvent

log = logging.getLogger(__name__)


@dataclass(kw_only=True, frozen=True)
class Notice:
    """Referents to tell, once it is committed, that a request has something new."""

    department: Department
    request_id: int
    referent_ids: tuple[str, ...]
    text: str
    at: datetime  # when what it announces came in
    kind: str = "sms-notified"  # the event that records who was told


async def tell_referents(app: web.Application, notice: Notice) -> None:
    """Tell each referent by SMS from the department's number; record who was told."""
    told: list[str] = []
    for referent_id in notice.referent_ids:
        referent = notice.department.referents.get(referent_id)
        if referent is None:
            continue
        try:
            await twilio_api_for(app, notice.department.slug).send_sms(
                to=referent.phone, from_=notice.department.number, body=notice.text
            )
        except OutboundError as error:
            log.warning(
                "demande %s : le SMS qui prévient le référent %s n'est pas parti (%s)",
                notice.request_id,
                referent_id,
                cause_of(error),
            )
            continue
        told.append(referent_id)
    await _record_notice(app, notice, told)


async def _record_notice(app: web.Application, notice: Notice, told: list[str]) -> None:
    missed = [r for r in notice.referent_ids if r not in told]
    names = referent_names(notice.department, told)
    text = f"prévenus par SMS : {', '.join(names) or 'personne'}"
    if missed:
        text += f" ; échec pour : {', '.join(referent_names(notice.department, missed))}"
    reason = Reason(code=notice.kind, text=text)
    try:
        async with app[SESSIONS]() as session:
            session.add(
                RequestEvent(
                    request_id=notice.request_id,
                    department=notice.department.slug,
                    at=notice.at,
                    kind=notice.kind,
                    detail=", ".join(told)[:200] or None,
                    reasons=[reason.as_dict()],
                )
            )
            await session.commit()
    except SQLAlchemyError:
        log.exception("request %s: the notice of its %s was not recorded", notice.request_id,
                      notice.kind)  # fmt: skip
