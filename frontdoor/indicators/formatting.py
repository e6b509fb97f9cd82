"""Figures written the French way: "1 234", "22,5", "42,5 %", and "—" for what is missing."""

from __future__ import annotations

from frontdoor.core.indicators import IndicatorTable, Line

MISSING = "—"
# A narrow no-break space, as French typography separates thousands (and "%").
THIN = "\u202f"


def number_text(value: float | None, *, thousands: bool = True) -> str:
    """A count or measure: whole numbers without decimals, others with one."""
    if value is None:
        return MISSING
    if float(value).is_integer():
        text = f"{int(value):,}".replace(",", THIN if thousands else "")
    else:
        text = f"{value:,.1f}".replace(",", THIN if thousands else "").replace(".", ",")
    return text


def share_text(share: float | None) -> str:
    return MISSING if share is None else f"{share * 100:.1f}".replace(".", ",") + f"{THIN}%"


def value_text(line: Line) -> str:
    """A line's value for reading; its label says the unit ("Médiane (secondes)")."""
    return number_text(line.value)


def departments_text(table: IndicatorTable) -> str:
    """ "DAC du Lot (dac46)", or the list of a regional consolidation."""
    return ", ".join(
        f"{name} ({slug})"
        for name, slug in zip(table.department_names, table.departments, strict=True)
    )
