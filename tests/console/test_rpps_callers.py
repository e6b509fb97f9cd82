"""Professionals of the RPPS extraction on the phone and in the console: a GP of the sample
extraction calls, skips the menu, is named in the whisper, and her request shows her
profession and RPPS number; a contact the coordinator corrects in the console keeps the
correction at the next import."""

from __future__ import annotations

import argparse
import io
from pathlib import Path

from aiohttp.test_utils import TestClient

from frontdoor import rpps_command
from frontdoor.departments import Departments
from frontdoor.keys import STORE_COPIES
from frontdoor.phone import Answer, ScriptedPerson
from frontdoor.settings import Settings
from frontdoor.store.db import create_engine
from frontdoor.store.models import KnownContact
from tests.console.conftest import LOT_COORDINATOR, LOT_REFERENT, sign_in
from tests.console.requests_made import page_of, rows
from tests.indicators.random_year import lot, table_of, values
from tests.web.calls import AMARTIN, LOT, TUESDAY_MORNING, place_call, reason_codes, said, stored

SAMPLES = Path(__file__).parents[1] / "rpps"
FABRE = "+33565000101"  # the Figeac GP's surgery, in the sample extraction


async def import_samples(settings: Settings, departments: Departments) -> str:
    out = io.StringIO()
    args = argparse.Namespace(
        department="dac46",
        file=SAMPLES / "PS_LibreAcces_Personne_activite_202612010000.txt",
        mssante=SAMPLES / "Extraction_Correspondance_MSSante_202612010000.txt",
        year=TUESDAY_MORNING.year,
    )
    assert await rpps_command.run(args, settings, departments, out=out, err=io.StringIO()) == 0
    return out.getvalue()


async def test_a_gp_of_the_rpps_extraction_is_recognised_on_the_phone(
    client: TestClient, wired_settings: Settings, departments: Departments
) -> None:
    await import_samples(wired_settings, departments)
    # Each instance refreshes its copy every FRONTDOOR_STORE_COPIES_REFRESH_S seconds.
    await client.app[STORE_COPIES].refresh()

    result = await place_call(
        client,
        at=TUESDAY_MORNING,
        to=LOT,
        person=ScriptedPerson([], referents={AMARTIN: Answer(presses="1")}),
        from_=FABRE,
    )

    assert "tapez 1" not in said(result)
    assert "appel de Docteur Camille FABRE, médecin généraliste" in said(result, AMARTIN)
    [request], events = await stored(wired_settings)
    assert (request.caller_name, request.referrer_type, request.referrer_source) == (
        "Docteur Camille FABRE", "gp", "known_contact"
    )  # fmt: skip
    assert "known-caller" in reason_codes(events)
    browser = await sign_in(client, LOT_REFERENT)
    page = await page_of(browser, f"/console/demandes/{request.id}")
    assert "Docteur Camille FABRE (Médecin, Médecine générale ; RPPS 10000000018)" in page
    # Indicator 6: one GP of the territory's two (Fabre and Lacoste) called in May.
    engine = create_engine(wired_settings.database_url)
    table = await table_of(engine, [lot(departments)], period=f"{TUESDAY_MORNING:%Y-%m}")
    await engine.dispose()
    assert values(table, "gps") == {"gps": 1, "gps_rpps": 1, "territory_gps": 2}
    assert table.gp_share == 0.5


async def test_a_contact_corrected_in_the_console_keeps_its_correction_at_the_next_import(
    client: TestClient, wired_settings: Settings, departments: Departments
) -> None:
    await import_samples(wired_settings, departments)
    [vidal] = [c for c in await rows(wired_settings, KnownContact) if c.rpps == "10000000034"]
    browser = await sign_in(client, LOT_COORDINATOR)
    saved = await browser.post(
        f"/console/contacts/{vidal.id}",
        {"numero": "05 65 00 03 03", "nom": "Dr Antoine Vidal (cardiologue, CH de Cahors)",
         "type": "hospital", "rpps": "10000000034"},
    )  # fmt: skip
    assert saved.status == 303

    summary = await import_samples(wired_settings, departments)
    listed = await page_of(browser, "/console/contacts?departement=dac46")

    assert "1 modifié(s) localement et laissé(s) tel(s) quel(s)" in summary
    [kept] = [c for c in await rows(wired_settings, KnownContact) if c.rpps == "10000000034"]
    assert (kept.name, kept.referrer_type, kept.profession) == (
        "Dr Antoine Vidal (cardiologue, CH de Cahors)", "hospital",
        "Médecin, Cardiologie et maladies vasculaires",
    )  # fmt: skip
    assert "Annuaire Santé, modifié ici : gardé tel quel aux imports" in listed
    assert "<small>Infirmier</small>" in listed  # the nurse's profession, from the extraction
