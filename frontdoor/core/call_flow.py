"""What the caller hears next: each step of a call is a pure function returning a Reply.

A Reply lists abstract actions (say, ask for a key, ring, record…) that the voice adapter
renders as TwiML, the changes to make to the request, and the reasons for them. Steps that
continue the call name the next step (`Next`); the adapter turns it into a signed action URL,
so nothing about a call lives in one process's memory.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from datetime import datetime
from enum import StrEnum

from frontdoor.core import voice_directory, waiting
from frontdoor.core.calendar import Opening
from frontdoor.core.department import Department
from frontdoor.core.prompts import prompt
from frontdoor.core.reasons import Reason
from frontdoor.core.referrers import REFERRERS, KnownCaller, ReferrerType, classify_known
from frontdoor.core.routing import RingAttempt, plan_route
from frontdoor.core.spoken import spoken_moment
from frontdoor.core.voice_actions import (
    Action,
    Ask,
    CallUpdate,
    Connect,
    Enqueue,
    Hangup,
    Next,
    Outcome,
    RecordMessage,
    Redirect,
    Reply,
    Ring,
    Say,
)

MENU_TRIES = 2
NOBODY_BUSY: Set[str] = frozenset()
# In the first menu: information on a resource of the territory, without a referent.
DIRECTORY_KEY = "9"


class Menu(StrEnum):
    WHO = "who"
    PROFESSION = "profession"


# The "which professional are you" menu, in the order it is read. A key says only what the
# prompt says: "médecin" is a doctor to confirm (GP, specialist, hospital doctor…), "infirmier"
# a nurse to confirm (libéral, hospital, SSIAD…), "autre professionnel" anyone; the referent
# confirms the precise type, and until then the indicators count them "à préciser".
PROFESSION_KEYS: Mapping[str, ReferrerType] = {
    "1": ReferrerType.DOCTOR_TO_CONFIRM,
    "2": ReferrerType.NURSE_TO_CONFIRM,
    "3": ReferrerType.HOSPITAL,
    "4": ReferrerType.ESMS,
    "5": ReferrerType.SOCIAL_WORKER,
    "6": ReferrerType.PROFESSIONAL_TO_CONFIRM,
}
PUBLIC_KEYS: Mapping[str, ReferrerType] = {"2": ReferrerType.PATIENT, "3": ReferrerType.CARER}


def incoming(
    department: Department, *, at: datetime, opening: Opening, known: KnownCaller | None
) -> Reply:
    """The first answer to a call."""
    greeting = Say(text=prompt(department, "greeting"))
    if not opening.is_open:
        return _closed(department, at=at, opening=opening, greeting=greeting)
    classified = classify_known(known)
    if classified.reason is not None:
        routed = ring(department, at=at, attempt=0)
        return Reply(
            actions=(greeting, *routed.actions),
            update=CallUpdate(
                referrer_type=classified.referrer_type,
                out_of_hours=False,
                callback_needed=routed.update.callback_needed,
            ),
            reasons=(opening.reason, classified.reason, *routed.reasons),
        )
    return Reply(
        actions=(greeting, *_ask(department, Menu.WHO, tries=1)),
        update=CallUpdate(out_of_hours=False),
        reasons=(opening.reason,),
    )


def menu(
    department: Department,
    *,
    at: datetime,
    level: Menu,
    tries: int,
    digits: str | None,
    busy: Set[str] = NOBODY_BUSY,
) -> Reply:
    """The caller pressed a key (or none) in a menu; `busy`: the referents on a call."""
    if level is Menu.WHO:
        if digits == "1":
            return Reply(actions=_ask(department, Menu.PROFESSION, tries=1))
        if digits == DIRECTORY_KEY:
            return voice_directory.ask_postal_code(department)
        if digits is not None and digits in PUBLIC_KEYS and department.public_allowed:
            return _routed(department, at=at, referrer=PUBLIC_KEYS[digits], busy=busy)
        if digits == "2" and not department.public_allowed:
            return Reply(
                actions=(
                    Say(text=prompt(department, "public_not_allowed")),
                    Say(text=prompt(department, "emergency")),
                    Hangup(),
                ),
                update=CallUpdate(
                    referrer_type=ReferrerType.PATIENT,
                    outcome=Outcome.PUBLIC_NOT_ALLOWED,
                    callback_needed=False,
                ),
                reasons=(
                    Reason(
                        code="public-not-allowed",
                        text="particulier : ligne réservée aux professionnels, orienté ailleurs",
                    ),
                ),
            )
    elif digits is not None and digits in PROFESSION_KEYS:
        return _routed(department, at=at, referrer=PROFESSION_KEYS[digits], busy=busy)

    if tries < MENU_TRIES:
        retry = (Say(text=prompt(department, "not_understood")),) if digits else ()
        return Reply(actions=(*retry, *_ask(department, level, tries=tries + 1)))
    return gave_up(
        department, at=at, code="menu-no-choice", referrer=ReferrerType.UNKNOWN, busy=busy
    )


def gave_up(
    department: Department,
    *,
    at: datetime,
    code: str,
    referrer: ReferrerType | None = None,
    busy: Set[str] = NOBODY_BUSY,
) -> Reply:
    """After the last try of any prompt: never a dead end, never the prompt again. The call
    goes to the referents on duty (a message is offered when nobody is, or nobody accepts)."""
    routed = ring(department, at=at, attempt=0, busy=busy)
    return Reply(
        actions=routed.actions,
        update=CallUpdate(referrer_type=referrer, callback_needed=routed.update.callback_needed),
        reasons=(
            Reason(
                code=code, text=f"aucun choix valable après {MENU_TRIES} essais : mis en relation"
            ),
            *routed.reasons,
        ),
    )


def ring(
    department: Department, *, at: datetime, attempt: int, busy: Set[str] = NOBODY_BUSY
) -> Reply:
    """Ring attempt number ``attempt`` of the plan, or the next one with someone free in it.

    Referents on a call (`busy`) are not rung. When no attempt is left, the caller waits in
    the queue if someone of the plan is on a call (core.waiting), else is offered a message.
    """
    plan = plan_route(department, at)
    while attempt < len(plan.attempts) and not _free(plan.attempts[attempt], busy):
        attempt += 1
    if attempt >= len(plan.attempts):
        everyone = list(dict.fromkeys(r.id for a in plan.attempts for r in a.referents))
        on_a_call = [i for i in everyone if i in busy]
        if on_a_call:
            tried = tuple(i for i in everyone if i not in busy)
            return _enqueue(department, on_a_call=on_a_call, tried=tried, reasons=plan.reasons)
        why = (
            Reason(code="no-one-to-ring", text="personne à appeler : message proposé")
            if not plan.attempts
            else Reason(
                code="nobody-accepted", text="aucun référent n'a pris l'appel : message proposé"
            )
        )
        return _offer_message(department, nobody=True, reasons=(*plan.reasons, why))
    current = plan.attempts[attempt]
    caller_id = department.number
    if current.forward_to is not None:
        return Reply(
            actions=(
                Say(text=prompt(department, "forwarding")),
                Connect(
                    number=current.forward_to,
                    caller_id=caller_id,
                    timeout_s=department.ringing.timeout_s,
                    then=Next(step="dialed", params=(("attempt", str(attempt)),)),
                ),
            ),
            reasons=plan.reasons,
        )
    reasons: tuple[Reason, ...] = ()
    if attempt == 0:
        reasons = plan.reasons
    people = ", ".join(r.id for r in current.referents if r.id not in busy)
    reasons = (
        *reasons,
        Reason(code=f"ring-{current.stage}", text=f"tentative {attempt + 1} : appel de {people}"),
    )
    hold_on = (Say(text=prompt(department, "connecting")),) if attempt == 0 else ()
    return Reply(
        actions=(
            *hold_on,
            Ring(
                attempt=attempt,
                referents=tuple(r for r in current.referents if r.id not in busy),
                timeout_s=department.ringing.timeout_s,
                caller_id=caller_id,
                then=Next(step="dialed", params=(("attempt", str(attempt)),)),
            ),
        ),
        reasons=reasons,
    )


def ring_ended(
    department: Department,
    *,
    at: datetime,
    attempt: int,
    dial_status: str,
    accepted_by: str | None,
    busy: Set[str] = NOBODY_BUSY,
) -> Reply:
    """A ring attempt is over: the call was taken, or the next attempt starts."""
    forwarded = _forward_number(department, at=at, attempt=attempt)
    if forwarded is not None and dial_status in ("completed", "answered"):
        return Reply(
            actions=(Hangup(),),
            update=CallUpdate(
                outcome=Outcome.FORWARDED, attempts=attempt + 1, callback_needed=False
            ),
            reasons=(Reason(code="forwarded", text=f"transféré vers {forwarded}"),),
        )
    if accepted_by is not None and dial_status in ("completed", "answered"):
        return Reply(
            actions=(Hangup(),),
            update=CallUpdate(
                outcome=Outcome.TAKEN,
                taken_by=accepted_by,
                attempts=attempt + 1,
                callback_needed=False,
            ),
            reasons=(
                Reason(
                    code="taken",
                    text=f"pris par {accepted_by} à la tentative {attempt + 1}",
                ),
            ),
        )
    missed = Reason(
        code="attempt-unanswered",
        text=f"tentative {attempt + 1} sans réponse acceptée ({dial_status})",
    )
    following = ring(department, at=at, attempt=attempt + 1, busy=busy)
    return Reply(
        actions=following.actions,
        update=CallUpdate(
            attempts=attempt + 1,
            callback_needed=following.update.callback_needed,
        ),
        reasons=(missed, *following.reasons),
    )


def _free(attempt: RingAttempt, busy: Set[str]) -> bool:
    """Someone to ring in this attempt (a forward rings a number, nobody's)."""
    return attempt.forward_to is not None or any(r.id not in busy for r in attempt.referents)


def _enqueue(
    department: Department,
    *,
    on_a_call: list[str],
    tried: tuple[str, ...],
    reasons: tuple[Reason, ...],
) -> Reply:
    return Reply(
        actions=(
            Say(text=prompt(department, "queue_all_busy")),
            Enqueue(
                queue=department.slug,
                wait=Next(step="queue-wait"),
                then=Next(step="queue-left"),
                tried=tried,
            ),
        ),
        reasons=(
            *reasons,
            Reason(
                code="queue-waiting",
                text=f"en ligne : {', '.join(on_a_call)} ; l'appelant attend le premier libre",
            ),
        ),
    )


def queue_left(department: Department, *, result: str) -> Reply:
    """The caller left the queue (QueueResult): over, or a message (core.waiting)."""
    return waiting.left_queue(
        department,
        result=result,
        message=_offer_message(department, nobody=True, reasons=()),
    )


def _forward_number(department: Department, *, at: datetime, attempt: int) -> str | None:
    attempts = plan_route(department, at).attempts
    return attempts[attempt].forward_to if attempt < len(attempts) else None


def whisper(
    department: Department,
    *,
    attempt: int,
    referent_id: str,
    referrer: ReferrerType,
    caller_name: str | None,
    then: Next | None = None,
) -> Reply:
    """What a referent hears on picking up, before the caller is put through; `then`: where
    her key goes (by default the ring attempt's accept step)."""
    who = (
        f"de {caller_name}, {REFERRERS[referrer].label.lower()}"
        if caller_name
        else (REFERRERS[referrer].spoken)
    )
    return Reply(
        actions=(
            Ask(
                prompt=prompt(department, "whisper", caller=who),
                then=then
                or Next(
                    step="accept", params=(("attempt", str(attempt)), ("referent", referent_id))
                ),
                timeout_s=department.ringing.accept_timeout_s,
            ),
            # No key pressed (a personal voicemail, silence): hang this leg up, or the
            # voicemail would be bridged to the caller.
            Hangup(),
        )
    )


def accept(department: Department, *, digits: str | None) -> Reply:
    """The referent answered the whisper: 1 takes the call, anything else declines it."""
    if digits == "1":
        return Reply(actions=(Say(text=prompt(department, "whisper_taken")),))
    return Reply(actions=(Hangup(),))


def message_left(department: Department, *, duration_s: int) -> Reply:
    return Reply(
        actions=(Say(text=prompt(department, "message_thanks")), Hangup()),
        update=CallUpdate(outcome=Outcome.VOICEMAIL, callback_needed=True),
        reasons=(Reason(code="voicemail", text=f"message laissé ({duration_s} s)"),),
    )


def call_ended(*, outcome: Outcome, withheld_number: bool) -> Reply:
    """The call is over (Twilio's status callback): settle what is still open.

    A call still in progress was abandoned; a closed-line call without a message can only be
    called back when the number was not withheld.
    """
    if outcome is Outcome.CLOSED and withheld_number:
        return Reply(
            actions=(),
            update=CallUpdate(callback_needed=False),
            reasons=(
                Reason(code="withheld-number", text="numéro masqué : pas de rappel possible"),
            ),
        )
    if outcome is not Outcome.IN_PROGRESS:
        return Reply(actions=())
    return Reply(
        actions=(),
        update=CallUpdate(outcome=Outcome.ABANDONED, callback_needed=not withheld_number),
        reasons=(
            Reason(
                code="abandoned",
                text="l'appelant a raccroché avant d'être mis en relation"
                + (" (numéro masqué : pas de rappel possible)" if withheld_number else ""),
            ),
        ),
    )


def _ask(department: Department, level: Menu, *, tries: int) -> tuple[Action, ...]:
    if level is Menu.WHO:
        key = "who_menu" if department.public_allowed else "who_menu_professionals_only"
    else:
        key = "profession_menu"
    then = Next(step="menu", params=(("level", level.value), ("try", str(tries))))
    # Without a key, Twilio runs the next verb: the redirect reports "no choice".
    return (Ask(prompt=prompt(department, key), then=then), Redirect(then=then))


def _routed(
    department: Department, *, at: datetime, referrer: ReferrerType, busy: Set[str]
) -> Reply:
    routed = ring(department, at=at, attempt=0, busy=busy)
    return Reply(
        actions=routed.actions,
        update=CallUpdate(referrer_type=referrer, callback_needed=routed.update.callback_needed),
        reasons=(
            Reason(code="menu-choice", text=f"l'appelant se dit : {REFERRERS[referrer].label}"),
            *routed.reasons,
        ),
    )


def _closed(department: Department, *, at: datetime, opening: Opening, greeting: Say) -> Reply:
    if opening.reopens_at is not None:
        closed = prompt(department, "closed", reopening=spoken_moment(opening.reopens_at, now=at))
    else:
        closed = prompt(department, "closed_no_reopening")
    offered = _offer_message(
        department,
        nobody=False,
        reasons=(
            opening.reason,
            Reason(code="closed-message", text="ligne fermée : message proposé"),
        ),
    )
    return Reply(
        actions=(
            greeting,
            Say(text=closed),
            Say(text=prompt(department, "emergency")),
            *offered.actions,
        ),
        update=CallUpdate(outcome=Outcome.CLOSED, out_of_hours=True, callback_needed=True),
        reasons=offered.reasons,
    )


def _offer_message(department: Department, *, nobody: bool, reasons: tuple[Reason, ...]) -> Reply:
    intro = (Say(text=prompt(department, "nobody_available")),) if nobody else ()
    return Reply(
        actions=(
            *intro,
            Say(text=prompt(department, "leave_message")),
            RecordMessage(then=Next(step="message"), max_s=department.max_message_s),
            # Twilio runs what follows <Record> only when nothing was recorded.
            Say(text=prompt(department, "no_message")),
            Hangup(),
        ),
        update=CallUpdate(callback_needed=True),
        reasons=reasons,
    )
