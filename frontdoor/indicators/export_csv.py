"""The indicator table as a CSV file that French Excel opens as it is: UTF-8 with a BOM,
semicolons, decimal commas, one block per indicator headed "Indicateur;Valeur;Part"."""

from __future__ import annotations

import csv
import io

from frontdoor.core.indicators import IndicatorTable
from frontdoor.indicators.formatting import THIN, departments_text, number_text, share_text

BOM = "\ufeff"
HEADER = ("Indicateur", "Valeur", "Part")


def to_csv(table: IndicatorTable) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(("DAC", departments_text(table)))
    writer.writerow(("Période", table.period_label))
    writer.writerow(("Généré le", f"{table.generated_at:%d/%m/%Y %H:%M} UTC"))
    for part, sections in (
        ("Indicateurs nationaux", table.national),
        ("Indicateurs opérationnels", table.operational),
    ):
        writer.writerow(())
        writer.writerow((part.upper(),))
        for section in sections:
            writer.writerow(())
            writer.writerow((section.title,))
            if section.note:
                writer.writerow((section.note,))
            writer.writerow(HEADER)
            for line in section.lines:
                writer.writerow(
                    (
                        line.label,
                        # No thousands separator: Excel reads "1234" as a number, "—" as text.
                        number_text(line.value, thousands=False),
                        share_text(line.share).replace(THIN, " "),
                    )
                )
    return BOM + buffer.getvalue()
