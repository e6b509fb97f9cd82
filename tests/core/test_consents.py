"""The non-oppositions carried by the person: the stance in force is the latest recorded, and
a hand-off to a partner follows only a recorded non-opposition to sharing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from frontdoor.core.consents import (
    current_stances,
    may_hand_off,
    may_hand_off_request,
    stances_of,
    to_ask,
)
from frontdoor.core.request_fields import NonOpposition, Stance

SHARING = NonOpposition.SUPPORT_AND_SHARING
PROCESSING = NonOpposition.DATA_PROCESSING
SECONDARY = NonOpposition.SECONDARY_USE


@dataclass(frozen=True)
class Row:
    id: int | None
    kind: str
    stance: str
    recorded_at: datetime


def at(day: int) -> datetime:
    return datetime(2026, 5, day, 9, 0, tzinfo=UTC)


def test_the_stance_in_force_is_the_latest_recorded_per_kind() -> None:
    history = [
        Row(3, SHARING, Stance.OPPOSED, at(14)),
        Row(1, SHARING, Stance.NOT_OPPOSED, at(12)),
        Row(2, PROCESSING, Stance.NOT_OPPOSED, at(12)),
    ]

    assert stances_of(history) == {SHARING: Stance.OPPOSED, PROCESSING: Stance.NOT_OPPOSED}
    assert current_stances(history)[SHARING].id == 3


def test_two_rows_at_the_same_instant_keep_the_order_they_were_written() -> None:
    history = [Row(8, SHARING, Stance.OPPOSED, at(12)), Row(7, SHARING, "not_opposed", at(12))]

    assert stances_of(history) == {SHARING: Stance.OPPOSED}


def test_what_is_still_to_ask_is_what_was_never_recorded() -> None:
    assert to_ask({SHARING: Stance.OPPOSED}) == [PROCESSING, SECONDARY]
    assert to_ask({kind: Stance.NOT_OPPOSED for kind in NonOpposition}) == []


@pytest.mark.parametrize(
    ("stances", "allowed", "code"),
    [
        ({SHARING: Stance.NOT_OPPOSED}, True, "sharing-not-opposed"),
        ({SHARING: Stance.OPPOSED}, False, "sharing-opposed"),
        ({SHARING: Stance.OPPOSED, PROCESSING: Stance.NOT_OPPOSED}, False, "sharing-opposed"),
        ({}, False, "sharing-not-asked"),  # silence is not a non-opposition
        ({PROCESSING: Stance.NOT_OPPOSED, SECONDARY: Stance.NOT_OPPOSED}, False,
         "sharing-not-asked"),
        ({SHARING: Stance.NOT_OPPOSED, SECONDARY: Stance.OPPOSED}, True, "sharing-not-opposed"),
    ],
    ids=["not-opposed", "opposed", "opposed-whatever-else", "never-asked",
         "only-the-others-asked", "secondary-use-does-not-govern"],
)  # fmt: skip
def test_the_hand_off_rule(stances: dict[NonOpposition, Stance], allowed: bool, code: str) -> None:
    decision = may_hand_off(stances)

    assert decision.allowed is allowed
    assert [reason.code for reason in decision.reasons] == [code]


def test_a_request_is_handed_off_only_when_every_person_it_concerns_allows_it() -> None:
    agreed = {SHARING: Stance.NOT_OPPOSED}

    assert may_hand_off_request([agreed, agreed]).allowed
    refused = may_hand_off_request([agreed, {SHARING: Stance.OPPOSED}])
    assert not refused.allowed
    assert [r.code for r in refused.reasons] == ["sharing-opposed"]
    nobody = may_hand_off_request([])
    assert (nobody.allowed, nobody.reasons[0].code) == (False, "no-person")
