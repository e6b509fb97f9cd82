"""The indicator table as a CSV file that French Excel opens as it is: UTF-8 with a BOM,
semicolons, decimal commas, one block per indicator headed "Indicateur;Valeur;Part".

`to_csv` gives the file's bytes, BOM included, so that whoever serves or writes it adds
nothing (a second encoding with "utf-8-sig" once put two BOMs in the console's export)."""

from __future__ import annotations

import codecs
import csv
import io

from frontdoor.core.indicators import IndicatorTable
from frontdoor.indicators.formatting import THIN, departments_text, number_text, share_text

BOM = codecs.BOM_UTF8
HEADER = ("Indicateur", "Valeur", "Part")


def to_csv(table: IndicatorTable) -> bytes:
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
    return BOM + buffer.getvalue().encode("utf-8")
