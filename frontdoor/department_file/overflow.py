"""The `[overflow]` table of a department file: the neighbouring line taking the calls the
referents on duty cannot (core.overflow).

    [overflow]
    to = "+33471000000"
    label = "le DAC du Cantal"
    when_nobody_accepts = true   # every referent rung declined or did not answer
    when_waiting = 2             # everyone on a call and 2 callers already waiting
    when_wait_over = true        # a caller who waited [ringing] max_wait in the queue
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from frontdoor.core.overflow import OverflowLine
from frontdoor.department_file.keys import OVERFLOW
from frontdoor.department_file.reader import Reader


def overflow_line(reader: Reader, data: Mapping[str, Any], own_number: str) -> OverflowLine | None:
    if "overflow" not in data:
        return None
    table = reader.table(data, "overflow", "overflow")
    number = reader.phone(reader.text(table, "to", "overflow.to"), "overflow.to")
    if number and number == own_number:
        reader.problem("overflow.to", f"{number} is this department's own number: calls would loop")
    waiting = None
    if "when_waiting" in table:
        waiting = reader.declared_number(table, OVERFLOW, "when_waiting")
    return OverflowLine(
        number=number,
        label=reader.text(table, "label", "overflow.label"),
        when_nobody_accepts=reader.declared_boolean(table, OVERFLOW, "when_nobody_accepts"),
        when_waiting=waiting,
        when_wait_over=reader.declared_boolean(table, OVERFLOW, "when_wait_over"),
    )
