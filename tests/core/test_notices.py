"""Notices: who is told their duty begins, and what they read; who hears of a voicemail."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from frontdoor.core.calendar import opening_at
from frontdoor.core.notices import ShiftStart, shift_start_text, shift_starts, voicemail_notice
from frontdoor.core.roster import duty_periods
from frontdoor.department_file.load import load_departments

ROOT = Path(__file__).resolve().parents[2]
PARIS = ZoneInfo("Europe/Paris")
LOT = next(
    d
    for d in load_departments(
        ROOT / "flows", ROOT / "templates" / "voice" / "prompts.toml"
    ).values()
    if d.slug == "dac46"
)


def starting(at: datetime) -> list[ShiftStart]:
    periods = duty_periods(
        LOT.calendar, LOT.roster, at - timedelta(minutes=1), at + timedelta(days=1)
    )
    return shift_starts(periods, after=at - timedelta(minutes=1), until=at)


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        pytest.param(
            datetime(2026, 5, 12, 8, 30, tzinfo=PARIS),
            {("amartin", "13:30"), ("bleroy", "18:30")},
            id="morning-start-bleroy-stays-all-day",
        ),
        pytest.param(
            # Week of 11 May is an odd rotation week: cdurand and bleroy in the afternoon.
            datetime(2026, 5, 12, 13, 30, tzinfo=PARIS),
            {("cdurand", "18:30")},
            id="afternoon-only-newcomers-are-told",
        ),
        pytest.param(datetime(2026, 5, 12, 9, 0, tzinfo=PARIS), set(), id="mid-shift-nobody"),
        pytest.param(datetime(2026, 5, 14, 8, 30, tzinfo=PARIS), set(), id="ascension-nobody"),
        pytest.param(datetime(2026, 5, 16, 8, 30, tzinfo=PARIS), set(), id="saturday-nobody"),
    ],
)
def test_a_referent_is_told_once_when_their_duty_begins(
    at: datetime, expected: set[tuple[str, str]]
) -> None:
    found = {(s.referent_id, f"{s.ends.astimezone(PARIS):%H:%M}") for s in starting(at)}

    assert found == expected


def test_the_shift_start_sms_says_the_hours_as_spoken_and_the_callbacks_waiting() -> None:
    shift = ShiftStart(
        referent_id="amartin",
        starts=datetime(2026, 5, 12, 8, 30, tzinfo=PARIS),
        ends=datetime(2026, 5, 12, 13, 0, tzinfo=PARIS),
    )

    assert shift_start_text("DAC du Lot", shift, open_callbacks=2) == (
        "DAC du Lot : vous êtes de permanence de 8 h 30 à 13 h. 2 rappels en attente."
    )
    assert shift_start_text("DAC du Lot", shift, open_callbacks=0).endswith(
        "Aucun rappel en attente."
    )


@pytest.mark.parametrize(
    ("left_at", "already_told", "told", "why"),
    [
        pytest.param(
            datetime(2026, 5, 12, 10, 0, tzinfo=PARIS), False, ("amartin", "bleroy"),
            "prévenus : Anne Martin, Bruno Leroy", id="open-the-referents-on-duty",
        ),
        pytest.param(
            datetime(2026, 5, 12, 10, 0, tzinfo=PARIS), True, None, None,
            id="open-but-told-already",
        ),
        pytest.param(
            datetime(2026, 5, 14, 10, 30, tzinfo=PARIS), False, None, None,
            id="ascension-closed-nobody",
        ),
        pytest.param(
            datetime(2026, 5, 12, 19, 0, tzinfo=PARIS), False, None, None,
            id="evening-closed-nobody",
        ),
    ],
)  # fmt: skip
def test_a_voicemail_is_announced_in_opening_hours_only_and_once(
    left_at: datetime, already_told: bool, told: tuple[str, ...] | None, why: str | None
) -> None:
    notice = voicemail_notice(
        LOT, left_at=left_at, opening=opening_at(left_at, LOT.calendar), already_told=already_told
    )

    if told is None:
        assert notice is None
    else:
        assert notice is not None
        assert (notice.referent_ids, notice.reason.text) == (told, why)
