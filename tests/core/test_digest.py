"""The coordinator's daily digest."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from frontdoor.core.digest import digest_due, digest_text
from frontdoor.core.roster import DutyGap

PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(
    ("hour", "due"), [(6, False), (7, True), (8, False)], ids=["6h", "7h", "8h"]
)
def test_the_digest_goes_out_in_the_seven_oclock_hour_local_time(hour: int, due: bool) -> None:
    assert digest_due(datetime(2026, 5, 12, hour, 0, tzinfo=PARIS)) is due


def test_the_digest_counts_yesterdays_calls_callbacks_and_uncovered_hours() -> None:
    gap = DutyGap(
        starts=datetime(2026, 5, 13, 13, 30, tzinfo=PARIS),
        ends=datetime(2026, 5, 13, 17, 0, tzinfo=PARIS),
    )

    text = digest_text(
        department_name="DAC de Moselle",
        day=datetime(2026, 5, 11, tzinfo=PARIS),
        outcomes={"taken": 5, "voicemail": 2},
        open_callbacks=3,
        overdue_callbacks=1,
        gaps=[gap],
    )

    assert text.splitlines()[:5] == [
        "DAC de Moselle — synthèse du lundi 11/05/2026",
        "",
        "Appels reçus : 7",
        "  - pris par un référent : 5",
        "  - message laissé : 2",
    ]
    assert "Rappels à faire : 3, dont 1 en retard" in text
    assert "  - mercredi 13/05 13:30 – 17:00" in text
