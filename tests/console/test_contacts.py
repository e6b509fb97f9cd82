"""Known contacts in the console: a referent saves a request's caller as a known contact
(number pre-filled) and the caller's next call skips the menu; contacts are edited (a number
already another's is refused, saying whose), removed (persons who named them as their GP keep
their file), imported from a CSV (each refused line said in French, the rest kept); every
change is journaled by contact number, never by name or phone number."""

from __future__ import annotations

from datetime import timedelta

from aiohttp.test_utils import TestClient

from frontdoor.phone import Answer, ScriptedPerson
from frontdoor.settings import Settings
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import AuditEvent, KnownContact, Person
from tests.console.conftest import LOT_COORDINATOR, LOT_REFERENT, sign_in
from tests.console.requests_made import a_call, page_of, rows
from tests.web.calls import AMARTIN, LOT, NURSE, TUESDAY_MORNING, place_call, said


async def test_a_caller_saved_from_her_request_skips_the_menu_next_time(
    client: TestClient, wired_settings: Settings
) -> None:
    request_id = await a_call(client, wired_settings)
    browser = await sign_in(client, LOT_REFERENT)
    assert "Enregistrer comme contact connu" in await page_of(
        browser, f"/console/demandes/{request_id}"
    )

    form = await page_of(browser, f"/console/demandes/{request_id}/contact")
    saved = await browser.post(
        "/console/contacts?departement=dac46",
        {"numero": NURSE, "nom": "Claire Fabre", "type": "nurse", "rpps": "",
         "demande": str(request_id)},
    )  # fmt: skip

    assert f'value="{NURSE}"' in form
    assert saved.status == 303
    [contact] = await rows(wired_settings, KnownContact)
    assert (contact.department, contact.number, contact.name, contact.referrer_type) == (
        "dac46", NURSE, "Claire Fabre", "nurse"
    )  # fmt: skip
    again = await place_call(
        client,
        at=TUESDAY_MORNING + timedelta(hours=1),
        to=LOT,
        person=ScriptedPerson([], referents={AMARTIN: Answer(presses="1")}),
    )
    assert "tapez 1" not in said(again)
    assert "appel de Claire Fabre, infirmier" in said(again, AMARTIN)


async def test_every_change_is_journaled_by_contact_number(
    client: TestClient, wired_settings: Settings
) -> None:
    browser = await sign_in(client, LOT_COORDINATOR)
    await browser.post(
        "/console/contacts", {"numero": "05 65 00 00 09", "nom": "Dr Paul Vidal", "type": "gp"}
    )
    [contact] = await rows(wired_settings, KnownContact)
    await browser.post(
        f"/console/contacts/{contact.id}",
        {"numero": "05 65 00 00 09", "nom": "Dr Paul Vidal", "type": "gp", "rpps": "10001234567"},
    )
    await browser.post(f"/console/contacts/{contact.id}/suppression")

    journal = [
        (row.account, row.action, row.detail)
        for row in await rows(wired_settings, AuditEvent)
        if row.action.startswith("contact_")
    ]
    assert journal == [
        (LOT_COORDINATOR.login, "contact_created", f"contact n° {contact.id}"),
        (LOT_COORDINATOR.login, "contact_changed", f"contact n° {contact.id}"),
        (LOT_COORDINATOR.login, "contact_removed", f"contact n° {contact.id}"),
    ]
    assert await rows(wired_settings, KnownContact) == []


async def test_a_number_already_anothers_is_refused_saying_whose(client: TestClient) -> None:
    browser = await sign_in(client, LOT_REFERENT)
    await browser.post(
        "/console/contacts", {"numero": "0565000009", "nom": "Dr Vidal", "type": "gp"}
    )

    refused = await browser.post(
        "/console/contacts", {"numero": "+33 5 65 00 00 09", "nom": "Dr Bex", "type": "gp"}
    )

    assert refused.status == 400
    assert "déjà celui du contact « Dr Vidal »" in await refused.text()


async def test_a_removed_contact_is_no_longer_a_persons_gp(
    client: TestClient, wired_settings: Settings
) -> None:
    browser = await sign_in(client, LOT_REFERENT)
    await browser.post(
        "/console/contacts", {"numero": "0565000009", "nom": "Dr Vidal", "type": "gp"}
    )
    [contact] = await rows(wired_settings, KnownContact)
    engine = create_engine(wired_settings.database_url)
    async with session_maker(engine)() as session:
        session.add(Person(department="dac46", family_name="Témoin", gp_contact_id=contact.id,
                           created_at=TUESDAY_MORNING, created_by="amartin"))  # fmt: skip
        await session.commit()
    await engine.dispose()

    removed = await browser.post(f"/console/contacts/{contact.id}/suppression")

    assert removed.status == 303
    [person] = await rows(wired_settings, Person)
    assert (person.family_name, person.gp_contact_id) == ("Témoin", None)


async def test_an_import_keeps_the_good_lines_and_says_why_each_other_was_refused(
    client: TestClient, wired_settings: Settings
) -> None:
    browser = await sign_in(client, LOT_COORDINATOR)
    lines = (
        "nom;numero;courriel;type;rpps\n"
        "Dr Paul Vidal;05 65 00 00 09;;Médecin généraliste;10001234567\n"
        ";05 65 00 00 10;;gp;\n"
        "Dr Bex;12;;gp;\n"
        "Dr Lys;;lys@medecin.mssante.fr;astrologue;\n"
        "Dr Roux;0565000011;;specialist;123\n"
    )

    response = await browser.post("/console/contacts/import?departement=dac46", {"lignes": lines})

    page = await response.text()
    assert "1 contact(s) créé(s), 0 mis à jour, 4 ligne(s) écartée(s)" in page
    assert "Ligne 3 : le nom est vide" in page
    assert "Ligne 4 : numéro de téléphone invalide" in page
    assert "Ligne 5 : type d&#39;adresseur inconnu « astrologue »" in page
    assert "Ligne 6 : le numéro RPPS a 11 chiffres" in page
    [contact] = await rows(wired_settings, KnownContact)
    assert (contact.number, contact.referrer_type, contact.rpps) == (
        "+33565000009", "gp", "10001234567"
    )  # fmt: skip
