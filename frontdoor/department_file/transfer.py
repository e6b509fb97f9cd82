"""The `[[transfer]]` tables of a department file: partners' lines a referent can transfer a
call to (core.transfer), besides her colleagues and the `[overflow]` line.

    [[transfer]]
    to = "+33565200000"
    label = "le service social du centre hospitalier de Cahors"
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from frontdoor.core.department import PartnerLine
from frontdoor.department_file.reader import Reader


def partner_lines(
    reader: Reader, data: Mapping[str, Any], own_number: str
) -> tuple[PartnerLine, ...]:
    if "transfer" not in data:
        return ()
    lines = []
    for where, item in reader.tables(data["transfer"], "transfer", "to and label"):
        number = reader.phone(reader.text(item, "to", f"{where}.to"), f"{where}.to")
        if number and number == own_number:
            reader.problem(f"{where}.to", f"{number} is this department's own number")
        lines.append(PartnerLine(number=number, label=reader.text(item, "label", f"{where}.label")))
    return tuple(lines)
