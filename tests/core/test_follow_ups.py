"""The follow-up of an orientation: due on a day chosen or "dans N jours" in the department's
zone, given to one of its referents or to nobody, closed with one of three outcomes, "à
relancer" possibly on a new day."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from frontdoor.core.follow_ups import (
    MAX_DAYS,
    OUTCOME_LABELS,
    Closing,
    FollowUpError,
    FollowUpOutcome,
    FollowUpPlan,
    due_asked,
    due_date,
    due_state,
    follow_up_closed,
    follow_up_planned,
    may_follow,
    parse_closing,
    plan_follow_up,
)

PARIS = ZoneInfo("Europe/Paris")
NOUMEA = ZoneInfo("Pacific/Noumea")
# Tuesday 12 May 2026, 14:00 in Paris.
TUESDAY = datetime(2026, 5, 12, 12, 0, tzinfo=UTC)
REFERENTS = {"amartin": "Anne Martin", "bleroy": "Bruno Leroy"}


def test_the_outcomes_are_coded_in_english_and_said_in_french() -> None:
    assert {code.value: label for code, label in OUTCOME_LABELS.items()} == {
        "taken_in_charge": "prise en charge effective",
        "to_chase": "à relancer",
        "no_news": "sans nouvelles",
    }


@pytest.mark.parametrize(
    ("on", "in_days", "now", "zone", "due"),
    [
        ("2026-05-28", None, TUESDAY, PARIS, date(2026, 5, 28)),
        ("2026-05-12", "", TUESDAY, PARIS, date(2026, 5, 12)),
        (None, "15", TUESDAY, PARIS, date(2026, 5, 27)),
        ("", 15, TUESDAY, PARIS, date(2026, 5, 27)),
        # 23:30 UTC on Tuesday is already Wednesday in Paris: the days count from Wednesday.
        (None, "1", datetime(2026, 5, 12, 23, 30, tzinfo=UTC), PARIS, date(2026, 5, 14)),
        # and in Nouméa from 13:30 UTC on Tuesday.
        (None, "1", datetime(2026, 5, 12, 13, 30, tzinfo=UTC), NOUMEA, date(2026, 5, 14)),
        # Across the change to winter time, a day is still a day.
        (None, "7", datetime(2026, 10, 21, 22, 30, tzinfo=UTC), PARIS, date(2026, 10, 29)),
        (None, str(MAX_DAYS), TUESDAY, PARIS, date(2027, 5, 13)),
    ],
    ids=["date", "today", "in-15-days", "in-days-as-number", "after-midnight-in-paris",
         "noumea-ahead", "across-dst", "longest"],
)  # fmt: skip
def test_the_due_day_is_chosen_or_counted_from_the_departments_today(
    on: object, in_days: object, now: datetime, zone: ZoneInfo, due: date
) -> None:
    assert due_date(on=on, in_days=in_days, now=now, timezone=zone) == due


@pytest.mark.parametrize(
    ("on", "in_days", "said"),
    [
        (None, None, "l'un des deux"),
        ("2026-05-28", "15", "l'un des deux"),
        ("2026-05-11", None, "lundi 11 mai 2026 est déjà passé"),
        ("28/05/2026", None, "n'est pas une date"),
        ("9999-05-28", None, "l'année doit aller de 2000 à 2100"),
        (None, "0", f"de 1 à {MAX_DAYS} jours"),
        (None, "367", f"de 1 à {MAX_DAYS} jours"),
        (None, "-3", "un nombre de jours est attendu"),
        (None, "quinze", "un nombre de jours est attendu"),
        (None, True, "un nombre de jours est attendu"),
    ],
    ids=["neither", "both", "past", "french-format", "year-9999", "zero", "too-far", "negative",
         "words", "boolean"],
)  # fmt: skip
def test_a_due_day_refused_says_why_in_french(on: object, in_days: object, said: str) -> None:
    with pytest.raises(FollowUpError, match=said):
        due_date(on=on, in_days=in_days, now=TUESDAY, timezone=PARIS)


def test_only_the_kinds_that_send_the_person_somewhere_are_followed() -> None:
    assert may_follow("orientation")
    assert may_follow("out_of_scope")
    assert may_follow("specialised_resources")
    assert not may_follow("information")
    assert not may_follow("follow_up")


def test_a_plan_names_a_referent_of_the_department_or_nobody() -> None:
    def planned(assignee: object) -> FollowUpPlan:
        return plan_follow_up(
            kind="orientation", on=None, in_days="15", assignee=assignee,
            referents=REFERENTS, now=TUESDAY, timezone=PARIS,
        )  # fmt: skip

    assert planned("bleroy") == FollowUpPlan(due_on=date(2026, 5, 27), assigned_to="bleroy")
    assert planned("") == FollowUpPlan(due_on=date(2026, 5, 27))
    with pytest.raises(FollowUpError, match="n'est pas un référent du département"):
        planned("dweber")
    with pytest.raises(FollowUpError, match="seule une orientation"):
        plan_follow_up(
            kind="information", on=None, in_days="15", assignee="", referents=REFERENTS,
            now=TUESDAY, timezone=PARIS,
        )  # fmt: skip


@pytest.mark.parametrize(
    ("outcome", "on", "in_days", "closing"),
    [
        ("taken_in_charge", None, None, Closing(outcome=FollowUpOutcome.TAKEN_IN_CHARGE)),
        ("no_news", "", "", Closing(outcome=FollowUpOutcome.NO_NEWS)),
        ("to_chase", None, None, Closing(outcome=FollowUpOutcome.TO_CHASE)),
        ("to_chase", None, "7", Closing(outcome=FollowUpOutcome.TO_CHASE,
                                        next_due_on=date(2026, 5, 19))),
        ("to_chase", "2026-06-02", None, Closing(outcome=FollowUpOutcome.TO_CHASE,
                                                 next_due_on=date(2026, 6, 2))),
    ],
    ids=["taken", "no-news", "to-chase-closed", "to-chase-in-7-days", "to-chase-on-a-day"],
)  # fmt: skip
def test_a_closing_says_what_was_found_and_a_chase_may_set_the_next_day(
    outcome: str, on: object, in_days: object, closing: Closing
) -> None:
    assert parse_closing(outcome=outcome, on=on, in_days=in_days, now=TUESDAY, timezone=PARIS) == (
        closing
    )


@pytest.mark.parametrize(
    ("outcome", "in_days", "said"),
    [
        ("", None, "issue du suivi : à choisir parmi taken_in_charge"),
        ("done", None, "issue du suivi : à choisir"),
        ("taken_in_charge", "7", "seul un suivi « à relancer » reçoit une nouvelle échéance"),
        ("to_chase", "0", "de 1 à"),
    ],
    ids=["empty", "unknown", "new-day-when-taken", "bad-new-day"],
)
def test_a_closing_refused_says_why(outcome: str, in_days: object, said: str) -> None:
    with pytest.raises(FollowUpError, match=said):
        parse_closing(outcome=outcome, on=None, in_days=in_days, now=TUESDAY, timezone=PARIS)


@pytest.mark.parametrize(
    ("due_on", "state"),
    [(date(2026, 5, 11), "en retard"), (date(2026, 5, 12), "aujourd'hui"),
     (date(2026, 5, 13), "à venir")],
    ids=["yesterday", "today", "tomorrow"],
)  # fmt: skip
def test_the_lists_say_whether_a_follow_up_is_late(due_on: date, state: str) -> None:
    assert due_state(due_on, today=date(2026, 5, 12)) == state


def test_the_reasons_say_the_day_the_french_way_and_who() -> None:
    plan = FollowUpPlan(due_on=date(2026, 5, 27), assigned_to="bleroy")
    assert follow_up_planned(plan, by="anne.martin@dac46.fr", assignee_name="Bruno Leroy").text == (
        "suivi de l'orientation demandé par anne.martin@dac46.fr : à vérifier le "
        "mercredi 27 mai 2026, confié à Bruno Leroy"
    )
    chased = Closing(outcome=FollowUpOutcome.TO_CHASE, next_due_on=date(2026, 6, 1))
    rescheduled = follow_up_closed(chased, due_on=date(2026, 5, 27), by="bleroy@dac46.fr")
    assert (rescheduled.code, rescheduled.text) == (
        "follow-up-rescheduled",
        "suivi à relancer selon bleroy@dac46.fr : échéance du mercredi 27 mai 2026 reportée au "
        "lundi 1er juin 2026",
    )
    closed = follow_up_closed(
        Closing(outcome=FollowUpOutcome.TAKEN_IN_CHARGE), due_on=date(2026, 5, 27), by="bleroy"
    )
    assert (closed.code, closed.text) == (
        "follow-up-closed", "suivi clos par bleroy : prise en charge effective"
    )  # fmt: skip


def test_a_due_day_is_asked_when_either_field_is_filled() -> None:
    assert due_asked(on="2026-05-28", in_days="")
    assert due_asked(on=None, in_days=3)
    assert not due_asked(on=" ", in_days=None)
