"""Voice self-service: a caller asks where the nearest resource is, without a referent.

Key 9 of the first menu: the caller keys a postal code, picks a category, hears the first
three resources with their phone numbers, and may have them sent by SMS. Each step is a pure
function; the voice adapter runs the search between them and passes the spoken results in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from frontdoor.core.department import Department
from frontdoor.core.prompts import prompt
from frontdoor.core.reasons import Reason
from frontdoor.core.speech import Search, category_hints
from frontdoor.core.taxonomy import CATEGORIES, Category
from frontdoor.core.voice_actions import (
    Ask,
    CallUpdate,
    Hangup,
    Next,
    Outcome,
    Redirect,
    Reply,
    Say,
)

# What callers ask for most, in the order the menu reads them.
VOICE_CATEGORIES: Mapping[str, Category] = {
    "1": Category.SSIAD,
    "2": Category.EHPAD,
    "3": Category.CLIC,
    "4": Category.SAAD,
    "5": Category.CMP,
    "6": Category.HAD,
    "7": Category.CCAS,
}
SEND_BY_SMS_KEY = "1"
# Tries of each prompt, as the main menus (core.call_flow.MENU_TRIES): then a way out.
TRIES = 2
_POSTAL_CODE = re.compile(r"^\d{5}$")


def _step(stage: str, **params: str) -> Next:
    return Next(step="directory", params=(("stage", stage), *sorted(params.items())))


def ask_postal_code(
    department: Department, *, tries: int = 1, category: Category | None = None
) -> Reply:
    """Ask for the postal code: try number ``tries`` (carried in the signed action URL), for
    ``category`` when the caller already said which."""
    known = {"category": category.value} if category is not None else {}
    then = _step("postal", **{"try": str(tries)}, **known)
    # Heard by voice too ("Figeac"): communes are many, Twilio is given no hints for them.
    return Reply(
        actions=(
            Ask(prompt=prompt(department, "directory_postal_code"), then=then, num_digits=5,
                timeout_s=10, hints=()),
            Redirect(then=then),
        ),
        update=CallUpdate(outcome=Outcome.IN_PROGRESS),
        reasons=(_ASKED,),
    )  # fmt: skip


_ASKED = Reason(code="directory-asked", text="demande d'information sur une ressource")


def asked_by_voice(department: Department, *, search: Search) -> Reply:
    """Said at a menu ("un SSIAD à Figeac"): the resources at once when the category and the
    place are known, else the prompt for what is missing."""
    if search.category is not None and search.postal_code is not None:
        then = _step("search", category=search.category.value, postal=search.postal_code)
        return Reply(
            actions=(Redirect(then=then),),
            update=CallUpdate(outcome=Outcome.IN_PROGRESS),
            reasons=(_ASKED,),
        )
    if search.postal_code is not None:
        asked = _ask_category(department, postal=search.postal_code, tries=1)
        return Reply(
            actions=asked.actions, update=CallUpdate(outcome=Outcome.IN_PROGRESS), reasons=(_ASKED,)
        )
    return ask_postal_code(department, category=search.category)


def postal_code_keyed(
    department: Department,
    *,
    digits: str | None,
    tries: int,
    gave_up: Reply,
    category: Category | None = None,
    said: Search | None = None,
) -> Reply:
    """The caller keyed a postal code, or ``said`` a commune (or nothing) at try ``tries``;
    after the last try, ``gave_up`` (core.call_flow.gave_up: a referent, else a message), never
    the prompt again. With the ``category`` already said, the resources follow at once."""
    if not digits and said is not None and said.postal_code is not None:
        digits, category = said.postal_code, category or said.category
    if digits is None or not _POSTAL_CODE.match(digits):
        if tries >= TRIES:
            return gave_up
        return Reply(
            actions=(Say(text=prompt(department, "directory_postal_code_invalid")),
                     *ask_postal_code(department, tries=tries + 1, category=category).actions),
        )  # fmt: skip
    if category is not None:
        then = _step("search", category=category.value, postal=digits)
        return Reply(actions=(Redirect(then=then),))
    return _ask_category(department, postal=digits, tries=1)


def category_said(said: Search | None) -> Category | None:
    """The category said at the category prompt ("une aide à domicile"), if any."""
    return said.category if said is not None else None


def category_missed(
    department: Department, *, postal: str, digits: str | None, tries: int, gave_up: Reply
) -> Reply:
    """No category (or an unknown key) at try ``tries``: ask again, or give up after the last."""
    if tries >= TRIES:
        return gave_up
    retry = (Say(text=prompt(department, "not_understood")),) if digits else ()
    asked = _ask_category(department, postal=postal, tries=tries + 1)
    return Reply(actions=(*retry, *asked.actions))


def _ask_category(department: Department, *, postal: str, tries: int) -> Reply:
    menu = " ".join(
        prompt(department, "directory_category_choice", category=CATEGORIES[c].spoken, digit=key)
        for key, c in VOICE_CATEGORIES.items()
    )
    then = _step("category", postal=postal, **{"try": str(tries)})
    said = f"{prompt(department, 'directory_category_speech')} {menu}"
    return Reply(actions=(Ask(prompt=said, then=then, hints=category_hints()), Redirect(then=then)))


def is_postal_code(text: str) -> bool:
    return _POSTAL_CODE.match(text) is not None


def category_of(digits: str | None) -> Category | None:
    return VOICE_CATEGORIES.get(digits or "")


def results(
    department: Department, *, postal_code: str, category: Category, spoken: Sequence[str]
) -> Reply:
    """Read the resources found (spoken lines from the directory), then offer them by SMS."""
    info = CATEGORIES[category]
    if not spoken:
        return Reply(
            actions=(
                Say(text=prompt(department, "directory_nothing", category=info.spoken,
                                 postal=spaced(postal_code))),
                Say(text=prompt(department, "goodbye")),
                Hangup(),
            ),
            update=CallUpdate(outcome=Outcome.INFORMED, callback_needed=False),
            reasons=(Reason(code="directory-nothing",
                            text=f"aucune ressource {info.short} trouvée pour {postal_code}"),),
        )  # fmt: skip
    then = _step("sms", postal=postal_code, category=category.value)
    return Reply(
        actions=(
            Say(text=prompt(department, "directory_found", category=info.spoken,
                             postal=spaced(postal_code))),
            *(Say(text=line) for line in spoken),
            Ask(prompt=prompt(department, "directory_offer_sms"), then=then),
            Say(text=prompt(department, "goodbye")),
            Hangup(),
        ),
        update=CallUpdate(outcome=Outcome.INFORMED, callback_needed=False),
        reasons=(Reason(code="directory-answered",
                        text=f"{len(spoken)} ressource(s) {info.short} lue(s), {postal_code}"),),
    )  # fmt: skip


def sms_chosen(department: Department, *, digits: str | None, can_send: bool) -> Reply:
    """The caller pressed a key after hearing the results: 1 sends them by SMS. The SMS leaves
    once the step is stored, and this answer cannot wait for Twilio's: the caller is told it
    is on its way, never that it arrived (a failure shows on the request's message)."""
    if digits != SEND_BY_SMS_KEY:
        return Reply(actions=(Say(text=prompt(department, "goodbye")), Hangup()))
    if not can_send:
        return Reply(
            actions=(Say(text=prompt(department, "directory_sms_impossible")), Hangup()),
            reasons=(Reason(code="directory-sms-impossible",
                            text="envoi par SMS impossible (numéro masqué ou refus des SMS)"),),
        )  # fmt: skip
    return Reply(
        actions=(Say(text=prompt(department, "directory_sms_sent")), Hangup()),
        reasons=(Reason(code="directory-sms-sent", text="envoi des résultats par SMS demandé"),),
    )


def spaced(postal_code: str) -> str:
    """ "46100" read as "46 100", the way it is said."""
    return f"{postal_code[:2]} {postal_code[2:]}"
