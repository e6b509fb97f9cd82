"""Speech at the menus, the edge's side: what Twilio heard, read from its form, and the
lexicon it is understood against (the shipped communes and synonyms, read once).

What was said is passed to the core and forgotten: never stored, never logged; the events
record what was understood (core.menus' reasons).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Set
from datetime import datetime
from functools import cache

from frontdoor.core import menus
from frontdoor.core.department import Department
from frontdoor.core.menus import Menu
from frontdoor.core.speech import MAX_HEARD, Heard, Lexicon, Place
from frontdoor.core.voice_actions import Reply
from frontdoor.directory.communes import default_communes, vocabulary_for


@cache
def speech_lexicon() -> Lexicon:
    communes = default_communes()
    places = (
        Place(name=c.name, postal_code=c.postal_codes[0])
        for c in communes.by_insee.values()
        if c.postal_codes
    )
    return Lexicon.build(vocabulary_for(communes), places)


def heard_in(form: Mapping[str, str]) -> Heard | None:
    """Twilio's SpeechResult and Confidence (0 to 1; None when absent or not a number)."""
    text = (form.get("SpeechResult") or "").strip()
    if not text:
        return None
    try:
        confidence: float | None = float(form.get("Confidence", ""))
    except ValueError:
        confidence = None
    if confidence is not None and not (math.isfinite(confidence) and 0 <= confidence <= 1):
        confidence = None
    return Heard(text=text[:MAX_HEARD], confidence=confidence)


def menu_reply(
    department: Department,
    *,
    at: datetime,
    level: Menu,
    tries: int,
    form: Mapping[str, str],
    query: Mapping[str, str],
    busy: Set[str],
    waiting: int = 0,
) -> Reply:
    """core.menus.menu for a menu webhook: keys, or words, or a confirmation's answer;
    ``busy``: the referents on a call, ``waiting``: the callers in the queue. ValueError: a
    confirmation's URL carries a value Frontdoor never wrote."""
    confirming = menus.confirming_of(query) if level is Menu.CONFIRM else None
    return menus.menu(
        department,
        at=at,
        level=level,
        tries=tries,
        digits=form.get("Digits"),
        heard=heard_in(form),
        lexicon=speech_lexicon(),
        confirming=confirming,
        busy=busy,
        waiting=waiting,
    )


def menu_detail(level: str | None, form: Mapping[str, str]) -> str:
    """What an event says of the caller's answer at a menu: the key, or that words were heard
    (only how sure Twilio was, never what)."""
    return f"{level}: {form.get('Digits') or spoken_detail(form) or 'aucune touche'}"


def spoken_detail(form: Mapping[str, str]) -> str | None:
    """ "parole (0.93)" when words were heard, None otherwise."""
    heard = heard_in(form)
    if heard is None:
        return None
    return "parole" if heard.confidence is None else f"parole ({heard.confidence:.2f})"
