"""What a caller hears while the store is unreachable: the same call, decided from memory.

Departments, rosters and known contacts are in memory, so the core's steps still route the
call: the menu, the referents on duty rung, a message offered when nobody takes it, or the
department's backup number (`when_nobody`). What a step would have read from the store
(the referrer chosen, who pressed 1) is read from the call's earlier steps kept in this
instance's journal. Each answer here is kept in the journal by frontdoor.kit.twilio_webhook.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from aiohttp import web

from frontdoor.core import call_flow, orientation, overflow, transfer, waiting
from frontdoor.core.department import Department
from frontdoor.core.menus import Menu
from frontdoor.core.referrers import ReferrerType
from frontdoor.core.voice_actions import Hangup, Reply
from frontdoor.keys import DEPARTMENTS, KNOWN_CALLERS
from frontdoor.kit.twilio_webhook import Unstored
from frontdoor.store.journal import Entry
from frontdoor.voice.speech import menu_reply
from frontdoor.voice.twiml import STEP_PATHS, VOICE_PATH, render

NOTHING_TO_SAY = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
NOT_IN_SERVICE = (
    '<?xml version="1.0" encoding="UTF-8"?><Response>'
    '<Say language="fr-FR" voice="Polly.Lea">Ce numéro n\'est pas attribué.</Say>'
    "<Hangup/></Response>"
)


def menu(unstored: Unstored) -> str:
    department = _department(unstored)
    if department is None:
        return NOT_IN_SERVICE
    reply = _menu(department, at=_received_at(unstored), form=unstored.form, query=unstored.query)
    return render(reply, department=department, caller_number=unstored.form.get("From"))


def _menu(
    department: Department, *, at: datetime, form: Mapping[str, str], query: Mapping[str, str]
) -> Reply:
    """A menu's answer from memory (who is on a call is not known there); a confirmation
    naming no known value is the first menu."""
    level, tries = menu_level(query), whole(query, "try")
    unknown = call_flow.NOBODY_BUSY
    try:
        return menu_reply(
            department, at=at, level=level, tries=tries, form=form, query=query, busy=unknown
        )
    except ValueError:
        return menu_reply(
            department, at=at, level=Menu.WHO, tries=tries, form=form, query={}, busy=unknown
        )


def public_orientation(unstored: Unstored) -> str:
    """A member of the public's postal code (or SMS key) on a professionals-only line: the
    directory cannot be read, the fixed sentence (core.orientation.from_memory)."""
    department = _department(unstored)
    if department is None:
        return NOT_IN_SERVICE
    reply = orientation.from_memory(department, stage=unstored.query.get("stage", "postal"))
    return render(reply, department=department)


def dialed(unstored: Unstored) -> str:
    department = _department(unstored)
    if department is None:
        return NOT_IN_SERVICE
    attempt = whole(unstored.query, "attempt")
    reply = call_flow.ring_ended(
        department,
        at=_received_at(unstored),
        attempt=attempt,
        dial_status=unstored.form.get("DialCallStatus", "failed"),
        accepted_by=_taker(unstored, attempt),
    )
    return render(reply, department=department, caller_number=unstored.form.get("From"))


def whisper(unstored: Unstored) -> str:
    department = _department(unstored)
    if department is None:
        return NOT_IN_SERVICE
    referrer, name = _who_called(unstored, department)
    reply = call_flow.whisper(
        department,
        attempt=whole(unstored.query, "attempt"),
        referent_id=unstored.query.get("referent", ""),
        referrer=referrer,
        caller_name=name,
    )
    return render(reply, department=department)


def overflow_whisper(unstored: Unstored) -> str:
    department = _department(unstored)
    if department is None:
        return NOT_IN_SERVICE
    referrer, name = _who_called(unstored, department)
    reply = call_flow.overflow_whisper(
        department, attempt=whole(unstored.query, "attempt"), referrer=referrer, caller_name=name
    )
    return render(reply, department=department)


def accept(unstored: Unstored) -> str:
    department = _department(unstored)
    if department is None:
        return NOT_IN_SERVICE
    return render(
        call_flow.accept(department, digits=unstored.form.get("Digits")), department=department
    )


def _transfer(unstored: Unstored) -> tuple[Department, transfer.Target, str] | None:
    """A transfer's department, target and referent handing over, from its signed URL."""
    department = _department(unstored)
    taker = unstored.query.get("from", "")
    if department is None or taker not in department.referents:
        return None
    target = transfer.target_of(department, unstored.query.get("target", ""), taker=taker)
    return None if target is None else (department, target, taker)


def transfer_redirected(unstored: Unstored) -> str:
    found = _transfer(unstored)
    if found is None:
        return NOT_IN_SERVICE
    department, target, taker = found
    return render(transfer.caller_transferred(department, target, taker=taker),
                  department=department)  # fmt: skip


def transfer_whisper(unstored: Unstored) -> str:
    found = _transfer(unstored)
    if found is None:
        return NOT_IN_SERVICE
    department, target, taker = found
    caller = call_flow.caller_phrase(*_who_called(unstored, department))
    name = department.referents[taker].name
    reply = transfer.whisper(department, target, taker=taker, taker_name=name, caller=caller)
    return render(reply, department=department)


def transfer_dialed(unstored: Unstored) -> str:
    """Who pressed 1 is in the store: a bridged ring counts as taken (the caller is not
    offered a message after her conversation)."""
    department = _department(unstored)
    if department is None:
        return NOT_IN_SERVICE
    status = unstored.form.get("DialCallStatus", "failed")
    taken = int(unstored.form.get("DialCallDuration") or 0) > 0
    return render(transfer.dial_ended(department, status=status, taken=taken),
                  department=department)  # fmt: skip


def _request_id(unstored: Unstored) -> int:
    return whole(unstored.query, "request")


def _query_params(unstored: Unstored) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, v) for k, v in unstored.query.items() if k != "department"))


def transfer_consult(unstored: Unstored) -> str:
    found = _transfer(unstored)
    if found is None:
        return NOT_IN_SERVICE
    department, target, _ = found
    reply = transfer.consult(department, target, params=_query_params(unstored),
                             request_id=_request_id(unstored))  # fmt: skip
    return render(reply, department=department)


def transfer_target(unstored: Unstored) -> str:
    found = _transfer(unstored)
    if found is None:
        return NOT_IN_SERVICE
    department, target, taker = found
    caller = call_flow.caller_phrase(*_who_called(unstored, department))
    name = department.referents[taker].name
    params = _query_params(unstored)
    reply = transfer.target_screen(department, target, params=params, taker_name=name,
                                   caller=caller)  # fmt: skip
    return render(reply, department=department)


def transfer_target_key(unstored: Unstored) -> str:
    found = _transfer(unstored)
    if found is None:
        return NOT_IN_SERVICE
    reply = transfer.target_key(unstored.form.get("Digits"), request_id=_request_id(unstored))
    return render(reply, department=found[0])


def transfer_handover(unstored: Unstored) -> str:
    """Who pressed 1 is in the store, and moving the caller waits for it: the referent goes
    back to the room, where the caller joins her once the store answers (her * again)."""
    found = _transfer(unstored)
    if found is None:
        return NOT_IN_SERVICE
    department, target, taker = found
    name, params = department.referents[taker].name, _query_params(unstored)
    decided = transfer.handover(department, target, taken=False, taker_name=name,
                                params=params, request_id=_request_id(unstored))  # fmt: skip
    return render(decided.referent, department=department)


def transfer_join(unstored: Unstored) -> str:
    department = _department(unstored)
    if department is None:
        return NOT_IN_SERVICE
    return render(transfer.caller_joins(request_id=_request_id(unstored)), department=department)


def message(unstored: Unstored) -> str:
    department = _department(unstored)
    if department is None:
        return NOT_IN_SERVICE
    reply = call_flow.message_left(department, duration_s=whole(unstored.form, "RecordingDuration"))
    return render(reply, department=department)


def recording(unstored: Unstored) -> str:
    # Nobody listens to this answer: the recording is brought home when the replay stores it.
    return NOTHING_TO_SAY


def ended(unstored: Unstored) -> str:
    # The call is over: nothing to say; settling it waits for the replay.
    department = _department(unstored)
    if department is None:
        return NOT_IN_SERVICE
    return render(Reply(actions=()), department=department)


def queue_hold(unstored: Unstored) -> str:
    """A waiting caller hears their place from what Twilio says of the queue (no store)."""
    department = _department(unstored)
    if department is None:
        return NOT_IN_SERVICE
    reply = waiting.hold(
        department,
        position=whole(unstored.form, "QueuePosition"),
        waited_s=whole(unstored.form, "QueueTime"),
        max_wait_s=department.ringing.max_wait_s,
    )
    return render(reply, department=department)


def queue_key(unstored: Unstored) -> str:
    department = _department(unstored)
    if department is None:
        return NOT_IN_SERVICE
    reply = waiting.hold_key(department, digits=unstored.form.get("Digits"))
    return render(reply, department=department)


def queue_left(unstored: Unstored) -> str:
    department = _department(unstored)
    if department is None:
        return NOT_IN_SERVICE
    reply = call_flow.queue_left(
        department,
        at=_received_at(unstored),
        result=unstored.form.get("QueueResult", "error"),
        waited_s=whole(unstored.form, "QueueTime"),
    )
    return render(reply, department=department)


def queue_joining(unstored: Unstored) -> str:
    department = _department(unstored)
    if department is None:
        return NOT_IN_SERVICE
    return render(waiting.queue_joining(department), department=department)


def queue_offer(unstored: Unstored) -> str:
    """An offer call while the store is unreachable: the referent is not put through (who
    waits cannot be read); the caller keeps waiting, and is offered again."""
    department = _department(unstored)
    if department is None:
        return NOT_IN_SERVICE
    return render(Reply(actions=(Hangup(),)), department=department)


def _taker(unstored: Unstored, attempt: int) -> str | None:
    """Who took the call at this attempt: the journal says, or, when the acceptance was
    stored before the outage, a leg bridged and talked to says someone did (only a referent
    who pressed 1 is bridged). The answer is the same: the call was taken."""
    journaled = accepted_in(unstored.earlier, attempt, unstored.form.get("DialCallSid"))
    if journaled is not None:
        return journaled
    return "un référent" if whole(unstored.form, "DialCallDuration") > 0 else None


def accepted_in(earlier: Sequence[Entry], attempt: int, leg_sid: str | None) -> str | None:
    """The referent who pressed 1 at this attempt, as the journal saw it (on that leg)."""
    for entry in earlier:
        if (
            entry.path in (STEP_PATHS["accept"], STEP_PATHS["overflow-accept"])
            and entry.query.get("attempt") == str(attempt)
            and entry.form.get("Digits") == "1"
            and (not leg_sid or entry.form.get("CallSid") == leg_sid)
        ):
            if entry.path == STEP_PATHS["overflow-accept"]:
                return overflow.TAKER
            return entry.query.get("referent")
    return None


def menu_level(query: Mapping[str, str]) -> Menu:
    """The menu of a step; an unknown one is taken as the first (never a dead end here)."""
    try:
        return Menu(query.get("level", "who"))
    except ValueError:
        return Menu.WHO


def whole(values: Mapping[str, str], key: str) -> int:
    try:
        return int(values.get(key, "0"))
    except ValueError:
        return 0


def _department(unstored: Unstored) -> Department | None:
    """The call's department, if the signer owns it (403 otherwise)."""
    return unstored.owned(
        department_of(unstored.app, unstored.form, unstored.query, earlier=unstored.earlier)
    )


def department_of(
    app: web.Application,
    form: Mapping[str, str],
    query: Mapping[str, str],
    *,
    earlier: Sequence[Entry] = (),
) -> Department | None:
    """The department called: from the caller's leg, or, on a referent's leg, its parent's."""
    departments = app[DEPARTMENTS]
    if slug := query.get("department"):  # named in the action URL Frontdoor signed
        return departments.for_slug(slug)
    for entry in earlier:
        if entry.path == VOICE_PATH:
            return departments.for_number(entry.form.get("To", ""))
    for number in (form.get("To", ""), form.get("From", "")):
        department = departments.for_number(number)
        if department is not None:
            return department
    # A referent's leg shown the caller's number: the department of the referent rung.
    referent, phone = query.get("referent"), form.get("To")
    for department in departments:
        known = department.referents.get(referent or "")
        if known is not None and known.phone == phone:
            return department
    return None


def _received_at(unstored: Unstored) -> datetime:
    for entry in unstored.earlier:
        if entry.path == VOICE_PATH:
            return entry.at
    return unstored.now


def _who_called(unstored: Unstored, department: Department) -> tuple[ReferrerType, str | None]:
    """Who the referent is told is calling: a known contact, else the caller's menu choice."""
    referrer, name = ReferrerType.UNKNOWN, None
    for entry in unstored.earlier:
        if entry.path == VOICE_PATH:
            known = unstored.app[KNOWN_CALLERS].lookup(department.slug, entry.form.get("From"))
            if known is not None:
                referrer, name = known.referrer_type, known.name
        elif entry.path == STEP_PATHS["menu"]:
            chosen = _menu(
                department, at=entry.at, form=entry.form, query=entry.query
            ).update.referrer_type
            referrer = chosen or referrer
    return referrer, name
