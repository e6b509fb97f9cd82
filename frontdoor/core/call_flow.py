"""What the caller hears next: each step of a call is a pure function returning a Reply.

The greeting and the menus are core.menus'; here, what follows them: the referents rung one
attempt after the other, the whisper and its key 1, the message, the end of the call.

A Reply lists abstract actions (say, ask for a key, ring, record…) that the voice adapter
renders as TwiML, the changes to make to the request, and the reasons for them. Steps that
continue the call name the next step (`Next`); the adapter turns it into a signed action URL,
so nothing about a call lives in one process's memory.
"""

from __future__ import annotations

from collections.abc import Set
from datetime import datetime

from frontdoor.core import overflow, waiting
from frontdoor.core.department import Department
from frontdoor.core.prompts import prompt
from frontdoor.core.reasons import Reason
from frontdoor.core.referrers import REFERRERS, ReferrerType
from frontdoor.core.routing import RingAttempt, plan_route
from frontdoor.core.voice_actions import (
    Ask,
    CallUpdate,
    Connect,
    Enqueue,
    Hangup,
    Next,
    Outcome,
    RecordMessage,
    Reply,
    Ring,
    RingOverflow,
    Say,
)

# Tries of every prompt (core.menus, core.voice_directory): then gave_up.
MENU_TRIES = 2
NOBODY_BUSY: Set[str] = frozenset()


class _NotRead(frozenset[str]):
    """Who is on a call, not read yet (its own object: never equal to NOBODY_BUSY by identity)."""


# Given as `busy` to a step (a menu, a ring's end): who is on a call and how many callers wait
# have not been read. A step that needs them, because it rings (`ring`, their only reader),
# raises HuntNotRead; the edge reads them then and takes the same step again with them. The
# steps that do not ring are decided without those two reads.
NOT_READ: Set[str] = _NotRead()


class HuntNotRead(Exception):
    """A step given NOT_READ reached the hunt: it must be taken again with who is busy."""


def gave_up(
    department: Department,
    *,
    at: datetime,
    code: str,
    referrer: ReferrerType | None = None,
    busy: Set[str] = NOBODY_BUSY,
    waiting: int = 0,
) -> Reply:
    """After the last try of any prompt: never a dead end, never the prompt again. The call
    goes to the referents on duty (a message is offered when nobody is, or nobody accepts)."""
    routed = ring(department, at=at, attempt=0, busy=busy, waiting=waiting)
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
    department: Department,
    *,
    at: datetime,
    attempt: int,
    busy: Set[str] = NOBODY_BUSY,
    waiting: int = 0,
) -> Reply:
    """Ring attempt number ``attempt`` of the plan, or the next one with someone free in it.

    Referents on a call (`busy`) are not rung. When no attempt is left, the call goes to the
    overflow line when core.overflow says so (one more attempt, numbered after the plan's),
    else the caller waits in the queue if someone of the plan is on a call (core.waiting;
    `waiting`: the callers already there), else is offered a message.
    """
    if busy is NOT_READ:
        raise HuntNotRead
    plan = plan_route(department, at)
    while attempt < len(plan.attempts) and not _free(plan.attempts[attempt], busy):
        attempt += 1
    if attempt > len(plan.attempts) and department.overflow is not None:
        # After the overflow line's attempt: not taken there either.
        return offer_message(department, nobody=True, reasons=(overflow.UNANSWERED,))
    if attempt >= len(plan.attempts):
        everyone = list(dict.fromkeys(r.id for a in plan.attempts for r in a.referents))
        on_a_call = [i for i in everyone if i in busy]
        hunt = overflow.HuntOver(
            rung=len(everyone) - len(on_a_call), on_a_call=len(on_a_call), waiting=waiting
        )
        why_overflow = overflow.overflow_reason(department.overflow, hunt)
        if why_overflow is not None:
            return _overflow(department, attempt=attempt, reasons=(*plan.reasons, why_overflow))
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
        return offer_message(department, nobody=True, reasons=(*plan.reasons, why))
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
    waiting: int = 0,
) -> Reply:
    """A ring attempt is over: the call was taken (by a referent, or the overflow line:
    `accepted_by` overflow.TAKER), or the next attempt starts."""
    forwarded = _forward_number(department, at=at, attempt=attempt)
    if forwarded is not None and dial_status in ("completed", "answered"):
        return Reply(
            actions=(Hangup(),),
            update=CallUpdate(
                outcome=Outcome.FORWARDED, attempts=attempt + 1, callback_needed=False
            ),
            reasons=(Reason(code="forwarded", text=f"transféré vers {forwarded}"),),
        )
    if accepted_by == overflow.TAKER and dial_status in ("completed", "answered"):
        return Reply(
            actions=(Hangup(),),
            update=CallUpdate(
                outcome=Outcome.OVERFLOWED, attempts=attempt + 1, callback_needed=False
            ),
            reasons=(Reason(code="overflow-taken", text="pris par la ligne de débordement"),),
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
    following = ring(department, at=at, attempt=attempt + 1, busy=busy, waiting=waiting)
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


def _overflow(department: Department, *, attempt: int, reasons: tuple[Reason, ...]) -> Reply:
    """The caller is told where she is put through; the overflow line is rung, screened."""
    line = department.overflow
    assert line is not None
    return Reply(
        actions=(
            Say(text=prompt(department, "overflow_connecting", line=line.label)),
            RingOverflow(
                attempt=attempt,
                number=line.number,
                timeout_s=department.ringing.timeout_s,
                caller_id=department.number,
                then=Next(step="dialed", params=(("attempt", str(attempt)),)),
            ),
        ),
        reasons=reasons,
    )


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


def queue_left(
    department: Department, *, at: datetime, result: str, waited_s: int | None = None
) -> Reply:
    """The caller left the queue (QueueResult): over, or a message (core.waiting); after
    the longest wait (`waited_s`), the overflow line when core.overflow says so."""
    wait_over = result == "leave" and (waited_s or 0) >= department.ringing.max_wait_s
    hunt = overflow.HuntOver(rung=0, on_a_call=0, waiting=0, wait_over=wait_over)
    why = overflow.overflow_reason(department.overflow, hunt)
    if why is not None:
        # Numbered after the plan's attempts: not taken there, a message (ring).
        return _overflow(department, attempt=len(plan_route(department, at).attempts),
                         reasons=(why,))  # fmt: skip
    return waiting.left_queue(
        department,
        result=result,
        message=offer_message(department, nobody=True, reasons=()),
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
    screen: str = "whisper",
) -> Reply:
    """What a referent hears on picking up, before the caller is put through; `then`: where
    her key goes (by default the ring attempt's accept step); `screen`: the prompt read
    (the overflow line hears "overflow_whisper")."""
    who = caller_phrase(referrer, caller_name)
    return Reply(
        actions=(
            Ask(
                prompt=prompt(department, screen, caller=who),
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


def caller_phrase(referrer: ReferrerType, caller_name: str | None) -> str:
    """Who is calling, as a screen names the caller: "de Jeanne Petit, infirmière",
    "d'un médecin"."""
    if caller_name:
        return f"de {caller_name}, {REFERRERS[referrer].label.lower()}"
    return REFERRERS[referrer].spoken


def overflow_whisper(
    department: Department, *, attempt: int, referrer: ReferrerType, caller_name: str | None
) -> Reply:
    """What the overflow line hears on picking up: the referents' screen, saying the call
    comes from this department; its key goes to the overflow line's accept step."""
    return whisper(
        department,
        attempt=attempt,
        referent_id="",
        referrer=referrer,
        caller_name=caller_name,
        then=Next(step="overflow-accept", params=(("attempt", str(attempt)),)),
        screen="overflow_whisper",
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


def offer_message(department: Department, *, nobody: bool, reasons: tuple[Reason, ...]) -> Reply:
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
