"""The request page's persons: a referent creates the person a call is about, finds her
again by name or because the same caller calls again, links her, and records her
non-oppositions once: her next request shows them, with where and when, and does not ask
again. Each person shown is journaled; bad input is refused in French."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from frontdoor.settings import Settings
from frontdoor.standins.twilio_api import FakeTwilioApi
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import (
    AuditEvent,
    NonOppositionRecord,
    Person,
    PersonEvent,
    RequestPerson,
)
from tests.console.conftest import LOT_REFERENT, MOSELLE_REFERENT, sign_in
from tests.console.requests_made import STANCES, a_call, create, page_of, rows
from tests.web.calls import LOT, NURSE, TUESDAY_MORNING


async def test_a_referent_creates_the_person_from_the_request_and_records_her_stances_once(
    client: TestClient, wired_settings: Settings
) -> None:
    first = await a_call(client, wired_settings)
    browser = await sign_in(client, LOT_REFERENT)
    await create(browser, first, nom="Témoin", prenoms="Ginette", naissance="1941-03-02",
                 sexe="female", commune="Cahors")  # fmt: skip
    [person] = await rows(wired_settings, Person)

    recorded = await browser.post(
        f"/console/demandes/{first}/non-oppositions",
        {"personne": str(person.id), **STANCES, "informe": "document"},
    )

    assert recorded.status == 303
    history = await rows(wired_settings, NonOppositionRecord)
    assert {(r.kind, r.stance, r.person_id, r.request_id, r.informed_how) for r in history} == {
        (kind, stance, person.id, first, "document") for kind, stance in STANCES.items()
    }
    page = await page_of(browser, f"/console/demandes/{first}")
    assert "TÉMOIN Ginette" in page
    assert "naissance : 02/03/1941" in page
    assert "Non-oppositions déjà recueillies : inutile de les redemander." in page


async def test_her_next_request_finds_her_by_name_and_shows_her_stances_without_asking(
    client: TestClient, wired_settings: Settings
) -> None:
    first = await a_call(client, wired_settings)
    browser = await sign_in(client, LOT_REFERENT)
    await create(browser, first, nom="Témoin", prenoms="Ginette")
    await browser.post(
        f"/console/demandes/{first}/non-oppositions",
        {"personne": "1", **STANCES, "informe": "oral"},
    )
    # Another caller, another day: the person is found by her name however it is typed.
    second = await a_call(client, wired_settings, from_="+33565000001")

    searched = await browser.post(f"/console/demandes/{second}", {"nom": "temoin gin"})
    assert searched.status == 200
    found = await searched.text()
    assert "Résultats pour « temoin gin »" in found
    assert 'name="personne" value="1"' in found
    linked = await browser.post(f"/console/demandes/{second}/personnes", {"personne": "1"})

    assert linked.status == 303
    page = await page_of(browser, f"/console/demandes/{second}")
    assert "Non-oppositions déjà recueillies : inutile de les redemander." in page
    assert f'sur la <a href="/console/demandes/{first}">demande n° {first}</a>' in page
    assert "Ne s&#39;oppose pas</strong>, recueillie par anne.martin le" in page  # her name
    assert "— non recueillie —" not in page  # nothing left to ask
    assert len(await rows(wired_settings, NonOppositionRecord)) == 3  # not asked again


async def test_the_same_caller_calling_again_is_suggested_the_person_of_her_last_call(
    client: TestClient, wired_settings: Settings
) -> None:
    first = await a_call(client, wired_settings)
    browser = await sign_in(client, LOT_REFERENT)
    await create(browser, first, nom="Témoin", prenoms="Ginette")

    second = await a_call(client, wired_settings)
    page = await page_of(browser, f"/console/demandes/{second}")

    assert "Suggestions" in page
    assert "déjà concernée par une demande du même appelant" in page
    assert 'name="personne" value="1"' in page


async def test_only_changed_stances_are_recorded_and_each_needs_how_she_was_informed(
    client: TestClient, wired_settings: Settings
) -> None:
    request_id = await a_call(client, wired_settings)
    browser = await sign_in(client, LOT_REFERENT)
    await create(browser, request_id, nom="Témoin")
    path = f"/console/demandes/{request_id}/non-oppositions"
    await browser.post(path, {"personne": "1", **STANCES, "informe": "oral"})

    without_how = await browser.post(path, {"personne": "1", "support_and_sharing": "opposed"})
    nothing_chosen = await browser.post(path, {"personne": "1", "informe": "oral"})
    changed_mind = await browser.post(
        path, {"personne": "1", **STANCES, "support_and_sharing": "opposed", "informe": "oral"}
    )

    assert (without_how.status, await without_how.text()) == (
        400,
        "dites comment la personne a été informée",
    )
    assert (nothing_chosen.status, await nothing_chosen.text()) == (400, "aucune position choisie")
    assert changed_mind.status == 303
    history = await rows(wired_settings, NonOppositionRecord)
    assert [(r.kind, r.stance) for r in history][3:] == [("support_and_sharing", "opposed")]


async def test_traits_that_cannot_be_kept_are_refused_in_french_and_nothing_is_created(
    client: TestClient, wired_settings: Settings
) -> None:
    request_id = await a_call(client, wired_settings)
    browser = await sign_in(client, LOT_REFERENT)
    path = f"/console/demandes/{request_id}/personnes/nouvelle"

    future = await browser.post(path, {"nom": "Témoin", "naissance": "2031-01-01"})
    bad_key = await browser.post(path, {"nom": "Témoin", "ins": "185057800608492"})
    nameless = await browser.post(path, {"annee": "1941"})

    assert future.status == bad_key.status == nameless.status == 400
    assert await future.text() == "personne non créée : date de naissance : dans le futur"
    assert "INS : la clé ne correspond pas" in await bad_key.text()
    assert "un nom ou un prénom est nécessaire" in await nameless.text()
    assert await rows(wired_settings, Person) == []


async def test_a_person_of_another_department_is_not_found(
    client: TestClient, wired_settings: Settings
) -> None:
    lot_request = await a_call(client, wired_settings)
    lot = await sign_in(client, LOT_REFERENT)
    await create(lot, lot_request, nom="Témoin")
    moselle = await sign_in(client, MOSELLE_REFERENT)

    refused = await moselle.post(f"/console/demandes/{lot_request}/personnes", {"personne": "1"})

    assert refused.status == 404
    page = await page_of(lot, f"/console/demandes/{lot_request}")
    assert "Personne concernée : fiche n° 1" in page


async def test_unlinking_keeps_the_person_and_says_so_in_her_events(
    client: TestClient, wired_settings: Settings
) -> None:
    request_id = await a_call(client, wired_settings)
    browser = await sign_in(client, LOT_REFERENT)
    await create(browser, request_id, nom="Témoin")

    unlinked = await browser.post(f"/console/demandes/{request_id}/personnes/1/retrait", {})

    assert unlinked.status == 303
    assert await rows(wired_settings, RequestPerson) == []
    events = await rows(wired_settings, PersonEvent)
    assert [(e.kind, e.detail) for e in events] == [
        ("created", None),
        ("linked", f"demande n° {request_id}"),
        ("unlinked", f"demande n° {request_id}"),
    ]
    not_linked = await browser.post(
        f"/console/demandes/{request_id}/non-oppositions",
        {"personne": "1", **STANCES, "informe": "oral"},
    )
    assert (not_linked.status, await not_linked.text()) == (
        400,
        "cette personne n'est pas liée à la demande",
    )


async def test_each_person_shown_on_the_page_is_journaled(
    client: TestClient, wired_settings: Settings
) -> None:
    request_id = await a_call(client, wired_settings)
    browser = await sign_in(client, LOT_REFERENT)
    await create(browser, request_id, nom="Témoin")

    await page_of(browser, f"/console/demandes/{request_id}")

    audit = await rows(wired_settings, AuditEvent)
    assert {(a.action, a.request_id, a.detail) for a in audit[-2:]} == {
        ("view", request_id, None),
        ("person_view", request_id, "personne n° 1"),
    }


async def test_stances_recorded_before_persons_existed_stay_on_their_request(
    client: TestClient, wired_settings: Settings
) -> None:
    request_id = await a_call(client, wired_settings)
    engine = create_engine(wired_settings.database_url)
    async with session_maker(engine)() as session:
        session.add(NonOppositionRecord(request_id=request_id, kind="data_processing",
                                        stance="opposed", recorded_by="ancien@dac46.fr",
                                        recorded_at=TUESDAY_MORNING))  # fmt: skip
        await session.commit()
    await engine.dispose()
    browser = await sign_in(client, LOT_REFERENT)

    page = await page_of(browser, f"/console/demandes/{request_id}")

    assert "Non-oppositions enregistrées avant les fiches personnes" in page
    assert "ancien@dac46.fr" in page


async def test_she_is_informed_by_sms_from_the_template_and_her_file_records_it(
    client: TestClient, wired_settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    request_id = await a_call(client, wired_settings)
    browser = await sign_in(client, LOT_REFERENT)
    await create(browser, request_id, nom="Témoin")
    path = f"/console/demandes/{request_id}/personnes/1/information"

    by_sms = await browser.post(path, {"informe": "sms"})
    by_hand = await browser.post(path, {"informe": "document"})

    assert by_sms.status == by_hand.status == 303
    [sent] = twilio_api.messages
    assert (sent["to"], sent["from"]) == (NURSE, LOT)
    assert "votre situation nous a été confiée" in sent["body"]
    assert "Vous pouvez vous y opposer à tout moment" in sent["body"]
    events = await rows(wired_settings, PersonEvent)
    assert [(e.kind, e.detail, e.request_id) for e in events][-2:] == [
        ("informed", "sms : information", request_id),
        ("informed", "document", request_id),
    ]
    page = await page_of(browser, "/console/personnes-concernees/1")
    assert "Informée de l&#39;action du DAC" in page


async def test_she_cannot_be_informed_by_mail_without_a_secure_address(
    client: TestClient, wired_settings: Settings
) -> None:
    request_id = await a_call(client, wired_settings)
    browser = await sign_in(client, LOT_REFERENT)
    await create(browser, request_id, nom="Témoin")

    refused = await browser.post(
        f"/console/demandes/{request_id}/personnes/1/information", {"informe": "mail"}
    )

    assert (refused.status, await refused.text()) == (
        400,
        "pas d'adresse de messagerie sécurisée où écrire",
    )
    assert [e.kind for e in await rows(wired_settings, PersonEvent)] == ["created", "linked"]


async def test_the_name_searched_is_posted_and_never_read_from_the_url(
    client: TestClient, wired_settings: Settings
) -> None:
    """The name typed travels in the POST body with the CSRF token, the results in the
    answer; an old link with ?nom= shows the page without searching, and a post without the
    token is refused."""
    first = await a_call(client, wired_settings)
    browser = await sign_in(client, LOT_REFERENT)
    await create(browser, first, nom="Témoin", prenoms="Ginette")
    second = await a_call(client, wired_settings, from_="+33565000001")
    page = await page_of(browser, f"/console/demandes/{second}")
    assert f'<form method="post" action="/console/demandes/{second}#personnes"' in page
    before = await shown_of_her(wired_settings)

    old_link = await page_of(browser, f"/console/demandes/{second}?nom=temoin")
    searched = await browser.post(f"/console/demandes/{second}", {"nom": "temoin"})
    forged = await client.post(
        f"/console/demandes/{second}", data={"nom": "temoin"}, headers=browser.headers
    )

    assert "Résultats pour" not in old_link
    assert 'name="personne" value="1"' not in old_link
    assert searched.status == 200
    found = await searched.text()
    assert "Résultats pour « temoin »" in found
    assert 'name="personne" value="1"' in found
    assert forged.status == 403
    assert await shown_of_her(wired_settings) == before + 1  # found by name, journaled


async def shown_of_her(settings: Settings) -> int:
    """How many times person 1 was journaled as shown."""
    audit = await rows(settings, AuditEvent)
    return sum(1 for a in audit if (a.action, a.detail) == ("person_view", "personne n° 1"))
