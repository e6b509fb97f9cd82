"""A department as the routing tests build it, and the Monday morning they route at."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from frontdoor.core.calendar import Calendar, TimeRange
from frontdoor.core.department import Department, Ringing, RingStrategy
from frontdoor.core.roster import Referent, Roster, Shift

PARIS = ZoneInfo("Europe/Paris")
MONDAY_10H = datetime(2026, 5, 18, 10, 0, tzinfo=PARIS)


def department(
    *,
    on_duty: tuple[str, ...] = ("amartin", "bleroy"),
    backup: tuple[str, ...] = ("coordination",),
    strategy: RingStrategy = RingStrategy.SIMULTANEOUS,
) -> Department:
    """A department open Monday to Friday, these people on duty 08:30-18:30."""
    day = TimeRange(start=time(8, 30), end=time(18, 30))
    ids = dict.fromkeys((*PEOPLE, *CROWD))
    return Department(
        slug="dac99",
        name="DAC test",
        number="+33536490099",
        calendar=Calendar(timezone=PARIS, weekly={d: (day,) for d in range(5)}),
        referents={i: Referent(id=i, name=i.title(), phone="+33612000000") for i in ids},
        roster=Roster(
            shifts=(Shift(weekdays=frozenset(range(5)), hours=day, referent_ids=on_duty),),
            backup=backup,
        ),
        public_allowed=True,
        ringing=Ringing(strategy=strategy),
    )


PEOPLE = ("amartin", "bleroy", "cdurand", "coordination")


CROWD = tuple(f"r{n:02d}" for n in range(1, 13))
