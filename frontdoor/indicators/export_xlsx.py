"""The indicator table as a workbook laid out as a report: a cover sheet, then the national
indicators and the operational figures, each indicator a block of figures Excel can add up
(values are numbers, shares are percentages)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import timedelta

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from frontdoor.core.indicators import IndicatorTable, Section, Unit
from frontdoor.indicators.formatting import MISSING
from frontdoor.indicators.periods import Period

NATIONAL_SHEET = "Indicateurs nationaux"
OPERATIONAL_SHEET = "Indicateurs opérationnels"
COVER_SHEET = "Présentation"
PERCENT = "0.0 %"
FORMATS = {Unit.COUNT: "#,##0", Unit.SECONDS: "0.0", Unit.FTE: "0.00", Unit.EUROS: "#,##0 €"}
BOLD = Font(bold=True)


def to_xlsx(table: IndicatorTable) -> bytes:
    workbook = Workbook()
    cover = workbook.active
    assert cover is not None  # a new workbook has its first sheet
    _cover(cover, table)
    _figures(workbook.create_sheet(NATIONAL_SHEET), NATIONAL_SHEET, table, table.national)
    _figures(workbook.create_sheet(OPERATIONAL_SHEET), OPERATIONAL_SHEET, table, table.operational)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cover(sheet: Worksheet, table: IndicatorTable) -> None:
    sheet.title = COVER_SHEET
    sheet["A1"] = "Indicateurs du dispositif d'appui à la coordination"
    sheet["A1"].font = Font(bold=True, size=14)
    period = Period.parse(table.period)
    last_day = period.end_day - timedelta(days=1)
    named = zip(table.department_names, table.departments, strict=True)
    rows: list[tuple[str, str | int]] = [
        ("DAC" if len(table.departments) == 1 else "DAC (consolidation)", ""),
        *named,
        ("", ""),
        ("Période", table.period_label),
        ("Du", f"{period.first_day:%d/%m/%Y} au {last_day:%d/%m/%Y} (heure locale)"),
        ("Généré le", f"{table.generated_at:%d/%m/%Y à %H:%M} (UTC)"),
        ("Sollicitations", table.requests),
    ]
    for offset, (label, value) in enumerate(rows, start=3):
        sheet.cell(row=offset, column=1, value=label).font = BOLD
        sheet.cell(row=offset, column=2, value=value)
    note = (
        "Les erreurs de numéro, appels muets et tests ne sont pas comptés comme sollicitations. "
        f"« {MISSING} » : non disponible (rien à rapporter, ou chiffre non saisi)."
    )
    sheet.cell(row=len(rows) + 4, column=1, value=note).alignment = Alignment(wrap_text=True)
    sheet.column_dimensions["A"].width = 34
    sheet.column_dimensions["B"].width = 60


def _figures(
    sheet: Worksheet, title: str, table: IndicatorTable, sections: Sequence[Section]
) -> None:
    sheet["A1"] = f"{title} — {table.period_label}"
    sheet["A1"].font = Font(bold=True, size=13)
    row = 3
    for section in sections:
        sheet.cell(row=row, column=1, value=section.title).font = Font(bold=True, size=12)
        row += 1
        if section.note:
            sheet.cell(row=row, column=1, value=section.note).font = Font(italic=True)
            row += 1
        for column, header in enumerate(("Indicateur", "Valeur", "Part"), start=1):
            sheet.cell(row=row, column=column, value=header).font = BOLD
        row += 1
        for line in section.lines:
            sheet.cell(row=row, column=1, value=line.label)
            value = sheet.cell(
                row=row, column=2, value=MISSING if line.value is None else line.value
            )
            value.number_format = FORMATS[line.unit]
            value.alignment = Alignment(horizontal="right")
            share = sheet.cell(
                row=row, column=3, value=MISSING if line.share is None else line.share
            )
            share.number_format = PERCENT
            share.alignment = Alignment(horizontal="right")
            row += 1
        row += 1
    sheet.column_dimensions["A"].width = 62
    sheet.column_dimensions["B"].width = 14
    sheet.column_dimensions["C"].width = 10
    sheet.freeze_panes = "A3"
