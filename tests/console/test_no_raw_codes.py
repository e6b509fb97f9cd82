"""A referent reads French, never the store's codes: a request that went through a call, a
voicemail, its notice, a callback, a failed SMS answer, a qualification, an assignment, a note,
a response and its closing shows no code of any of them (the codes are taken from the enums,
the label tables and the request's own events, not typed here), numbers written the French
way, and names rather than referent ids; so do the inbox, with a request of every channel, and
the page of a person concerned."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from aiohttp.test_utils import TestClient

from frontdoor.console.labels import (
    CHANNELS,
    EVENTS,
    MESSAGE_STATUSES,
    REFERRER_SOURCES,
    STATUSES,
    TASK_STATUSES,
)
from frontdoor.console.person_page import EVENT_LABELS
from frontdoor.core.callbacks import CallbackOutcome
from frontdoor.core.channels import MANUAL_CHANNELS
from frontdoor.core.consents import InformedHow
from frontdoor.core.person_identity import Sex
from frontdoor.core.referrers import ReferrerType
from frontdoor.core.request_fields import NonOpposition, RequestStatus, ResponseType, Stance
from frontdoor.core.voice_actions import Outcome
from frontdoor.settings import Settings
from frontdoor.standins.twilio_api import FakeTwilioApi
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import Person, Request
from tests.console.conftest import LOT_REFERENT, sign_in
from tests.console.requests_made import STANCES, a_voicemail, create, page_of, rows
from tests.sms.texting import send
from tests.web.calls import TUESDAY_MORNING, stored

# Codes that are also the French word a page rightly uses.
FRENCH_TOO = {
    "message", "note", "menu", "information", "orientation", "patient", "test", "document",
    "oral",
}  # fmt: skip


class VisibleText(HTMLParser):
    """The text a reader sees: no attribute (an option's value is a code, and stays one)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template"):
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


def codes_left(text: str, codes: set[str]) -> list[str]:
    return sorted(
        code
        for code in codes - FRENCH_TOO
        if re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text)
    )


async def test_a_request_of_every_kind_of_event_shows_no_code(
    client: TestClient, wired_settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    voicemail = await a_voicemail(client, wired_settings)
    page_path = f"/console/demandes/{voicemail.id}"
    browser = await sign_in(client, LOT_REFERENT)
    twilio_api.fail_next(status=400, code=21610)
    await browser.post(f"{page_path}/reponse-sms", {"body": "Le SSIAD vous appellera."})
    await browser.post(f"{page_path}/qualification", {"referrer_type": "nurse"})
    await browser.post(f"{page_path}/attribution", {"to": "me"})
    await browser.post(f"{page_path}/notes", {"body": "Rappeler après 14 h."})
    await browser.post(f"{page_path}/rappel/cloture", {"outcome": "no_answer"})
    await browser.post(f"{page_path}/reponses", {"kind": "information"})
    await browser.post(f"{page_path}/statut", {"status": "closed"})

    text = visible(await (await browser.get(page_path)).text())

    _, events = await stored(wired_settings)
    kinds = {event.kind for event in events}
    assert {"voicemail", "voicemail-notified", "classified", "callback-closed", "closed"} <= kinds
    codes = (
        kinds
        | {str(reason["code"]) for event in events for reason in event.reasons}
        | {code.value for enum in (Outcome, CallbackOutcome, ReferrerType) for code in enum}
        | {code.value for enum in (RequestStatus, ResponseType) for code in enum}
        | set(EVENTS) | set(MESSAGE_STATUSES) | set(REFERRER_SOURCES) | set(TASK_STATUSES)
    )  # fmt: skip
    assert codes_left(text, codes) == []
    assert "SMS non envoyé (échec)" in text
    assert "06 11 22 33 44" in text
    assert "+33611223344" not in text
    assert "Attribuée à anne.martin" in " ".join(text.split())  # the account's name


async def a_mail(settings: Settings) -> None:
    """A secure mail from a hospital, as the intake files it (its own tests cover the intake)."""
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        session.add(
            Request(department="dac46", channel="mail", referrer_type="hospital",
                    referrer_source="domain", contact_address="sortie@chu.mssante.fr",
                    received_at=TUESDAY_MORNING)
        )  # fmt: skip
        await session.commit()
    await engine.dispose()


async def test_the_inbox_shows_no_code_and_names_the_assignee(
    client: TestClient, wired_settings: Settings
) -> None:
    voicemail = await a_voicemail(client, wired_settings)
    await send(client, "Rappelez-moi pour Mme X", at=TUESDAY_MORNING)
    await a_mail(wired_settings)
    browser = await sign_in(client, LOT_REFERENT)
    await browser.post(f"/console/demandes/{voicemail.id}/attribution", {"to": "me"})
    for channel in MANUAL_CHANNELS:  # and one entered by hand of each kind
        await browser.post(
            "/console/nouvelle-demande?departement=dac46",
            {"canal": channel.value, "jour": "2026-05-12", "heure": "10:30", "nom": "Mme Lys"},
        )

    text = visible(await page_of(browser, "/console/?statut="))

    requests, _ = await stored(wired_settings)
    assert {request.channel for request in requests} == set(CHANNELS)
    codes = (
        set(CHANNELS) | set(STATUSES) | set(REFERRER_SOURCES)
        | {code.value for enum in (Outcome, ReferrerType) for code in enum}
        | {request.outcome for request in requests}
    )  # fmt: skip
    assert codes_left(text, codes) == []
    assert "anne.martin" in text.split()  # the account's name in the "Attribuée à" column
    assert LOT_REFERENT.login not in text


async def test_the_page_of_a_person_concerned_shows_no_code_and_names_who_recorded(
    client: TestClient, wired_settings: Settings
) -> None:
    voicemail = await a_voicemail(client, wired_settings)
    browser = await sign_in(client, LOT_REFERENT)
    await create(browser, voicemail.id or 0, nom="Témoin", prenoms="Ginette", sexe="female",
                 naissance="1941-03-02", commune="Cahors")  # fmt: skip
    [person] = await rows(wired_settings, Person)
    await browser.post(
        f"/console/demandes/{voicemail.id}/non-oppositions",
        {"personne": str(person.id), **STANCES, "informe": "document"},
    )

    text = visible(await page_of(browser, f"/console/personnes-concernees/{person.id}"))

    codes = set(EVENT_LABELS) | {
        code.value for enum in (Stance, InformedHow, Sex, NonOpposition) for code in enum
    }
    codes.discard("mail")  # a French word too: "mail d'information envoyé" is a choice offered
    assert codes_left(text, codes) == []
    assert "recueillie par anne.martin le" in " ".join(text.split())
    assert LOT_REFERENT.login not in text
