"""Repeats: a request that brings back a situation the DAC already knows (the same caller, the
same person, again) is marked a repeat of the earlier request, and the indicators count the
situation once as a sollicitation (frontdoor.indicators.tally_triggers).

Plain functions, so the console, the API and the tests share one rule: a request repeats an
earlier request of its own department, never itself, and never a request that (through the
requests it repeats in turn) repeats it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from frontdoor.core.reasons import Reason

# How far back the console looks for the requests a new one may repeat.
CANDIDATE_WINDOW = timedelta(days=30)


class RepeatError(ValueError):
    """A repeat that cannot be recorded: the French message says why."""


@dataclass(kw_only=True, frozen=True)
class RequestInChain:
    """What the rule needs of a request."""

    id: int
    department: str
    received_at: datetime
    repeat_of: int | None = None


def parse_repeat_of(value: object) -> int | None:
    """The request number a referent typed or chose, None to clear; RepeatError otherwise."""
    if value is None or value == "":
        return None
    text = str(value).strip().removeprefix("n°").removeprefix("#").strip()
    if isinstance(value, bool) or not text.isascii() or not text.isdigit() or len(text) > 9:
        raise RepeatError("numéro de la demande répétée attendu (par exemple 1234)")
    return int(text)


def repeat_refusal(
    request: RequestInChain,
    original: RequestInChain | None,
    repeat_of: Callable[[int], int | None],
) -> str | None:
    """Why `request` cannot be marked a repeat of `original` (None: it can). `original` is
    None when no request has that number in the request's department; `repeat_of` gives
    the request a request repeats, to follow the chain from `original`."""
    if original is None or original.department != request.department:
        return "demande répétée introuvable dans ce département"
    if original.id == request.id:
        return "une demande ne peut pas être la répétition d'elle-même"
    if (original.received_at, original.id) > (request.received_at, request.id):
        return "une demande ne peut répéter qu'une demande reçue avant elle"
    seen = {original.id}
    following = original.repeat_of
    while following is not None and following not in seen:
        if following == request.id:
            return (
                f"la demande n°{original.id} est déjà une répétition de celle-ci : "
                "marquer l'inverse ferait une boucle"
            )
        seen.add(following)
        following = repeat_of(following)
    return None


def first_of_chain(request_id: int, repeat_of: Mapping[int, int | None]) -> int:
    """The request a chain of repeats starts from (the one counted as the sollicitation)."""
    seen = {request_id}
    current = request_id
    while (following := repeat_of.get(current)) is not None and following not in seen:
        seen.add(following)
        current = following
    return current


def under_their_originals(ids: Iterable[int], repeat_of: Mapping[int, int | None]) -> list[int]:
    """Requests in their order, each repeat moved just under the request it repeats (itself
    under its own, and so on); a repeat of a request not listed stays where it was."""
    ordered = list(ids)
    listed = set(ordered)
    children: dict[int, list[int]] = {}
    roots: list[int] = []
    for request_id in ordered:
        original = repeat_of.get(request_id)
        if original is not None and original in listed and original != request_id:
            children.setdefault(original, []).append(request_id)
        else:
            roots.append(request_id)
    result: list[int] = []
    placed: set[int] = set()

    def place(request_id: int) -> None:
        if request_id in placed:
            return
        placed.add(request_id)
        result.append(request_id)
        for child in children.get(request_id, []):
            place(child)

    for root in roots:
        place(root)
    for request_id in ordered:  # a loop no root reaches (not made by this rule): as listed
        place(request_id)
    return result


def repeat_marked(original_id: int, *, by: str) -> Reason:
    return Reason(
        code="repeat-marked",
        text=f"marquée par {by} comme répétition de la demande n°{original_id} "
        "(comptée une seule fois comme sollicitation)",
    )


def repeat_cleared(original_id: int, *, by: str) -> Reason:
    return Reason(
        code="repeat-cleared",
        text=f"n'est plus marquée comme répétition de la demande n°{original_id} (par {by})",
    )
