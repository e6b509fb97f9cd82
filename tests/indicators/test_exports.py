"""The CSV and the workbook, read back as a coordinator's spreadsheet would read them."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from frontdoor.core.indicators import DepartmentCounts, EnteredFigures, IndicatorTable
from frontdoor.core.indicators import indicator_table as table_of
from frontdoor.indicators.export_csv import to_csv
from frontdoor.indicators.export_xlsx import (
    COVER_SHEET,
    NATIONAL_SHEET,
    OPERATIONAL_SHEET,
    PERCENT,
    to_xlsx,
)

NOW = datetime(2026, 11, 2, 8, 30, tzinfo=UTC)


@pytest.fixture
def table() -> IndicatorTable:
    """Eight requests and a wrong number in the Lot; Moselle entered no figures."""
    return table_of(
        [
            DepartmentCounts(
                department="dac46",
                name="DAC du Lot",
                referrers={"gp": 2, "hospital": 1, "carer": 1, "wrong_number": 1},
                responses={"orientation": 3, None: 1},
                channels={"voice": 3, "mail": 1},
                voice_outcomes={"taken": 2, "abandoned": 1},
                waits={10: 1, 21: 1},
                gps={"rpps": 2},
                figures=EnteredFigures(
                    staff_fte=4.5, funding={"ars_fir": 350_000}, territory_gps=1_250
                ),
            ),
            DepartmentCounts(
                department="dac57",
                name="DAC de Moselle",
                referrers={"nurse": 4},
                responses={"information": 4},
                channels={"sms": 4},
            ),
        ],
        period="2026-10",
        period_label="octobre 2026",
        generated_at=NOW,
    )


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def block(rows: list[list[str]], title: str) -> dict[str, list[str]]:
    """The lines of one indicator's block, by label."""
    start = rows.index([title])
    header = next(i for i in range(start, len(rows)) if rows[i] == ["Indicateur", "Valeur", "Part"])
    lines = {}
    for row in rows[header + 1 :]:
        if not row:
            break
        lines[row[0]] = row[1:]
    return lines


def test_the_csv_opens_in_french_excel(table: IndicatorTable) -> None:
    data = to_csv(table)

    # Exactly one BOM: it tells Excel the file is UTF-8.
    assert data.startswith(b"\xef\xbb\xbf")
    text = data[3:].decode("utf-8")
    assert "\ufeff" not in text
    rows = csv_rows(text)
    assert rows[0] == ["DAC", "DAC du Lot (dac46), DAC de Moselle (dac57)"]
    assert rows[1] == ["Période", "octobre 2026"]
    assert rows[2] == ["Généré le", "02/11/2026 08:30 UTC"]
    assert "\r\n" in text


def test_the_csv_has_one_block_per_indicator_with_values_and_shares(table: IndicatorTable) -> None:
    rows = csv_rows(to_csv(table).decode("utf-8-sig"))

    assert block(rows, "Sollicitations")["Sollicitations"] == ["8", "—"]
    referrers = block(rows, "Sollicitations par type d'adresseur")
    assert referrers["Médecin généraliste"] == ["2", "25,0 %"]
    assert referrers["Infirmier libéral"] == ["4", "50,0 %"]
    assert block(rows, "Sollicitations par type de réponse")["Pas encore renseigné"] == [
        "1",
        "12,5 %",
    ]
    calls = block(rows, "Appels (sollicitations par téléphone)")
    assert calls["Décrochés par un référent"] == ["2", "66,7 %"]
    wait = block(rows, "Délai avant le premier contact humain (appels décrochés)")
    assert wait["Médiane (secondes)"] == ["15,5", "—"]


def test_the_csv_shows_a_dash_for_what_is_not_available(table: IndicatorTable) -> None:
    rows = csv_rows(to_csv(table).decode("utf-8-sig"))

    # Moselle did not enter its GPs: no regional share, no regional count.
    gps = block(rows, "Médecins généralistes du territoire")
    assert gps["Médecins généralistes ayant sollicité le DAC"] == ["2", "—"]
    assert gps["Médecins généralistes du territoire"] == ["—", "—"]
    assert block(rows, "Rappels dus sur la période")["Faits dans le délai"] == ["0", "—"]


def test_the_workbook_has_a_cover_and_two_sheets_of_figures(table: IndicatorTable) -> None:
    workbook = load_workbook(io.BytesIO(to_xlsx(table)))

    assert workbook.sheetnames == [COVER_SHEET, NATIONAL_SHEET, OPERATIONAL_SHEET]
    cover = {row[0]: row[1] for row in workbook[COVER_SHEET].iter_rows(values_only=True) if row[0]}
    assert cover["DAC du Lot"] == "dac46"
    assert cover["DAC de Moselle"] == "dac57"
    assert cover["Période"] == "octobre 2026"
    assert cover["Du"] == "01/10/2026 au 31/10/2026 (heure locale)"
    assert cover["Généré le"] == "02/11/2026 à 08:30 (UTC)"
    assert cover["Sollicitations"] == 8


def sheet_lines(table: IndicatorTable, name: str) -> dict[str, tuple[object, object]]:
    sheet = load_workbook(io.BytesIO(to_xlsx(table)))[name]
    return {
        row[0].value: (row[1].value, row[2].value)
        for row in sheet.iter_rows(min_row=3, max_col=3)
        if row[0].value and row[1].value is not None
    }


def test_the_workbooks_figures_are_numbers_and_shares_are_percentages(
    table: IndicatorTable,
) -> None:
    national = sheet_lines(table, NATIONAL_SHEET)
    operational = sheet_lines(table, OPERATIONAL_SHEET)

    assert national["Médecin généraliste"] == (2, 0.25)
    assert national["Effectif (ETP)"] == ("—", "—")  # Moselle's not entered: no regional sum
    assert operational["Décrochés par un référent"] == (2, 2 / 3)
    assert operational["Médiane (secondes)"] == (15.5, "—")
    assert operational["Téléphone"] == (3, 3 / 8)


def test_the_workbook_splits_funding_by_source_in_euros(table: IndicatorTable) -> None:
    lot_alone = table_of(
        [
            DepartmentCounts(
                department="dac46", name="DAC du Lot", referrers={"gp": 1},
                figures=EnteredFigures(funding={"ars_fir": 300_000, "assurance_maladie": 100_000},
                                       territory_gps=180, territory_gps_source="RPPS 2026-10"),
            )
        ],
        period="2026", period_label="2026", generated_at=NOW,
    )  # fmt: skip

    national = sheet_lines(lot_alone, NATIONAL_SHEET)
    rows = csv_rows(to_csv(lot_alone).decode("utf-8-sig"))

    assert national["Financement total (€)"] == (400_000, "—")
    assert national["dont ARS (fonds d'intervention régional, FIR)"] == (300_000, 0.75)
    assert national["dont Conseil départemental"] == (0, 0)
    assert national["dont Assurance maladie"] == (100_000, 0.25)
    assert national["Médecins généralistes du territoire (source : RPPS 2026-10)"] == (180, "—")
    assert ["dont Assurance maladie", "100000", "25,0 %"] in rows


def test_the_workbook_is_laid_out_as_a_report(table: IndicatorTable) -> None:
    sheet = load_workbook(io.BytesIO(to_xlsx(table)))[NATIONAL_SHEET]
    header = next(row for row in sheet.iter_rows(max_col=3) if row[0].value == "Indicateur")
    gp = next(row for row in sheet.iter_rows(max_col=3) if row[0].value == "Médecin généraliste")

    assert all(cell.font.bold for cell in header)
    assert gp[2].number_format == PERCENT
    assert sheet.column_dimensions["A"].width > 40
    assert sheet.column_dimensions["C"].width >= 10
