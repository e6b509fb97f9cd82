"""Writing the outage journal to the store once it answers again.

Each journaled webhook goes through the handler that would have served it, at the time it
arrived, in one transaction with its receipt: a webhook already in the store (replayed
before, or stored by a worker that only seemed to fail) is skipped, so replaying twice
writes once. A call that began in the store and went on in the journal joins its request
(found by CallSid). An SMS is filed by the SMS webhook's handler, with the answer its sender
got then, and joins or opens its request as it would have (found by MessageSid, once). Every
request written from the journal gets one `journaled` event; what a handler leaves for after
its commit (telling the referents of an SMS, sending a directory answer) runs then.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

from aiohttp import web
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import select

from frontdoor.core.reasons import Reason
from frontdoor.keys import CLOCK, COUNTERS, ENGINE, INTAKE_LAG, SESSIONS, SETTINGS
from frontdoor.kit.patience import patiently
from frontdoor.kit.twilio_webhook import (
    JOURNAL,
    TWIML,
    AfterCommit,
    Handler,
    Webhook,
    answered_sid,
)
from frontdoor.sms.webhooks import SMS_PATH, store_sms
from frontdoor.store.db import ping
from frontdoor.store.journal import Entry, Journal
from frontdoor.store.models import Request, RequestEvent
from frontdoor.store.requests import keep_receipt, receipt
from frontdoor.voice.calls import UnknownCall, call_department_of
from frontdoor.voice.webhooks import REPLAYED

log = logging.getLogger(__name__)

# How often the journal is offered to the store while it holds something.
REPLAY_EVERY_S = 2.0
# How long a step of a call the store does not know yet is kept back before it is set aside:
# behind a proxy a call's webhooks alternate between instances, and its first ones (which
# open its request) may wait in another instance's journal, replayed when that instance is.
KEEP_UNKNOWN_CALL = timedelta(hours=1)
# The handler that writes each journaled webhook, by its path.
HANDLERS: dict[str, Handler] = {**REPLAYED, SMS_PATH: store_sms}


@dataclass(kw_only=True, frozen=True)
class Replayed:
    written: int  # entries written to the store now
    already: int  # entries the store had already
    refused: int  # entries no handler could write (kept aside for an operator)
    kept: int = 0  # steps of calls the store does not know yet, kept for the next replay


async def journal_context(app: web.Application) -> AsyncIterator[None]:
    """Open this instance's journal, replay it at start-up and every few seconds after."""
    settings = app[SETTINGS]
    journal = Journal(settings.journal_dir, settings.instance_name)
    try:
        journal.open()
    except OSError as error:
        # Serve all the same (callers still hear a way forward), but say loudly that calls
        # met during an outage would be lost: each is logged and counted (journal_failed).
        log.error(
            "outage journal unusable in %s (%s): set FRONTDOOR_JOURNAL_DIR to a writable, "
            "persistent folder of this instance",
            settings.journal_dir,
            error,
        )
    app[JOURNAL] = journal
    task = asyncio.create_task(_replay_while_waiting(app), name="journal-replay")
    yield
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    journal.close()


async def _replay_while_waiting(app: web.Application) -> None:
    while True:
        if app[JOURNAL].waiting:
            try:
                await replay(app)
            except (SQLAlchemyError, OSError) as error:
                log.info("journal kept: the store is still unreachable (%s)", type(error).__name__)
            except Exception:
                log.exception("journal replay failed; tried again in %s s", REPLAY_EVERY_S)
        await asyncio.sleep(REPLAY_EVERY_S)


async def replay(app: web.Application) -> Replayed:
    """Write every sealed entry to the store; raises if the store is unreachable."""
    journal = app[JOURNAL]
    await patiently(app, ping(app[ENGINE]))  # the store answers: seal, then write
    await journal.seal()
    counts = {"written": 0, "already": 0, "refused": 0, "kept": 0}
    for segment in journal.sealed():
        kept: list[Entry] = []
        for entry in segment.entries:
            # Each entry within the patience: a store that stops answering midway (a lock
            # held by another process) leaves the rest for the next round.
            done, after_commit = await patiently(app, _write_one(app, entry, kept))
            counts[done] += 1
            await _after_commit(entry, after_commit)
        await journal.replayed(segment, kept=kept)
    if any(counts.values()):
        log.info(
            "journal replayed: %(written)s written, %(already)s already stored, "
            "%(refused)s refused, %(kept)s kept for their call",
            counts,
        )
    app[COUNTERS]["journal_replayed"] += counts["written"]
    return Replayed(**counts)


async def _write_one(
    app: web.Application, entry: Entry, kept: list[Entry]
) -> tuple[str, Sequence[AfterCommit]]:
    """Write one entry with its receipt: "written", "already", "refused" or "kept" (added to
    `kept`: its call is not in the store yet), and what is to be done once it is committed."""
    handler = HANDLERS.get(entry.path)
    async with app[SESSIONS]() as session:
        if await receipt(session=session, key=entry.key) is not None:
            return "already", ()
        # Checked as when it was served: the account its form names must own what it touches.
        hook = Webhook(
            form=entry.form,
            query=entry.query,
            now=entry.at,
            session=session,
            app=app,
            path=entry.path,
            journaled_answer=entry.answer,
        )
        try:
            if handler is None:
                raise web.HTTPNotFound(text=f"no handler replays {entry.path}")
            await handler(hook)
            await _note_journaled(hook, entry)
            await hook.settle()
        except UnknownCall as refused:
            await session.rollback()
            now = app[CLOCK]()
            since = entry.kept_since or now
            if now - since < KEEP_UNKNOWN_CALL:
                kept.append(replace(entry, kept_since=since))
                return "kept", ()
            _set_aside(app[JOURNAL], entry, refused.text or refused.reason)
            return "refused", ()
        except web.HTTPException as refused:
            await session.rollback()
            _set_aside(app[JOURNAL], entry, refused.text or refused.reason)
            return "refused", ()
        # The caller heard the journaled answer: a retry of the webhook gets it too.
        try:
            await keep_receipt(session=session, key=entry.key, received_at=entry.at,
                               provider_sid=answered_sid(entry.form), content_type=TWIML,
                               body=entry.answer)  # fmt: skip
            await session.commit()
        except IntegrityError:  # written meanwhile by another worker: the same webhook
            await session.rollback()
            return "already", ()
    if entry.path == SMS_PATH:
        app[INTAKE_LAG]("sms", (app[CLOCK]() - entry.at).total_seconds())
    return "written", hook.after_commit


async def _after_commit(entry: Entry, after_commit: Sequence[AfterCommit]) -> None:
    for afterwards in after_commit:
        try:
            await afterwards()
        except Exception:  # the entry is written: what follows must not write it again
            log.exception("journal entry %s written; what follows its commit failed", entry.key)


async def _note_journaled(hook: Webhook, entry: Entry) -> None:
    """Once per request: say that it was kept in the journal during an outage."""
    request = await _request_of(hook, entry)
    if request is None or request.id is None:
        return
    noted = await hook.session.exec(
        select(RequestEvent.id).where(
            RequestEvent.request_id == request.id, RequestEvent.kind == "journaled"
        )
    )
    if noted.first() is not None:
        return
    what = "SMS" if entry.path == SMS_PATH else "appel"
    why = Reason(
        code="kept-in-journal",
        text=f"base de données injoignable : {what} gardé dans le journal local de l'instance "
        f"{entry.instance or '?'} puis enregistré à son retour",
    )
    hook.session.add(
        RequestEvent(
            request_id=request.id,
            department=request.department,
            at=entry.at,
            kind="journaled",
            detail=entry.instance or None,
            reasons=[why.as_dict()],
        )  # fmt: skip
    )


async def _request_of(hook: Webhook, entry: Entry) -> Request | None:
    """The request a journaled webhook wrote to: its call's, or its message's."""
    if entry.call_sid:
        department = call_department_of(hook)
        found = await hook.call(entry.call_sid, department) if department else None
        return found[0] if found else None
    sid = entry.form.get("MessageSid")
    department = hook.department_called(entry.form.get("To", ""))
    message = await hook.message(sid, department) if sid and department else None
    if message is None:
        return None  # an SMS filed under no request (a STOP outside a conversation)
    return message[1]


def _set_aside(journal: Journal, entry: Entry, why: str) -> None:
    """An entry no handler can write (its department gone…): kept for an operator, 0600."""
    log.error(
        "journal entry %s on %s cannot be written (%s): set aside", entry.key, entry.path, why
    )
    journal.set_aside(entry)
