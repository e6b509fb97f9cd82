"""Orientation of the public on a professionals-only line (`public_allowed = false`).

A patient or a relative is told the line is for professionals, then asked for their postal
code (keyed, or the commune said), and hears the services of the directory that serve their
commune — its CLIC, the MDPH of its département, its CCAS — with their numbers, which they
may have by SMS as key 9's answers. Two tries, then, as when nothing serves the commune, the
department's fixed sentence (`public_not_allowed`). The request is the public's, turned away
(`Outcome.PUBLIC_NOT_ALLOWED`), and each service read is recorded as an orientation.

Plain functions: the voice adapter runs the directory search between them and passes the
hits in; `serving` decides which of them serve the commune.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from frontdoor.core.department import Department
from frontdoor.core.directory_search import Candidate, CommuneRef, Hit
from frontdoor.core.directory_text import normalized
from frontdoor.core.prompts import emergency, prompt
from frontdoor.core.reasons import Reason
from frontdoor.core.referrers import ReferrerType
from frontdoor.core.speech import Search
from frontdoor.core.spoken import spoken_phone
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
from frontdoor.core.voice_directory import TRIES, is_postal_code, spaced


class Scope(StrEnum):
    """What a service must share with the caller's commune to be theirs."""

    COMMUNE = "commune"  # located in it, or serving it (its served communes name it)
    DEPARTEMENT = "departement"  # in the same département


@dataclass(kw_only=True, frozen=True)
class Orienting:
    """A category the public is oriented to: whose it is, and how the caller hears it."""

    scope: Scope
    purpose: str  # what it is for
    what: str  # what it is, with its article; left out when the service's name says it


# The services a member of the public is oriented to, in the order they are read.
ORIENTING: Mapping[Category, Orienting] = {
    Category.CLIC: Orienting(scope=Scope.COMMUNE,
                             purpose="Pour les personnes âgées et leurs proches",
                             what="le centre local d'information et de coordination"),
    Category.MDPH: Orienting(scope=Scope.DEPARTEMENT, purpose="Pour le handicap",
                             what="la maison départementale des personnes handicapées"),
    Category.CCAS: Orienting(scope=Scope.COMMUNE, purpose="Pour une aide sociale",
                             what="le centre communal d'action sociale"),
}  # fmt: skip


@dataclass(kw_only=True, frozen=True)
class Oriented:
    """What the caller is told: the services read (empty: the fixed sentence), and the
    reply."""

    resources: tuple[Candidate, ...]
    reply: Reply


def _step(stage: str, **params: str) -> Next:
    return Next(step="orientation", params=(("stage", stage), *sorted(params.items())))


def ask_postal_code(department: Department, *, referrer: ReferrerType, tries: int = 1) -> Reply:
    """A member of the public on a professionals-only line: the line is for professionals;
    their postal code, to tell them where to turn."""
    then = _step("postal", **{"try": str(tries)})
    intro = (Say(text=prompt(department, "public_orientation")),) if tries == 1 else ()
    return Reply(
        actions=(
            *intro,
            Ask(prompt=prompt(department, "directory_postal_code"), then=then, num_digits=5,
                timeout_s=10, hints=()),
            Redirect(then=then),
        ),
        update=CallUpdate(
            referrer_type=referrer, outcome=Outcome.PUBLIC_NOT_ALLOWED, callback_needed=False
        ),
        reasons=(
            Reason(
                code="public-orientation-asked",
                text="particulier sur une ligne réservée aux professionnels : code postal "
                "demandé pour l'orienter",
            ),
        ) if tries == 1 else (),
    )  # fmt: skip


def postal_code_of(*, digits: str | None, said: Search | None) -> str | None:
    """The postal code keyed, or the commune's said ("Thionville"); None: neither."""
    if digits:
        return digits if is_postal_code(digits) else None
    if said is not None and said.postal_code is not None:
        return said.postal_code
    return None


def postal_code_missed(department: Department, *, referrer: ReferrerType, tries: int) -> Reply:
    """No postal code at try ``tries``: asked again, or the fixed sentence after the last."""
    if tries >= TRIES:
        return where_to_turn(
            department,
            why=Reason(
                code="public-orientation-no-postal-code",
                text=f"aucun code postal reconnu après {TRIES} essais",
            ),
        )
    again = ask_postal_code(department, referrer=referrer, tries=tries + 1)
    return Reply(
        actions=(Say(text=prompt(department, "directory_postal_code_invalid")), *again.actions)
    )


def serving(hits: Sequence[Hit], commune: CommuneRef | None) -> tuple[Hit, ...]:
    """The first service of each orienting category that serves the commune, in ORIENTING's
    order; none for a postal code no commune has."""
    if commune is None:
        return ()
    chosen = []
    for category, rule in ORIENTING.items():
        found = next(
            (
                hit
                for hit in hits
                if hit.resource.category is category and _within(hit, rule.scope, commune)
            ),
            None,
        )
        if found is not None:
            chosen.append(found)
    return tuple(chosen)


def _within(hit: Hit, scope: Scope, commune: CommuneRef) -> bool:
    if scope is Scope.COMMUNE:
        return hit.serves or hit.located
    resource = hit.resource
    return departement_of(resource.commune_insee or resource.postal_code) == departement_of(
        commune.insee
    )


def departement_of(code: str | None) -> str | None:
    """The département of a commune's INSEE code or postal code: "57672" → "57", "97411" →
    "974", "2A004" and "20000" → "20" (Corsica)."""
    if not code or len(code) != 5:
        return None
    if code.startswith("97"):
        return code[:3]
    if code[:2] in ("2A", "2B"):
        return "20"
    return code[:2]


def oriented(department: Department, *, postal_code: str, serving: Sequence[Hit]) -> Oriented:
    """The services serving the caller's commune (``serving``'s choice), read with their
    numbers, then the offer of an SMS; none: the fixed sentence."""
    resources = tuple(hit.resource for hit in serving)
    if not resources:
        why = Reason(
            code="public-orientation-nothing",
            text=f"aucun CLIC, MDPH ou CCAS connu pour le {postal_code}",
        )
        return Oriented(resources=(), reply=where_to_turn(department, why=why))
    then = _step("sms", postal=postal_code)
    names = ", ".join(resource.name for resource in resources)
    reply = Reply(
        actions=(
            Say(text=prompt(department, "public_orientation_found", postal=spaced(postal_code))),
            *(Say(text=spoken_service(resource)) for resource in resources),
            Say(text=emergency(department)),
            Ask(prompt=prompt(department, "directory_offer_sms"), then=then),
            Say(text=prompt(department, "goodbye")),
            Hangup(),
        ),
        update=CallUpdate(outcome=Outcome.PUBLIC_NOT_ALLOWED, callback_needed=False),
        reasons=(Reason(code="public-oriented", text=f"particulier orienté vers : {names}"),),
    )
    return Oriented(resources=resources, reply=reply)


def spoken_service(resource: Candidate) -> str:
    """ "Pour une aide sociale, le centre communal d'action sociale : CCAS de Thionville, à
    Thionville. Téléphone : zéro trois, …"; "Pour le handicap : Maison départementale des
    personnes handicapées de la Moselle, à Metz. …" (its name says what it is)."""
    rule = ORIENTING.get(resource.category)
    if rule is None:
        text = f"{CATEGORIES[resource.category].label} : {resource.name}"
    elif normalized(rule.what.partition(" ")[2]) in normalized(resource.name):
        text = f"{rule.purpose} : {resource.name}"
    else:
        text = f"{rule.purpose}, {rule.what} : {resource.name}"
    if resource.commune_name:
        text += f", à {resource.commune_name}"
    if resource.phones:
        return f"{text}. Téléphone : {spoken_phone(resource.phones[0])}."
    return f"{text}. Pas de numéro de téléphone connu."


def from_memory(department: Department, *, stage: str) -> Reply:
    """The store cannot be reached (frontdoor.voice.outage): no directory to read. At the
    postal code, the fixed sentence; once the services were read, the end, without the SMS."""
    if stage == "sms":
        return Reply(
            actions=(Say(text=prompt(department, "goodbye")), Hangup()),
            reasons=(
                Reason(
                    code="public-orientation-unstored",
                    text="base de données injoignable : SMS des services non envoyé",
                ),
            ),
        )
    why = Reason(
        code="public-orientation-unstored",
        text="base de données injoignable : sans l'annuaire, la phrase habituelle",
    )
    return where_to_turn(department, why=why)


def where_to_turn(department: Department, *, why: Reason | None = None) -> Reply:
    """The department's fixed sentence for the public, the emergency numbers, the end."""
    return Reply(
        actions=(
            Say(text=prompt(department, "public_not_allowed")),
            Say(text=emergency(department)),
            Hangup(),
        ),
        update=CallUpdate(outcome=Outcome.PUBLIC_NOT_ALLOWED, callback_needed=False),
        reasons=(
            *((why,) if why is not None else ()),
            Reason(
                code="public-not-allowed",
                text="particulier : ligne réservée aux professionnels, orienté ailleurs",
            ),
        ),
    )
