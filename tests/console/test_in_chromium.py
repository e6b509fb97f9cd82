"""The console in a real browser: Debian's Chromium driven by Playwright.

A referent of the Lot signs in; a signed call arrives and shows up in her inbox without a
reload; she opens it, sees why it was routed as it was, qualifies it and records the
non-oppositions; the coordinator's access journal shows her read; a referent of the Moselle
reaches it neither by page nor by API.

Set FRONTDOOR_SCREENSHOTS to a folder (docs/screenshots) to keep the pages as pictures.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import aiohttp
import openpyxl
import pytest
from sqlmodel import select

from frontdoor.console.labels import CHANNELS
from frontdoor.core.department import Department
from frontdoor.core.overload import LoadState
from frontdoor.departments import Departments
from frontdoor.jobs.base import JobContext
from frontdoor.keys import COUNTERS
from frontdoor.kit.loop_load import LOOP_LOAD
from frontdoor.kit.runtime import JOB_RUNTIME
from frontdoor.mailbox.job import mailbox_job
from frontdoor.phone import Answer, ClientSessionTransport, ScriptedPerson, TwilioPhone
from frontdoor.settings import Settings
from frontdoor.standins.smtp import SmtpRecorder
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import Account, Message, Request, RequestEvent
from tests.conftest import AUTH_TOKEN
from tests.console.chromium import (
    CHROMIUM,
    CHROMIUM_ARGS,
    Served,
    serving,
    signed_in_page,
)
from tests.console.conftest import (
    LOT_COORDINATOR,
    LOT_REFERENT,
    MOSELLE_REFERENT,
)
from tests.console.requests_made import rows

# The mail channel's fixtures: a private Dovecot, an SMTP server with client certificates.
from tests.mailbox.conftest import dovecot, mail_department, mail_user, smtp_mtls, tls
from tests.mailbox.delivered import REPORT, a_mail_with_attachments, deliver
from tests.web.callback_orders import Call
from tests.web.calls import AMARTIN, LOT, TUESDAY_MORNING

__all__ = ["dovecot", "mail_department", "mail_user", "smtp_mtls", "tls"]

playwright_api = pytest.importorskip("playwright.async_api")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() and os.environ.get("CI") != "true",
    reason="needs Debian's chromium (apt-get install chromium); CI installs it",
)


@pytest.fixture
async def served(wired_settings: Settings, departments: Departments) -> AsyncIterator[Served]:
    async with serving(wired_settings, departments) as running:
        yield running


@pytest.fixture
async def served_on_tuesday_morning(
    wired_settings: Settings, departments: Departments
) -> AsyncIterator[Served]:
    """The same, its clock stopped when the Lot's calls are placed: a call goes on for as
    long as the test wants."""
    async with serving(wired_settings, departments, clock=lambda: TUESDAY_MORNING) as running:
        yield running


@pytest.fixture
async def mail_served(
    wired_settings: Settings, departments: Departments, mail_department: Department
) -> AsyncIterator[Served]:
    """The same, the Lot's mailbox at the test Dovecot and SMTP server."""
    with_mailbox = Departments(mail_department if d.slug == "dac46" else d for d in departments)
    async with serving(wired_settings, with_mailbox) as running:
        yield running


@pytest.fixture
async def browser() -> AsyncIterator[object]:
    async with playwright_api.async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield chromium
        await chromium.close()


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("FRONTDOOR_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# Every visible form control must have a name a screen reader can say.
UNLABELLED_CONTROLS = """
() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
  .filter((control) => {
    const named = control.labels?.length || control.getAttribute('aria-label')
      || (control.tagName === 'BUTTON' && control.textContent.trim());
    return !named;
  })
  .map((control) => control.outerHTML)
"""


async def assert_accessible_names(page: object) -> None:
    assert await page.evaluate(UNLABELLED_CONTROLS) == [], page.url  # type: ignore[attr-defined]


async def place_taken_call(
    served: Served, *, from_: str = "+33565000001", minutes_later: int = 0
) -> None:
    async with aiohttp.ClientSession() as session:
        phone = TwilioPhone(
            ClientSessionTransport(session, served.url),
            public_url=served.url,
            auth_token=AUTH_TOKEN,
            simulated_at=TUESDAY_MORNING + timedelta(minutes=minutes_later),
        )
        person = ScriptedPerson(["1", "1"], referents={AMARTIN: Answer(presses="1")})
        await phone.call(from_=from_, to=LOT, person=person)


OBJETS = (
    "Non-opposition à la prise en charge et au partage d'information",
    "Non-opposition au traitement des données personnelles",
    "Non-opposition à l'usage des données à des fins secondaires (recherche, observatoire)",
)


async def create_the_person_and_record_her_stances(page: object) -> None:
    """On a request's page: the person it is about created from it, and her three
    non-oppositions recorded at once."""
    await page.get_by_text("Créer la personne", exact=True).click()  # type: ignore[attr-defined]
    await page.get_by_label("Nom", exact=True).fill("Témoin")  # type: ignore[attr-defined]
    await page.get_by_label("Prénoms").fill("Ginette")  # type: ignore[attr-defined]
    await page.get_by_role("button", name="Créer la personne et la lier").click()  # type: ignore[attr-defined]
    await page.wait_for_selector("text=TÉMOIN Ginette")  # type: ignore[attr-defined]
    for objet in OBJETS:
        await page.get_by_label(objet).select_option("not_opposed")  # type: ignore[attr-defined]
    await page.get_by_label("Comment la personne a été informée").select_option("oral")  # type: ignore[attr-defined]
    await page.get_by_role("button", name="Enregistrer les non-oppositions").click()  # type: ignore[attr-defined]
    await page.wait_for_selector("text=Non-oppositions déjà recueillies")  # type: ignore[attr-defined]


async def test_a_referent_works_a_new_call_in_her_browser(
    served: Served, browser: object, screenshots: Path, tmp_path: Path
) -> None:
    page = await signed_in_page(browser, served, LOT_REFERENT)
    await page.wait_for_selector("#live-status:has-text('direct')")
    # A mark on the page's window: a reload would wipe it.
    await page.evaluate("window.stillTheSamePage = true")

    await place_taken_call(served)

    # The row comes as the call arrives, and changes as it is taken: without a reload.
    row = page.locator("#demande-1", has_text="pris par un référent")
    await row.wait_for(timeout=15_000)
    assert await page.evaluate("window.stillTheSamePage") is True
    await page.screenshot(path=str(screenshots / "inbox.png"), full_page=True)
    await assert_accessible_names(page)

    await row.get_by_role("link").click()
    await page.wait_for_url(served.url + "/console/demandes/1")
    timeline = await page.locator("#chronologie").inner_text()
    assert "ouvert : mardi 08:30–18:30" in timeline
    assert "Accepté (touche 1)" in timeline

    # The caller pressed "médecin": a doctor to confirm, whom she makes precise.
    await page.get_by_label("Type d'adresseur").select_option("gp")
    await page.get_by_label("Âge de la personne").select_option("75-84")
    await page.get_by_label("Logement, maintien à domicile").check()
    await page.get_by_role("button", name="Enregistrer la qualification").click()
    await page.wait_for_selector("text=précisé par anne.martin@dac46.fr")
    await page.get_by_label("Type de réponse").select_option("one_off_support")
    await page.get_by_role("button", name="Ajouter la réponse").click()
    await page.locator("#reponses tbody tr").first.wait_for()
    assert "Appui ponctuel" in await page.locator("#reponses").inner_text()
    await create_the_person_and_record_her_stances(page)
    stances = await page.locator("#non-oppositions-1").inner_text()
    assert stances.count("par anne.martin le") == 3  # her name, not her login
    await page.screenshot(path=str(screenshots / "request.png"), full_page=True)
    await assert_accessible_names(page)
    # On a phone's screen, where referents on the move read it.
    await page.set_viewport_size({"width": 390, "height": 844})
    await page.evaluate("window.scrollTo(0, 0)")
    await page.screenshot(path=str(screenshots / "request-phone.png"))
    assert await page.evaluate("document.documentElement.scrollWidth <= 390")

    coordinator = await signed_in_page(browser, served, LOT_COORDINATOR)
    await coordinator.goto(served.url + "/console/journal")
    journal = await coordinator.locator("main").inner_text()
    assert "anne.martin@dac46.fr" in journal
    assert "consultation" in journal
    await coordinator.goto(served.url + "/console/astreinte")
    await coordinator.screenshot(path=str(screenshots / "duty.png"), full_page=True)
    await assert_accessible_names(coordinator)

    # The call was placed on 12 May 2026 (the phone's simulated time): May's indicators.
    await coordinator.goto(served.url + "/console/indicateurs?periode=2026-05")
    assert "1 sollicitation" in await coordinator.locator("main").inner_text()
    await coordinator.screenshot(path=str(screenshots / "indicators.png"), full_page=True)
    await assert_accessible_names(coordinator)
    async with coordinator.expect_download() as download_info:
        await coordinator.get_by_role("link", name="Exporter en XLSX").click()
    download = await download_info.value
    assert download.suggested_filename == "indicateurs-2026-05.xlsx"
    saved = tmp_path / download.suggested_filename
    await download.save_as(saved)
    workbook = openpyxl.load_workbook(saved)
    cells = [
        [cell for cell in row if cell is not None]
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
    ]
    assert ["Sollicitations", 1] in cells
    assert ["Médecin généraliste", 1, 1] in cells or any(
        row[:2] == ["Médecin généraliste", 1] for row in cells
    )

    moselle = await signed_in_page(browser, served, MOSELLE_REFERENT)
    response = await moselle.goto(served.url + "/console/demandes/1")
    assert response.status == 404
    async with (
        aiohttp.ClientSession() as session,
        session.get(
            served.url + "/api/requests/1", headers={"Authorization": "Bearer key-dac57-dweber"}
        ) as api,
    ):
        assert api.status == 404


async def test_a_live_page_refused_for_a_moment_comes_back_by_itself(
    served: Served, browser: object
) -> None:
    """A stream refused (the console yielding to the callers, an instance restarting) is one
    the browser gives up on: the page asks again a few seconds later, and lives on."""
    page = await signed_in_page(browser, served, LOT_REFERENT)
    await page.wait_for_selector("#live-status:has-text('direct')")  # type: ignore[attr-defined]
    load = served.app[LOOP_LOAD]
    refused: list[str] = []

    async def the_first_while_the_console_yields(route: object) -> None:
        if not refused:
            refused.append(route.request.url)  # type: ignore[attr-defined]
            load.state = LoadState(yielding=True)
        await route.continue_()  # type: ignore[attr-defined]

    await page.route("**/console/flux**", the_first_while_the_console_yields)  # type: ignore[attr-defined]
    await page.reload()  # type: ignore[attr-defined]
    await page.wait_for_selector("#live-status:has-text('nouvel essai')")  # type: ignore[attr-defined]
    load.state = LoadState()

    await page.wait_for_selector("#live-status:has-text('direct')", timeout=30_000)  # type: ignore[attr-defined]
    await place_taken_call(served)
    await page.locator("#demande-1").wait_for(timeout=15_000)  # type: ignore[attr-defined]
    assert refused
    assert served.app[COUNTERS]["console_yielded"] >= 1


async def test_the_duty_board_shows_a_referent_taking_a_call_without_a_reload(
    served_on_tuesday_morning: Served, browser: object, screenshots: Path
) -> None:
    served = served_on_tuesday_morning
    page = await signed_in_page(browser, served, LOT_REFERENT)
    await page.goto(served.url + "/console/astreinte?departement=dac46")
    await page.wait_for_selector("#live-status:has-text('direct')")
    assert await page.locator("#en-ligne").inner_text() == "En ligne : personne"
    await page.evaluate("window.stillTheSamePage = true")

    async with aiohttp.ClientSession() as session:
        phone = TwilioPhone(ClientSessionTransport(session, served.url), public_url=served.url,
                            auth_token=AUTH_TOKEN, simulated_at=TUESDAY_MORNING)  # fmt: skip
        talking = Call(phone, to=LOT, from_="+33565000001", start=TUESDAY_MORNING)
        await talking.answer(["1", "1"])
        await talking.whisper(AMARTIN, at=10)
        await talking.press(AMARTIN, "1", at=12)

    line = page.locator("#ligne[aria-live='polite'] #en-ligne", has_text="Anne Martin")
    await line.wait_for(timeout=15_000)
    assert await page.evaluate("window.stillTheSamePage") is True
    await page.screenshot(path=str(screenshots / "duty.png"), full_page=True)


async def test_a_referent_links_a_call_to_a_person_found_by_name_and_sees_her_stances(
    served: Served, browser: object
) -> None:
    """Issue 14's test: the non-oppositions are recorded once, on the person; her next
    request, from another caller, finds her by name and shows them without asking again."""
    await place_taken_call(served)
    page = await signed_in_page(browser, served, LOT_REFERENT)
    await page.goto(served.url + "/console/demandes/1")
    await create_the_person_and_record_her_stances(page)

    await place_taken_call(served, from_="+33565000002", minutes_later=30)
    await page.goto(served.url + "/console/demandes/2")
    await page.get_by_label("Chercher une personne par son nom").fill("temoin gin")
    await page.get_by_role("button", name="Chercher", exact=True).click()
    # Among the suggestions (a name close to the one typed) or the results of the search.
    found = page.locator("#personnes li", has_text="TÉMOIN Ginette")
    await found.wait_for()
    # The name was posted: the address the browser keeps (its history) holds none.
    assert page.url == served.url + "/console/demandes/2#personnes"
    await found.get_by_role("button", name="Lier à cette demande").click()

    linked = page.locator("article", has_text="TÉMOIN Ginette")
    await linked.wait_for()
    text = await linked.inner_text()
    assert "Non-oppositions déjà recueillies : inutile de les redemander." in text
    for objet in OBJETS:
        assert objet in text
    assert text.count("Ne s'oppose pas, recueillie par anne.martin le") == 3
    assert text.count("sur la demande n° 1") == 3
    assert await linked.get_by_label(OBJETS[0]).is_hidden()  # not asked again
    await assert_accessible_names(page)


async def test_a_coordinator_closes_the_line_in_her_browser_and_the_next_call_hears_it(
    served: Served, browser: object, screenshots: Path
) -> None:
    page = await signed_in_page(browser, served, LOT_COORDINATOR)
    await page.get_by_role("link", name="Équipe").click()
    await page.wait_for_url(served.url + "/console/equipe")
    await assert_accessible_names(page)

    await page.get_by_label("Du", exact=True).fill("2026-05-12")
    await page.get_by_label("Au (inclus)").fill("2026-05-12")
    await page.get_by_label("Motif").fill("séminaire d'équipe")
    await page.get_by_role("button", name="Fermer la ligne").click()
    await page.wait_for_selector("#journal-equipe ~ div >> text=séminaire d'équipe")
    await page.screenshot(path=str(screenshots / "team.png"), full_page=True)

    async with aiohttp.ClientSession() as session:
        phone = TwilioPhone(
            ClientSessionTransport(session, served.url),
            public_url=served.url,
            auth_token=AUTH_TOKEN,
            simulated_at=TUESDAY_MORNING,
        )
        call = await phone.call(from_="+33565000001", to=LOT, person=ScriptedPerson([], message=""))
    heard = " ".join(line.text for line in call.transcript if line.kind == "say")
    assert "fermé en ce moment. Il rouvrira" in heard
    assert [line for line in call.transcript if line.kind == "ring"] == []


async def test_a_referent_finds_a_request_by_name_and_saves_its_caller_as_a_known_contact(
    served: Served, browser: object
) -> None:
    """Issue 16's test: the inbox's search box finds the request by the person's name
    (typed without accents), its caller is saved as a known contact from its page, and the
    caller's next call skips the menu."""
    await place_taken_call(served, from_="+33565000001")
    page = await signed_in_page(browser, served, LOT_REFERENT)
    await page.goto(served.url + "/console/demandes/1")
    await create_the_person_and_record_her_stances(page)

    await page.goto(served.url + "/console/")
    await page.get_by_role("searchbox").fill("temoin")
    await page.get_by_role("button", name="Chercher", exact=True).click()
    await page.wait_for_selector("text=1 demande trouvée")
    assert "nom de la personne concernée" in await page.locator("#demande-1").inner_text()
    await assert_accessible_names(page)
    await page.get_by_role("link", name="n° 1").click()
    await page.get_by_role("link", name="Enregistrer comme contact connu").click()
    assert await page.get_by_label("Numéro de téléphone").input_value() == "+33565000001"
    await page.get_by_label("Nom", exact=True).fill("Docteur Paul Vidal")
    await page.get_by_label("Type d'adresseur").select_option("gp")
    await assert_accessible_names(page)
    await page.get_by_role("button", name="Enregistrer le contact").click()
    await page.wait_for_selector("text=Docteur Paul Vidal")

    async with aiohttp.ClientSession() as session:
        phone = TwilioPhone(
            ClientSessionTransport(session, served.url),
            public_url=served.url,
            auth_token=AUTH_TOKEN,
            simulated_at=TUESDAY_MORNING + timedelta(hours=1),
        )
        caller = ScriptedPerson([], referents={AMARTIN: Answer(presses="1")})
        await phone.call(from_="+33565000001", to=LOT, person=caller)
    heard = " ".join(text for leg, text in caller.heard if leg == "caller")
    assert heard  # the caller was greeted…
    assert "tapez 1" not in heard  # …and not asked who she is
    whisper = " ".join(text for leg, text in caller.heard if leg == AMARTIN)
    assert "appel de Docteur Paul Vidal, médecin généraliste" in whisper


async def test_a_referent_enters_a_visit_then_answers_a_professionals_mail_by_mail(
    mail_served: Served, browser: object, smtp_mtls: SmtpRecorder, tmp_path: Path
) -> None:
    """Issue 16's test: what did not come through the single number is entered in the
    console; a professional's mail is read with its attachment, and answered by secure mail
    from the console, threaded under it."""
    await deliver(mail_served.app[JOB_RUNTIME].departments.for_slug("dac46"),  # type: ignore[arg-type]
                  a_mail_with_attachments())  # fmt: skip
    runtime = mail_served.app[JOB_RUNTIME]
    await mailbox_job(JobContext(runtime=runtime, slot=runtime.clock()))
    [mail_request] = await rows(mail_served.settings, Request)
    page = await signed_in_page(browser, mail_served, LOT_REFERENT)

    await page.get_by_role("link", name="Entrer une demande").click()  # type: ignore[attr-defined]
    await page.get_by_label("Canal").select_option("visit")  # type: ignore[attr-defined]
    await page.get_by_label("Nom de la personne qui sollicite").fill("Mme Témoin")  # type: ignore[attr-defined]
    await page.get_by_label("Numéro ou adresse de messagerie").fill("05 65 00 00 09")  # type: ignore[attr-defined]
    await page.get_by_label("Type d'adresseur").select_option("carer")  # type: ignore[attr-defined]
    await page.get_by_label("Première note").fill("Sa mère rentre de l'hôpital vendredi.")  # type: ignore[attr-defined]
    await assert_accessible_names(page)
    await page.get_by_role("button", name="Entrer la demande").click()  # type: ignore[attr-defined]
    await page.wait_for_url(f"{mail_served.url}/console/demandes/{(mail_request.id or 0) + 1}")  # type: ignore[attr-defined]
    assert "Visite" in await page.locator("h1").inner_text()  # type: ignore[attr-defined]
    assert (
        "Sa mère rentre de l'hôpital vendredi." in await page.locator("#chronologie").inner_text()
    )  # type: ignore[attr-defined]
    visit = (mail_request.id or 0) + 1

    # The visit is found by the inbox's search, by its caller's name typed without accents.
    await page.goto(f"{mail_served.url}/console/")  # type: ignore[attr-defined]
    await page.get_by_role("searchbox").fill("temoin")  # type: ignore[attr-defined]
    await page.get_by_role("button", name="Chercher", exact=True).click()  # type: ignore[attr-defined]
    await page.wait_for_selector("text=1 demande trouvée")  # type: ignore[attr-defined]
    await page.get_by_role("link", name=f"n° {visit}").click()  # type: ignore[attr-defined]
    await page.wait_for_url(f"{mail_served.url}/console/demandes/{visit}")  # type: ignore[attr-defined]

    await page.goto(f"{mail_served.url}/console/demandes/{mail_request.id}")  # type: ignore[attr-defined]
    async with page.expect_download() as download_info:  # type: ignore[attr-defined]
        await page.get_by_role("link", name="CR sortie Mme X.pdf").click()  # type: ignore[attr-defined]
    download = await download_info.value
    assert download.suggested_filename == "CR sortie Mme X.pdf"
    saved = tmp_path / "cr.pdf"
    await download.save_as(saved)
    assert saved.read_bytes() == REPORT
    # By role: the timeline's section is named by its own text (aria-labelledby its own id).
    await page.get_by_role(  # type: ignore[attr-defined]
        "textbox", name="Répondre par messagerie sécurisée à dr.roux@chu-toulouse.fr"
    ).fill("Le SSIAD passe vendredi.")
    await assert_accessible_names(page)
    await page.get_by_role("button", name="Envoyer la réponse").click()  # type: ignore[attr-defined]
    await page.wait_for_selector("text=Réponse envoyée par messagerie sécurisée.")  # type: ignore[attr-defined]

    answer = smtp_mtls.mails[-1]
    assert answer.message.get_content().strip() == "Le SSIAD passe vendredi."
    assert answer.message["In-Reply-To"] == "<m1@chu-toulouse.fr>"


LONG_NAME = "Marie-Christine de La Tour d'Auvergne-Lauraguais du Plessis-Bellière"
LONG_WORD = "https://www.example.org/" + "un-lien-sans-espace-" * 8


async def requests_of_every_channel(settings: Settings) -> int:
    """A call, an SMS and a mail in the Lot's inbox, assigned to a referent whose name is long,
    the SMS with a long conversation of long words; the SMS's request id."""
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        account = (
            await session.exec(select(Account).where(Account.login == LOT_REFERENT.login))
        ).one()
        account.display_name = LONG_NAME
        session.add(account)
        rows = [
            Request(department="dac46", channel=channel, referrer_type=referrer,
                    received_at=TUESDAY_MORNING + timedelta(minutes=minutes), outcome=outcome,
                    assigned_to=LOT_REFERENT.login, caller_name=LONG_NAME,
                    contact_address=f"{'secretariat-medical-' * 4}@chu-toulouse.mssante.fr")
            for channel, referrer, outcome, minutes in (
                ("voice", "other_institution", "voicemail", 0),
                ("mail", "esms", "in_progress", 1),
                ("sms", "cpts_msp", "in_progress", 2),
            )
        ]  # fmt: skip
        session.add_all(rows)
        await session.flush()
        sms = rows[-1].id or 0
        for n in range(12):
            at = TUESDAY_MORNING + timedelta(minutes=3 + n)
            session.add(
                Message(request_id=sms, department="dac46", channel="sms",
                        direction="in" if n % 2 else "out", at=at, status="received",
                        body=f"Message {n} : voir {LONG_WORD} pour le dossier.",
                        author=None if n % 2 else LOT_REFERENT.login)
            )  # fmt: skip
            session.add(
                RequestEvent(request_id=sms, at=at, kind="sms-in",
                             reasons=[{"code": "sms-join", "text": f"rattaché : {LONG_WORD}"}])
            )  # fmt: skip
        await session.commit()
    await engine.dispose()
    return sms


# Nothing wider than the screen: neither the page, nor a table scrolled inside its frame.
NOTHING_SIDEWAYS = """
() => document.documentElement.scrollWidth <= window.innerWidth
  && [...document.querySelectorAll('.table-wrap')].every((w) => w.scrollWidth <= w.clientWidth)
"""


async def test_on_a_phone_the_inbox_and_a_long_request_never_scroll_sideways(
    served: Served, browser: object, screenshots: Path
) -> None:
    sms = await requests_of_every_channel(served.settings)
    page = await signed_in_page(browser, served, LOT_REFERENT)
    await page.set_viewport_size({"width": 390, "height": 844})  # type: ignore[attr-defined]

    await page.goto(served.url + "/console/?statut=")  # type: ignore[attr-defined]
    rows = page.locator("#inbox-rows tr")  # type: ignore[attr-defined]
    await rows.nth(2).wait_for()
    await page.screenshot(path=str(screenshots / "inbox-phone.png"), full_page=True)  # type: ignore[attr-defined]
    assert await page.evaluate("window.innerWidth") == 390  # type: ignore[attr-defined]
    assert await page.evaluate(NOTHING_SIDEWAYS)  # type: ignore[attr-defined]
    inbox = await page.locator("#inbox-rows").inner_text()  # type: ignore[attr-defined]
    for channel in ("voice", "sms", "mail"):
        assert CHANNELS[channel] in inbox
    assert inbox.count(LONG_NAME) == 3  # each row names her, the name wrapped within it

    await page.goto(served.url + f"/console/demandes/{sms}")  # type: ignore[attr-defined]
    await page.screenshot(path=str(screenshots / "request-long-phone.png"), full_page=True)  # type: ignore[attr-defined]
    assert await page.locator("#chronologie .entry").count() >= 24  # type: ignore[attr-defined]
    assert await page.evaluate(NOTHING_SIDEWAYS)  # type: ignore[attr-defined]
