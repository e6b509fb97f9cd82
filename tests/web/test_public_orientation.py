"""Orientation of the public on a professionals-only line (the Moselle): a patient or a
relative gives their postal code and hears the CLIC, MDPH and CCAS serving their commune,
recorded as orientations — whole calls through the real app, signed webhooks, the Moselle's
example directory stored."""

from __future__ import annotations

from html import escape

import pytest
from aiohttp.test_utils import TestClient

from frontdoor.indicators.periods import Period
from frontdoor.indicators.queries import department_counts
from frontdoor.keys import DEPARTMENTS
from frontdoor.phone import Said, ScriptedPerson
from frontdoor.settings import Settings
from frontdoor.standins.twilio_api import FakeTwilioApi
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import CallbackTaskRow, RequestResponse
from frontdoor.store.responses import responses_of
from tests.console.conftest import MOSELLE_REFERENT, create_accounts, sign_in
from tests.console.requests_made import page_of
from tests.web.calls import (
    MOSELLE,
    NURSE,
    TUESDAY_MORNING,
    place_call,
    reason_codes,
    rung,
    said,
    stored,
)
from tests.web.prompts import load_directory

FAMILY_MEMBER = "+33622334455"
# The Moselle's example services serving Thionville (57100), with their numbers read in pairs.
THIONVILLE_SERVICES = {
    "CLIC du Pays thionvillois": (
        "Thionville. Téléphone : zéro trois, cinquante-trois, zéro un, dix, zéro un"
    ),
    "Maison départementale des personnes handicapées de la Moselle": (
        "Metz. Téléphone : zéro trois, cinquante-trois, zéro un, dix, soixante-dix"
    ),
    "CCAS de Thionville": (
        "Thionville. Téléphone : zéro trois, cinquante-trois, zéro un, dix, quatre-vingt-un"
    ),
}
FIXED_SENTENCE = "la Maison départementale des solidarités de votre secteur"


@pytest.fixture
async def app_settings(wired_settings: Settings) -> Settings:
    """With the Moselle's resource directory."""
    await load_directory(wired_settings, "dac57")
    return wired_settings


async def orientations(settings: Settings, request_id: int) -> list[RequestResponse]:
    engine = create_engine(settings.database_url)
    try:
        async with session_maker(engine)() as session:
            return list(await responses_of(session=session, request_id=request_id))
    finally:
        await engine.dispose()


async def test_a_family_member_keying_2_hears_the_clic_mdph_and_ccas_of_their_commune(
    client: TestClient, wired_settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    # 2: a member of the public; 57100: Thionville; 1: the services by SMS.
    person = ScriptedPerson(["2", "57100", "1"])

    result = await place_call(
        client, at=TUESDAY_MORNING, to=MOSELLE, person=person, from_=FAMILY_MEMBER
    )

    heard = said(result)
    assert "Ce numéro est réservé aux professionnels de santé et du social." in heard
    assert "Pour le code postal 57 100, vous pouvez vous adresser à ces services." in heard
    for name, where in THIONVILLE_SERVICES.items():
        assert f"{name}, à {where}." in heard
    assert "appelez le 15 ou le 112" in heard
    assert "Je vous envoie ces informations par SMS." in heard
    assert FIXED_SENTENCE not in heard
    assert not rung(result)
    [sms] = twilio_api.messages
    assert (sms["to"], sms["from"]) == (FAMILY_MEMBER, MOSELLE)
    assert all(name[:30] in sms["body"] for name in THIONVILLE_SERVICES)

    [request], events = await stored(wired_settings)
    assert (request.referrer_type, request.outcome) == ("patient", "public_not_allowed")
    assert request.callback_needed is False
    assert request.response_kinds == ["orientation"]
    given = await orientations(wired_settings, request.id or 0)
    assert [(r.kind, r.resource_name, r.by) for r in given] == [
        ("orientation", name, None) for name in THIONVILLE_SERVICES
    ]
    assert [
        code for code in reason_codes(events) if code.startswith(("public-", "directory-"))
    ] == ["public-orientation-asked", "public-oriented", "directory-sms-sent"]
    # The national indicators count it as an orientation; nobody owes it a callback.
    engine = create_engine(wired_settings.database_url)
    async with session_maker(engine)() as session:
        [counts] = await department_counts(
            session,
            departments=[client.app[DEPARTMENTS].for_slug("dac57")],  # type: ignore[list-item]
            period=Period.parse("2026-05"),
        )
        tasks = (await session.exec(CallbackTaskRow.__table__.select())).all()  # type: ignore[attr-defined]
    await engine.dispose()
    assert counts.responses == {"orientation": 1}
    assert counts.voice_outcomes == {"public_not_allowed": 1}
    assert tasks == []
    # A referent of the Moselle sees, under the request, where Frontdoor oriented the caller.
    await create_accounts(wired_settings, (MOSELLE_REFERENT,))
    browser = await sign_in(client, MOSELLE_REFERENT)
    page = " ".join((await page_of(browser, f"/console/demandes/{request.id}")).split())
    assert page.count("Orientation, mise en relation") >= len(THIONVILLE_SERVICES)
    assert all(escape(name, quote=True) in page for name in THIONVILLE_SERVICES)


async def test_a_relative_who_says_so_and_names_the_commune_is_oriented_as_a_carer(
    client: TestClient, wired_settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    person = ScriptedPerson([Said(text="c'est pour ma mère", confidence=0.9), "Thionville", "2"])

    result = await place_call(client, at=TUESDAY_MORNING, to=MOSELLE, person=person)

    assert "CLIC du Pays thionvillois" in said(result)
    assert twilio_api.messages == []  # 2: no SMS
    [request], _ = await stored(wired_settings)
    assert (request.referrer_type, request.outcome) == ("carer", "public_not_allowed")
    assert len(await orientations(wired_settings, request.id or 0)) == 3


async def test_silence_twice_at_the_postal_code_ends_politely_with_the_fixed_sentence(
    client: TestClient, wired_settings: Settings
) -> None:
    person = ScriptedPerson(["2", None, None])

    result = await place_call(client, at=TUESDAY_MORNING, to=MOSELLE, person=person, from_=NURSE)

    heard = said(result)
    assert heard.count("Tapez le code postal") == 2
    assert heard.count("Je n'ai pas reconnu ce code postal") == 1
    assert FIXED_SENTENCE in heard
    assert "appelez le 15 ou le 112" in heard
    assert result.transcript[-1].kind == "hangup"
    assert not rung(result)
    [request], events = await stored(wired_settings)
    assert (request.outcome, request.callback_needed) == ("public_not_allowed", False)
    assert request.response_kinds == []
    assert "public-orientation-no-postal-code" in reason_codes(events)


async def test_a_commune_nothing_serves_hears_the_fixed_sentence(
    client: TestClient, wired_settings: Settings
) -> None:
    # Figeac, in the Lot: no CLIC, MDPH or CCAS of the Moselle's directory serves it.
    person = ScriptedPerson(["2", "46100"])

    result = await place_call(client, at=TUESDAY_MORNING, to=MOSELLE, person=person)

    assert FIXED_SENTENCE in said(result)
    [request], events = await stored(wired_settings)
    assert (request.outcome, request.response_kinds) == ("public_not_allowed", [])
    assert "public-orientation-nothing" in reason_codes(events)
