"""Duty from an iCalendar feed: titles name referents, recurrences expand, nothing is dropped
silently."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from frontdoor.core.calendar import Calendar, TimeRange
from frontdoor.core.ical_roster import IcalProblem, IcalRoster, normalized, overrides_from_ical
from frontdoor.core.roster import OverrideKind, Referent, Roster, on_duty

PARIS = ZoneInfo("Europe/Paris")
REFERENTS = {
    r.id: r
    for r in (
        Referent(id="amartin", name="Anne Martin", phone="+33612000001"),
        Referent(id="bleroy", name="Bruno Leroy", phone="+33612000002"),
        Referent(id="elefevre", name="Élodie Lefèvre", phone="+33612000003"),
    )
}
CALENDAR = Calendar(
    timezone=PARIS,
    weekly={
        d: (
            TimeRange(start=time(8, 30), end=time(12, 30)),
            TimeRange(start=time(13, 30), end=time(18, 0)),
        )
        for d in range(5)
    },
)


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)  # type: ignore[misc]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def ics(*events: str) -> str:
    body = "".join(f"BEGIN:VEVENT\r\n{e.strip()}\r\nEND:VEVENT\r\n" for e in events)
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//frontdoor tests//FR\r\n"
        f"{body.replace(chr(10) + '    ', chr(10))}END:VCALENDAR\r\n"
    )


def event(uid: str, summary: str, *lines: str) -> str:
    return "\r\n".join((f"UID:{uid}", f"SUMMARY:{summary}", *lines))


def imported(text: str, starts: datetime, ends: datetime) -> IcalRoster:
    return overrides_from_ical(
        text, referents=REFERENTS, calendar=CALENDAR, starts=starts, ends=ends
    )


def spans(result: IcalRoster) -> list[tuple[str, datetime, datetime]]:
    return [
        (o.referent_id, o.starts.astimezone(UTC), o.ends.astimezone(UTC)) for o in result.overrides
    ]


OCTOBER = (paris(2026, 10, 1), paris(2026, 11, 30))
MORNING = ("DTSTART;TZID=Europe/Paris:20261019T083000", "DTEND;TZID=Europe/Paris:20261019T123000")


@pytest.mark.parametrize(
    ("text", "window", "expected"),
    [
        pytest.param(
            ics(event("w1", "Permanence Anne Martin", *MORNING, "RRULE:FREQ=WEEKLY;COUNT=3")),
            OCTOBER,
            [("amartin", utc(2026, 10, 19, 6, 30), utc(2026, 10, 19, 10, 30)),  # CEST
             ("amartin", utc(2026, 10, 26, 7, 30), utc(2026, 10, 26, 11, 30)),  # CET
             ("amartin", utc(2026, 11, 2, 7, 30), utc(2026, 11, 2, 11, 30))],
            id="weekly-rrule-keeps-local-hours-across-the-dst-change",
        ),
        pytest.param(
            ics(event("w1", "Permanence Anne Martin", *MORNING, "RRULE:FREQ=WEEKLY;COUNT=3",
                      "EXDATE;TZID=Europe/Paris:20261026T083000")),
            OCTOBER,
            [("amartin", utc(2026, 10, 19, 6, 30), utc(2026, 10, 19, 10, 30)),
             ("amartin", utc(2026, 11, 2, 7, 30), utc(2026, 11, 2, 11, 30))],
            id="exdate-removes-an-occurrence",
        ),
        pytest.param(
            ics(event("w1", "Permanence Anne Martin", *MORNING, "RRULE:FREQ=WEEKLY;COUNT=3")),
            (paris(2026, 10, 20), paris(2026, 10, 31)),
            [("amartin", utc(2026, 10, 26, 7, 30), utc(2026, 10, 26, 11, 30))],
            id="only-occurrences-in-the-window",
        ),
        pytest.param(
            ics(event("w1", "Permanence Anne Martin", *MORNING)),
            (paris(2026, 10, 19, 10, 0), paris(2026, 10, 19, 11, 0)),
            [("amartin", utc(2026, 10, 19, 8, 0), utc(2026, 10, 19, 9, 0))],
            id="clipped-to-the-window",
        ),
        pytest.param(
            ics(event("n1", "astreinte AMARTIN", "DTSTART:20261020T090000Z",
                      "DTEND:20261020T100000Z")),
            OCTOBER, [("amartin", utc(2026, 10, 20, 9, 0), utc(2026, 10, 20, 10, 0))],
            id="id-in-capitals-and-utc-times",
        ),
        pytest.param(
            ics(event("n2", "Élodie LEFEVRE de garde", "DTSTART:20261020T140000",
                      "DTEND:20261020T160000")),
            OCTOBER, [("elefevre", utc(2026, 10, 20, 12, 0), utc(2026, 10, 20, 14, 0))],
            id="name-without-accents-and-floating-local-time",
        ),
        pytest.param(
            ics(event("n3", "Anne Martin + bleroy", "DTSTART:20261020T090000Z",
                      "DURATION:PT2H")),
            OCTOBER,
            [("amartin", utc(2026, 10, 20, 9, 0), utc(2026, 10, 20, 11, 0)),
             ("bleroy", utc(2026, 10, 20, 9, 0), utc(2026, 10, 20, 11, 0))],
            id="two-referents-and-a-duration",
        ),
        pytest.param(
            ics(event("d1", "bleroy", "DTSTART;VALUE=DATE:20261023",
                      "DTEND;VALUE=DATE:20261026")),
            OCTOBER,
            [("bleroy", utc(2026, 10, 23, 6, 30), utc(2026, 10, 23, 10, 30)),
             ("bleroy", utc(2026, 10, 23, 11, 30), utc(2026, 10, 23, 16, 0))],
            id="all-day-event-covers-the-opening-hours-of-its-days",
        ),
        pytest.param(
            ics(event("d2", "bleroy", "DTSTART;VALUE=DATE:20261111")),
            OCTOBER, [], id="all-day-on-a-closed-day-covers-nothing",
        ),
        pytest.param(
            ics(event("c1", "amartin", "STATUS:CANCELLED", *MORNING)),
            OCTOBER, [], id="cancelled-event-skipped",
        ),
    ],
)  # fmt: skip
def test_events_naming_referents_put_them_on_duty(
    text: str, window: tuple[datetime, datetime], expected: list[tuple[str, datetime, datetime]]
) -> None:
    result = imported(text, *window)

    assert result.problems == ()
    assert spans(result) == expected
    assert all(o.kind is OverrideKind.ADD for o in result.overrides)


def test_the_override_reason_quotes_the_event_title() -> None:
    result = imported(ics(event("w1", "Permanence Anne Martin", *MORNING)), *OCTOBER)

    assert [o.reason for o in result.overrides] == ["agenda : « Permanence Anne Martin »"]


def test_imported_overrides_put_the_referent_on_duty() -> None:
    result = imported(ics(event("w1", "Permanence Anne Martin", *MORNING)), *OCTOBER)
    roster = Roster().with_overrides(result.overrides)

    assert on_duty(paris(2026, 10, 19, 9, 0), roster, PARIS).referent_ids == ("amartin",)
    assert on_duty(paris(2026, 10, 19, 13, 0), roster, PARIS).referent_ids == ()


def test_events_naming_nobody_are_reported_once_with_their_index_and_uid() -> None:
    text = ics(
        event("ok", "amartin", *MORNING),
        event("typo", "Permanence Anne Martine", *MORNING, "RRULE:FREQ=WEEKLY;COUNT=2"),
        "UID:untitled\r\nDTSTART:20261021T090000Z\r\nDTEND:20261021T100000Z",
        event("later", "nobody", "DTSTART:20271021T090000Z", "DTEND:20271021T100000Z"),
    )

    result = imported(text, *OCTOBER)

    assert [o.referent_id for o in result.overrides] == ["amartin"]
    assert result.problems == (
        IcalProblem(
            index=2,
            uid="typo",
            message="« Permanence Anne Martine » ne nomme aucun référent (identifiant ou nom) : "
            "2 occurrence(s) ignorée(s), la première le 19/10/2026 08:30",
        ),
        IcalProblem(
            index=3,
            uid="untitled",
            message="un événement sans titre ne nomme aucun référent (identifiant ou nom) : "
            "1 occurrence(s) ignorée(s), la première le 21/10/2026 11:00",
        ),
    )
    assert str(result.problems[0]).startswith("événement n° 2 (typo) : « Permanence")


def test_an_event_without_a_start_is_reported() -> None:
    text = ics(event("ok", "amartin", *MORNING), event("nostart", "bleroy", "DURATION:PT1H"))

    result = imported(text, *OCTOBER)

    assert [o.referent_id for o in result.overrides] == ["amartin"]
    assert result.problems == (
        IcalProblem(index=2, uid="nostart", message="événement sans début (DTSTART)"),
    )


def test_a_zero_length_event_is_reported() -> None:
    result = imported(ics(event("z", "amartin", "DTSTART:20261020T090000Z")), *OCTOBER)

    assert result.overrides == ()
    assert [(p.uid, p.message) for p in result.problems] == [("z", "« amartin » dure zéro minute")]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("this is not a calendar", id="not-icalendar"),
        pytest.param(ics(event("b", "amartin", "DTSTART:2026XX")), id="broken-date"),
    ],
)
def test_an_unreadable_feed_is_one_problem_not_an_exception(text: str) -> None:
    result = imported(text, *OCTOBER)

    assert result.overrides == ()
    assert [(p.index, p.uid) for p in result.problems] == [(0, None)]
    assert str(result.problems[0]).startswith("fichier : ")


@pytest.mark.parametrize(
    ("title", "text"),
    [
        pytest.param("Élodie  Lefèvre-Roux", "elodie lefevre roux", id="accents-and-dash"),
        pytest.param("ASTREINTE (amartin)", "astreinte amartin", id="case-and-brackets"),
        pytest.param("Œuvre", "oeuvre", id="ligature"),
    ],
)
def test_titles_are_compared_without_case_accents_or_punctuation(title: str, text: str) -> None:
    assert normalized(title) == text


def test_a_name_must_match_whole_words() -> None:
    text = ics(event("p", "Réunion amartinez", *MORNING))

    result = imported(text, paris(2026, 10, 19), paris(2026, 10, 19) + timedelta(days=1))

    assert result.overrides == ()
    assert [p.uid for p in result.problems] == ["p"]


@pytest.mark.parametrize(
    ("summary", "lines"),
    [
        pytest.param("Congé Anne Martin", (), id="conge-in-the-title"),
        pytest.param("ABSENCE amartin", (), id="absence-in-capitals"),
        pytest.param("Anne Martin absente", (), id="absente"),
        pytest.param("Anne Martin", ("CATEGORIES:Réunion,Congés",), id="a-category-says-conges"),
        pytest.param("Anne Martin", ("CATEGORIES:Réunion", "CATEGORIES:Absence"), id="second-line"),
    ],
)
def test_an_event_that_says_absence_takes_the_referent_it_names_off_duty(
    summary: str, lines: tuple[str, ...]
) -> None:
    text = ics(event("a1", summary, *MORNING, *lines))

    result = imported(text, *OCTOBER)

    assert [(o.kind, o.referent_id) for o in result.overrides] == [(OverrideKind.REMOVE, "amartin")]
    on_rota = Roster(overrides=result.overrides)
    assert on_duty(paris(2026, 10, 19, 9, 0), on_rota, PARIS).referent_ids == ()


def test_an_absence_wins_over_a_duty_of_the_same_calendar() -> None:
    text = ics(
        event("d1", "Permanence Anne Martin, Bruno Leroy", *MORNING),
        event(
            "a1", "Congé Anne Martin", "DTSTART;VALUE=DATE:20261019", "DTEND;VALUE=DATE:20261020"
        ),
    )

    result = imported(text, *OCTOBER)

    duty = on_duty(paris(2026, 10, 19, 9, 0), Roster(overrides=result.overrides), PARIS)
    assert duty.referent_ids == ("bleroy",)
    assert "indisponible : agenda : « Congé Anne Martin »" in duty.reason.text


@pytest.mark.parametrize(
    "summary", ["Permanence Anne Martin", "Anne Martin, congrès", "Offre Anne Martin"]
)
def test_an_event_without_an_absence_word_is_a_duty(summary: str) -> None:
    result = imported(ics(event("d1", summary, *MORNING)), *OCTOBER)

    assert [o.kind for o in result.overrides] == [OverrideKind.ADD]
