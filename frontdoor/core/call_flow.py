"""What the caller hears next: each step of a call is a pure function returning a Reply.

A Reply lists abstract actions (say, ask for a key, ring, record…) that the voice adapter
renders as TwiML, the changes to make to the request, and the reasons for them. Steps that
continue the call name the next step (`Next`); the adapter turns it into a signed action URL,
so nothing about a call lives in one process's memory.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from frontdoor.core import speech, voice_directory
from frontdoor.core.calendar import Opening
from frontdoor.core.department import Department
from frontdoor.core.prompts import prompt
from frontdoor.core.reasons import Reason
from frontdoor.core.referrers import REFERRERS, KnownCaller, ReferrerType, classify_known
from frontdoor.core.routing import plan_route
from frontdoor.core.speech import Heard, Lexicon, Understood
from frontdoor.core.spoken import spoken_moment
from frontdoor.core.taxonomy import CATEGORIES
from frontdoor.core.voice_actions import (
    Action,
    Ask,
    CallUpdate,
    Connect,
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
# In the first menu: information on a resource of the territory, without a referent.
DIRECTORY_KEY = "9"


class Menu(StrEnum):
    WHO = "who"
    PROFESSION = "profession"
    CONFIRM = "confirm"  # what was heard at a menu, read back: yes (or 1) acts on it


@dataclass(kw_only=True, frozen=True)
class Confirming:
    """What a confirmation reads back (carried in its signed action URL), and the menu it
    was heard at, asked again with keys when the caller says no."""

    back: Menu
    understood: Understood


def confirming_of(params: Mapping[str, str]) -> Confirming:
    """The confirmation an action URL carries; ValueError when a value is unknown."""
    back = Menu(params.get("menu", Menu.WHO.value))
    if back is Menu.CONFIRM:
        raise ValueError("menu: a confirmation goes back to a menu")
    return Confirming(back=back, understood=speech.understood_from(params))


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
    heard: Heard | None = None,
    lexicon: Lexicon | None = None,
    confirming: Confirming | None = None,
) -> Reply:
    """The caller pressed a key, spoke (``heard``, read against ``lexicon``), or did neither
    at a menu; a key pressed wins over words."""
    if level is Menu.CONFIRM:
        return _confirmed(
            department, at=at, tries=tries, digits=digits, heard=heard, confirming=confirming
        )
    if not digits and heard is not None:
        understood = speech.understand(heard, lexicon or Lexicon())
        return _spoken(department, at=at, level=level, tries=tries, understood=understood)
    if level is Menu.WHO:
        if digits == "1":
            return Reply(actions=_ask(department, Menu.PROFESSION, tries=1))
        if digits == DIRECTORY_KEY:
            return voice_directory.ask_postal_code(department)
        if digits is not None and digits in PUBLIC_KEYS and department.public_allowed:
            return _routed(department, at=at, referrer=PUBLIC_KEYS[digits])
        if digits == "2" and not department.public_allowed:
            return _public_not_allowed(department, referrer=ReferrerType.PATIENT)
    elif digits is not None and digits in PROFESSION_KEYS:
        return _routed(department, at=at, referrer=PROFESSION_KEYS[digits])

    if tries < MENU_TRIES:
        retry = (Say(text=prompt(department, "not_understood")),) if digits else ()
        return Reply(actions=(*retry, *_ask(department, level, tries=tries + 1)))
    return gave_up(department, at=at, code="menu-no-choice", referrer=ReferrerType.UNKNOWN)


def gave_up(
    department: Department, *, at: datetime, code: str, referrer: ReferrerType | None = None
) -> Reply:
    """After the last try of any prompt: never a dead end, never the prompt again. The call
    goes to the referents on duty (a message is offered when nobody is, or nobody accepts)."""
    routed = ring(department, at=at, attempt=0)
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


def ring(department: Department, *, at: datetime, attempt: int) -> Reply:
    """Ring attempt number ``attempt`` of the plan, or offer a message when none is left."""
    plan = plan_route(department, at)
    if attempt >= len(plan.attempts):
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
    people = ", ".join(r.id for r in current.referents)
    reasons = (
        *reasons,
        Reason(code=f"ring-{current.stage}", text=f"tentative {attempt + 1} : appel de {people}"),
    )
    waiting = (Say(text=prompt(department, "connecting")),) if attempt == 0 else ()
    return Reply(
        actions=(
            *waiting,
            Ring(
                attempt=attempt,
                referents=current.referents,
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
    following = ring(department, at=at, attempt=attempt + 1)
    return Reply(
        actions=following.actions,
        update=CallUpdate(
            attempts=attempt + 1,
            callback_needed=following.update.callback_needed,
        ),
        reasons=(missed, *following.reasons),
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
) -> Reply:
    """What a referent hears on picking up, before the caller is put through."""
    who = (
        f"de {caller_name}, {REFERRERS[referrer].label.lower()}"
        if caller_name
        else (REFERRERS[referrer].spoken)
    )
    return Reply(
        actions=(
            Ask(
                prompt=prompt(department, "whisper", caller=who),
                then=Next(
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


def _ask(
    department: Department, level: Menu, *, tries: int, listen: bool = True
) -> tuple[Action, ...]:
    """A menu, heard by voice as well as keys unless speech just failed (``listen``)."""
    if level is Menu.WHO:
        key = "who_menu" if department.public_allowed else "who_menu_professionals_only"
        invitation = "speech_who"
    else:
        key = "profession_menu"
        invitation = "speech_profession"
    then = Next(step="menu", params=(("level", level.value), ("try", str(tries))))
    if listen:
        said = f"{prompt(department, invitation)} {prompt(department, key)}"
        ask = Ask(prompt=said, then=then, hints=speech.menu_hints())
    else:
        ask = Ask(prompt=prompt(department, key), then=then)
    # Without a key, Twilio runs the next verb: the redirect reports "no choice".
    return (ask, Redirect(then=then))


def _spoken(
    department: Department, *, at: datetime, level: Menu, tries: int, understood: Understood
) -> Reply:
    """Words heard at a menu: acted on when sure, read back when not, else keys instead."""
    if understood.nothing:
        why = Reason(
            code="speech-not-understood",
            text=f"parole non comprise{_confidence(understood)} : touches proposées",
        )
        return _keys_instead(department, at=at, level=level, tries=tries, why=why)
    if not understood.sure:
        return _read_back(department, level=level, tries=tries, understood=understood)
    said = Reason(
        code="speech-understood",
        text=f"compris à la voix : {_meaning(understood)}{_confidence(understood)}",
    )
    return _act(department, at=at, understood=understood, said=said)


def _read_back(department: Department, *, level: Menu, tries: int, understood: Understood) -> Reply:
    if understood.search is not None:
        text = prompt(department, "speech_confirm_search", search=_search_said(understood))
    else:
        caller = REFERRERS[understood.referrer or ReferrerType.UNKNOWN].spoken
        text = prompt(department, "speech_confirm_caller", caller=caller)
    params = (("level", Menu.CONFIRM.value), ("menu", level.value), ("try", str(tries)))
    then = Next(step="menu", params=(*params, *speech.params_of(understood)))
    return Reply(
        actions=(Ask(prompt=text, then=then, hints=speech.YES_NO_HINTS), Redirect(then=then)),
        reasons=(
            Reason(
                code="speech-to-confirm",
                text=f"compris à la voix, à confirmer : {_meaning(understood)}"
                f"{_confidence(understood)}",
            ),
        ),
    )


def _confirmed(
    department: Department,
    *,
    at: datetime,
    tries: int,
    digits: str | None,
    heard: Heard | None,
    confirming: Confirming | None,
) -> Reply:
    """The answer to a read-back: 1 or yes acts on it; anything else, the keys instead."""
    yes = digits == "1" if digits else heard is not None and speech.says_yes(heard)
    if yes and confirming is not None:
        said = Reason(
            code="speech-confirmed",
            text=f"confirmé par l'appelant : {_meaning(confirming.understood)}",
        )
        return _act(department, at=at, understood=confirming.understood, said=said)
    why = Reason(
        code="speech-not-confirmed", text="non confirmé par l'appelant : touches proposées"
    )
    back = confirming.back if confirming is not None else Menu.WHO
    return _keys_instead(department, at=at, level=back, tries=tries, why=why)


def _keys_instead(
    department: Department, *, at: datetime, level: Menu, tries: int, why: Reason
) -> Reply:
    """The menu again, keys only, while it has tries left; then the way out of every prompt."""
    if tries < MENU_TRIES:
        return Reply(
            actions=(
                Say(text=prompt(department, "speech_use_keys")),
                *_ask(department, level, tries=tries + 1, listen=False),
            ),
            reasons=(why,),
        )
    out = gave_up(department, at=at, code="menu-no-choice", referrer=ReferrerType.UNKNOWN)
    return replace(out, reasons=(why, *out.reasons))


def _act(department: Department, *, at: datetime, understood: Understood, said: Reason) -> Reply:
    """What was understood, as if chosen with keys: a directory question, or who calls."""
    if understood.search is not None:
        done = voice_directory.asked_by_voice(department, search=understood.search)
    elif understood.referrer in PUBLIC_KEYS.values() and not department.public_allowed:
        done = _public_not_allowed(department, referrer=understood.referrer or ReferrerType.PATIENT)
    else:
        done = _routed(department, at=at, referrer=understood.referrer or ReferrerType.UNKNOWN)
    return replace(done, reasons=(said, *done.reasons))


def _meaning(understood: Understood) -> str:
    """What was understood, as the console shows it (never the words heard)."""
    if understood.search is None:
        return REFERRERS[understood.referrer or ReferrerType.UNKNOWN].label
    search = understood.search
    what = CATEGORIES[search.category].short if search.category else "une ressource"
    where = search.place or search.postal_code
    return f"recherche {what}" + (f", {where}" if where else "")


def _search_said(understood: Understood) -> str:
    search = understood.search
    assert search is not None
    what = CATEGORIES[search.category].spoken if search.category else "une ressource"
    if search.place:
        return f"{what}, près de {search.place}"
    if search.postal_code:
        return f"{what}, code postal {voice_directory.spaced(search.postal_code)}"
    return what


def _confidence(understood: Understood) -> str:
    if understood.confidence is None:
        return " (sans indice de confiance)"
    return f" (confiance {understood.confidence:.2f})".replace(".", ",")


def _public_not_allowed(department: Department, *, referrer: ReferrerType) -> Reply:
    return Reply(
        actions=(
            Say(text=prompt(department, "public_not_allowed")),
            Say(text=prompt(department, "emergency")),
            Hangup(),
        ),
        update=CallUpdate(
            referrer_type=referrer,
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


def _routed(department: Department, *, at: datetime, referrer: ReferrerType) -> Reply:
    routed = ring(department, at=at, attempt=0)
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
