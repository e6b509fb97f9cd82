"""The command line as a coordinator uses it."""

from __future__ import annotations

import asyncio
import shutil
import socket
from pathlib import Path

import pytest
from sqlmodel import select

from frontdoor.cli import main
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import KnownContact
from tests.conftest import ROOT


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The example department files, and a database of the test's own."""
    flows = tmp_path / "flows"
    shutil.copytree(ROOT / "flows", flows)
    monkeypatch.setenv("FRONTDOOR_FLOWS_DIR", str(flows))
    monkeypatch.setenv("FRONTDOOR_TEMPLATES_DIR", str(ROOT / "templates"))
    monkeypatch.setenv("FRONTDOOR_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/db.sqlite3")
    return flows


def test_check_accepts_the_examples_and_shows_moselles_uncovered_wednesdays(
    environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--from", "2026-05-11 00:00"]) == 0

    out = capsys.readouterr().out
    assert "dac46 (DAC du Lot, +33536490046) : fichier valide" in out
    assert "mercredi 13/05 13:30 – 17:00" in out
    assert "mercredi 20/05 13:30 – 17:00" in out


def test_check_names_file_key_and_problem_and_fails(
    environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lot = environment / "dac46.toml"
    lot.write_text(lot.read_text().replace('"mon-fri 08:30-18:30"', '"mon-fri 08:30-25:00"'))

    assert main(["check"]) == 2

    err = capsys.readouterr().err
    assert "dac46.toml: hours.weekly[0]: '08:30-25:00'" in err


def test_serve_refuses_to_start_on_an_invalid_department_file(
    environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (environment / "dac46.toml").write_text("[department]\nslug = 'dac46'\n")

    assert main(["serve"]) == 2

    assert "dac46.toml: department.name: missing" in capsys.readouterr().err


def test_contacts_import_creates_then_updates(
    environment: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = tmp_path / "contacts.csv"
    csv.write_text("numero;nom;type\n0611223344;Dr Roux;gp\n0612000002;;nurse\n")

    assert main(["contacts", "import", "dac46", str(csv)]) == 0
    csv.write_text("numero;nom;type\n0611223344;Dr Jeanne Roux;specialist\n")
    assert main(["contacts", "import", "dac46", str(csv)]) == 0

    captured = capsys.readouterr()
    assert "contacts.csv : ligne 3 : le nom est vide" in captured.err
    assert "dac46 : 1 contact(s) créé(s), 0 mis à jour, 1 ligne(s) écartée(s)" in captured.out
    assert "dac46 : 0 contact(s) créé(s), 1 mis à jour, 0 ligne(s) écartée(s)" in captured.out
    assert asyncio.run(contacts(tmp_path)) == [("+33611223344", "Dr Jeanne Roux", "specialist")]


def test_contacts_import_rpps_keeps_the_territory_s_professionals(
    environment: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    samples = ROOT / "tests" / "rpps"
    activities = samples / "PS_LibreAcces_Personne_activite_202612010000.txt"
    mailboxes = samples / "Extraction_Correspondance_MSSante_202612010000.txt"

    code = main(["contacts", "import-rpps", "dac46", str(activities), "--mssante", str(mailboxes)])

    assert code == 0
    assert "dont 2 médecin(s) généraliste(s)" in capsys.readouterr().out
    assert ("+33565000101", "Docteur Camille FABRE", "gp") in asyncio.run(contacts(tmp_path))


async def contacts(tmp_path: Path) -> list[tuple[str, str, str]]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/db.sqlite3")
    async with session_maker(engine)() as session:
        rows = (await session.exec(select(KnownContact))).all()
    await engine.dispose()
    return [(row.number, row.name, row.referrer_type) for row in rows]


def test_a_misspelt_setting_stops_every_command_naming_the_closest_one(
    environment: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("FRONTDOOR_DATABSE_URL", "postgresql+asyncpg://db.example.org/frontdoor")

    assert main(["migrate"]) == 2

    err = capsys.readouterr().err
    assert "FRONTDOOR_DATABSE_URL is not a Frontdoor setting" in err
    assert "did you mean FRONTDOOR_DATABASE_URL?" in err
    assert not (tmp_path / "db.sqlite3").exists()  # nothing was written anywhere


def test_a_call_with_no_service_running_says_so_in_one_sentence(
    environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as unused:  # a port nothing listens on
        unused.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{unused.getsockname()[1]}"

    assert main(["call", "dac46", "--url", url]) == 1

    err = capsys.readouterr().err
    assert err == (
        f"Aucun service ne répond sur {url} : lancez d'abord ./dev serve "
        "(ou donnez son adresse avec --url).\n"
    )


def test_a_second_serve_on_a_busy_port_says_which_variable_to_change(
    environment: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with socket.socket() as taken:  # the first `frontdoor serve`
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for name, value in {
            "FRONTDOOR_DEV_MODE": "true",
            "FRONTDOOR_PORT": str(port),
            "FRONTDOOR_JOBS_ENABLED": "false",
            "FRONTDOOR_JOURNAL_DIR": str(tmp_path / "journal"),
        }.items():
            monkeypatch.setenv(name, value)

        assert main(["serve"]) == 1

    err = capsys.readouterr().err
    assert (
        f"Le port {port} est déjà pris sur 127.0.0.1 (un autre frontdoor serve ?) : arrêtez-le, "
        "ou choisissez un autre port avec FRONTDOOR_PORT.\n"
    ) in err
    assert "Traceback" not in err  # the service's log goes to the same stderr
