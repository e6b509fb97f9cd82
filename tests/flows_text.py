"""A valid department file, as text, and writing one, for the tests that read department
files."""

from __future__ import annotations

from pathlib import Path

VALID = """\
[department]
slug = "dac99"
name = "DAC test"
number = "+33536490099"
timezone = "Europe/Paris"
holidays = "FR"
public_allowed = true

[hours]
weekly = ["mon-fri 08:30-18:30"]
closures = [{ from = "2026-12-24 14:00", to = "2026-12-26 08:30" }]

[ringing]
strategy = "sequential"

[[referents]]
id = "amartin"
name = "Anne Martin"
phone = "+33612000001"

[roster]
backup = []

[[roster.shifts]]
days = "mon-fri"
hours = "08:30-18:30"
referents = ["amartin"]
"""


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path
