"""A person's page: her traits, her professionals among the known contacts, the requests of
her situation in order, her non-oppositions' history, her file's events; two files that are
one person merged into one, every link and history kept."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from frontdoor.settings import Settings
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import AuditEvent, KnownContact, Person, RequestPerson
from tests.console.conftest import LOT_REFERENT, MOSELLE_REFERENT, Browser, sign_in
from tests.console.requests_made import STANCES, a_call, create, page_of, rows


async def known_contacts(settings: Settings) -> tuple[int, int]:
    """A GP of the Lot's address book, and one of the Moselle's."""
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        lot = KnownContact(department="dac46", number="+33565111111", name="Dr Louise Vidal",
                           referrer_type="gp")  # fmt: skip
        moselle = KnownContact(department="dac57", number="+33387111111", name="Dr Weber",
                               referrer_type="gp")  # fmt: skip
        session.add_all([lot, moselle])
        await session.commit()
    await engine.dispose()
    return lot.id or 0, moselle.id or 0


async def test_her_page_shows_her_situation_stances_and_events(
    client: TestClient, wired_settings: Settings
) -> None:
    first = await a_call(client, wired_settings)
    browser = await sign_in(client, LOT_REFERENT)
    await create(browser, first, nom="Témoin", prenoms="Ginette", annee="1941")
    await browser.post(
        f"/console/demandes/{first}/non-oppositions",
        {"personne": "1", **STANCES, "informe": "document"},
    )
    second = await a_call(client, wired_settings, hours_later=2)
    await browser.post(f"/console/demandes/{second}/personnes", {"personne": "1"})

    page = await page_of(browser, "/console/personnes-concernees/1")

    assert "TÉMOIN Ginette" in page
    assert "naissance : 1941 (85 ans et plus)" in page
    assert page.index(f"Demande n° {first}") < page.index(f"Demande n° {second}")
    assert "document d&#39;information remis" in page
    assert "Partage avec un partenaire : possible" in page
    assert "Liée à une demande" in page
    audit = await rows(wired_settings, AuditEvent)
    assert (audit[-1].action, audit[-1].detail) == ("person_view", "personne n° 1")


async def test_a_hand_off_is_shown_blocked_until_she_was_asked(
    client: TestClient, wired_settings: Settings
) -> None:
    request_id = await a_call(client, wired_settings)
    browser = await sign_in(client, LOT_REFERENT)
    await create(browser, request_id, nom="Témoin")

    page = await page_of(browser, "/console/personnes-concernees/1")

    assert "Partage avec un partenaire : <strong>bloqué</strong>" in page
    assert "non-opposition au partage non recueillie" in page


async def test_a_referent_completes_her_traits_and_chooses_her_gp_among_known_contacts(
    client: TestClient, wired_settings: Settings
) -> None:
    request_id = await a_call(client, wired_settings)
    browser = await sign_in(client, LOT_REFERENT)
    await create(browser, request_id, nom="Témoin")
    gp, moselle_gp = await known_contacts(wired_settings)

    changed = await browser.post(
        "/console/personnes-concernees/1/identite",
        {"nom": "Témoin", "prenoms": "Ginette", "naissance": "02/03/1941", "commune": "Cahors"},
    )
    chosen = await browser.post("/console/personnes-concernees/1/professionnels", {"medecin": gp})
    elsewhere = await browser.post(
        "/console/personnes-concernees/1/professionnels", {"medecin": moselle_gp}
    )
    future = await browser.post("/console/personnes-concernees/1/identite", {"annee": "2031"})

    assert changed.status == chosen.status == 303
    assert (elsewhere.status, await elsewhere.text()) == (400, "contact inconnu du département")
    assert future.status == 400
    assert "fiche non modifiée : année de naissance" in await future.text()
    [person] = await rows(wired_settings, Person)
    assert (person.given_names, person.gp_contact_id, person.name_key) == (
        "Ginette",
        gp,
        "temoin ginette",
    )
    page = await page_of(browser, "/console/personnes-concernees/1")
    assert "Dr Louise Vidal" in page
    assert "prénoms, date de naissance, année de naissance, commune" in page
    assert "médecin traitant" in page


async def two_files_of_one_person(
    client: TestClient, wired_settings: Settings
) -> tuple[Browser, int, int]:
    """Two calls, each with a file of Ginette Témoin (spelled apart), as the Lot's referent
    sees them: her browser and the two requests."""
    first = await a_call(client, wired_settings)
    second = await a_call(client, wired_settings, from_="+33565000001")
    browser = await sign_in(client, LOT_REFERENT)
    await create(browser, first, nom="Témoin", prenoms="Ginette")
    await create(browser, second, nom="Temoin", annee="1941")
    return browser, first, second


async def test_two_files_of_one_person_are_merged_with_every_link_and_history(
    client: TestClient, wired_settings: Settings
) -> None:
    browser, first, second = await two_files_of_one_person(client, wired_settings)
    await browser.post(
        f"/console/demandes/{second}/non-oppositions",
        {"personne": "2", **STANCES, "informe": "oral"},
    )
    searched = await browser.post("/console/personnes-concernees/1", {"fusion": "temoin"})
    assert searched.status == 200
    assert "Fusionner la fiche n° 2 dans celle-ci" in await searched.text()

    merged = await browser.post("/console/personnes-concernees/1/fusion", {"autre": "2"})

    assert merged.status == 303
    links = await rows(wired_settings, RequestPerson)
    assert {(link.request_id, link.person_id) for link in links} == {(first, 1), (second, 1)}
    page = await page_of(browser, "/console/personnes-concernees/1")
    assert "naissance : 1941" in page
    assert "Non-opposition au traitement des données personnelles : <strong>" in page
    assert "fiche n° 2 fusionnée ici ; complété : année de naissance" in page
    gone = await browser.get("/console/personnes-concernees/2")
    assert (gone.status, gone.headers["Location"]) == (303, "/console/personnes-concernees/1")


async def test_merges_that_cannot_be_are_refused_in_french(
    client: TestClient, wired_settings: Settings
) -> None:
    request_id = await a_call(client, wired_settings)
    browser = await sign_in(client, LOT_REFERENT)
    await create(browser, request_id, nom="Témoin")

    itself = await browser.post("/console/personnes-concernees/1/fusion", {"autre": "1"})
    nobody = await browser.post("/console/personnes-concernees/1/fusion", {"autre": "99"})

    assert (itself.status, await itself.text()) == (
        400,
        "fusion refusée : une personne ne peut être fusionnée avec elle-même",
    )
    assert nobody.status == 404


async def test_another_departments_person_is_not_found(
    client: TestClient, wired_settings: Settings
) -> None:
    request_id = await a_call(client, wired_settings)
    await create(await sign_in(client, LOT_REFERENT), request_id, nom="Témoin")
    moselle = await sign_in(client, MOSELLE_REFERENT)

    page = await moselle.get("/console/personnes-concernees/1")

    assert page.status == 404


async def test_the_name_searched_to_merge_is_posted_and_never_read_from_the_url(
    client: TestClient, wired_settings: Settings
) -> None:
    browser, *_ = await two_files_of_one_person(client, wired_settings)
    page = await page_of(browser, "/console/personnes-concernees/1")
    assert '<form method="post" action="/console/personnes-concernees/1#fusion"' in page

    old_link = await page_of(browser, "/console/personnes-concernees/1?fusion=temoin")
    searched = await browser.post("/console/personnes-concernees/1", {"fusion": "temoin"})
    forged = await client.post(
        "/console/personnes-concernees/1", data={"fusion": "temoin"}, headers=browser.headers
    )

    assert "Fusionner la fiche n° 2" not in old_link
    assert "Aucune autre fiche trouvée." not in old_link  # no search at all
    assert searched.status == 200
    assert "Fusionner la fiche n° 2 dans celle-ci" in await searched.text()
    assert forged.status == 403
