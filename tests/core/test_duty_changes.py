"""A duty change asked on the duty board: the override it is, why one is refused, which the
console may undo, and to whom the board offers the absence form."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from frontdoor.core.duty_changes import (
    DutyChangeRefused,
    console_source,
    duty_change,
    is_from_console,
    may_declare_absences,
)
from frontdoor.core.roster import Override, OverrideKind

PARIS = ZoneInfo("Europe/Paris")
NINE = datetime(2026, 5, 12, 9, 0, tzinfo=PARIS)
NOON = datetime(2026, 5, 12, 12, 0, tzinfo=PARIS)
TEAM = ("amartin", "bleroy")


def asked(**changed: object) -> Override:
    form: dict[str, object] = {
        "referent_id": "amartin", "instead_of": None, "kind": "add", "starts": NINE,
        "ends": NOON, "reason": "renfort", "referents": TEAM,
    }  # fmt: skip
    form.update(changed)
    return duty_change(**form)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changed", "override"),
    [
        pytest.param(
            {},
            Override(
                starts=NINE,
                ends=NOON,
                kind=OverrideKind.ADD,
                referent_id="amartin",
                reason="renfort",
            ),
            id="a-reinforcement",
        ),  # fmt: skip
        pytest.param(
            {"kind": "replace", "instead_of": "bleroy"},
            Override(
                starts=NINE,
                ends=NOON,
                kind=OverrideKind.REPLACE,
                referent_id="amartin",
                instead_of="bleroy",
                reason="renfort",
            ),
            id="a-replacement-keeps-whom-it-replaces",
        ),  # fmt: skip
        pytest.param(
            {"kind": "remove", "instead_of": "bleroy", "reason": "  "},
            Override(
                starts=NINE,
                ends=NOON,
                kind=OverrideKind.REMOVE,
                referent_id="amartin",
                reason="modifié depuis la console",
            ),
            id="instead-of-dropped-unless-replacing-and-a-default-reason",
        ),  # fmt: skip
        pytest.param(
            {"reason": "x" * 300},
            Override(
                starts=NINE,
                ends=NOON,
                kind=OverrideKind.ADD,
                referent_id="amartin",
                reason="x" * 200,
            ),
            id="a-long-reason-cut",
        ),  # fmt: skip
    ],
)
def test_the_override_a_change_is(changed: dict[str, object], override: Override) -> None:
    assert asked(**changed) == override


@pytest.mark.parametrize(
    ("changed", "why"),
    [
        pytest.param({"referent_id": "inconnu"}, "référent inconnu", id="unknown-referent"),
        pytest.param(
            {"kind": "replace", "instead_of": "x"}, "référent inconnu", id="unknown-replaced"
        ),
        pytest.param({"kind": ""}, "à choisir", id="no-kind"),
        pytest.param({"ends": NINE}, "invalide", id="ends-before-it-starts"),
        pytest.param({"kind": "replace"}, "invalide", id="a-replacement-of-nobody"),
    ],
)
def test_a_change_refused_says_why(changed: dict[str, object], why: str) -> None:
    with pytest.raises(DutyChangeRefused, match=why):
        asked(**changed)


@pytest.mark.parametrize(
    ("source", "ours"),
    [
        pytest.param(console_source("coordination@dac46.fr"), True, id="the-consoles"),
        pytest.param("ical:https://agenda.example/dac46.ics", False, id="an-imported-calendar"),
    ],
)
def test_the_console_undoes_only_its_own_changes(source: str, ours: bool) -> None:
    assert is_from_console(source) is ours


@pytest.mark.parametrize(
    ("may_declare", "own", "for_anyone", "offered"),
    [
        pytest.param(True, "amartin", False, True, id="a-referent-of-the-team"),
        pytest.param(True, None, False, False, id="an-account-of-no-referent"),
        pytest.param(True, "ailleurs", False, False, id="a-referent-of-another-team"),
        pytest.param(True, None, True, True, id="a-coordinator-for-anyone"),
        pytest.param(False, "amartin", False, False, id="a-role-without-absences"),
    ],
)
def test_whom_the_board_offers_the_absence_form(
    may_declare: bool, own: str | None, for_anyone: bool, offered: bool
) -> None:
    assert (
        may_declare_absences(
            may_declare=may_declare, own=own, referents=TEAM, for_anyone=for_anyone
        )
        is offered
    )
