"""A request entered by hand: what the console's form and the API may say, and the French
refusals of what cannot be kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from frontdoor.core.channels import CHANNEL_LABELS, MANUAL_CHANNELS, Channel
from frontdoor.core.manual_requests import (
    ManualRequestError,
    entered_reason,
    parse_contact,
    parse_manual_request,
)
from frontdoor.core.referrers import ReferrerType

PARIS = ZoneInfo("Europe/Paris")
REUNION = ZoneInfo("Indian/Reunion")
NOW = datetime(2026, 5, 12, 10, 0, tzinfo=PARIS)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def test_every_channel_has_a_french_name_and_the_manual_ones_are_not_the_lines() -> None:
    assert set(CHANNEL_LABELS) == {channel.value for channel in Channel}
    assert not {Channel.VOICE, Channel.SMS, Channel.MAIL} & set(MANUAL_CHANNELS)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        pytest.param("05 65 00 00 01", ("+33565000001", None), id="french-with-spaces"),
        pytest.param("05.65.00.00.01", ("+33565000001", None), id="french-with-dots"),
        pytest.param("+33 6 12 34 56 78", ("+33612345678", None), id="international"),
        pytest.param("0032 2 123 45 67", ("+3221234567", None), id="international-00"),
        pytest.param("Dr.Roux@Cabinet.MSSante.fr", (None, "dr.roux@cabinet.mssante.fr"), id="mail"),
        pytest.param("  ", (None, None), id="nothing"),
    ],
)
def test_a_contact_is_a_number_or_an_address(typed: str, expected: tuple[str | None, ...]) -> None:
    assert parse_contact(typed) == expected


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        pytest.param({"channel": "voice"}, "canal : à choisir parmi", id="the-single-number"),
        pytest.param({"channel": ""}, "canal : à choisir parmi", id="no-channel"),
        pytest.param({"contact": "12"}, "numéro : attendu", id="short-number"),
        pytest.param({"contact": "roux@"}, "adresse de messagerie : illisible", id="bad-mail"),
        pytest.param({"day": "2026-05-13"}, "ne peut pas être à venir", id="tomorrow"),
        pytest.param({"day": "9999-01-01"}, "l'année doit aller", id="year-9999"),
        pytest.param({"wall": "25:00"}, "n'est pas une heure", id="no-such-hour"),
        pytest.param({"at": "2026-05-12T10:00"}, "décalage horaire", id="api-instant-no-offset"),
        pytest.param({"referrer_type": "plumber"}, "type d'adresseur : inconnu", id="referrer"),
        pytest.param({"note": "x" * 5001}, "note trop longue", id="long-note"),
    ],
)
def test_what_cannot_be_kept_is_refused_in_french(fields: dict[str, str], message: str) -> None:
    with pytest.raises(ManualRequestError, match=message):
        parse_manual_request(**{"channel": "visit", **fields}, now=NOW, timezone=PARIS)


def test_without_a_date_it_came_now() -> None:
    entered = parse_manual_request(channel="letter", now=NOW, timezone=PARIS)
    assert (entered.channel, entered.received_at) == (Channel.LETTER, NOW)
    assert (entered.referrer_type, entered.caller_name, entered.note) == (
        ReferrerType.UNKNOWN, None, None,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("day", "wall", "timezone", "expected"),
    [
        pytest.param("2026-05-11", "16:30", PARIS, utc(2026, 5, 11, 14, 30), id="paris-summer"),
        pytest.param("2026-03-29", "03:30", PARIS, utc(2026, 3, 29, 1, 30), id="spring-forward"),
        pytest.param("2026-05-11", "16:30", REUNION, utc(2026, 5, 11, 12, 30), id="reunion"),
        pytest.param("", "08:15", PARIS, utc(2026, 5, 12, 6, 15), id="today-at"),
    ],
)  # fmt: skip
def test_the_date_is_read_on_the_departments_wall_clock(
    day: str, wall: str, timezone: ZoneInfo, expected: datetime
) -> None:
    entered = parse_manual_request(channel="visit", day=day, wall=wall, now=NOW, timezone=timezone)
    assert entered.received_at == expected


def test_the_api_gives_an_instant_and_a_few_minutes_ahead_are_tolerated() -> None:
    ahead = (NOW + timedelta(minutes=2)).isoformat()
    entered = parse_manual_request(channel="meeting", at=ahead, now=NOW, timezone=PARIS)
    assert entered.received_at == NOW + timedelta(minutes=2)


def test_the_trace_of_an_entry_names_the_channel_and_referrer_not_the_caller() -> None:
    entered = parse_manual_request(
        channel="visit", name="Mme Témoin", contact="05 65 00 00 01",
        referrer_type="carer", now=NOW, timezone=PARIS,
    )  # fmt: skip
    reason = entered_reason(entered, by="anne")
    assert reason.code == "entered"
    assert reason.text == "demande entrée par anne : visite, adresseur : Proche aidant"
    assert "Témoin" not in reason.text
    assert "65" not in reason.text


@pytest.mark.parametrize(
    ("typed", "region", "number"),
    [
        pytest.param("0262 21 34 56", "FR", "+262262213456", id="reunion-typed-in-paris"),
        pytest.param("0692 12 34 56", "RE", "+262692123456", id="reunion-mobile"),
        pytest.param("0800 12 34 56", "RE", "+262800123456", id="reunion-freephone"),
        pytest.param("41 12 34", "PM", "+508411234", id="saint-pierre-six-digits"),
    ],
)
def test_a_number_is_read_in_the_department_s_territory(
    typed: str, region: str, number: str
) -> None:
    assert parse_contact(typed, region) == (number, None)
