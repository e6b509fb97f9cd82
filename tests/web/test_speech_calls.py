"""Whole calls where the caller speaks instead of pressing keys: signed webhooks through the
real app, the phone posting SpeechResult and Confidence as Twilio does."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
from aiohttp.test_utils import TestClient

from frontdoor.phone import Answer, Said, ScriptedPerson, TerminalPerson, terminal_call
from frontdoor.phone_twiml import CallResult
from frontdoor.settings import Settings
from frontdoor.standins.twilio_api import FakeTwilioApi
from tests.conftest import AUTH_TOKEN, PUBLIC_URL
from tests.web.calls import (
    AMARTIN,
    LOT,
    MOSELLE,
    NURSE,
    TUESDAY_MORNING,
    dump,
    phone,
    place_call,
    reason_codes,
    rung,
    said,
    stored,
)
from tests.web.prompts import load_directory

# A phrasing with a name in it: what was said is personal data, kept nowhere.
NURSE_SAYS = "Bonjour, ici Mireille Fabre, je suis infirmière libérale"


@pytest.fixture
async def app_settings(wired_settings: Settings) -> Settings:
    """With the Lot's resource directory."""
    await load_directory(wired_settings)
    return wired_settings


def gathers(result: CallResult) -> list[ET.Element]:
    return [
        verb for _, text in result.documents for verb in ET.fromstring(text) if verb.tag == "Gather"
    ]


def speech_posts(result: CallResult) -> list[dict[str, str]]:
    return [dict(r.request.form) for r in result.exchanges if "SpeechResult" in r.request.form]


async def test_a_nurse_who_says_who_she_is_is_put_through_as_a_nurse(
    client: TestClient, settings: Settings
) -> None:
    person = ScriptedPerson([Said(text=NURSE_SAYS, confidence=0.93)],
                            referents={AMARTIN: Answer(presses="1")})  # fmt: skip

    result = await place_call(client, at=TUESDAY_MORNING, to=LOT, person=person)

    # The first menu listened in French, with hints, and Twilio posted what it heard.
    first = gathers(result)[0]
    assert (first.get("input"), first.get("language"), first.get("speechTimeout")) == (
        "dtmf speech", "fr-FR", "auto",
    )  # fmt: skip
    assert "infirmier libéral" in (first.get("hints") or "")
    assert speech_posts(result) == [
        {**speech_posts(result)[0], "SpeechResult": NURSE_SAYS, "Confidence": "0.93000000"}
    ]
    assert "Digits" not in speech_posts(result)[0]
    # No profession menu: straight to the referent, who hears who calls.
    assert "Vous êtes médecin, tapez 1" not in said(result)
    assert result.connected_to == AMARTIN
    assert "appel d'un infirmier ou d'une infirmière" in said(result, AMARTIN)
    # Stored as a key choice is, with what was understood and how sure; the words nowhere.
    [request], events = await stored(settings)
    assert (request.referrer_type, request.referrer_source) == ("nurse", "menu")
    assert request.outcome == "taken"
    assert "speech-understood" in reason_codes(events)
    menu = next(e for e in events if e.kind == "menu")
    assert menu.detail == "who: parole (0.93)"
    assert "Infirmier libéral (confiance 0,93)" in menu.reasons[0]["text"]
    everything = str(await dump(settings))
    assert "Mireille" not in everything
    assert "Fabre" not in everything


async def test_an_unsure_hearing_is_read_back_and_confirmed_by_voice(
    client: TestClient, settings: Settings
) -> None:
    person = ScriptedPerson(
        [
            Said(text="l'assistante sociale de l'hôpital", confidence=0.41),
            Said(text="oui c'est ça"),
        ],
        referents={AMARTIN: Answer(presses="1")},
    )

    result = await place_call(client, at=TUESDAY_MORNING, to=LOT, person=person)

    assert (
        "J'ai compris : un appel d'un hôpital ou d'une clinique. Est-ce bien cela ? "
        "Dites oui ou tapez 1." in said(result)
    )
    assert result.connected_to == AMARTIN
    [request], events = await stored(settings)
    assert request.referrer_type == "hospital"
    codes = reason_codes(events)
    assert codes.index("speech-to-confirm") < codes.index("speech-confirmed")


async def test_a_read_back_can_be_confirmed_with_key_1(
    client: TestClient, settings: Settings
) -> None:
    person = ScriptedPerson([Said(text="je suis kiné", confidence=0.3), "1"])

    result = await place_call(client, at=TUESDAY_MORNING, to=LOT, person=person)

    assert "un appel d'un kinésithérapeute" in said(result)
    assert rung(result)
    [request], _ = await stored(settings)
    assert request.referrer_type == "physio"


async def test_a_caller_who_says_no_gets_the_keys_and_chooses_with_them(
    client: TestClient, settings: Settings
) -> None:
    person = ScriptedPerson(
        [Said(text="je suis médecin", confidence=0.35), Said(text="non"), "1", "2"]
    )

    result = await place_call(client, at=TUESDAY_MORNING, to=LOT, person=person)

    heard = said(result)
    assert "Merci d'utiliser les touches de votre téléphone" in heard
    # After a no, the menus are keys only: they no longer listen for words.
    assert [g.get("input") for g in gathers(result)] == [
        "dtmf speech", "dtmf speech", None, "dtmf speech",
    ]  # fmt: skip
    [request], events = await stored(settings)
    assert request.referrer_type == "nurse_to_confirm"
    assert "speech-not-confirmed" in reason_codes(events)


async def test_words_not_understood_fall_back_to_keys_and_give_up_after_two_tries(
    client: TestClient, settings: Settings
) -> None:
    person = ScriptedPerson([Said(text="quel temps fait-il à Paris", confidence=0.9),
                             Said(text="quel temps fait-il")])  # fmt: skip

    result = await place_call(client, at=TUESDAY_MORNING, to=LOT, person=person)

    heard = said(result)
    assert heard.count("Merci d'utiliser les touches") == 1
    # The second menu did not listen: the words were not heard, and the menu gave up.
    assert len(speech_posts(result)) == 1
    assert rung(result)
    assert "Laissez-nous un message" in heard
    [request], events = await stored(settings)
    assert request.referrer_type == "unknown"
    assert {"speech-not-understood", "menu-no-choice"} <= set(reason_codes(events))


async def test_a_caller_who_asks_for_a_ssiad_in_figeac_hears_them_at_once(
    client: TestClient, settings: Settings
) -> None:
    person = ScriptedPerson([Said(text="je cherche un SSIAD à Figeac", confidence=0.88), None])

    result = await place_call(client, at=TUESDAY_MORNING, to=LOT, person=person)

    heard = said(result)
    assert "Pour un service de soins infirmiers à domicile, tapez" not in heard  # no menu
    assert "Voici les ressources les plus proches pour un service de soins infirmiers" in heard
    assert "code postal 46 100" in heard
    assert "SSIAD du Pays de Figeac" in heard
    assert not rung(result)
    [request], events = await stored(settings)
    assert request.outcome == "informed"
    assert request.response_kinds == ["information"]
    codes = reason_codes(events)
    assert codes.index("speech-understood") < codes.index("directory-answered")


async def test_an_unsure_directory_question_is_read_back_with_its_commune(
    client: TestClient, settings: Settings
) -> None:
    person = ScriptedPerson([Said(text="je cherche un SSIAD à Figeac", confidence=0.4),
                             Said(text="oui"), None])  # fmt: skip

    result = await place_call(client, at=TUESDAY_MORNING, to=LOT, person=person)

    assert (
        "J'ai compris : vous cherchez un service de soins infirmiers à domicile, près de Figeac."
        in said(result)
    )
    assert "SSIAD du Pays de Figeac" in said(result)


async def test_a_resource_said_without_a_place_asks_only_the_postal_code(
    client: TestClient, settings: Settings
) -> None:
    person = ScriptedPerson([Said(text="je cherche une maison de retraite", confidence=0.9),
                             "46100", None])  # fmt: skip

    result = await place_call(client, at=TUESDAY_MORNING, to=LOT, person=person)

    heard = said(result)
    assert "Tapez le code postal" in heard
    assert "Pour un service de soins infirmiers à domicile, tapez" not in heard  # no categories
    assert "Voici les ressources les plus proches pour une maison de retraite" in heard
    [request], _ = await stored(settings)
    assert request.outcome == "informed"


async def test_a_relative_on_a_professionals_only_line_is_told_where_to_turn(
    client: TestClient, settings: Settings
) -> None:
    # The Lot's directory only: nothing serves Thionville, said at the postal code prompt.
    person = ScriptedPerson([Said(text="c'est pour ma mère", confidence=0.85), "Thionville"])

    result = await place_call(client, at=TUESDAY_MORNING, to=MOSELLE, person=person)

    assert "réservé aux professionnels" in said(result)
    assert not rung(result)
    [request], _ = await stored(settings)
    assert (request.referrer_type, request.outcome) == ("carer", "public_not_allowed")


async def test_the_profession_menu_listens_too(client: TestClient, settings: Settings) -> None:
    person = ScriptedPerson(["1", Said(text="pharmacienne", confidence=0.8)])

    result = await place_call(client, at=TUESDAY_MORNING, to=LOT, person=person)

    assert "Dites votre profession" in said(result)
    assert rung(result)
    [request], _ = await stored(settings)
    assert request.referrer_type == "pharmacist"


async def test_the_directory_prompts_hear_a_commune_and_a_category(
    client: TestClient, settings: Settings
) -> None:
    person = ScriptedPerson(["9", Said(text="Figeac", confidence=0.8),
                             Said(text="une aide à domicile", confidence=0.7), None])  # fmt: skip

    result = await place_call(client, at=TUESDAY_MORNING, to=LOT, person=person)

    assert "Voici les ressources les plus proches pour un service d'aide à domicile" in said(result)
    assert "code postal 46 100" in said(result)
    _, events = await stored(settings)
    assert [e.detail for e in events if e.kind in ("directory-postal", "directory-category")] == [
        "parole (0.80)", "parole (0.70)",
    ]  # fmt: skip


async def test_words_at_a_keys_only_prompt_are_not_heard(
    client: TestClient, twilio_api: FakeTwilioApi
) -> None:
    # The offer of an SMS takes keys only: a "oui" said there is silence to Twilio.
    person = ScriptedPerson(["9", "46100", "1", Said(text="oui")])

    result = await place_call(client, at=TUESDAY_MORNING, to=LOT, person=person)

    assert speech_posts(result) == []
    assert "Merci de votre appel. Au revoir." in said(result)
    assert twilio_api.messages == []


async def test_a_forged_read_back_is_refused(client: TestClient, settings: Settings) -> None:
    person = ScriptedPerson([Said(text="je suis kiné", confidence=0.3), "1"])
    result = await place_call(client, at=TUESDAY_MORNING, to=LOT, person=person)
    read_back = next(r for r in result.exchanges if "level=confirm" in r.request.path_qs)
    forged = read_back.request.url.replace("referrer=physio", "referrer=surgeon")

    response = await phone(client, TUESDAY_MORNING).post(forged, read_back.request.form)

    assert response.status == 400


async def test_the_terminal_phone_says_the_words_typed_instead_of_keys(
    client: TestClient, settings: Settings
) -> None:
    """`frontdoor call`: words typed at a menu are spoken, "(0.3)" makes Twilio unsure."""
    typed = iter(["je suis infirmière libérale (0.3)", "oui", "o", "1"])
    out = io.StringIO()

    ended = await terminal_call(
        base_url=str(client.make_url("")),
        public_url=PUBLIC_URL,
        auth_token=AUTH_TOKEN,
        from_=NURSE,
        to=LOT,
        at=TUESDAY_MORNING,
        person=TerminalPerson(out=out, ask=lambda _: next(typed)),
        out=out,
    )

    assert ended.connected_to == AMARTIN
    assert "J'ai compris : un appel d'un infirmier ou d'une infirmière." in out.getvalue()
    [request], _ = await stored(settings)
    assert request.referrer_type == "nurse"
