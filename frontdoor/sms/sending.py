"""An SMS the service writes in a webhook's transaction ("sending") and sends once it is
committed: it is kept whatever happens next, a retry of the webhook (answered from its
receipt) never sends it again, and no connection of the store is held while Twilio answers
(up to its timeout; with SQLite the only connection, which every webhook waits for)."""

from __future__ import annotations

import logging

from aiohttp import web

from frontdoor.core.department import Department
from frontdoor.keys import SESSIONS
from frontdoor.kit.twilio_accounts import twilio_api_for
from frontdoor.outbound.errors import OutboundError, cause_of
from frontdoor.store.sms import record_sms_outcome, text_to_send

log = logging.getLogger(__name__)


async def send_stored_sms(
    app: web.Application, department: Department, *, message_id: int, to: str, what: str
) -> bool:
    """Send the stored SMS if it is still to be sent, and record Twilio's answer on it; True
    when Twilio took it. `what` names it in the French log line of a failure."""
    async with app[SESSIONS]() as session:
        body = await text_to_send(session=session, message_id=message_id)
    if body is None:
        return False
    sid: str | None = None
    try:
        sid = await twilio_api_for(app, department.slug).send_sms(
            to=to, from_=department.number, body=body
        )
    except OutboundError as error:
        log.error("%s : %s n'est pas parti (%s)", department.slug, what, cause_of(error))
    async with app[SESSIONS]() as session:
        await record_sms_outcome(session=session, message_id=message_id, provider_id=sid)
        await session.commit()
    return sid is not None
