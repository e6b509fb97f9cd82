"""Numbers as a French reader writes them."""

from __future__ import annotations

import pytest

from frontdoor.core.numbers import (
    is_mobile,
    parse_phone,
    region_of,
    written_number,
    written_phone,
)


@pytest.mark.parametrize(
    ("number", "written"),
    [
        pytest.param("+33612345678", "06 12 34 56 78", id="french-mobile"),
        pytest.param("+33565367387", "05 65 36 73 87", id="french-landline"),
        pytest.param("+262692123456", "06 92 12 34 56", id="reunion-mobile"),
        pytest.param("+594594123456", "05 94 12 34 56", id="guyane-landline"),
        pytest.param("+442079460958", "+442079460958", id="foreign-stays-international"),
        pytest.param("anonymous", "numéro masqué", id="withheld"),
        pytest.param(None, "numéro masqué", id="none"),
    ],
)
def test_a_number_is_written_the_french_way(number: str | None, written: str) -> None:
    assert written_number(number) == written


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        pytest.param("+33536491001", "05 36 49 10 01", id="e164-french"),
        pytest.param("05 36 49 10 01", "05 36 49 10 01", id="already-national"),
        pytest.param("3977", "3977", id="short-number-as-typed"),
        pytest.param("+442079460958", "+442079460958", id="foreign"),
    ],
)
def test_a_resource_phone_is_written_the_french_way_and_never_masked(
    typed: str, written: str
) -> None:
    assert written_phone(typed) == written


@pytest.mark.parametrize(
    ("number", "mobile"),
    [
        pytest.param("+33612345678", True, id="metropolitan-06"),
        pytest.param("+33756123456", True, id="metropolitan-07"),
        pytest.param("+33565367387", False, id="metropolitan-landline"),
        pytest.param("+33800123456", False, id="freephone"),
        pytest.param("+33976123456", False, id="voip-09"),
        pytest.param("+262692123456", True, id="reunion-0692"),
        pytest.param("+262262123456", False, id="reunion-landline"),
        pytest.param("+262639691234", True, id="mayotte-0639"),
        pytest.param("+590690123456", True, id="guadeloupe-0690"),
        pytest.param("+596696123456", True, id="martinique-0696"),
        pytest.param("+594694201234", True, id="guyane-0694"),
        pytest.param("+508551234", True, id="saint-pierre-55"),
        pytest.param("+508411234", False, id="saint-pierre-landline"),
        pytest.param("+447700900123", False, id="foreign-mobile"),
        pytest.param("anonymous", False, id="withheld"),
        pytest.param(None, False, id="none"),
    ],
)
def test_only_a_french_mobile_can_take_an_sms(number: str | None, mobile: bool) -> None:
    assert is_mobile(number) is mobile


@pytest.mark.parametrize(
    ("typed", "region", "stored"),
    [
        # Metropolitan France: the ten-digit plan is one, overseas ranges included.
        pytest.param("06 12 34 56 78", "FR", "+33612345678", id="fr-mobile"),
        pytest.param("05 65 36 73 87", "FR", "+33565367387", id="fr-landline"),
        pytest.param("02 62 21 34 56", "FR", "+262262213456", id="fr-typing-reunion"),
        pytest.param("05 96 70 12 34", "FR", "+596596701234", id="fr-typing-martinique"),
        pytest.param("02 69 61 23 45", "FR", "+262269612345", id="fr-typing-mayotte"),
        pytest.param("0800 12 34 56", "FR", "+33800123456", id="fr-freephone"),
        pytest.param("+33 6 12 34 56 78", "FR", "+33612345678", id="fr-international"),
        pytest.param("0033 6 12 34 56 78", "FR", "+33612345678", id="fr-00"),
        # La Réunion (974) and Mayotte (976), +262.
        pytest.param("0262 21 34 56", "RE", "+262262213456", id="re-landline"),
        pytest.param("0692 12 34 56", "RE", "+262692123456", id="re-mobile"),
        pytest.param("0800 12 34 56", "RE", "+262800123456", id="re-own-freephone"),
        pytest.param("06 12 34 56 78", "RE", "+33612345678", id="re-typing-metropolitan"),
        pytest.param("+262 692 12 34 56", "RE", "+262692123456", id="re-international"),
        pytest.param("0269 61 23 45", "YT", "+262269612345", id="yt-landline"),
        pytest.param("0639 69 12 34", "YT", "+262639691234", id="yt-mobile"),
        # The Antilles and Guyane.
        pytest.param("0590 27 12 34", "GP", "+590590271234", id="gp-landline"),
        pytest.param("0690 12 34 56", "GP", "+590690123456", id="gp-mobile"),
        pytest.param("0596 70 12 34", "MQ", "+596596701234", id="mq-landline"),
        pytest.param("0696 12 34 56", "MQ", "+596696123456", id="mq-mobile"),
        pytest.param("0594 29 12 34", "GF", "+594594291234", id="gf-landline"),
        pytest.param("0694 20 12 34", "GF", "+594694201234", id="gf-mobile"),
        pytest.param("0590 27 12 34", "BL", "+590590271234", id="bl-landline"),
        pytest.param("0590 87 12 34", "MF", "+590590871234", id="mf-landline"),
        # Saint-Pierre-et-Miquelon: six digits of its own, +508.
        pytest.param("41 12 34", "PM", "+508411234", id="pm-landline"),
        pytest.param("55 12 34", "PM", "+508551234", id="pm-mobile"),
        pytest.param("06 12 34 56 78", "PM", "+33612345678", id="pm-typing-metropolitan"),
        # Not numbers.
        pytest.param("41 12 34", "FR", None, id="fr-six-digits"),
        pytest.param("02 62 00", "RE", None, id="too-short"),
        pytest.param("abc", "FR", None, id="letters"),
        pytest.param("", "FR", None, id="empty"),
    ],
)
def test_a_typed_number_is_read_in_its_department_s_territory(
    typed: str, region: str, stored: str | None
) -> None:
    assert parse_phone(typed, region) == stored


@pytest.mark.parametrize(
    ("departement", "region"),
    [("974", "RE"), ("976", "YT"), ("971", "GP"), ("972", "MQ"), ("973", "GF"), ("975", "PM"),
     ("977", "BL"), ("978", "MF"), ("46", "FR"), ("2A", "FR"), (None, "FR")],
)  # fmt: skip
def test_each_overseas_territory_has_its_numbering_region(
    departement: str | None, region: str
) -> None:
    assert region_of(departement) == region
