"""The person's three non-oppositions, carried by her file: the stance in force from their
history, how she was informed, and the rule every hand-off to a partner obeys.

The history is one row per change (store: non_oppositions); the latest row of a kind is the
stance in force. Plain functions: the console shows what they say, and any future hand-off
(a referral to a partner, a shared file, a mail to a professional outside the DAC) asks
`may_hand_off` first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol, TypeVar

from frontdoor.core.reasons import Reason
from frontdoor.core.request_fields import NON_OPPOSITIONS, NonOpposition, Stance


class InformedHow(StrEnum):
    """How the person was informed of the DAC's action and of her right to object."""

    ORAL = "oral"
    DOCUMENT = "document"
    SMS = "sms"
    MAIL = "mail"


INFORMED_HOW: dict[InformedHow, str] = {
    InformedHow.ORAL: "oralement (par téléphone ou en visite)",
    InformedHow.DOCUMENT: "document d'information remis",
    InformedHow.SMS: "SMS d'information envoyé",
    InformedHow.MAIL: "mail d'information envoyé",
}


class StanceRow(Protocol):
    """A row of the history, as the store keeps it."""

    @property
    def id(self) -> int | None: ...
    @property
    def kind(self) -> str: ...
    @property
    def stance(self) -> str: ...
    @property
    def recorded_at(self) -> datetime: ...


Row = TypeVar("Row", bound=StanceRow)


def current_stances(rows: Iterable[Row]) -> dict[NonOpposition, Row]:
    """The stance in force for each non-opposition: the row recorded last (by time, then by
    the order rows were written). Kinds never recorded are absent."""
    current: dict[NonOpposition, Row] = {}
    for row in sorted(rows, key=lambda row: (row.recorded_at, row.id or 0)):
        current[NonOpposition(row.kind)] = row
    return current


def stances_of(rows: Iterable[StanceRow]) -> dict[NonOpposition, Stance]:
    return {kind: Stance(row.stance) for kind, row in current_stances(rows).items()}


def to_ask(stances: Mapping[NonOpposition, Stance]) -> list[NonOpposition]:
    """What is still to ask the person: the non-oppositions never recorded on her file."""
    return [kind for kind in NonOpposition if kind not in stances]


@dataclass(kw_only=True, frozen=True)
class HandOff:
    """Whether the person's situation may be handed off to a partner, and why (or why not)."""

    allowed: bool
    reasons: tuple[Reason, ...]


SHARING = NonOpposition.SUPPORT_AND_SHARING


def may_hand_off(stances: Mapping[NonOpposition, Stance]) -> HandOff:
    """The hand-off rule for one person: allowed only when her stance in force on support
    and sharing is "ne s'oppose pas".

    An opposition blocks it, whatever the other two say. No record blocks it too, for a
    different reason: the framework asks for a *non-opposition*, which the person can only
    express once informed of the DAC's action and of her right to object; a file where
    nothing was recorded says nothing of that information, so silence is not taken for
    non-opposition. The referent informs her, records her stance, and the hand-off follows.
    The other two non-oppositions (processing, secondary use) do not govern hand-offs."""
    stance = stances.get(SHARING)
    if stance is Stance.OPPOSED:
        return HandOff(
            allowed=False,
            reasons=(
                Reason(
                    code="sharing-opposed",
                    text=f"la personne s'oppose : {NON_OPPOSITIONS[SHARING].lower()}",
                ),
            ),
        )
    if stance is None:
        return HandOff(
            allowed=False,
            reasons=(
                Reason(
                    code="sharing-not-asked",
                    text="non-opposition au partage non recueillie : informer la personne "
                    "et recueillir sa position avant tout partage",
                ),
            ),
        )
    return HandOff(
        allowed=True,
        reasons=(
            Reason(code="sharing-not-opposed", text="la personne ne s'oppose pas au partage"),
        ),
    )


def may_hand_off_request(persons: Sequence[Mapping[NonOpposition, Stance]]) -> HandOff:
    """The rule for a request: every person it concerns must allow it; a request linked to
    nobody cannot be handed off (whose non-opposition would it rest on?)."""
    if not persons:
        return HandOff(
            allowed=False,
            reasons=(Reason(code="no-person", text="aucune personne concernée liée à la demande"),),
        )
    decisions = [may_hand_off(stances) for stances in persons]
    refused = [reason for d in decisions if not d.allowed for reason in d.reasons]
    if refused:
        return HandOff(allowed=False, reasons=tuple(refused))
    return HandOff(allowed=True, reasons=decisions[0].reasons)
