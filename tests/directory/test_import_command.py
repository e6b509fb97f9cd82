"""`frontdoor directory import` end to end, on a temporary database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import select

from frontdoor.settings import Settings
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import Resource
from tests.directory.import_commands import run

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).parent / "data"


async def stored(settings: Settings) -> list[Resource]:
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        found = list((await session.exec(select(Resource))).all())
    await engine.dispose()
    return found


def sqlite_settings(tmp_path: Path) -> Settings:
    return Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'new' / 'frontdoor.sqlite3'}")


async def test_importing_the_shipped_csv_twice(tmp_path: Path) -> None:
    settings = sqlite_settings(tmp_path)  # a fresh file: the command migrates it first
    code, out, err = await run(settings, "import", "csv", str(ROOT / "directory" / "dac46.csv"))
    assert code == 0
    assert out == (
        "dac46.csv : 23 créées, 0 mises à jour, 0 inchangées, 0 ignorées, "
        "0 problème(s) de lecture\n"
    )
    assert err.endswith("23 / 23 ressources\n")
    code, out, _ = await run(settings, "import", "csv", str(ROOT / "directory" / "dac46.csv"))
    assert (code, out.split(" : ")[1].split(",")[:2]) == (0, ["0 créées", " 0 mises à jour"])
    assert len(await stored(settings)) == 23


async def test_finess_with_departements_prints_each_problem(settings: Settings) -> None:
    code, out, _ = await run(
        settings, "import", "finess", str(DATA / "finess_sample.csv"),
        "--departement", "46", "--departement", "57",
    )  # fmt: skip
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("finess_sample.csv : 3 créées, 0 mises à jour")
    assert "  ligne 5 : 5 champs au lieu de 32" in lines
    assert {r.source_id for r in await stored(settings)} == {"460000011", "460000029", "570000017"}


async def test_hsds_json_and_csv_folder(settings: Settings) -> None:
    code, _, _ = await run(settings, "import", "hsds", str(DATA / "hsds_services.json"))
    assert code == 0
    code, out, _ = await run(settings, "import", "hsds", str(DATA / "hsds_package"))
    assert code == 0
    assert "  ligne 4 : service sans identifiant ou sans nom" in out.splitlines()
    assert len(await stored(settings)) == 4


async def test_nothing_imported_returns_1(settings: Settings, tmp_path: Path) -> None:
    broken = tmp_path / "vide.csv"
    broken.write_text("nom;adresse\nSSIAD;rue\n", encoding="utf-8")
    code, out, _ = await run(settings, "import", "csv", str(broken))
    assert code == 1
    assert "  ligne 1 : colonne(s) manquante(s) : identifiant, categorie" in out.splitlines()


async def test_a_missing_file_returns_1(settings: Settings, tmp_path: Path) -> None:
    code, _, err = await run(settings, "import", "csv", str(tmp_path / "absent.csv"))
    assert code == 1
    assert "lecture impossible" in err


async def test_the_ror_sample_imports_once_and_keeps_a_local_edit(settings: Settings) -> None:
    sample = str(ROOT / "directory" / "ror_dac46_dac57.json")
    code, out, err = await run(settings, "import", "ror", sample)
    assert code == 0
    assert out == (
        "ror_dac46_dac57.json : 4 créées, 0 mises à jour, 0 inchangées, 0 ignorées, "
        "0 problème(s) de lecture\n"
    )
    assert err.endswith("4 / 4 ressources\n")

    code, out, _ = await run(settings, "import", "ror", sample)
    assert (code, out.split(" : ")[1].split(", ")[:3]) == (
        0, ["0 créées", "0 mises à jour", "4 inchangées"],
    )  # fmt: skip

    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        query = select(Resource).where(Resource.source_id == "ROR-46-0001")
        edited = (await session.exec(query)).one()
        edited.hours_text, edited.edited_locally = "lundi-vendredi 8h-18h", True
        session.add(edited)
        await session.commit()
    await engine.dispose()
    code, out, _ = await run(settings, "import", "ror", sample, "--departement", "46")
    assert code == 0
    assert out.splitlines() == [
        "ror_dac46_dac57.json : 0 créées, 0 mises à jour, 1 inchangées, 1 ignorées, "
        "0 problème(s) de lecture",
        "  Soins infirmiers à domicile (SSIAD du Ségala) (ror ROR-46-0001) : "
        "modifiée localement : non écrasée",
    ]
    hours = {r.source_id: r.hours_text for r in await stored(settings)}
    assert hours["ROR-46-0001"] == "lundi-vendredi 8h-18h"
    assert len(hours) == 4


async def test_a_malformed_ror_resource_is_reported_and_the_rest_imported(
    settings: Settings, tmp_path: Path
) -> None:
    bundle = json.loads((ROOT / "directory" / "ror_dac46_dac57.json").read_text("utf-8"))
    bundle["entry"][0]["resource"]["identifier"] = []
    del bundle["entry"][0]["resource"]["id"]
    broken = tmp_path / "ror.json"
    broken.write_text(json.dumps(bundle), encoding="utf-8")
    code, out, _ = await run(settings, "import", "ror", str(broken))
    assert code == 0
    assert out.splitlines() == [
        "ror.json : 3 créées, 0 mises à jour, 0 inchangées, 0 ignorées, 1 problème(s) de lecture",
        "  entrée 1, HealthcareService ? : offre sans identifiant ou sans nom",
    ]
    assert len(await stored(settings)) == 3


async def test_the_current_finess_publication_imports_beside_the_legacy_file(
    settings: Settings,
) -> None:
    """The legacy extract, then the file with a header line and its separate geolocation:
    the establishments in both are the same resources, unchanged; a local edit is kept."""
    code, _, _ = await run(settings, "import", "finess", str(DATA / "finess_sample.csv"),
                           "--departement", "46", "--departement", "57")  # fmt: skip
    assert code == 0
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        query = select(Resource).where(Resource.source_id == "570000017")
        edited = (await session.exec(query)).one()
        edited.hours_text, edited.edited_locally = "lundi-vendredi 9h-17h", True
        session.add(edited)
        await session.commit()
    await engine.dispose()
    named = str(DATA / "finess_etablissements_sample.csv")
    places = str(DATA / "finess_geolocalisation_sample.csv")

    code, out, err = await run(settings, "import", "finess", named, "--geolocalisation", places)

    assert code == 0
    assert out.splitlines() == [
        "finess_etablissements_sample.csv : 1 créées, 0 mises à jour, 1 inchangées, "
        "1 ignorées, 4 problème(s) de lecture",
        "  ligne 6 : 4 champs au lieu des 42 de l'en-tête",
        "  ligne 4 : 2 champs au lieu des 5 de l'en-tête (géolocalisation)",
        "  ligne 7 : numéro FINESS invalide « 46XX »",
        "  catégorie FINESS 620 (Pharmacie d'Officine) : "
        "non reprise dans l'annuaire : 1 établissement(s) ignoré(s)",
        "  CMPP Pierre-Pérard de Metz (finess 570000017) : modifiée localement : non écrasée",
    ]
    assert err.endswith("3 / 3 ressources\n")
    found = {r.source_id: r for r in await stored(settings)}
    assert found["570000017"].hours_text == "lundi-vendredi 9h-17h"
    # Placed by the geolocation file near Cahors, not at Figeac's reference point (2.03° E).
    assert found["460000052"].longitude == pytest.approx(1.44, abs=0.05)
    code, out, _ = await run(settings, "import", "finess", named, "--geolocalisation", places)
    assert out.split(" : ")[1].split(", ")[:3] == ["0 créées", "0 mises à jour", "2 inchangées"]


async def test_a_missing_geolocation_file_is_said_and_nothing_imported(
    settings: Settings, tmp_path: Path
) -> None:
    named = str(DATA / "finess_etablissements_sample.csv")
    absent = tmp_path / "geolocalisation.csv"

    code, _, err = await run(settings, "import", "finess", named, "--geolocalisation", str(absent))

    assert code == 1
    assert err.startswith(f"{absent} : lecture impossible")
    assert await stored(settings) == []
