"""The team and the line as the console changed them, laid over the department file: the file
stays the source of what it declares, and wins again when it is edited."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from frontdoor.core.calendar import Calendar, Closure, TimeRange, opening_at
from frontdoor.core.department import Department
from frontdoor.core.roster import (
    Override,
    OverrideKind,
    Referent,
    Roster,
    Rotation,
    Shift,
    on_duty,
)
from frontdoor.core.team import (
    TeamChange,
    TeamChangeKind,
    TeamRefused,
    closure_added,
    closure_removed,
    effective_department,
    file_entry,
    new_referent_id,
    phone_changed,
    referent_added,
    referent_removed,
    team_state,
)

PARIS = ZoneInfo("Europe/Paris")
ANNE = Referent(id="amartin", name="Anne Martin", phone="+33612000001")
BRUNO = Referent(id="bleroy", name="Bruno Leroy", phone="+33612000002")
WEEKDAYS = frozenset(range(5))
DAY = TimeRange(start=time(8, 30), end=time(18, 0))
FILE = Department(
    slug="dac46",
    name="DAC du Lot",
    number="+33565000000",
    calendar=Calendar(
        timezone=PARIS,
        weekly={d: (DAY,) for d in WEEKDAYS},
        closures=(
            Closure(
                starts=datetime(2026, 12, 24, 14, tzinfo=PARIS),
                ends=datetime(2026, 12, 26, 8, 30, tzinfo=PARIS),
                reason="Noël",
            ),
        ),
    ),
    referents={ANNE.id: ANNE, BRUNO.id: BRUNO},
    roster=Roster(
        shifts=(Shift(weekdays=WEEKDAYS, hours=DAY, referent_ids=("amartin", "bleroy")),),
        backup=("amartin",),
    ),
    public_allowed=True,
)
TUESDAY = datetime(2026, 5, 12, 10, 0, tzinfo=PARIS)


def change(number: int, made: TeamChange) -> TeamChange:
    """A change as the store gives it back: numbered in the order it was made."""
    return replace(made, id=number)


def added(name: str, phone: str, referent_id: str | None = None) -> TeamChange:
    state = team_state(FILE.referents, ())
    if referent_id is not None:
        state = replace(state, removed=frozenset({referent_id}))
    return referent_added(FILE.referents, state, name=name, phone=phone, referent_id=referent_id)


def removed(referent_id: str) -> TeamChange:
    return referent_removed(FILE.referents, team_state(FILE.referents, ()), referent_id)


def test_without_changes_the_department_is_its_file() -> None:
    assert effective_department(FILE, ()) == FILE


def test_a_referent_added_joins_the_team_and_is_rung_when_an_override_puts_her_on_duty() -> None:
    claire = change(1, added("Claire Durand", "+33612000003"))
    on_call = Override(
        starts=TUESDAY.replace(hour=8), ends=TUESDAY.replace(hour=12),
        kind=OverrideKind.ADD, referent_id="claire-durand", reason="renfort",
    )  # fmt: skip

    department = effective_department(FILE, (claire,))
    duty = on_duty(TUESDAY, department.roster.with_overrides((on_call,)), PARIS)

    assert department.referents["claire-durand"].phone == "+33612000003"
    assert duty.referent_ids == ("amartin", "bleroy", "claire-durand")


def test_a_referent_removed_leaves_the_team_the_rota_the_backup_list_and_the_overrides() -> None:
    swap = Override(
        starts=TUESDAY.replace(hour=8), ends=TUESDAY.replace(hour=12),
        kind=OverrideKind.REPLACE, referent_id="bleroy", instead_of="amartin", reason="échange",
    )  # fmt: skip
    with_swap = replace(FILE, roster=FILE.roster.with_overrides((swap,)))

    department = effective_department(with_swap, (change(1, removed("amartin")),))

    assert list(department.referents) == ["bleroy"]
    assert department.roster.shifts[0].referent_ids == ("bleroy",)
    assert department.roster.backup == ()
    assert department.roster.overrides == ()
    assert on_duty(TUESDAY, department.roster, PARIS).referent_ids == ("bleroy",)


def test_a_rotation_loses_the_removed_referent_in_every_week() -> None:
    rotation = Rotation(
        weekdays=WEEKDAYS, hours=DAY, anchor=TUESDAY.date(), weeks=(("amartin",), ("bleroy",))
    )
    file = replace(FILE, roster=Roster(rotations=(rotation,)))

    department = effective_department(file, (change(1, removed("amartin")),))

    assert department.roster.rotations[0].weeks == ((), ("bleroy",))


def test_a_phone_number_changed_replaces_the_files() -> None:
    new_number = phone_changed(FILE.referents, team_state(FILE.referents, ()), "amartin", "+33699")

    department = effective_department(FILE, (change(1, new_number),))

    assert department.referents["amartin"] == replace(ANNE, phone="+33699")


@pytest.mark.parametrize(
    "edited",
    [
        pytest.param(replace(ANNE, phone="+33688"), id="the-file-gives-another-number"),
        pytest.param(replace(ANNE, name="Anne Martin-Roux"), id="the-file-renames-her"),
    ],
)
def test_when_the_file_is_edited_since_it_wins_over_the_consoles_change(
    edited: Referent,
) -> None:
    made = (
        change(1, removed("bleroy")),
        change(
            2, phone_changed(FILE.referents, team_state(FILE.referents, ()), "amartin", "+3369")
        ),
    )
    file = replace(FILE, referents={"amartin": edited, "bleroy": BRUNO})

    state = team_state(file.referents, made)

    assert state.referents == {"amartin": edited}  # Bruno's removal still holds
    assert state.set_aside == (2,)


def test_a_removed_referent_is_back_when_the_file_changes_her_entry() -> None:
    file = replace(FILE, referents={"amartin": ANNE, "bleroy": replace(BRUNO, phone="+3367")})

    department = effective_department(file, (change(1, removed("bleroy")),))

    assert "bleroy" in department.referents
    assert department.roster.shifts[0].referent_ids == ("amartin", "bleroy")


def test_a_console_addition_gives_way_when_the_file_declares_the_same_id() -> None:
    claire = change(1, added("Claire Durand", "+33612000003"))
    theirs = Referent(id="claire-durand", name="Claire Durand", phone="+33655")
    file = replace(FILE, referents={**FILE.referents, theirs.id: theirs})

    assert effective_department(file, (claire,)).referents["claire-durand"] == theirs


def test_a_removed_file_referent_can_be_brought_back() -> None:
    made = (
        change(1, removed("bleroy")),
        change(2, added("Bruno Leroy", "+33612000002", referent_id="bleroy")),
    )

    state = team_state(FILE.referents, made)

    assert state.referents["bleroy"] == BRUNO
    assert state.removed == frozenset()


def test_closures_added_add_to_the_files_and_one_removed_is_gone() -> None:
    seminar = closure_added(
        starts=datetime(2026, 5, 15, 0, 0, tzinfo=PARIS),
        ends=datetime(2026, 5, 16, 0, 0, tzinfo=PARIS),
        reason="  pont de  l'Ascension ",
    )
    other = closure_added(starts=TUESDAY, ends=TUESDAY.replace(hour=12), reason="")
    made = [change(1, seminar), change(2, other)]
    made.append(change(3, closure_removed(team_state(FILE.referents, made), 2)))

    department = effective_department(FILE, made)

    assert [c.reason for c in department.calendar.closures] == ["Noël", "pont de l'Ascension"]
    friday = opening_at(datetime(2026, 5, 15, 10, 0, tzinfo=PARIS), department.calendar)
    assert not friday.is_open
    assert "pont de l'Ascension" in friday.reason.text
    assert opening_at(TUESDAY, department.calendar).is_open


@pytest.mark.parametrize(
    ("attempt", "message"),
    [
        pytest.param(lambda s: removed("nobody"), "référent inconnu", id="remove-unknown"),
        pytest.param(
            lambda s: referent_removed(FILE.referents, s, "bleroy"),
            "sans référent",
            id="remove-the-last-one",
        ),
        pytest.param(
            lambda s: phone_changed(FILE.referents, s, "bleroy", BRUNO.phone),
            "déjà son numéro",
            id="same-number",
        ),
        pytest.param(lambda s: added("   ", "+33611"), "nom du référent", id="no-name"),
        pytest.param(
            lambda s: referent_added(FILE.referents, s, name="A", phone="+1", referent_id="bleroy"),
            "déjà partie",
            id="bring-back-one-who-is-there",
        ),
        pytest.param(
            lambda s: closure_added(starts=TUESDAY, ends=TUESDAY, reason=""),
            "la fin doit venir après le début",
            id="closure-of-no-time",
        ),
        pytest.param(lambda s: closure_removed(s, 7), "introuvable", id="closure-not-the-consoles"),
    ],
)
def test_a_change_that_cannot_be_made_is_refused_in_french(attempt, message: str) -> None:  # type: ignore[no-untyped-def]
    only_bruno = team_state(FILE.referents, (change(1, removed("amartin")),))

    with pytest.raises(TeamRefused, match=message):
        attempt(only_bruno)


def test_an_added_referents_id_comes_from_her_name_and_is_never_taken_twice() -> None:
    assert new_referent_id("Élodie  Lefèvre-Roux", ()) == "elodie-lefevre-roux"
    assert new_referent_id("Anne Martin", ("anne-martin", "anne-martin-2")) == "anne-martin-3"


def test_a_change_remembers_what_the_file_said_of_the_referent() -> None:
    assert removed("amartin").file_said == file_entry(ANNE) == "Anne Martin | +33612000001"
    assert added("Claire Durand", "+33612000003").file_said is None


def test_a_change_about_a_referent_needs_her_id() -> None:
    with pytest.raises(ValueError, match="referent's id"):
        TeamChange(id=1, kind=TeamChangeKind.REFERENT_REMOVED)
