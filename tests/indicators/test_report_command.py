"""`frontdoor report` as a coordinator runs it."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncEngine

from frontdoor.cli import main
from tests.conftest import ROOT


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    monkeypatch.setenv("FRONTDOOR_FLOWS_DIR", str(ROOT / "flows"))
    monkeypatch.setenv("FRONTDOOR_TEMPLATES_DIR", str(ROOT / "templates"))
    monkeypatch.setenv("FRONTDOOR_DATABASE_URL", database_url)


def test_the_text_report_is_a_readable_french_table(
    october: AsyncEngine, environment: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "--department", "dac46", "--period", "2026-10"]) == 0

    out = capsys.readouterr().out
    assert out.startswith("Indicateurs — DAC du Lot (dac46)\nPériode : octobre 2026")
    assert "INDICATEURS NATIONAUX" in out
    assert "INDICATEURS OPÉRATIONNELS" in out
    lines = [line.split() for line in out.splitlines()]
    assert ["Médecin", "généraliste", "3", "42,9", "%"] in lines  # a thin space before %
    assert ["Décrochés", "par", "un", "référent", "2", "50,0", "%"] in lines
    assert ["Médiane", "(secondes)", "21,5"] in lines


def test_several_departments_give_the_regional_table(
    october: AsyncEngine, environment: None, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["report", "--department", "dac46", "--department", "dac57", "--period", "2026-10"]
    assert main(argv) == 0
    regional = capsys.readouterr().out
    assert main(["report", "--all", "--period", "2026-10"]) == 0

    assert regional.startswith("Indicateurs — DAC du Lot (dac46), DAC de Moselle (dac57)")
    assert capsys.readouterr().out.splitlines()[2:] == regional.splitlines()[2:]
    assert ["Sollicitations", "8"] in [line.split() for line in regional.splitlines()]


def test_the_csv_goes_to_a_file(
    october: AsyncEngine, environment: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "octobre.csv"
    argv = ["report", "--department", "dac46", "--period", "2026-10", "--format", "csv"]

    assert main([*argv, "--output", str(target)]) == 0

    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfDAC;")  # one byte-order mark
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert ["Médecin généraliste", "3", "42,9 %"] in rows
    assert "octobre.csv : indicateurs de octobre 2026 écrits" in capsys.readouterr().out


def test_the_workbook_needs_a_file_and_is_written_there(
    october: AsyncEngine, environment: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["report", "--department", "dac46", "--period", "2026-Q4", "--format", "xlsx"]
    target = tmp_path / "t4.xlsx"

    assert main(argv) == 2
    assert "--output" in capsys.readouterr().err
    assert main([*argv, "--output", str(target)]) == 0

    cover = load_workbook(target)["Présentation"]
    assert ("Période", "4e trimestre 2026") in cover.iter_rows(values_only=True, max_col=2)


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        pytest.param(["--period", "2026-10"], "--department", id="no-department"),
        pytest.param(
            ["--department", "dac99", "--period", "2026-10"],
            "département inconnu « dac99 » (connus : dac46, dac57)",
            id="unknown-department",
        ),
        pytest.param(
            ["--department", "dac46", "--period", "octobre"],
            "période : « octobre » n'est pas une période",
            id="bad-period",
        ),
    ],
)
def test_mistakes_are_explained_in_french(
    environment: None, capsys: pytest.CaptureFixture[str], argv: list[str], says: str
) -> None:
    assert main(["report", *argv]) == 2

    assert says in capsys.readouterr().err


def test_the_territorys_gp_counts_are_imported_with_their_source(
    october: AsyncEngine,
    environment: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    counts = tmp_path / "medecins.csv"
    counts.write_text(
        "departement;annee;medecins_generalistes;source\n"
        "dac46;2026;182;extraction RPPS 2026-10\n"
        "dac57;2026;1 046;\n",
        encoding="utf-8-sig",
    )

    assert main(["figures", "import-gps", str(counts), "--source", "ARS 2026"]) == 0
    assert main(["report", "--department", "dac46", "--period", "2026-10"]) == 0
    lot = capsys.readouterr().out.splitlines()
    assert main(["report", "--department", "dac57", "--period", "2026-10"]) == 0
    moselle = capsys.readouterr().out.splitlines()

    def figure(lines: list[str], label: str) -> str:
        found = next(line for line in lines if line.strip().startswith(label))
        return "".join(found.removeprefix(f"  {label}").split())

    # The Lot's count replaced the 40 entered by hand; its staff and funding stay.
    assert figure(
        lot, "Médecins généralistes du territoire (source : extraction RPPS 2026-10)"
    ) == ("182")
    assert figure(lot, "Effectif (ETP)") == "4,5"
    assert figure(moselle, "Médecins généralistes du territoire (source : ARS 2026)") == "1046"


def test_a_count_file_with_an_unknown_department_changes_nothing(
    october: AsyncEngine,
    environment: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    counts = tmp_path / "medecins.csv"
    counts.write_text("departement,annee,medecins_generalistes\ndac99,2026,10\n")

    assert main(["figures", "import-gps", str(counts)]) == 2

    assert "département(s) inconnu(s) : dac99" in capsys.readouterr().err
