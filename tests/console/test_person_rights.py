"""A person named in someone else's call (a patient in her GP's call): found by name on the
rights page, exactly; picked among namesakes; everything held about her exported; erased after
the preview, her GP left as he is; each step journaled."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any
from urllib.parse import urlencode

from aiohttp.test_utils import TestClient

from frontdoor.core.persons import Named
from frontdoor.core.retention import PSEUDONYM_PREFIX
from frontdoor.settings import Settings
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.journal import Entry
from frontdoor.store.models import (
    AuditEvent,
    KnownContact,
    NonOppositionRecord,
    Person,
    PersonEvent,
    Request,
    RequestNote,
    RequestPerson,
)
from frontdoor.store.persons import persons_named
from tests.console.conftest import (
    LOT_COORDINATOR,
    LOT_REFERENT,
    MOSELLE_COORDINATOR,
    Browser,
    sign_in,
)
from tests.console.requests_made import STANCES, a_call, create, rows
from tests.web.calls import LOT, NURSE, TUESDAY_MORNING

GP = "+33565000001"  # a known professional's number
DAUGHTER = "+33622000000"  # nobody the department knows
NOTE = "Mme Ginette Témoin, 84 ans, sortie d'hospitalisation jeudi"


def url(path: str = "") -> str:
    return f"/console/personnes{path}?{urlencode({'departement': 'dac46'})}"


async def found_by_name(browser: Browser, **typed: str) -> tuple[int, str]:
    response = await browser.post(url("/nom"), typed)
    return response.status, await response.text()


async def preview(browser: Browser, person_id: int) -> tuple[str, str]:
    response = await browser.post(url("/fiche"), {"personne": str(person_id)})
    assert response.status == 200, await response.text()
    page = await response.text()
    [digest] = re.findall(r'name="empreinte" value="([0-9a-f]+)"', page)
    return page, digest


async def her_situation(client: TestClient, settings: Settings) -> tuple[int, int]:
    """Her GP calls about her, a referent creates her file from the call, records her stances
    and notes her name; her daughter calls about her too. (GP's request, daughter's.)"""
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        session.add(KnownContact(department="dac46", number=GP, name="Dr Roux",
                                 referrer_type="gp"))  # fmt: skip
        await session.commit()
    await engine.dispose()
    by_gp = await a_call(client, settings, from_=GP)
    by_daughter = await a_call(client, settings, from_=DAUGHTER, hours_later=2)
    referent = await sign_in(client, LOT_REFERENT)
    await create(referent, by_gp, nom="Témoin", prenoms="Ginette", naissance="02/03/1941",
                 sexe="female", commune="Cahors", insee="46042")  # fmt: skip
    [person] = await rows(settings, Person)
    await referent.post(
        f"/console/demandes/{by_gp}/non-oppositions",
        {"personne": str(person.id), **STANCES, "informe": "oral"},
    )
    await referent.post(f"/console/demandes/{by_gp}/notes", {"body": NOTE})
    await referent.post(f"/console/demandes/{by_daughter}/personnes", {"personne": "1"})
    await referent.post(f"/console/demandes/{by_daughter}/notes", {"body": NOTE})
    return by_gp, by_daughter


async def test_a_patient_named_in_her_gps_call_is_found_by_her_name_and_birth_date(
    client: TestClient, wired_settings: Settings
) -> None:
    by_gp, by_daughter = await her_situation(client, wired_settings)
    coordinator = await sign_in(client, LOT_COORDINATOR)

    status, listed = await found_by_name(coordinator, nom="TEMOIN", naissance="02/03/1941")
    assert status == 200
    assert "1 personne(s) de ce nom" in listed
    assert 'name="personne" value="1"' in listed
    page, _digest = await preview(coordinator, 1)

    assert "fiche n° 1" in page
    assert "2 demande(s)" in page
    assert f"/console/demandes/{by_gp}" in page
    assert f"/console/demandes/{by_daughter}" in page
    assert "Ne sont pas effacés : les professionnels connus" in page
    assert "Dr Roux" in page


async def test_a_name_finds_exactly_that_name_never_a_file_without_one(
    database_url: str,
) -> None:
    files = [  # (family name, given names, birth date)
        ("Témoin", "Ginette", "1941-03-02"),
        ("TEMOIN", "Ginette", "1950-01-01"),  # a namesake, born another day
        ("Témoin-Dubois", "Ginette", None),  # another name that begins the same
        ("Témoins", "Ginette", None),
        (None, None, None),  # a file without a name
        (None, "Ginette", None),
    ]
    engine = create_engine(database_url)
    async with session_maker(engine)() as session:
        for family, given, born in files:
            person = Person(department="dac46", family_name=family, given_names=given,
                            created_at=TUESDAY_MORNING, created_by="someone")  # fmt: skip
            person.name_key = Named(family_name=family, given_names=given).name_key if (
                family or given) else None  # fmt: skip
            if born:
                person.birth_date = date.fromisoformat(born)
                person.birth_year = person.birth_date.year
            session.add(person)
        session.add(Person(department="dac57", family_name="Témoin", name_key="temoin",
                           created_at=TUESDAY_MORNING, created_by="someone"))  # fmt: skip
        await session.commit()

        async def ids(**named: Any) -> list[int]:
            found = await persons_named(session=session, department="dac46", named=Named(**named))
            return sorted(person.id or 0 for person in found)

        assert await ids(family_name="temoin") == [1, 2]
        assert await ids(family_name="Témoin", given_names="ginette") == [1, 2]
        assert await ids(family_name="Témoin", birth_year=1941) == [1]
        assert await ids(family_name="temoin dubois") == [3]
        assert await ids(given_names="Ginette") == [1, 2, 3, 4, 6]
        assert await ids(family_name="Témoin", given_names="Ginette Marie") == []
    await engine.dispose()


async def test_an_absorbed_file_is_found_as_the_one_it_was_merged_into_and_erased_with_it(
    client: TestClient, wired_settings: Settings
) -> None:
    first = await a_call(client, wired_settings, from_=DAUGHTER)
    second = await a_call(client, wired_settings, from_=DAUGHTER, hours_later=1)
    referent = await sign_in(client, LOT_REFERENT)
    await create(referent, first, nom="Témoin", prenoms="Ginette")
    await create(referent, second, nom="Temoinn", prenoms="Ginette", ins="241034604200192")
    coordinator = await sign_in(client, LOT_COORDINATOR)
    merged = await coordinator.post("/console/personnes-concernees/1/fusion", {"autre": "2"})
    assert merged.status == 303

    _status, listed = await found_by_name(coordinator, nom="Temoinn")
    assert 'name="personne" value="1"' in listed
    assert 'value="2"' not in listed
    _page, digest = await preview(coordinator, 1)
    erased = await coordinator.post(
        url("/fiche/effacement"), {"personne": "1", "confirmation": "EFFACER", "empreinte": digest}
    )

    assert erased.status == 303
    for person in await rows(wired_settings, Person):
        assert (person.family_name, person.given_names, person.name_key, person.ins) == (
            None, None, None, None)  # fmt: skip


async def test_the_export_holds_her_file_her_requests_and_what_they_hold_and_is_journaled(
    client: TestClient, wired_settings: Settings
) -> None:
    by_gp, by_daughter = await her_situation(client, wired_settings)
    coordinator = await sign_in(client, LOT_COORDINATOR)

    response = await coordinator.post(url("/fiche/export"), {"personne": "1"})

    assert response.status == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = json.loads(await response.text())
    [her_file] = body["person_files"]
    assert (her_file["family_name"], her_file["birth_date"], her_file["commune_insee"]) == (
        "Témoin", "1941-03-02", "46042")  # fmt: skip
    assert {row["kind"] for row in body["person_non_oppositions"]} == set(STANCES)
    assert {"created", "linked", "non-opposition"} <= {e["kind"] for e in body["person_events"]}
    assert [r["id"] for r in body["requests"]] == [by_gp, by_daughter]
    assert [n["body"] for r in body["requests"] for n in r["notes"]] == [NOTE, NOTE]
    assert body["known_contacts"] == []  # her GP is not hers
    journal = await rows(wired_settings, AuditEvent)
    exported = [row for row in journal if row.action == "export"]
    assert exported[0].detail is not None
    assert exported[0].detail.startswith("personne n° 1 :")
    assert {row.request_id for row in exported[1:]} == {by_gp, by_daughter}
    assert not any("Témoin" in (row.detail or "") or "temoin" in (row.detail or "")
                   for row in journal)  # fmt: skip
    searched = [row for row in journal if row.action == "person_search"]
    assert searched == []  # nothing was searched, only exported


async def test_a_name_search_is_journaled_as_a_pseudonym_with_each_file_it_listed(
    client: TestClient, wired_settings: Settings
) -> None:
    await her_situation(client, wired_settings)
    coordinator = await sign_in(client, LOT_COORDINATOR)

    await found_by_name(coordinator, nom="Témoin")

    searched = [row for row in await rows(wired_settings, AuditEvent)
                if row.action == "person_search"]  # fmt: skip
    assert [row.detail for row in searched][1:] == ["personne n° 1"]
    detail = searched[0].detail or ""
    assert detail.startswith(f"nom {PSEUDONYM_PREFIX}")
    assert "1 fiches" in detail
    assert "temoin" not in detail.lower()


async def test_erasing_her_keeps_her_gp_and_the_requests_and_removes_all_that_may_name_her(
    client: TestClient, wired_settings: Settings
) -> None:
    by_gp, by_daughter = await her_situation(client, wired_settings)
    coordinator = await sign_in(client, LOT_COORDINATOR)
    _page, digest = await preview(coordinator, 1)

    erased = await coordinator.post(
        url("/fiche/effacement"), {"personne": "1", "confirmation": "EFFACER", "empreinte": digest}
    )

    assert erased.status == 303
    assert "fait=2" in erased.headers["Location"]
    [person] = await rows(wired_settings, Person)
    assert (person.family_name, person.given_names, person.name_key, person.birth_date,
            person.commune_insee, person.commune_name) == (None,) * 6  # fmt: skip
    assert (person.birth_year, person.sex) == (1941, "female")  # for the indicators
    assert person.pseudonymised_at is not None
    assert {n.body for n in await rows(wired_settings, RequestNote)} == {None}
    requests = {r.id: r for r in await rows(wired_settings, Request)}
    assert requests[by_gp].caller_number == GP  # the GP's identity is not hers
    assert (requests[by_daughter].caller_number or "").startswith(PSEUDONYM_PREFIX)
    assert [c.number for c in await rows(wired_settings, KnownContact)] == [GP]
    assert len(await rows(wired_settings, RequestPerson)) == 2  # links stay, counted once
    assert len(await rows(wired_settings, NonOppositionRecord)) == 3
    assert {e.kind for e in await rows(wired_settings, PersonEvent)} >= {"created", "linked"}
    erasures = [row for row in await rows(wired_settings, AuditEvent) if row.action == "erase"]
    assert (erasures[0].detail or "").startswith("personne n° 1 :")
    assert {row.request_id for row in erasures[1:]} == {by_gp, by_daughter}
    # Found by name no more.
    _status, listed = await found_by_name(coordinator, nom="Témoin")
    assert "0 personne(s) de ce nom" in listed


async def test_her_erasure_is_asked_again_when_her_file_changed_since_the_preview(
    client: TestClient, wired_settings: Settings
) -> None:
    await her_situation(client, wired_settings)
    coordinator = await sign_in(client, LOT_COORDINATOR)
    _page, digest = await preview(coordinator, 1)
    referent = await sign_in(client, LOT_REFERENT)
    later = await a_call(client, wired_settings, from_=NURSE, hours_later=3)
    await referent.post(f"/console/demandes/{later}/personnes", {"personne": "1"})

    again = await coordinator.post(
        url("/fiche/effacement"), {"personne": "1", "confirmation": "EFFACER", "empreinte": digest}
    )

    assert again.status == 200
    assert "ont changé depuis" in await again.text()
    [person] = await rows(wired_settings, Person)
    assert person.family_name == "Témoin"
    assert {n.body for n in await rows(wired_settings, RequestNote)} == {NOTE}


async def test_her_erasure_waits_for_texts_naming_her_still_in_an_outage_journal(
    client: TestClient, wired_settings: Settings
) -> None:
    """Her daughter's SMS kept by another instance while the store was away names her and
    waits to be replayed: erasing her now would leave it to arrive afterwards."""
    await her_situation(client, wired_settings)
    waiting = Entry(path="/twilio/sms", query={}, at=TUESDAY_MORNING, key="waiting-1",
                    form={"From": "+33633000000", "To": LOT, "Body": "Ginette TEMOIN est tombée"},
                    answer="<Response/>", instance="other")  # fmt: skip
    (wired_settings.journal_dir / "other.1.jsonl").write_text(waiting.line() + "\n", "utf-8")
    coordinator = await sign_in(client, LOT_COORDINATOR)
    page = await (await coordinator.post(url("/fiche"), {"personne": "1"})).text()

    response = await coordinator.post(
        url("/fiche/effacement"), {"personne": "1", "confirmation": "EFFACER", "empreinte": ""}
    )

    assert 'name="empreinte"' not in page  # no erasure offered
    assert "la nommant, attendent dans le journal de panne" in page
    assert response.status == 409
    [person] = await rows(wired_settings, Person)
    assert person.family_name == "Témoin"


async def test_another_departments_file_or_a_bad_pick_is_not_found(
    client: TestClient, wired_settings: Settings
) -> None:
    await her_situation(client, wired_settings)
    coordinator = await sign_in(client, LOT_COORDINATOR)
    moselle = await sign_in(client, MOSELLE_COORDINATOR)

    other = await moselle.post("/console/personnes/fiche?departement=dac57", {"personne": "1"})
    bad = await coordinator.post(url("/fiche"), {"personne": "un"})
    nameless = await coordinator.post(url("/nom"), {"nom": " ", "naissance": "02/03/1941"})
    wrong_date = await coordinator.post(url("/nom"), {"nom": "Témoin", "naissance": "31/02/1941"})

    assert (other.status, bad.status) == (404, 404)
    assert nameless.status == 400
    assert "un nom ou des prénoms sont nécessaires" in await nameless.text()
    assert wrong_date.status == 400
    assert "date de naissance" in await wrong_date.text()
    journal = await rows(wired_settings, AuditEvent)
    assert not [row for row in journal if row.account == MOSELLE_COORDINATOR.login]


async def erase_caller(browser: Browser, number: str) -> Any:
    response = await browser.post(url(), {"numero": number})
    page = await response.text()
    [digest] = re.findall(r'name="empreinte" value="([0-9a-f]+)"', page)
    return page, await browser.post(
        url("/effacement"),
        {"numero": number, "confirmation": "EFFACER", "empreinte": digest},
    )


async def test_a_caller_erased_by_number_takes_her_own_file_not_those_she_spoke_of(
    client: TestClient, wired_settings: Settings
) -> None:
    # She calls for herself twice (her file made from her call); her daughter once for her
    # mother, whose file only the daughter's call knows.
    first = await a_call(client, wired_settings, from_=NURSE)
    second = await a_call(client, wired_settings, from_=NURSE, hours_later=1)
    daughters = await a_call(client, wired_settings, from_=DAUGHTER, hours_later=2)
    referent = await sign_in(client, LOT_REFERENT)
    for own in (first, second):
        await referent.post(f"/console/demandes/{own}/qualification", {"referrer_type": "patient"})
    await create(referent, first, nom="Appelante", prenoms="Rose", naissance="01/01/1950")
    await referent.post(f"/console/demandes/{second}/personnes", {"personne": "1"})
    await create(referent, daughters, nom="Mère", prenoms="Odette")
    coordinator = await sign_in(client, LOT_COORDINATOR)

    page, erased = await erase_caller(coordinator, NURSE)
    assert "dont l'appelant est la personne elle-même" in page
    _page, by_daughter = await erase_caller(coordinator, DAUGHTER)

    assert (erased.status, by_daughter.status) == (303, 303)
    files = {p.id: p for p in await rows(wired_settings, Person)}
    assert (files[1].family_name, files[1].birth_date, files[1].pseudonymised_at is None) == (
        None, None, False)  # fmt: skip
    assert files[2].family_name == "Mère"  # the daughter's mother is not the daughter


async def test_a_file_also_known_through_another_caller_stays_and_the_preview_says_so(
    client: TestClient, wired_settings: Settings
) -> None:
    await her_situation(client, wired_settings)  # her GP, then her daughter, call about her
    coordinator = await sign_in(client, LOT_COORDINATOR)

    page, erased = await erase_caller(coordinator, GP)

    assert "1 autre(s) fiche(s) de personne concernée" in page
    assert erased.status == 303
    [person] = await rows(wired_settings, Person)
    assert person.family_name == "Témoin"
