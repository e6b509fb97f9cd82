"""What the DAC gave a request (types de réponse): several per request, each recorded by a
referent; an orientation names where the person was oriented (a resource of the directory).

Plain functions, so the console, the API and the tests share one rule. The indicator table
counts a request once in each kind it carries (frontdoor.indicators.tally_triggers).
"""

from __future__ import annotations

from dataclasses import dataclass

from frontdoor.core.reasons import Reason
from frontdoor.core.request_fields import RESPONSE_TYPES, ResponseType

# The kinds that send the person somewhere: they may name the directory resource.
ORIENTING = frozenset(
    {ResponseType.ORIENTATION, ResponseType.SPECIALISED_RESOURCES, ResponseType.OUT_OF_SCOPE}
)


class ResponseError(ValueError):
    """A response that cannot be recorded: the French message says why."""


@dataclass(kw_only=True, frozen=True)
class ResponseChoice:
    kind: ResponseType
    resource_id: int | None = None


def parse_response(*, kind: object, resource_id: object = None) -> ResponseChoice:
    """A referent's choice, from a form or a JSON body; ResponseError in French otherwise."""
    try:
        chosen = ResponseType(str(kind)) if kind else None
    except ValueError:
        chosen = None
    if chosen is None:
        known = ", ".join(code.value for code in ResponseType)
        raise ResponseError(f"type de réponse inconnu (attendu : {known})")
    if resource_id in (None, ""):
        return ResponseChoice(kind=chosen)
    if chosen not in ORIENTING:
        raise ResponseError(
            f"« {RESPONSE_TYPES[chosen]} » ne nomme pas de ressource : seule une orientation, "
            "un accès à des ressources spécialisées ou une réorientation en nomme une"
        )
    text = str(resource_id)
    if isinstance(resource_id, bool) or not text.isascii() or not text.isdigit() or len(text) > 9:
        raise ResponseError("ressource : identifiant d'une ressource de l'annuaire attendu")
    return ResponseChoice(kind=chosen, resource_id=int(text))


def response_added(choice: ResponseChoice, *, by: str, resource_name: str | None) -> Reason:
    where = f" vers {resource_name}" if resource_name else ""
    return Reason(
        code="response-added",
        text=f"réponse ajoutée par {by} : {RESPONSE_TYPES[choice.kind]}{where}",
    )


def response_removed(kind: str, *, by: str) -> Reason:
    known = {code.value: label for code, label in RESPONSE_TYPES.items()}
    label = known.get(kind, kind)  # a kind this version no longer names is said as it is
    return Reason(code="response-removed", text=f"réponse retirée par {by} : {label}")
