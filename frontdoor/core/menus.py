"""What a caller hears first: the greeting, then the menus, answered with keys or words.

Each step is a pure function returning a Reply (core.voice_actions), as the rest of a call's
steps in core.call_flow. A menu is asked at most twice (call_flow.MENU_TRIES), then the call
goes through (call_flow.gave_up). Words heard at a menu are understood by core.speech: acted
on when sure, read back when not (the read-back's meaning carried in its signed action URL),
the menu again with keys only when not understood or refused.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from frontdoor.core import orientation, speech, voice_directory
from frontdoor.core.calendar import Opening
from frontdoor.core.call_flow import MENU_TRIES, NOBODY_BUSY, gave_up, offer_message, ring
from frontdoor.core.department import Department
from frontdoor.core.prompts import emergency, prompt
from frontdoor.core.reasons import Reason
from frontdoor.core.referrers import REFERRERS, KnownCaller, ReferrerType, classify_known
from frontdoor.core.speech import Heard, Lexicon, Understood
from frontdoor.core.spoken import spoken_moment
from frontdoor.core.taxonomy import CATEGORIES
from frontdoor.core.voice_actions import (
    Action,
    Ask,
    CallUpdate,
    Next,
    Outcome,
    Redirect,
    Reply,
    Say,
)

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
    busy: Set[str] = NOBODY_BUSY,
    waiting: int = 0,
) -> Reply:
    """The caller pressed a key, spoke (``heard``, read against ``lexicon``), or did neither
    at a menu; a key pressed wins over words. ``busy``: the referents on a call; ``waiting``:
    the callers in the department's queue."""
    if level is Menu.CONFIRM:
        return _confirmed(
            department,
            at=at,
            tries=tries,
            digits=digits,
            heard=heard,
            confirming=confirming,
            busy=busy,
            waiting=waiting,
        )
    if not digits and heard is not None:
        understood = speech.understand(heard, lexicon or Lexicon())
        return _spoken(
            department,
            at=at,
            level=level,
            tries=tries,
            understood=understood,
            busy=busy,
            waiting=waiting,
        )
    if level is Menu.WHO:
        if digits == "1":
            return Reply(actions=_ask(department, Menu.PROFESSION, tries=1))
        if digits == DIRECTORY_KEY:
            return voice_directory.ask_postal_code(department)
        if digits is not None and digits in PUBLIC_KEYS and department.public_allowed:
            return _routed(
                department, at=at, referrer=PUBLIC_KEYS[digits], busy=busy, waiting=waiting
            )
        if digits == "2" and not department.public_allowed:
            return orientation.ask_postal_code(department, referrer=ReferrerType.PATIENT)
    elif digits is not None and digits in PROFESSION_KEYS:
        return _routed(
            department, at=at, referrer=PROFESSION_KEYS[digits], busy=busy, waiting=waiting
        )

    if tries < MENU_TRIES:
        retry = (Say(text=prompt(department, "not_understood")),) if digits else ()
        return Reply(actions=(*retry, *_ask(department, level, tries=tries + 1)))
    return gave_up(
        department,
        at=at,
        code="menu-no-choice",
        referrer=ReferrerType.UNKNOWN,
        busy=busy,
        waiting=waiting,
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
    department: Department,
    *,
    at: datetime,
    level: Menu,
    tries: int,
    understood: Understood,
    busy: Set[str],
    waiting: int,
) -> Reply:
    """Words heard at a menu: acted on when sure, read back when not, else keys instead."""
    if understood.nothing:
        why = Reason(
            code="speech-not-understood",
            text=f"parole non comprise{_confidence(understood)} : touches proposées",
        )
        return _keys_instead(
            department, at=at, level=level, tries=tries, why=why, busy=busy, waiting=waiting
        )
    if not understood.sure:
        return _read_back(department, level=level, tries=tries, understood=understood)
    said = Reason(
        code="speech-understood",
        text=f"compris à la voix : {_meaning(understood)}{_confidence(understood)}",
    )
    return _act(department, at=at, understood=understood, said=said, busy=busy, waiting=waiting)


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
    busy: Set[str],
    waiting: int,
) -> Reply:
    """The answer to a read-back: 1 or yes acts on it; anything else, the keys instead."""
    yes = digits == "1" if digits else heard is not None and speech.says_yes(heard)
    if yes and confirming is not None:
        said = Reason(
            code="speech-confirmed",
            text=f"confirmé par l'appelant : {_meaning(confirming.understood)}",
        )
        return _act(
            department,
            at=at,
            understood=confirming.understood,
            said=said,
            busy=busy,
            waiting=waiting,
        )
    why = Reason(
        code="speech-not-confirmed", text="non confirmé par l'appelant : touches proposées"
    )
    back = confirming.back if confirming is not None else Menu.WHO
    return _keys_instead(
        department, at=at, level=back, tries=tries, why=why, busy=busy, waiting=waiting
    )


def _keys_instead(
    department: Department,
    *,
    at: datetime,
    level: Menu,
    tries: int,
    why: Reason,
    busy: Set[str],
    waiting: int,
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
    out = gave_up(
        department,
        at=at,
        code="menu-no-choice",
        referrer=ReferrerType.UNKNOWN,
        busy=busy,
        waiting=waiting,
    )
    return replace(out, reasons=(why, *out.reasons))


def _act(
    department: Department,
    *,
    at: datetime,
    understood: Understood,
    said: Reason,
    busy: Set[str],
    waiting: int,
) -> Reply:
    """What was understood, as if chosen with keys: a directory question, or who calls."""
    if understood.search is not None:
        done = voice_directory.asked_by_voice(department, search=understood.search)
    elif understood.referrer in PUBLIC_KEYS.values() and not department.public_allowed:
        referrer = understood.referrer or ReferrerType.PATIENT
        done = orientation.ask_postal_code(department, referrer=referrer)
    else:
        referrer = understood.referrer or ReferrerType.UNKNOWN
        done = _routed(department, at=at, referrer=referrer, busy=busy, waiting=waiting)
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


def _routed(
    department: Department,
    *,
    at: datetime,
    referrer: ReferrerType,
    busy: Set[str],
    waiting: int,
) -> Reply:
    routed = ring(department, at=at, attempt=0, busy=busy, waiting=waiting)
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
    offered = offer_message(
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
            Say(text=emergency(department)),
            *offered.actions,
        ),
        update=CallUpdate(outcome=Outcome.CLOSED, out_of_hours=True, callback_needed=True),
        reasons=offered.reasons,
    )
