"""A referent's absence: her own only, anyone's for a coordinator; it takes her off duty
whatever else says, and who may cancel it."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from frontdoor.core.absences import AbsenceRefused, absence, absent_referent, may_cancel_absence
from frontdoor.core.roster import Override, OverrideKind, Roster, on_duty

PARIS = ZoneInfo("Europe/Paris")
MONDAY = datetime(2026, 5, 11, 0, 0, tzinfo=PARIS)
WEDNESDAY = datetime(2026, 5, 13, 0, 0, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("asked", "own", "for_anyone", "whose"),
    [
        pytest.param(None, "amartin", False, "amartin", id="her-own-without-saying"),
        pytest.param("amartin", "amartin", False, "amartin", id="her-own-by-name"),
        pytest.param("bleroy", None, True, "bleroy", id="a-coordinator-for-anyone"),
        pytest.param(None, "coordination", True, "coordination", id="a-coordinator-her-own"),
    ],
)
def test_whose_absence_it_is(
    asked: str | None, own: str | None, for_anyone: bool, whose: str
) -> None:
    assert absent_referent(asked=asked, own=own, for_anyone=for_anyone) == whose


@pytest.mark.parametrize(
    ("asked", "own", "message"),
    [
        pytest.param("bleroy", "amartin", "votre propre absence", id="someone-elses"),
        pytest.param(None, None, "aucun référent", id="an-account-without-referent"),
    ],
)
def test_a_referent_declares_only_her_own_absence(
    asked: str | None, own: str | None, message: str
) -> None:
    with pytest.raises(AbsenceRefused, match=message):
        absent_referent(asked=asked, own=own, for_anyone=False)


def test_an_absence_takes_her_off_duty_even_when_a_swap_puts_her_on() -> None:
    swap = Override(
        starts=MONDAY, ends=WEDNESDAY, kind=OverrideKind.ADD, referent_id="amartin", reason="x"
    )
    off = absence(referent_id="amartin", starts=MONDAY, ends=WEDNESDAY, reason=" congé ")

    duty = on_duty(MONDAY.replace(hour=10), Roster(overrides=(swap, off)), PARIS)

    assert duty.referent_ids == ()
    assert off.reason == "absence : congé"


def test_an_absence_may_be_cancelled_by_her_who_declared_it_or_a_coordinator() -> None:
    off = absence(referent_id="amartin", starts=MONDAY, ends=WEDNESDAY, reason="")

    def may(*, own: str | None, by_viewer: bool = False, anyone: bool = False) -> bool:
        return may_cancel_absence(
            off, from_console=True, declared_by_viewer=by_viewer, own=own, for_anyone=anyone
        )

    assert may(own="amartin")
    assert may(own=None, by_viewer=True)
    assert may(own=None, anyone=True)
    assert not may(own="bleroy")
    imported = may_cancel_absence(
        off, from_console=False, declared_by_viewer=False, own="amartin", for_anyone=True
    )
    assert not imported  # a calendar's absence is changed in the calendar
    reinforcement = Override(
        starts=MONDAY, ends=WEDNESDAY, kind=OverrideKind.ADD, referent_id="amartin", reason="x"
    )
    assert not may_cancel_absence(
        reinforcement, from_console=True, declared_by_viewer=True, own="amartin", for_anyone=True
    )
